import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { AUTO_END_NOTICE, ISP_PRODUCTS } from "~/licenses/isp-bundle";
import {
  autoEndedText,
  ISP_STATUS_LABELS,
  MAIN_SERVICE_KIND_LABELS,
  MAIN_SERVICE_STATUS_LABELS,
} from "~/licenses/labels";
import { applicableCustomers, listIspContracts } from "~/licenses/isp.server";
import { LICENSE_ACTION_ROLES } from "~/licenses/licenses.server";
import { listMainServices } from "~/licenses/main-service-views.server";
import {
  MAIN_SERVICE_KINDS,
  MAIN_SERVICE_STATUSES,
  type MainServiceField,
} from "~/licenses/main-services";
import { MAIN_SERVICE_RECORD_ROLES, recordMainService } from "~/licenses/main-services.server";
import { now } from "~/lib/clock";
import { formValues, parseForm } from "~/lib/form";
import { failureResponse } from "~/lib/result.server";
import { jstDate } from "~/lib/jst";
import { formatDate, formatInstant } from "~/lib/format";
import { CustomerOptions } from "~/components/CustomerOptions";

type FieldName = MainServiceField | "customerId" | "_form";

// The page's one form as one schema (issue 16 item 1): an intent it does not send is a 400 that
// writes nothing. The service fields are checked by validateMainService (shared with the command
// and the partner API); here only the form's shape.
const MainServiceForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("record"),
    customerId: z.coerce
      .number({ error: "お客さまを選んでください" })
      .int("お客さまを選んでください")
      .positive("お客さまを選んでください"),
    serviceRef: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    status: z.string().optional(),
    lastDay: z.string().optional(),
  }),
]);

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: LICENSE_ACTION_ROLES });
  const db = getDb();
  const today = jstDate(now());
  const canRecord = MAIN_SERVICE_RECORD_ROLES.includes(viewer.role);
  const [services, contracts, customers] = await Promise.all([
    listMainServices(db, viewer.tenant),
    listIspContracts(db, viewer.tenant, today),
    applicableCustomers(db, viewer.tenant),
  ]);
  // Customers with something to show (a main service or an ISP contract), in customer order.
  const shown = customers.filter(
    (c) =>
      services.some((s) => s.customerId === c.id) || contracts.some((k) => k.customer === c.ref),
  );
  return {
    today,
    canRecord,
    showCustomer: viewer.tenant.kind !== "customer",
    customers: canRecord ? customers : [],
    groups: shown.map((c) => ({
      customer: c,
      services: services.filter((s) => s.customerId === c.id),
      contracts: contracts
        .filter((k) => k.customer === c.ref)
        .map((k) => ({
          id: k.id,
          contractNumber: k.contractNumber,
          product: ISP_PRODUCTS[k.product].name,
          status: k.status,
          cancellation: k.cancellation,
          endedOn: k.endedOn,
        })),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: MAIN_SERVICE_RECORD_ROLES });
  const form = await request.formData();
  const values = formValues(form);
  const parsed = parseForm(MainServiceForm, form);
  if (!parsed.ok) return failureResponse(parsed, { values });
  const { customerId, serviceRef, kind, name, status, lastDay } = parsed.value;
  const result = await recordMainService(getDb(), {
    customerId,
    input: { serviceRef, kind, name, status, lastDay },
    tenant: viewer.tenant,
    on: jstDate(now()),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  });
  // A customer outside the viewer's tenant answers like a missing one (failureResponse's 404).
  if (!result.ok) return failureResponse(result, { values });
  const recorded = result.value;
  const search = new URLSearchParams({
    recorded: recorded.service.serviceRef,
    customer: recorded.customerRef,
    ended: String(recorded.ended.length),
  });
  if (recorded.ended.length > 0) search.set("endedOn", recorded.ended[0].endedOn);
  return redirect(`/licenses/isp/main-services?${search}`);
}

export default function MainServices() {
  const { today, canRecord, showCustomer, customers, groups } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors: Partial<Record<FieldName, string>> = actionData?.errors ?? {};
  const values: Partial<Record<string, string>> | undefined = actionData?.values;
  const ended = Number(params.get("ended") ?? 0);
  return (
    <>
      <p>
        <Link to="/licenses">← ライセンスの一覧</Link> ・{" "}
        <Link to="/licenses/isp">ISPセキュリティの申込み</Link>
      </p>
      <h1>ISPの主契約（インターネット・テレビ・電話）</h1>
      <ul className="notices">
        <li>{AUTO_END_NOTICE}</li>
        <li>
          主契約がすべて解約または休止になると、最後の主契約の最終利用日でISPセキュリティが終了します（その月までの料金は全額、翌月から請求されません）。最終利用日が先の日付のときは、その日に自動で終了します。
        </li>
        <li>
          解約・休止を記録する前に、お客さまの主契約をすべて（ご利用中のものも）登録してください。記録のない主契約は判定に含まれません。
        </li>
      </ul>
      {params.get("recorded") ? (
        <div className="alert success" role="status" data-testid="main-service-recorded">
          {params.get("customer")} の主契約 {params.get("recorded")} を記録しました。
          {ended > 0
            ? `ISPセキュリティ ${ended}件が${autoEndedText(params.get("endedOn") ?? "")}となりました。`
            : "自動解約されたISPセキュリティはありません。"}
        </div>
      ) : null}

      {groups.length === 0 ? (
        <div className="empty">登録されている主契約・ISPセキュリティ契約はありません。</div>
      ) : (
        groups.map((g) => (
          <section
            key={g.customer.id}
            className="card mb-16"
            data-testid={`main-services-${g.customer.ref}`}
          >
            <h2>{showCustomer ? `${g.customer.name}（${g.customer.ref}）` : "ご契約の主契約"}</h2>
            {g.services.length === 0 ? (
              <p className="muted">主契約が登録されていません（自動解約の判定は行われません）。</p>
            ) : (
              <TableScroll>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">サービス番号</th>
                      <th scope="col">種類</th>
                      <th scope="col">サービス名</th>
                      <th scope="col">状態</th>
                      <th scope="col">最終利用日</th>
                      <th scope="col">記録</th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.services.map((s) => (
                      <tr key={s.id}>
                        <td>{s.serviceRef}</td>
                        <td>{MAIN_SERVICE_KIND_LABELS[s.kind]}</td>
                        <td>{s.name ?? "—"}</td>
                        <td>{MAIN_SERVICE_STATUS_LABELS[s.status]}</td>
                        <td>
                          {formatDate(s.lastDay)}
                          {s.lastDay && s.lastDay >= today ? "（予定）" : ""}
                        </td>
                        <td className="muted">
                          {formatInstant(s.recordedAt)}
                          {s.recordedBy ? `・${s.recordedBy}` : ""}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
            {g.contracts.length > 0 ? (
              <>
                <h3>ISPセキュリティ</h3>
                <ul data-testid={`isp-contracts-${g.customer.ref}`}>
                  {g.contracts.map((k) => (
                    <li key={k.id}>
                      契約番号 {k.contractNumber}・{k.product}・
                      {k.endedOn ? autoEndedText(k.endedOn) : ISP_STATUS_LABELS[k.status]}
                      {!k.endedOn && k.cancellation
                        ? `（解約日 ${formatDate(k.cancellation.effectiveEnd)}）`
                        : ""}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
        ))
      )}

      {canRecord ? (
        <>
          <h2>主契約の状態を記録する</h2>
          {errors._form ? (
            <div className="alert error" role="alert">
              {errors._form}
            </div>
          ) : null}
          <Form method="post" className="stack" noValidate>
            <input type="hidden" name="intent" value="record" />
            <label>
              お客さま
              <select
                name="customerId"
                defaultValue={values?.customerId ?? ""}
                aria-invalid={errors.customerId ? true : undefined}
              >
                <option value="">選んでください</option>
                <CustomerOptions customers={customers} />
              </select>
              {errors.customerId ? (
                <span className="field-error" role="alert">
                  {errors.customerId}
                </span>
              ) : null}
            </label>
            <label>
              サービス番号（回線番号・お客さま番号）
              <input
                type="text"
                name="serviceRef"
                defaultValue={values?.serviceRef ?? ""}
                maxLength={60}
                aria-invalid={errors.serviceRef ? true : undefined}
              />
              {errors.serviceRef ? (
                <span className="field-error" role="alert">
                  {errors.serviceRef}
                </span>
              ) : null}
            </label>
            <label>
              種類
              <select
                name="kind"
                defaultValue={values?.kind ?? ""}
                aria-invalid={errors.kind ? true : undefined}
              >
                <option value="">（登録済みのサービスは変更しない）</option>
                {MAIN_SERVICE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {MAIN_SERVICE_KIND_LABELS[k]}
                  </option>
                ))}
              </select>
              {errors.kind ? (
                <span className="field-error" role="alert">
                  {errors.kind}
                </span>
              ) : null}
            </label>
            <label>
              サービス名（任意）
              <input
                type="text"
                name="name"
                defaultValue={values?.name ?? ""}
                maxLength={100}
                aria-invalid={errors.name ? true : undefined}
              />
              {errors.name ? (
                <span className="field-error" role="alert">
                  {errors.name}
                </span>
              ) : null}
            </label>
            <label>
              状態
              <select
                name="status"
                defaultValue={values?.status ?? ""}
                aria-invalid={errors.status ? true : undefined}
              >
                <option value="">選んでください</option>
                {MAIN_SERVICE_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {MAIN_SERVICE_STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
              {errors.status ? (
                <span className="field-error" role="alert">
                  {errors.status}
                </span>
              ) : null}
            </label>
            <label>
              最終利用日（休止・解約の場合）
              <input
                type="text"
                name="lastDay"
                placeholder="2026-11-30"
                inputMode="numeric"
                defaultValue={values?.lastDay ?? ""}
                aria-invalid={errors.lastDay ? true : undefined}
              />
              {errors.lastDay ? (
                <span className="field-error" role="alert">
                  {errors.lastDay}
                </span>
              ) : null}
            </label>
            <button type="submit">記録する</button>
          </Form>
        </>
      ) : (
        <p className="muted">主契約の状態は、販売店または運用担当者が記録します。</p>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "ISPの主契約 | セキュアライン 管理コンソール" }];
