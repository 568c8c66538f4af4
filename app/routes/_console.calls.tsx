import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idField } from "~/lib/fields";
import { formValues, parseForm } from "~/lib/form";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { failureResponse } from "~/lib/result.server";
import { OnceForm } from "~/components/OnceForm";
import { isInWindow, nextInstantInWindow } from "~/lib/jst";
import {
  CALL_RESULT_LABELS,
  CALL_RESULTS,
  CALL_SORT,
  pageDueCalls,
  recordCall,
} from "~/security/calls.server";
import { Pager } from "~/components/Pager";
import { TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { formatInstant } from "~/lib/format";
import { INCIDENT_STATUS_LABELS, SEVERITY_LABELS } from "~/security/incident-labels";
import { PHONE_WINDOW } from "~/security/notification-windows";

/** Built when used: a schema at module level would also be built in the browser, where the .server values are absent. */
function callForm() {
  // One form per call row, one intent (issue 16 item 1): anything else is a 400 that writes nothing.
  return z.discriminatedUnion("intent", [
    z.object({
      intent: z.literal("record_call"),
      id: idField("電話連絡"),
      result: z.enum(CALL_RESULTS, { error: "結果を選んでください" }),
      note: z.string().trim().max(500, "メモは500文字以内で入力してください").default(""),
    }),
  ]);
}

/** Each call row's form has its own one-time token (decision 0030). */
const callFormName = (id: number) => `call-${id}`;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const at = now();
  const { calls, page } = await pageDueCalls(
    getDb(),
    viewer.tenant,
    at,
    pageRequest(new URL(request.url).searchParams, CALL_SORT),
  );
  // Issue 17 item 1: a double click or a reload records a call's result once.
  const formTokens = await issueFormTokens(getDb(), {
    userId: viewer.id,
    forms: calls.filter((c) => c.planned_at <= at.toISOString()).map((c) => callFormName(c.id)),
  });
  return {
    calls: calls.map((c) => ({
      ...c,
      minutesLate: Math.floor((at.getTime() - Date.parse(c.planned_at)) / 60_000),
      formToken: formTokens[callFormName(c.id)] ?? "",
    })),
    page,
    results: CALL_RESULTS.map((value) => ({ value, label: CALL_RESULT_LABELS[value] })),
    // S1-4①: phone calls are made 09:00–21:00, every day but 12/29–1/3.
    windowOpen: isInWindow(at, PHONE_WINDOW),
    nextWindow: nextInstantInWindow(at, PHONE_WINDOW).toISOString(),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const parsed = parseForm(callForm(), form);
  // The row's own values, to show its form again with its errors.
  const values = formValues(form);
  if (!parsed.ok) {
    const id = idField().safeParse(values.id);
    return failureResponse(parsed, { id: id.success ? id.data : 0, values });
  }
  const { id, result, note } = parsed.value;
  const name = callFormName(id);
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, name, form, request),
    (trx) =>
      recordCall(trx, {
        id,
        tenant: viewer.tenant,
        result,
        note,
        at: now(),
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    (r) => (r.ok ? { summary: `電話連絡の結果（${CALL_RESULT_LABELS[result]}）` } : null),
  );
  if (run.kind !== "done") return onceResponse(name, run);
  if (!run.value.ok) return failureResponse(run.value, { id, values });
  return redirect(`/calls?recorded=${id}`);
}

/** 25 → 25分, 1180 → 19時間40分, 3000 → 2日2時間. */
function elapsed(minutes: number): string {
  if (minutes < 60) return `${minutes}分`;
  if (minutes < 24 * 60)
    return `${Math.floor(minutes / 60)}時間${minutes % 60 ? `${minutes % 60}分` : ""}`;
  const hours = Math.floor(minutes / 60);
  return `${Math.floor(hours / 24)}日${hours % 24 ? `${hours % 24}時間` : ""}`;
}

export default function Calls() {
  const { calls, page, results, windowOpen, nextWindow } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const actionData = answer && "errors" in answer ? answer : undefined;
  const [params] = useSearchParams();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>電話連絡</h1>
      <p className="muted">
        インシデント（C&C通信・ウイルス駆除失敗・ゲートウェイのオフライン）のお客さまへの電話連絡です（S1-4①）。
        予定時刻を過ぎたものと1時間以内に予定されているものを、予定の早い順に表示します。
        電話は9:00〜21:00（12/29〜1/3を除く）にかけます。
        <Link to="/dispatch">ゲートウェイ故障の受付 →</Link>
      </p>
      {!windowOpen ? (
        <div className="alert error" role="status">
          現在は電話連絡の時間外です。次に電話できるのは{formatInstant(nextWindow)}からです。
        </div>
      ) : null}
      {params.get("recorded") && !answer ? (
        <div className="alert success" role="status">
          電話連絡の結果を記録しました。
        </div>
      ) : null}
      {calls.length === 0 ? (
        <div className="empty">いま連絡が必要な電話はありません。</div>
      ) : (
        <>
          <Pager info={page} label="電話連絡のページ" />
          <TableScroll label="連絡が必要な電話">
            <table className="data" aria-label="連絡が必要な電話">
              <thead>
                <tr>
                  <th scope="col">予定日時</th>
                  <th scope="col">お客さま・契約</th>
                  <th scope="col">電話番号</th>
                  <th scope="col">用件</th>
                  <th scope="col">結果の記録</th>
                </tr>
              </thead>
              <tbody>
                {calls.map((c) => {
                  const mine = actionData?.id === c.id ? actionData : null;
                  const due = c.minutesLate >= 0;
                  return (
                    <tr key={c.id} data-call-id={c.id}>
                      <td>
                        {formatInstant(c.planned_at)}
                        <div>
                          {due ? (
                            <span className={`badge ${c.minutesLate >= 30 ? "suspended" : ""}`}>
                              {c.minutesLate >= 1 ? `${elapsed(c.minutesLate)}経過` : "いま"}
                            </span>
                          ) : (
                            <span className="badge terminated">{elapsed(-c.minutesLate)}後</span>
                          )}
                        </div>
                      </td>
                      <td>
                        {c.customer_name}
                        <br />
                        <span className="muted">{c.contract_ref}</span>
                      </td>
                      <td className="nowrap">
                        <a href={`tel:${c.recipient.replace(/[^0-9+]/g, "")}`}>{c.recipient}</a>
                      </td>
                      <td>
                        <Link to={`/incidents/${c.incident_id}`}>{c.title}</Link>
                        <div className="muted text-13">
                          重要度 {SEVERITY_LABELS[c.severity] ?? c.severity}・
                          {INCIDENT_STATUS_LABELS[c.incident_status]}
                        </div>
                      </td>
                      <td>
                        {due ? (
                          <OnceForm
                            method="post"
                            className="call-form call-form"
                            aria-label={`${c.customer_name}への電話の結果`}
                            token={c.formToken}
                            form={`call-${c.id}`}
                          >
                            <input type="hidden" name="intent" value="record_call" />
                            <input type="hidden" name="id" value={c.id} />
                            {mine?.errors._form ? (
                              <div className="field-error" role="alert">
                                {mine.errors._form}
                              </div>
                            ) : null}
                            <label htmlFor={`result-${c.id}`} className="text-13">
                              結果
                            </label>
                            <select
                              id={`result-${c.id}`}
                              name="result"
                              defaultValue={mine?.values.result ?? ""}
                              aria-invalid={mine?.errors.result ? true : undefined}
                              aria-describedby={
                                mine?.errors.result ? `result-${c.id}-error` : undefined
                              }
                            >
                              <option value="" disabled>
                                選択してください
                              </option>
                              {results.map((r) => (
                                <option key={r.value} value={r.value}>
                                  {r.label}
                                </option>
                              ))}
                            </select>
                            {mine?.errors.result ? (
                              <span className="field-error" id={`result-${c.id}-error`}>
                                {mine.errors.result}
                              </span>
                            ) : null}
                            <label htmlFor={`note-${c.id}`} className="text-13">
                              メモ
                            </label>
                            <input
                              id={`note-${c.id}`}
                              type="text"
                              name="note"
                              defaultValue={mine?.values.note ?? ""}
                              placeholder="例：ご担当の田中さまに状況を説明"
                              aria-invalid={mine?.errors.note ? true : undefined}
                              aria-describedby={
                                mine?.errors.note ? `note-${c.id}-error` : undefined
                              }
                            />
                            {mine?.errors.note ? (
                              <span className="field-error" id={`note-${c.id}-error`}>
                                {mine.errors.note}
                              </span>
                            ) : null}
                            <button type="submit" disabled={busy}>
                              記録する
                            </button>
                          </OnceForm>
                        ) : (
                          <span className="muted text-13">予定時刻になると記録できます</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="電話連絡のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "電話連絡 | セキュアライン 管理コンソール" }];
