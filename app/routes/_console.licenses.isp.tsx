import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { OnceForm } from "~/components/OnceForm";
import { TableScroll } from "~/components/TableScroll";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import {
  APPLICATION_MONTH_FREE_NOTICE,
  AUTO_END_NOTICE,
  ISP_PRODUCTS,
  SWITCHING_WARNING,
  type IspProductCode,
} from "~/licenses/isp-bundle";
import { autoEndedText, ISP_STATUS_LABELS } from "~/licenses/labels";
import { applicableCustomers, applyIspSecurity, listIspContracts } from "~/licenses/isp.server";
import { LICENSE_ACTION_ROLES } from "~/licenses/licenses.server";
import { now } from "~/lib/clock";
import { parseForm } from "~/lib/form";
import { invalidField } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import {
  formClaim,
  formTokenOf,
  issueFormToken,
  onceResponse,
  runFormOnce,
} from "~/lib/idempotency.server";
import { jstDate } from "~/lib/jst";
import { formatDate, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";
import { CustomerOptions } from "~/components/CustomerOptions";
import { FieldError } from "~/components/Field";

const PRODUCT_CODES = Object.keys(ISP_PRODUCTS) as [IspProductCode, ...IspProductCode[]];
type FieldName = "customerId" | "product" | "devices" | "_form";

// The page's one form, its one intent (issue 16 item 1): any other is a 400 that applies nothing.
const ApplicationForm = z.object({
  intent: z.literal("apply"),
  customerId: z.coerce
    .number({ error: "お客さまを選んでください" })
    .int()
    .positive("お客さまを選んでください"),
  product: z.enum(PRODUCT_CODES, { error: "サービスを選んでください" }),
  devices: z.coerce
    .number({ error: "ご利用端末台数を数字で入力してください" })
    .int("ご利用端末台数は整数で入力してください")
    .min(1, "ご利用端末台数は1台以上で入力してください"),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: LICENSE_ACTION_ROLES });
  const db = getDb();
  const today = jstDate(now());
  return {
    // Made when the form is shown: a second submission of this form answers with the same application (L-4, decision 0027).
    formToken: await issueFormToken(db, { userId: viewer.id, form: "isp-application" }),
    customers:
      viewer.tenant.kind === "customer" ? [] : await applicableCustomers(db, viewer.tenant),
    products: PRODUCT_CODES.map((code) => ISP_PRODUCTS[code]),
    ispContracts: await listIspContracts(db, viewer.tenant, today),
    showCustomer: viewer.tenant.kind !== "customer",
    notices: {
      switching: SWITCHING_WARNING,
      free: APPLICATION_MONTH_FREE_NOTICE,
      autoEnd: AUTO_END_NOTICE,
    },
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: LICENSE_ACTION_ROLES });
  const form: Record<string, unknown> = Object.fromEntries(await request.formData());
  // A customer applies for itself, whatever the form says.
  if (viewer.tenant.kind === "customer") form.customerId = String(viewer.tenant.customerId);
  const parsed = parseForm(ApplicationForm, form);
  if (!parsed.ok) return failureResponse(parsed);
  const { intent: _apply, ...input } = parsed.value;
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "isp-application", form, request),
    (trx) =>
      applyIspSecurity(trx, {
        input: { ...input, idempotencyKey: formTokenOf(form) ?? "" },
        tenant: viewer.tenant,
        on: jstDate(now()),
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    (r) =>
      r.ok
        ? {
            summary: `契約番号 ${r.value.contractNumber}`,
            redirect: `/licenses/${r.value.licenseId}?applied=1`,
          }
        : null,
  );
  // A repeat goes where the first answer went, as decision 0007 promised for a double click.
  if (run.kind === "replayed" && run.outcome.redirect) return redirect(run.outcome.redirect);
  if (run.kind !== "done") return onceResponse("isp-application", run);
  const result = run.value;
  // A customer outside the tenant is one the form could not have offered: the choice is wrong.
  if (!result.ok && result.kind === "not_found")
    return failureResponse(invalidField("customerId", "お客さまを選んでください"));
  if (!result.ok) return failureResponse(result);
  return redirect(`/licenses/${result.value.licenseId}?applied=1`);
}

export default function IspApplication() {
  const { formToken, customers, products, ispContracts, showCustomer, notices } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const actionData = answer && "errors" in answer ? answer : undefined;
  const errors: Partial<Record<FieldName, string>> = actionData?.errors ?? {};
  const live = ispContracts.filter((c) => c.status !== "ended");
  return (
    <>
      <p>
        <Link to="/licenses">← ライセンスの一覧</Link>
      </p>
      <h1>ISPセキュリティの申込み</h1>
      <ul className="notices">
        <li>
          1契約で端末3台までご利用いただけます（WEBフィルタリングは1契約1台）。料金は税込です。
        </li>
        <li>{notices.free}</li>
        <li>
          {notices.autoEnd}（
          <Link to="/licenses/isp/main-services">ISPの主契約を見る・記録する</Link>）
        </li>
      </ul>
      {live.length > 0 ? (
        <div className="alert error" role="alert" data-testid="switching-warning">
          {notices.switching}（ご契約中:{" "}
          {live
            .map(
              (c) =>
                `${products.find((p) => p.code === c.product)?.name ?? c.product} 契約番号 ${c.contractNumber}`,
            )
            .join("、")}
          ）
        </div>
      ) : null}
      {errors._form ? (
        <div className="alert error" role="alert">
          {errors._form}
        </div>
      ) : null}
      <OnceForm token={formToken} form="isp-application" method="post" className="stack" noValidate>
        <input type="hidden" name="intent" value="apply" />
        {showCustomer ? (
          <label>
            お客さま
            <select
              name="customerId"
              defaultValue=""
              aria-invalid={errors.customerId ? true : undefined}
            >
              <option value="" disabled>
                選んでください
              </option>
              <CustomerOptions customers={customers} />
            </select>
            <FieldError name="customerId" errors={errors} />
          </label>
        ) : null}
        <label>
          サービス
          <select
            name="product"
            defaultValue="multi_device_security"
            aria-invalid={errors.product ? true : undefined}
          >
            {products.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name}（月額 {formatYen(p.monthlyYenTaxIncluded)}・税込、{p.maxDevices}台まで）
              </option>
            ))}
          </select>
          {errors.product ? <span className="field-error">{errors.product}</span> : null}
        </label>
        <label>
          ご利用端末台数
          <input
            type="text"
            inputMode="numeric"
            name="devices"
            defaultValue="1"
            aria-invalid={errors.devices ? true : undefined}
          />
          {errors.devices ? (
            <span className="field-error" role="alert">
              {errors.devices}
            </span>
          ) : null}
        </label>
        <p className="muted">
          お申込みボタンは一度だけ押してください。二度押しても契約が二重にできることはありません。
        </p>
        <button type="submit">申し込む</button>
      </OnceForm>

      <h2>ISPセキュリティの契約</h2>
      {ispContracts.length === 0 ? (
        <div className="empty">ISPセキュリティの契約はまだありません。</div>
      ) : (
        <TableScroll>
          <table className="data" data-testid="isp-contracts">
            <thead>
              <tr>
                <th scope="col">契約番号</th>
                {showCustomer ? <th scope="col">お客さま</th> : null}
                <th scope="col">サービス</th>
                <th scope="col">台数</th>
                <th scope="col">申込日</th>
                <th scope="col">状態</th>
              </tr>
            </thead>
            <tbody>
              {ispContracts.map((c) => (
                <tr key={c.id}>
                  <td>{c.contractNumber}</td>
                  {showCustomer ? <td>{c.customerName}</td> : null}
                  <td>{products.find((p) => p.code === c.product)?.name ?? c.product}</td>
                  <td>{c.devices}台</td>
                  <td>{formatDate(c.appliedOn)}</td>
                  <td data-testid="isp-contract-status">
                    {c.endedOn ? autoEndedText(c.endedOn) : ISP_STATUS_LABELS[c.status]}
                    {!c.endedOn && c.cancellation
                      ? `（解約日 ${formatDate(c.cancellation.effectiveEnd)}）`
                      : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}

export const meta = titled("ISPセキュリティの申込み");
