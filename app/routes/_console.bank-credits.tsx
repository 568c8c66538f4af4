// 入金の照合 (issue 20, item 2): bank-statement credits that matched no single unpaid invoice
// wait here; finance assigns each to an invoice (recorded as its payment) or dismisses it. The
// provider's staff only: credits are the provider's bank account.
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import {
  assignCredit,
  CREDIT_SORT,
  dismissCredit,
  pagePendingCredits,
  pageResolvedCredits,
  RESOLVED_CREDIT_SORT,
} from "~/collections/collections.server";
import { Pager } from "~/components/Pager";
import { TableScroll } from "~/components/TableScroll";
import { FormToken, OnceForm } from "~/components/OnceForm";
import { idField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { notFound } from "~/lib/http.server";
import { UPLOAD_FORMS } from "~/collections/upload-forms";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { failureMessage, failureStatus } from "~/lib/result";
import { z } from "zod";
import type { ReactNode } from "react";
import { pageRequest } from "~/lib/paging";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatCount, formatDate, formatInstant, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";

const STATUS_LABELS = {
  matched: "自動照合",
  assigned: "割当済み",
  dismissed: "対象外",
  pending: "照合待ち",
} as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const db = getDb();
  const params = new URL(request.url).searchParams;
  const { pending, page, totals } = await pagePendingCredits(db, pageRequest(params, CREDIT_SORT));
  const { resolved, page: resolvedPage } = await pageResolvedCredits(
    db,
    pageRequest(params, RESOLVED_CREDIT_SORT, { pageParam: "rpage" }),
  );
  // One one-time token per waiting credit's form (issue 17 item 1): a second click records nothing.
  const formTokens = await issueFormTokens(db, {
    userId: viewer.id,
    forms: [...pending.map((c) => creditForm(c.id)), UPLOAD_FORMS.statement],
  });
  return {
    pending,
    page,
    totals,
    resolved,
    resolvedPage,
    formTokens,
    uploadToken: formTokens[UPLOAD_FORMS.statement],
  };
}

const creditForm = (creditId: number) => `bank-credit-${creditId}`;

const CreditForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("assign"),
    creditId: idField("入金"),
    invoiceNumber: z.string().trim().min(1, "請求書を選ぶか請求書番号を入力してください"),
  }),
  z.object({ intent: z.literal("dismiss"), creditId: idField("入金") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const form = await request.formData();
  const parsed = parseForm(CreditForm, form);
  if (!parsed.ok) {
    const id = idField().safeParse(form.get("creditId"));
    return data(
      { creditId: id.success ? id.data : null, error: failureMessage(parsed) },
      { status: 400 },
    );
  }
  const input = parsed.value;
  const { creditId } = input;
  const context = {
    creditId,
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const formName = creditForm(creditId);
  if (input.intent === "dismiss") {
    const run = await runFormOnce(
      getDb(),
      formClaim(viewer, formName, form, request),
      (trx) => dismissCredit(trx, context),
      (dismissed) => (dismissed ? { summary: "照合の対象外にしました" } : null),
    );
    if (run.kind !== "done") return onceResponse(formName, run);
    if (!run.value) throw notFound();
    return redirect("/bank-credits?dismissed=1");
  }
  const { invoiceNumber } = input;
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, formName, form, request),
    (trx) => assignCredit(trx, { ...context, invoiceNumber }),
    (r) => (r.ok ? { summary: `${invoiceNumber} に入金を記録しました` } : null),
  );
  if (run.kind !== "done") return onceResponse(formName, run);
  const result = run.value;
  if (!result.ok) {
    if (result.kind === "not_found") throw notFound();
    return data({ creditId, error: failureMessage(result) }, { status: failureStatus(result) });
  }
  return redirect(`/bank-credits?assigned=${encodeURIComponent(invoiceNumber)}`);
}

export default function BankCredits() {
  const { pending, page, totals, resolved, resolvedPage, formTokens, uploadToken } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const result = answer && "creditId" in answer ? answer : undefined;
  const [params] = useSearchParams();
  return (
    <>
      <h1>入金の照合</h1>
      <p className="muted">
        入金明細（CSV：取引日,入金額,振込依頼人名）を取り込むと、未入金の請求書のうち残高が入金額と同じで顧客のカナ名が振込依頼人名と一致するものが1件だけなら入金を記録します。
        それ以外の入金はここで請求書に割り当てるか、対象外にします。
      </p>
      {params.get("assigned") ? (
        <div className="alert success" role="status">
          {params.get("assigned")} に入金を記録しました。
        </div>
      ) : null}
      {params.get("dismissed") ? (
        <div className="alert success" role="status">
          入金を照合の対象外にしました。
        </div>
      ) : null}
      <Form
        method="post"
        action="/collections/upload"
        encType="multipart/form-data"
        reloadDocument
        className="actions"
      >
        <input type="hidden" name="intent" value="statement" />
        <FormToken token={uploadToken} />
        <label>
          入金明細 <input type="file" name="file" accept=".csv,text/csv" required />
        </label>
        <button type="submit">取り込む</button>
      </Form>
      <h2>照合待ち</h2>
      {pending.length === 0 ? (
        <div className="empty">照合待ちの入金はありません。</div>
      ) : (
        <>
          <p className="muted" data-testid="pending-totals">
            {formatCount(totals.count)}件　合計 {formatYen(totals.amountYen)}
          </p>
          <Pager info={page} label="照合待ちのページ" />
          <TableScroll>
            <table className="data" data-testid="pending-credits">
              <CreditHead>
                <th scope="col">割り当て</th>
              </CreditHead>
              <tbody>
                {pending.map((c) => (
                  <tr key={c.id}>
                    <CreditCells credit={c} />
                    <td>
                      <OnceForm
                        method="post"
                        className="actions"
                        token={formTokens[creditForm(c.id)]}
                        form={creditForm(c.id)}
                      >
                        <input type="hidden" name="creditId" value={c.id} />
                        <label>
                          請求書
                          <input
                            name="invoiceNumber"
                            list={`candidates-${c.id}`}
                            placeholder="INV-00000000"
                            defaultValue={
                              c.candidates.length === 1 ? c.candidates[0].invoice_number : undefined
                            }
                            aria-invalid={result?.creditId === c.id ? true : undefined}
                          />
                        </label>
                        <datalist id={`candidates-${c.id}`}>
                          {c.candidates.map((i) => (
                            <option
                              key={i.id}
                              value={i.invoice_number}
                            >{`${i.customer_name}（期限 ${i.due_date}）`}</option>
                          ))}
                        </datalist>
                        <button type="submit" name="intent" value="assign">
                          入金を記録
                        </button>
                        <button type="submit" name="intent" value="dismiss" className="secondary">
                          対象外にする
                        </button>
                        {result?.creditId === c.id ? (
                          <span className="field-error">{result.error}</span>
                        ) : null}
                      </OnceForm>
                      {c.candidates.length > 0 ? (
                        <span className="muted">
                          同額の未入金:{" "}
                          {c.candidates.map((i, n) => (
                            <span key={i.id}>
                              {n > 0 ? "、" : ""}
                              <Link to={`/invoices/${i.id}`}>{i.invoice_number}</Link>{" "}
                              {i.customer_name}
                            </span>
                          ))}
                        </span>
                      ) : (
                        <span className="muted">同額の未入金の請求書はありません</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
      <h2>処理済み</h2>
      {resolved.length === 0 ? (
        <div className="empty">まだありません。</div>
      ) : (
        <>
          <Pager info={resolvedPage} label="処理済みのページ" pageParam="rpage" />
          <TableScroll>
            <table className="data">
              <CreditHead>
                <th scope="col">結果</th>
                <th scope="col">請求書</th>
                <th scope="col">処理</th>
              </CreditHead>
              <tbody>
                {resolved.map((c) => (
                  <tr key={c.id}>
                    <CreditCells credit={c} />
                    <td>{STATUS_LABELS[c.status]}</td>
                    <td>
                      {c.invoice_id ? (
                        <Link to={`/invoices/${c.invoice_id}`}>{c.invoice_number}</Link>
                      ) : (
                        "—"
                      )}
                    </td>
                    <td>
                      {c.resolved_by} {formatInstant(c.resolved_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </>
  );
}

export const meta = titled("入金の照合");

/** The head of both credit tables: the bank's columns, then the table's own (children). */
function CreditHead({ children }: { children: ReactNode }) {
  return (
    <thead>
      <tr>
        <th scope="col">取引日</th>
        <th scope="col" className="num">
          入金額
        </th>
        <th scope="col">振込依頼人名</th>
        {children}
      </tr>
    </thead>
  );
}

/** The bank's columns of one credit, as the bank reported it. */
function CreditCells({
  credit,
}: {
  credit: { transaction_date: string; amount_yen: number; payer_name: string };
}) {
  return (
    <>
      <td>{formatDate(credit.transaction_date)}</td>
      <td className="num">{formatYen(credit.amount_yen)}</td>
      <td>{credit.payer_name}</td>
    </>
  );
}
