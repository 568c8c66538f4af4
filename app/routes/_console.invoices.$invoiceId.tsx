import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { debitFailures } from "~/collections/collections.server";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { creditableLines, issueCreditNote, previewCreditNote } from "~/billing/credit-notes.server";
import { creditableYen } from "~/billing/credit-note";
import { archivedCreditNotePdf } from "~/billing/document-archive.server";
import { interestWaiverOf, waiveInterest } from "~/billing/interest-waivers.server";
import { dunningHistory } from "~/billing/dunning.server";
import { getInvoice } from "~/billing/invoices.server";
import { recordPayment } from "~/billing/payments.server";
import { explainRule } from "~/billing/rule-explanations";
import { NON_TAXABLE_HEADING, taxLabel } from "~/billing/tax";
import { clientIp, requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES, RULE_ID_ROLES, type Viewer } from "~/auth/tenancy";
import { BillLineHead, BillLineRow } from "~/components/BillLineRow";
import { Field } from "~/components/Field";
import { FormToken, OnceForm, OnceNotice } from "~/components/OnceForm";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { dateField, noteField, optionalYenField, textTooLong } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { invalid } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";
import { parseYenInput } from "~/lib/money";
import { formatDate, formatMonth, formatYen } from "~/lib/format";

// The page's three forms, one schema (issue 16 item 1): an intent none of them sends is a 400.
const InvoiceForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("payment"),
    paidOn: dateField("入金日"),
    // Empty = the rest in full.
    amountYen: optionalYenField("入金額", {
      min: 1,
      message: "入金額は1円以上の整数で入力してください（空欄で残額全額）",
    }),
  }),
  z.object({
    intent: z.literal("waive_interest"),
    waiveReason: noteField("免除の理由", { required: true }),
  }),
  // The credit note's amounts come as line-<id> fields, read by creditNoteAction.
  z.looseObject({
    intent: z.literal("credit_note"),
    step: z.enum(["preview", "confirm", "back"]).optional(),
  }),
]);

type CreditErrors = Record<string, string>;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  const db = getDb();
  const found = await getInvoice(
    db,
    { id: idParam(params.invoiceId), tenant: viewer.tenant },
    today,
  );
  if (!found) throw notFound();
  const isFinance = FINANCE_ROLES.includes(viewer.role);
  const creditable = isFinance
    ? new Map(
        (await creditableLines(db, found.invoice.id)).map((l) => [
          l.invoiceLineId,
          creditableYen(l),
        ]),
      )
    : null;
  const waiver = await interestWaiverOf(db, found.invoice.id);
  const debitFailure =
    found.state === "paid"
      ? null
      : ((await debitFailures(db, [found.invoice.id])).get(found.invoice.id) ?? null);
  const dunning = await dunningHistory(db, found.invoice.id);
  // One-time tokens of the forms that create something (decision 0027).
  const formTokens = isFinance
    ? await issueFormTokens(db, {
        userId: viewer.id,
        forms: ["payment", "credit-note", "interest-waiver"],
      })
    : null;
  return {
    formTokens,
    debitFailure,
    ...found,
    dunning,
    waiver: waiver
      ? { reason: waiver.reason, waivedBy: waiver.waived_by, waivedAt: waiver.waived_at }
      : null,
    lines: found.lines.map((l) => ({
      ...l,
      explanation: explainRule(l.rule),
      creditableYen: creditable?.get(l.id) ?? 0,
    })),
    canRecordPayments: isFinance,
    showRuleIds: RULE_ID_ROLES.includes(viewer.role),
    today,
  };
}

/**
 * A credit note cannot be taken back, so it is issued in two steps that work without JavaScript:
 * the first submit shows what would be issued (lines, totals incl. tax, the reason); only the
 * confirm submit, carrying the same values as hidden fields, issues it after validating again.
 * 「戻る」 returns to the form with the values entered.
 */
async function creditNoteAction(
  request: Request,
  form: FormData,
  invoiceId: number,
  viewer: Viewer,
) {
  const step = form.get("step");
  const reason = String(form.get("reason") ?? "").trim();
  const entered: Record<string, string> = {};
  const amounts = new Map<number, number>();
  const errors: CreditErrors = {};
  for (const [key, value] of form.entries()) {
    const m = /^line-(\d+)$/.exec(key);
    if (!m || String(value).trim() === "") continue;
    entered[key] = String(value);
    const amount = parseYenInput(String(value));
    if (amount === null) errors[key] = "返還額は整数の円で入力してください";
    else amounts.set(Number(m[1]), amount);
  }
  const creditValues = { reason, lines: entered };
  if (step === "back") return data({ creditValues });
  const reasonError =
    reason === ""
      ? "返還の理由を入力してください（返還請求書に記載します）"
      : textTooLong(reason, "note", "返還の理由");
  if (reasonError) errors.reason = reasonError;
  if (Object.keys(errors).length > 0)
    return failureResponse(invalid(errors), { form: "credit_note", creditValues });
  if (step !== "confirm") {
    const draft = await previewCreditNote(getDb(), { invoiceId, tenant: viewer.tenant, amounts });
    if (!draft.ok) return failureResponse(draft, { form: "credit_note", creditValues });
    const { lines, totals } = draft.value;
    return data({ creditPreview: { reason, lines, totals } });
  }
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "credit-note", form, request),
    (trx) =>
      issueCreditNote(trx, {
        invoiceId,
        tenant: viewer.tenant,
        amounts,
        reason,
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    (r) =>
      r.ok
        ? { summary: "返還請求書を発行済みです", redirect: `/credit-notes/${r.value.id}` }
        : null,
  );
  if (run.kind !== "done") return onceResponse("credit-note", run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { form: "credit_note", creditValues });
  const { id } = result.value;
  // 電子帳簿保存法: the credit note's PDF is stored as issued, before anyone downloads it.
  await archivedCreditNotePdf(getDb(), { id, tenant: viewer.tenant, at: now() });
  return redirect(`/credit-notes/${id}?issued=1`);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const form = await request.formData();
  const parsed = parseForm(InvoiceForm, form);
  if (!parsed.ok) {
    const intent = form.get("intent");
    return failureResponse(parsed, {
      form: intent === "waive_interest" || intent === "credit_note" ? intent : "payment",
    });
  }
  const input = parsed.value;
  if (input.intent === "credit_note")
    return creditNoteAction(request, form, idParam(params.invoiceId), viewer);
  if (input.intent === "waive_interest") {
    const reason = input.waiveReason;
    const run = await runFormOnce(
      getDb(),
      formClaim(viewer, "interest-waiver", form, request),
      (trx) =>
        waiveInterest(trx, {
          invoiceId: idParam(params.invoiceId),
          tenant: viewer.tenant,
          reason,
          actor: { id: viewer.id, email: viewer.email },
          ip: clientIp(request),
        }),
      (r) => (r.ok ? { summary: "延滞利息は免除済みです" } : null),
    );
    if (run.kind !== "done") return onceResponse("interest-waiver", run);
    const result = run.value;
    if (!result.ok) return failureResponse(result, { form: "waive_interest" });
    return redirect(`/invoices/${params.invoiceId}?waived=1`);
  }
  // The payment and its token in one transaction: a second click, a reload or the back button
  // records nothing twice (issue 17 item 1: INV-00000054 had two 1,000-yen payments).
  const invoiceId = idParam(params.invoiceId);
  const { paidOn, amountYen } = input;
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "payment", form, request),
    (trx) =>
      recordPayment(trx, {
        invoiceId,
        tenant: viewer.tenant,
        payment: { paidOn, amountYen },
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    (r) =>
      r.ok
        ? {
            summary: `${formatDate(paidOn)}の${amountYen === null ? "残額全額" : formatYen(amountYen)}の入金`,
          }
        : null,
  );
  if (run.kind !== "done") return onceResponse("payment", run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { form: "payment" });
  return redirect(`/invoices/${params.invoiceId}?paid=1`);
}

const STATE_LABEL = { paid: "入金済み", partial: "一部入金", unpaid: "未入金" } as const;

export default function InvoiceDetail() {
  const {
    invoice,
    lines,
    payments,
    credits,
    creditedYen,
    paidYen,
    outstandingYen,
    state,
    overdue,
    interest,
    canRecordPayments,
    today,
    waiver,
    debitFailure,
    dunning,
    formTokens,
    showRuleIds,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // One error shape for the three forms (issue 16 item 1): `errors` of the form that was sent.
  const failed = actionData && "errors" in actionData ? actionData : undefined;
  const errors: Record<string, string | undefined> =
    failed?.form === "payment" ? failed.errors : {};
  const waiveError =
    failed?.form === "waive_interest"
      ? (failed.errors.waiveReason ?? failed.errors._form)
      : undefined;
  const creditErrors: Record<string, string | undefined> =
    failed?.form === "credit_note" ? failed.errors : {};
  const creditValues =
    actionData && "creditValues" in actionData ? actionData.creditValues : undefined;
  const creditPreview =
    actionData && "creditPreview" in actionData ? actionData.creditPreview : undefined;
  const [params] = useSearchParams();
  return (
    <>
      <p>
        <Link to="/invoices">← 請求書の一覧</Link>
      </p>
      <h1>
        請求書 {invoice.invoice_number}{" "}
        <span className={`badge ${state === "paid" ? "" : overdue ? "suspended" : "warn"}`}>
          {overdue ? "期日超過" : STATE_LABEL[state]}
        </span>
      </h1>
      {params.get("paid") ? (
        <div className="alert success" role="status">
          入金を記録しました。
        </div>
      ) : null}
      {debitFailure ? (
        <div className="alert error" role="status" data-testid="debit-failure">
          {formatDate(debitFailure.debitDate)} の口座振替ができませんでした（振替結果コード{" "}
          {debitFailure.code}：{debitFailure.label}）。未入金のままです。
        </div>
      ) : null}
      <p>
        <a className="button" href={`/invoices/${invoice.id}/pdf`} download>
          請求書PDFをダウンロード
        </a>{" "}
        <a className="button secondary" href={`/invoices/${invoice.id}/xml`} download>
          電子インボイス（JP PINT XML）
        </a>
      </p>
      <dl className="facts">
        <dt>宛先</dt>
        <dd>
          {invoice.recipient_name} 御中（{invoice.customer_ref}）
        </dd>
        <dt>契約</dt>
        <dd>
          {invoice.contract_ref}（回線ID {invoice.line_id}）
        </dd>
        <dt>請求月</dt>
        <dd>{formatMonth(invoice.billing_month)}分</dd>
        <dt>発行日</dt>
        <dd>{formatDate(invoice.issue_date)}</dd>
        <dt>お支払期限</dt>
        <dd>{formatDate(invoice.due_date)}</dd>
        <dt>ご請求額（税込）</dt>
        <dd>
          <strong data-testid="invoice-total">{formatYen(invoice.total_yen)}</strong>
        </dd>
        {creditedYen > 0 ? (
          <>
            <dt>返還済み</dt>
            <dd>
              {formatYen(creditedYen)}（返還請求書 {credits.length} 件）
            </dd>
          </>
        ) : null}
        <dt>入金済み / 残高</dt>
        <dd>
          {formatYen(paidYen)} / <span data-testid="outstanding">{formatYen(outstandingYen)}</span>
        </dd>
      </dl>

      <h2>明細</h2>
      <TableScroll>
        <table className="data">
          <BillLineHead item="品目" amount="金額">
            <th scope="col" className="num">
              数量
            </th>
            <th scope="col" className="num">
              単価
            </th>
          </BillLineHead>
          <tbody>
            {lines.map((l) => (
              <BillLineRow key={l.id} line={l} showRuleIds={showRuleIds}>
                <td className="num">{l.quantity}</td>
                <td className="num">{formatYen(l.unit_price_yen)}</td>
              </BillLineRow>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={4}>10%対象 小計</td>
              <td className="num" data-testid="taxable-10">
                {formatYen(invoice.taxable_10_yen)}
              </td>
              <td />
            </tr>
            <tr>
              <td colSpan={4}>消費税（10%、請求書ごとに1回計算・1円未満切り捨て）</td>
              <td className="num" data-testid="tax-10">
                {formatYen(invoice.tax_10_yen)}
              </td>
              <td />
            </tr>
            <tr>
              <td colSpan={4}>{NON_TAXABLE_HEADING} 小計</td>
              <td className="num" data-testid="non-taxable">
                {formatYen(invoice.non_taxable_yen)}
              </td>
              <td />
            </tr>
            <tr>
              <td colSpan={4}>
                <strong>合計</strong>
              </td>
              <td className="num">
                <strong>{formatYen(invoice.total_yen)}</strong>
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </TableScroll>

      <h2>入金</h2>
      {payments.length === 0 ? (
        <div className="empty">入金の記録はまだありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">入金日</th>
                <th scope="col" className="num">
                  金額
                </th>
              </tr>
            </thead>
            <tbody>
              {payments.map((p) => (
                <tr key={p.id}>
                  <td>{formatDate(p.paidOn)}</td>
                  <td className="num">
                    {p.amountYen === null ? "残額全額" : formatYen(p.amountYen)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {waiver ? (
        <p className="alert success" role="status" data-testid="interest-waived">
          延滞利息は免除されています（第26条第3項）。理由: {waiver.reason}（{waiver.waivedBy}）
        </p>
      ) : overdue ? (
        <p className="alert error" data-testid="accrued-interest">
          お支払期限を過ぎています。本日（{formatDate(today)}）までの延滞利息（第26条、年14.5%）は{" "}
          {formatYen(interest.accruedYen)} です。 完済された月の請求書に計上されます。
        </p>
      ) : null}
      {!waiver && state === "paid" && interest.settledYen > 0 ? (
        <p className="muted">
          この請求書の延滞利息 {formatYen(interest.settledYen)}{" "}
          は、完済月の請求書に計上されます（第26条）。
        </p>
      ) : null}

      {/* A repeat of a payment that paid the invoice in full: the form is gone, the answer is not. */}
      {canRecordPayments && state === "paid" ? <OnceNotice form="payment" /> : null}
      {canRecordPayments && state !== "paid" ? (
        <>
          <h2>入金を記録する</h2>
          {errors._form ? (
            <div className="alert error" role="alert">
              {errors._form}
            </div>
          ) : null}
          <OnceForm
            token={formTokens!.payment}
            form="payment"
            method="post"
            className="stack"
            noValidate
          >
            <input type="hidden" name="intent" value="payment" />
            <Field
              label="入金日"
              name="paidOn"
              type="date"
              defaultValue={today}
              error={errors.paidOn}
            />
            <Field
              label="入金額（円）"
              name="amountYen"
              error={errors.amountYen}
              hint="空欄のときは残額全額の入金として記録します"
            />
            <button type="submit">入金を記録</button>
          </OnceForm>
        </>
      ) : null}

      {canRecordPayments && !waiver && (overdue || interest.settledYen > 0) ? (
        <OnceForm
          token={formTokens!["interest-waiver"]}
          form="interest-waiver"
          method="post"
          className="filters mt-12"
        >
          <input type="hidden" name="intent" value="waive_interest" />
          <label>
            延滞利息の免除理由（第26条第3項）
            <input
              type="text"
              name="waiveReason"
              size={40}
              aria-invalid={waiveError ? true : undefined}
            />
          </label>
          <button type="submit" className="secondary">
            延滞利息を免除する
          </button>
          {waiveError ? (
            <span className="field-error" role="alert">
              {waiveError}
            </span>
          ) : null}
        </OnceForm>
      ) : null}

      <h2>督促の履歴</h2>
      {dunning.length === 0 ? (
        <p className="muted">
          督促はまだしていません（支払期限を過ぎた未払いの請求書に、事業者設定の日にお知らせします）。
        </p>
      ) : (
        <TableScroll>
          <table className="data" data-testid="dunning-history">
            <thead>
              <tr>
                <th scope="col">日付</th>
                <th scope="col">督促</th>
                <th scope="col" className="num">
                  未払いの額
                </th>
                <th scope="col" className="num">
                  その日までの延滞利息
                </th>
              </tr>
            </thead>
            <tbody>
              {dunning.map((d) => (
                <tr key={d.id}>
                  <td>{formatDate(d.on_date)}</td>
                  <td>
                    {d.kind === "reminder"
                      ? `支払期限の${d.day_offset}日後のお支払いのお願い（メール）`
                      : `利用停止の予告（規約第17条）: ${d.note ?? ""}`}
                  </td>
                  <td className="num">{formatYen(d.owed_yen)}</td>
                  <td className="num">{formatYen(d.interest_yen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2>返還請求書（クレジットノート）</h2>
      {credits.length === 0 ? (
        <p className="muted">この請求書に対する返還請求書はありません。</p>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">番号</th>
                <th scope="col">発行日</th>
                <th scope="col">理由</th>
                <th scope="col" className="num">
                  返還額（税込）
                </th>
              </tr>
            </thead>
            <tbody>
              {credits.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/credit-notes/${c.id}`}>{c.credit_note_number}</Link>
                  </td>
                  <td>{formatDate(c.issue_date)}</td>
                  <td>{c.reason}</td>
                  <td className="num">{formatYen(c.total_yen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <OnceNotice form="credit-note" />
      {canRecordPayments && creditPreview ? (
        <section
          aria-label="返還請求書の発行内容の確認"
          className="card mt-12"
          data-testid="credit-confirm"
        >
          <h3>この内容で返還請求書を発行します。よろしいですか？</h3>
          <p className="muted">発行した返還請求書は取り消せません。</p>
          <TableScroll label="この内容で返還請求書を発行します。よろしいですか？">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">明細</th>
                  <th scope="col">税区分</th>
                  <th scope="col" className="num">
                    返還額（税抜）
                  </th>
                </tr>
              </thead>
              <tbody>
                {creditPreview.lines.map((l) => (
                  <tr key={l.invoiceLineId}>
                    <td>{l.description}</td>
                    <td>{taxLabel(l)}</td>
                    <td className="num">{formatYen(l.amountYen)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                {creditPreview.totals.taxable10Yen > 0 ? (
                  <tr>
                    <td colSpan={2}>10%対象 返還額</td>
                    <td className="num">{formatYen(creditPreview.totals.taxable10Yen)}</td>
                  </tr>
                ) : null}
                {creditPreview.totals.taxable10Yen > 0 ? (
                  <tr>
                    <td colSpan={2}>消費税（10%）返還額</td>
                    <td className="num">{formatYen(creditPreview.totals.tax10Yen)}</td>
                  </tr>
                ) : null}
                {creditPreview.totals.nonTaxableYen > 0 ? (
                  <tr>
                    <td colSpan={2}>{NON_TAXABLE_HEADING} 返還額</td>
                    <td className="num">{formatYen(creditPreview.totals.nonTaxableYen)}</td>
                  </tr>
                ) : null}
                <tr>
                  <td colSpan={2}>返還額合計（税込）</td>
                  <td className="num" data-testid="credit-confirm-total">
                    {formatYen(creditPreview.totals.totalYen)}
                  </td>
                </tr>
              </tfoot>
            </table>
          </TableScroll>
          <p>
            返還の理由（返還請求書に記載します）:{" "}
            <strong data-testid="credit-confirm-reason">{creditPreview.reason}</strong>
          </p>
          <Form method="post" className="row">
            <FormToken token={formTokens!["credit-note"]} />
            <input type="hidden" name="intent" value="credit_note" />
            {creditPreview.lines.map((l) => (
              <input
                key={l.invoiceLineId}
                type="hidden"
                name={`line-${l.invoiceLineId}`}
                value={l.amountYen}
              />
            ))}
            <input type="hidden" name="reason" value={creditPreview.reason} />
            <button type="submit" name="step" value="confirm">
              確定する
            </button>
            <button type="submit" name="step" value="back" className="secondary">
              戻る
            </button>
          </Form>
        </section>
      ) : canRecordPayments ? (
        <details
          open={Object.keys(creditErrors).length > 0 || creditValues !== undefined}
          className="mt-12"
        >
          <summary>返還請求書を発行する（請求書そのものは変更されません）</summary>
          {creditErrors._form ? (
            <div className="alert error" role="alert">
              {creditErrors._form}
            </div>
          ) : null}
          <Form method="post" className="stack max-720" noValidate>
            <input type="hidden" name="intent" value="credit_note" />
            <TableScroll>
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">明細</th>
                    <th scope="col" className="num">
                      返還できる額
                    </th>
                    <th scope="col">返還額（税抜・円）</th>
                  </tr>
                </thead>
                <tbody>
                  {lines
                    .filter((l) => l.creditableYen > 0)
                    .map((l) => (
                      <tr key={l.id}>
                        <td>{l.description}</td>
                        <td className="num">{formatYen(l.creditableYen)}</td>
                        <td>
                          <input
                            type="text"
                            inputMode="numeric"
                            name={`line-${l.id}`}
                            aria-label={`${l.description} の返還額`}
                            size={10}
                            defaultValue={creditValues?.lines[`line-${l.id}`] ?? ""}
                            aria-invalid={creditErrors[`line-${l.id}`] ? true : undefined}
                          />
                          {creditErrors[`line-${l.id}`] ? (
                            <div className="field-error">{creditErrors[`line-${l.id}`]}</div>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </TableScroll>
            <label>
              返還の理由
              <input
                type="text"
                name="reason"
                defaultValue={creditValues?.reason ?? ""}
                aria-invalid={creditErrors.reason ? true : undefined}
              />
              {creditErrors.reason ? (
                <span className="field-error">{creditErrors.reason}</span>
              ) : null}
            </label>
            <button type="submit" name="step" value="preview">
              発行内容を確認する
            </button>
          </Form>
        </details>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `請求書 ${data?.invoice.invoice_number ?? ""} | セキュアライン 管理コンソール` },
];
