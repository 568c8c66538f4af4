import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { getInvoice } from "~/billing/invoices.server";
import { recordPayment } from "~/billing/payments.server";
import { explainRule } from "~/billing/rule-explanations";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { Field } from "~/components/Field";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { fieldErrorsOf } from "~/lib/form";
import { idParam, notFound } from "~/lib/http.server";
import { isIsoDate, jstDate } from "~/lib/jst";
import { formatDateJa } from "~/lib/labels";
import { parseYenInput, yen } from "~/lib/money";

const PaymentForm = z.object({
  paidOn: z.string().refine(isIsoDate, "入金日を正しい日付で入力してください"),
  amountYen: z.string().transform((value, ctx) => {
    if (value.trim() === "") return null; // empty = the rest in full
    const amount = parseYenInput(value);
    if (amount === null || amount <= 0) {
      ctx.addIssue({ code: "custom", message: "入金額は1円以上の整数で入力してください（空欄で残額全額）" });
      return z.NEVER;
    }
    return amount;
  }),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  const found = await getInvoice(getDb(), { id: idParam(params.invoiceId), tenant: viewer.tenant }, today);
  if (!found) throw notFound();
  return {
    ...found,
    lines: found.lines.map((l) => ({ ...l, explanation: explainRule(l.rule) })),
    canRecordPayments: FINANCE_ROLES.includes(viewer.role),
    today,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const parsed = PaymentForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ fieldErrors: fieldErrorsOf<"paidOn" | "amountYen" | "_form">(parsed.error) }, { status: 400 });
  const result = await recordPayment(getDb(), {
    invoiceId: idParam(params.invoiceId), tenant: viewer.tenant, payment: parsed.data,
    actor: { id: viewer.id, email: viewer.email }, ip: clientIp(request),
  });
  if (!result) throw notFound();
  if (!result.ok) return data({ fieldErrors: { [result.field]: result.message } as Partial<Record<"paidOn" | "amountYen" | "_form", string>> }, { status: 400 });
  return redirect(`/invoices/${params.invoiceId}?paid=1`);
}

const STATE_LABEL = { paid: "入金済み", partial: "一部入金", unpaid: "未入金" } as const;

export default function InvoiceDetail() {
  const { invoice, lines, payments, paidYen, outstandingYen, state, overdue, interest, canRecordPayments, today } =
    useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.fieldErrors ?? {};
  const [params] = useSearchParams();
  return (
    <>
      <p><Link to="/invoices">← 請求書の一覧</Link></p>
      <h1>
        請求書 {invoice.invoice_number}{" "}
        <span className={`badge ${state === "paid" ? "" : overdue ? "suspended" : "warn"}`}>{overdue ? "期日超過" : STATE_LABEL[state]}</span>
      </h1>
      {params.get("paid") ? <div className="alert success" role="status">入金を記録しました。</div> : null}
      <dl className="facts">
        <dt>宛先</dt><dd>{invoice.recipient_name} 御中（{invoice.customer_ref}）</dd>
        <dt>契約</dt><dd>{invoice.contract_ref}（回線ID {invoice.line_id}）</dd>
        <dt>請求月</dt><dd>{invoice.billing_month.replace("-", "年")}月分</dd>
        <dt>発行日</dt><dd>{formatDateJa(invoice.issue_date)}</dd>
        <dt>お支払期限</dt><dd>{formatDateJa(invoice.due_date)}</dd>
        <dt>ご請求額（税込）</dt><dd><strong data-testid="invoice-total">{yen(invoice.total_yen)}</strong></dd>
        <dt>入金済み / 残高</dt><dd>{yen(paidYen)} / {yen(outstandingYen)}</dd>
      </dl>

      <h2>明細</h2>
      <table className="data">
        <thead><tr><th>品目</th><th>根拠</th><th className="num">数量</th><th className="num">単価</th><th className="num">金額</th><th>税区分</th></tr></thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.id}>
              <td>{l.description}</td>
              <td><abbr title={l.explanation}>{l.rule}</abbr><div className="muted" style={{ fontSize: 12 }}>{l.explanation}</div></td>
              <td className="num">{l.quantity}</td>
              <td className="num">{yen(l.unit_price_yen)}</td>
              <td className="num">{yen(l.amount_yen)}</td>
              <td>{l.tax_category === "taxable_10" ? "10%" : "不課税"}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr><td colSpan={4}>10%対象 小計</td><td className="num" data-testid="taxable-10">{yen(invoice.taxable_10_yen)}</td><td /></tr>
          <tr><td colSpan={4}>消費税（10%、請求書ごとに1回計算・1円未満切り捨て）</td><td className="num" data-testid="tax-10">{yen(invoice.tax_10_yen)}</td><td /></tr>
          <tr><td colSpan={4}>不課税 小計</td><td className="num" data-testid="non-taxable">{yen(invoice.non_taxable_yen)}</td><td /></tr>
          <tr><td colSpan={4}><strong>合計</strong></td><td className="num"><strong>{yen(invoice.total_yen)}</strong></td><td /></tr>
        </tfoot>
      </table>

      <h2>入金</h2>
      {payments.length === 0 ? <div className="empty">入金の記録はまだありません。</div> : (
        <table className="data">
          <thead><tr><th>入金日</th><th className="num">金額</th></tr></thead>
          <tbody>
            {payments.map((p) => (
              <tr key={p.id}><td>{formatDateJa(p.paidOn)}</td><td className="num">{p.amountYen === null ? "残額全額" : yen(p.amountYen)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {overdue ? (
        <p className="alert error" data-testid="accrued-interest">
          お支払期限を過ぎています。本日（{formatDateJa(today)}）までの延滞利息（第26条、年14.5%）は {yen(interest.accruedYen)} です。
          完済された月の請求書に計上されます。
        </p>
      ) : null}
      {state === "paid" && interest.settledYen > 0 ? (
        <p className="muted">この請求書の延滞利息 {yen(interest.settledYen)} は、完済月の請求書に計上されます（第26条）。</p>
      ) : null}

      {canRecordPayments && state !== "paid" ? (
        <>
          <h2>入金を記録する</h2>
          {errors._form ? <div className="alert error" role="alert">{errors._form}</div> : null}
          <Form method="post" className="stack" noValidate>
            <Field label="入金日" name="paidOn" type="date" defaultValue={today} error={errors.paidOn} />
            <Field label="入金額（円）" name="amountYen" error={errors.amountYen} hint="空欄のときは残額全額の入金として記録します" />
            <button type="submit">入金を記録</button>
          </Form>
        </>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `請求書 ${data?.invoice.invoice_number ?? ""} | セキュアライン 管理コンソール` },
];
