import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import type { RefundStateColumn } from "../../db/schema";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { KeepSort, Pager, SortHeader } from "~/components/Pager";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { REFUND_RULE_LABELS, REFUND_STATE_LABELS } from "~/licenses/labels";
import { decideRefund, pageRefunds, REFUND_SORT } from "~/licenses/refunds.server";
import { now } from "~/lib/clock";
import { idField, noteField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { failureMessage, failureStatus } from "~/lib/result";
import { OnceForm } from "~/components/OnceForm";
import { jstDate } from "~/lib/jst";
import { formatCount, formatInstant, formatYen } from "~/lib/format";
import { pageRequest } from "~/lib/paging";

const STATES = Object.keys(REFUND_STATE_LABELS) as RefundStateColumn[];

const DecisionForm = z.object({
  refundId: idField("返金"),
  intent: z.enum(["approve", "pay", "refuse"], { error: "操作を選んでください" }),
  reason: noteField("理由").optional().default(""),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const params = new URL(request.url).searchParams;
  const state = STATES.find((s) => s === params.get("state"));
  // Issue 17 item 2: a page of the filter at a time, its count and sum over the whole filter.
  const { refunds, page, totals } = await pageRefunds(
    getDb(),
    viewer.tenant,
    { state },
    pageRequest(params, REFUND_SORT),
  );
  // One one-time token per refund still to decide or pay (issue 17 item 1): a second click of
  // 承認する or 返金済みにする decides nothing twice.
  const formTokens = await issueFormTokens(getDb(), {
    userId: viewer.id,
    forms: refunds
      .filter((r) => r.state === "requested" || r.state === "approved")
      .map((r) => refundForm(r.id)),
  });
  return { refunds, page, totals, state: state ?? "", formTokens };
}

const refundForm = (refundId: number) => `refund-${refundId}`;

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const form = await request.formData();
  const parsed = parseForm(DecisionForm, form);
  if (!parsed.ok) return data({ refundId: 0, message: failureMessage(parsed) }, { status: 400 });
  const { refundId, intent, reason } = parsed.value;
  const name = refundForm(refundId);
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, name, form, request),
    (trx) =>
      decideRefund(trx, {
        refundId,
        tenant: viewer.tenant,
        on: jstDate(now()),
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
        decision: intent === "refuse" ? { type: "refuse", reason } : { type: intent },
      }),
    (r) => (r.ok ? { summary: DONE[intent] } : null),
  );
  if (run.kind !== "done") return onceResponse(name, run);
  const result = run.value;
  // The list shows one message on the refund's row, a missing refund's too (404).
  if (!result.ok)
    return data({ refundId, message: failureMessage(result) }, { status: failureStatus(result) });
  return redirect(`/licenses/refunds?decided=${intent}`);
}

const DONE: Record<string, string> = {
  approve: "返金を承認しました。",
  pay: "返金済みにしました。",
  refuse: "返金不可にしました。",
};

export default function Refunds() {
  const { refunds, page, totals, state, formTokens } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const actionData = answer && "refundId" in answer ? answer : undefined;
  const [params] = useSearchParams();
  const decided = params.get("decided");
  return (
    <>
      <p>
        <Link to="/licenses">← ライセンスの一覧</Link>
      </p>
      <h1>ライセンスの返金</h1>
      <p className="muted">
        返金は 申請中 → 承認済み → 返金済み
        の順に進みます。返金しない場合は理由を記録して「返金不可」にします（L-3）。
      </p>
      {decided && DONE[decided] ? (
        <div className="alert success" role="status">
          {DONE[decided]}
        </div>
      ) : null}
      {actionData && actionData.refundId === 0 ? (
        <div className="alert error" role="alert">
          {actionData.message}
        </div>
      ) : null}
      <Form method="get" className="filters">
        <label>
          状態
          <select name="state" defaultValue={state}>
            <option value="">すべて</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {REFUND_STATE_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <KeepSort info={page} />
        <button type="submit" className="secondary">
          絞り込む
        </button>
      </Form>
      {refunds.length === 0 ? (
        <div className="empty">該当する返金はありません。</div>
      ) : (
        <>
          <p className="muted" data-testid="refund-totals">
            {formatCount(totals.count)}件　合計 {formatYen(totals.amountYen)}
          </p>
          <Pager info={page} label="返金のページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">ライセンス</th>
                  <SortHeader info={page} column="customer">
                    顧客
                  </SortHeader>
                  <SortHeader info={page} column="amount" first="desc" className="num">
                    金額
                  </SortHeader>
                  <th scope="col">根拠</th>
                  <SortHeader info={page} column="requested" first="desc">
                    状態（申請日時）
                  </SortHeader>
                  <th scope="col">処理</th>
                </tr>
              </thead>
              <tbody>
                {refunds.map((r) => {
                  const error =
                    actionData && actionData.refundId === r.id ? actionData.message : null;
                  return (
                    <tr key={r.id} data-testid={`refund-${r.licenseRef}`}>
                      <td>
                        <Link to={`/licenses/${r.licenseId}`}>{r.product}</Link>
                        <div className="muted">{r.licenseRef}</div>
                      </td>
                      <td>{r.customerName}</td>
                      <td className="num">{formatYen(r.amountYen)}</td>
                      <td>{REFUND_RULE_LABELS[r.rule] ?? r.rule}</td>
                      <td>
                        {REFUND_STATE_LABELS[r.state]}
                        <div className="muted text-12">
                          申請 {formatInstant(r.requestedAt)}
                          {r.decidedAt
                            ? `／判断 ${formatInstant(r.decidedAt)}（${r.decidedBy ?? ""}）`
                            : ""}
                          {r.paidAt ? `／返金 ${formatInstant(r.paidAt)}` : ""}
                          {r.reason ? `／理由: ${r.reason}` : ""}
                        </div>
                      </td>
                      <td>
                        {error ? (
                          <div className="field-error" role="alert">
                            {error}
                          </div>
                        ) : null}
                        {r.state === "requested" ? (
                          <>
                            <OnceForm
                              className="inline"
                              token={formTokens[refundForm(r.id)] ?? ""}
                              form={refundForm(r.id)}
                              method="post"
                            >
                              <input type="hidden" name="refundId" value={r.id} />
                              <input type="hidden" name="intent" value="approve" />
                              <button type="submit">承認する</button>
                            </OnceForm>
                            <OnceForm
                              token={formTokens[refundForm(r.id)] ?? ""}
                              form={refundForm(r.id)}
                              method="post"
                              className="filters mt-6"
                            >
                              <input type="hidden" name="refundId" value={r.id} />
                              <input type="hidden" name="intent" value="refuse" />
                              <label>
                                返金しない理由
                                <input type="text" name="reason" size={24} />
                              </label>
                              <button type="submit" className="secondary">
                                返金不可にする
                              </button>
                            </OnceForm>
                          </>
                        ) : r.state === "approved" ? (
                          <OnceForm
                            token={formTokens[refundForm(r.id)] ?? ""}
                            form={refundForm(r.id)}
                            method="post"
                          >
                            <input type="hidden" name="refundId" value={r.id} />
                            <input type="hidden" name="intent" value="pay" />
                            <button type="submit">返金済みにする</button>
                          </OnceForm>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="返金のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "ライセンスの返金 | セキュアライン 管理コンソール" },
];
