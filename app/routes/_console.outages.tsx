import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import type { OutageService } from "~/billing/outage-credit";
import { activeContractByRef } from "~/contracts/contracts.server";
import { OUTAGE_SERVICE_LABELS } from "~/contracts/outage-labels";
import { OUTAGE_SORT, outageCredits, pageOutages, recordOutage } from "~/contracts/outages.server";
import { PagedTable } from "~/components/Pager";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { getDb } from "~/db.server";
import { formValues, parseForm, UNKNOWN_INTENT } from "~/lib/form";
import { z } from "zod";
import { isIsoDate, isTimeOfDay, jstInstant } from "~/lib/jst";
import { formatInstant, formatMonth, formatYen } from "~/lib/format";

const SERVICES = (Object.entries(OUTAGE_SERVICE_LABELS) as [OutageService, string][]).map(
  ([value, label]) => ({ value, label }),
);

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const db = getDb();
  const { outages, page } = await pageOutages(
    db,
    viewer.tenant,
    pageRequest(new URL(request.url).searchParams, OUTAGE_SORT),
  );
  return {
    outages,
    page,
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "outage" }),
  };
}

function instant(form: FormData, prefix: string): string | null {
  const date = String(form.get(`${prefix}Date`) ?? "");
  const time = String(form.get(`${prefix}Time`) ?? "");
  return isIsoDate(date) && isTimeOfDay(time) ? jstInstant(date, time).toISOString() : null;
}

// Preview or record (issue 16 item 1): an unknown intent is a 400, not a record; the contract is
// named by its number (契約番号), looked up among the tenant's active contracts. The services and
// times are checked below, all errors at once.
const OutageIntent = z.looseObject({
  intent: z.enum(["preview", "record"], { error: UNKNOWN_INTENT }),
  contractRef: z
    .string()
    .trim()
    .toUpperCase()
    .min(1, "契約番号を入力してください")
    .max(20, "契約番号は20文字以内で入力してください"),
});

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const values = formValues(form);
  const errors: Record<string, string> = {};
  const intent = parseForm(OutageIntent, form);
  if (!intent.ok)
    return data(
      { errors: intent.fields as Record<string, string>, values, credits: null },
      { status: 400 },
    );
  const db = getDb();
  const contract = await activeContractByRef(db, viewer.tenant, intent.value.contractRef);
  if (!contract)
    errors.contractRef = `利用中の契約に ${intent.value.contractRef} はありません。契約番号（例: K-1001）を確かめてください`;
  const services = form
    .getAll("services")
    .map(String)
    .filter((s): s is OutageService => SERVICES.some((x) => x.value === s));
  if (services.length === 0) errors.services = "利用できなかったサービスを1つ以上選んでください";
  const knownAt = instant(form, "known");
  const restoredAt = instant(form, "restored");
  if (!knownAt) errors.known = "障害を把握した日時を入力してください";
  if (!restoredAt) errors.restored = "復旧した日時を入力してください";
  if (knownAt && restoredAt && restoredAt <= knownAt)
    errors.restored = "復旧日時は把握した日時より後にしてください";
  if (Object.keys(errors).length) return data({ errors, values, credits: null }, { status: 400 });
  const outage = {
    services,
    knownAt: knownAt!,
    restoredAt: restoredAt!,
    customerFault: form.get("customerFault") === "on",
  };
  const contractId = contract!.id;
  if (intent.value.intent === "preview") {
    return data({ errors: {}, values, credits: await outageCredits(db, contractId, outage) });
  }
  const run = await runFormOnce(
    db,
    formClaim(viewer, "outage", form, request),
    (trx) =>
      recordOutage(trx, {
        contractId,
        outage,
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    () => ({ summary: "障害は記録済みです" }),
  );
  if (run.kind !== "done") return onceResponse("outage", run);
  return redirect("/outages?recorded=1");
}

export default function Outages() {
  const { outages, page, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const e: Record<string, string> = result?.errors ?? {};
  const v = (k: string) => result?.values?.[k] ?? "";
  return (
    <>
      <h1>障害の記録</h1>
      <p className="muted">
        当社の責めによらずお客さまの責めでもない理由でサービスがまったく利用できず、当社が把握してから24時間以上続いたときは、24時間ごとに1日分の月額料金を減額します（規約第24条第2項）。
      </p>
      {params.get("recorded") ? (
        <div className="alert success" role="status">
          障害を記録しました。減額は該当月の請求書に計上されます。
        </div>
      ) : null}
      <OnceForm token={formToken} form="outage" method="post" className="stack" noValidate>
        <label>
          契約番号
          <input
            type="text"
            name="contractRef"
            placeholder="K-1001"
            maxLength={20}
            autoComplete="off"
            defaultValue={v("contractRef")}
            aria-invalid={e.contractRef ? true : undefined}
          />
          {e.contractRef ? <span className="field-error">{e.contractRef}</span> : null}
        </label>
        <fieldset>
          <legend>利用できなかったサービス</legend>
          {SERVICES.map((s) => (
            <label key={s.value} className="check">
              <input
                type="checkbox"
                name="services"
                value={s.value}
                defaultChecked={result?.values ? result.values.services === s.value : false}
              />{" "}
              {s.label}
            </label>
          ))}
          {e.services ? <span className="field-error">{e.services}</span> : null}
        </fieldset>
        <div className="row">
          <label>
            把握した日
            <input type="date" name="knownDate" defaultValue={v("knownDate")} />
          </label>
          <label>
            時刻
            <input type="time" name="knownTime" defaultValue={v("knownTime")} />
          </label>
        </div>
        {e.known ? <span className="field-error">{e.known}</span> : null}
        <div className="row">
          <label>
            復旧した日
            <input type="date" name="restoredDate" defaultValue={v("restoredDate")} />
          </label>
          <label>
            時刻
            <input type="time" name="restoredTime" defaultValue={v("restoredTime")} />
          </label>
        </div>
        {e.restored ? <span className="field-error">{e.restored}</span> : null}
        <label className="check">
          <input
            type="checkbox"
            name="customerFault"
            defaultChecked={v("customerFault") === "on"}
          />{" "}
          お客さまの責めによる障害（減額なし）
        </label>
        <div className="row">
          <button type="submit" name="intent" value="preview" className="secondary">
            減額を計算する
          </button>
          <button type="submit" name="intent" value="record">
            記録する
          </button>
        </div>
      </OnceForm>
      {result?.credits ? (
        <TableScroll label="減額">
          <table className="data max-560 mt-16" aria-label="減額">
            <thead>
              <tr>
                <th scope="col">請求月</th>
                <th scope="col" className="num">
                  減額（税抜）
                </th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {result.credits.map((c) => (
                <tr key={c.month}>
                  <td>{formatMonth(c.month)}</td>
                  <td className="num" data-testid={`credit-${c.month}`}>
                    {formatYen(c.creditYen)}
                  </td>
                  <td>{c.closed ? "締め済み：返還請求書で対応してください" : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <h2>記録済みの障害</h2>
      {outages.length === 0 ? (
        <div className="empty">記録された障害はありません。</div>
      ) : (
        <PagedTable page={page} label="障害のページ">
          <thead>
            <tr>
              <th scope="col">契約</th>
              <th scope="col">顧客</th>
              <th scope="col">サービス</th>
              <th scope="col">把握</th>
              <th scope="col">復旧</th>
              <th scope="col">責め</th>
            </tr>
          </thead>
          <tbody>
            {outages.map((o) => (
              <tr key={o.id}>
                <td>{o.contract_ref}</td>
                <td>{o.customer_name}</td>
                <td>
                  {o.services
                    .split(",")
                    .map((s) => SERVICES.find((x) => x.value === s)?.label ?? s)
                    .join("・")}
                </td>
                <td>{formatInstant(o.known_at)}</td>
                <td>{formatInstant(o.restored_at)}</td>
                <td>{o.customer_fault ? "お客さま" : "—"}</td>
              </tr>
            ))}
          </tbody>
        </PagedTable>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "障害の記録 | セキュアライン 管理コンソール" }];
