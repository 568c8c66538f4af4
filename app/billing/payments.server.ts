// Recording a payment against an issued invoice (T-26 reads them): validated against what is
// still owed, written with its audit row in one transaction.
import type { Kysely, Transaction } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import {
  addMonths,
  firstDayOf,
  instantOf,
  type IsoDate,
  jstDate,
  type YearMonth,
} from "../lib/jst";
import { liftPaidUpSuspensions } from "../contracts/suspensions.server";
import { LATE_INTEREST_CODE } from "./invoice";
import { getInvoice } from "./invoices.server";
import { lateInterest } from "./late-interest";
import { formatBillingMonth, formatMonth, formatYen } from "../lib/format";
import type { Yen } from "../lib/money";
import { conflict, invalidField, notFoundFailure, ok, type Result } from "../lib/result";

export type PaymentInput = { paidOn: IsoDate; amountYen: Yen | null };
export type PaymentResult = Result<undefined, "paidOn" | "amountYen">;

export type Found = NonNullable<Awaited<ReturnType<typeof getInvoice>>>;

/**
 * T-26 bills the interest on the invoice of the month the invoice was finally paid. When this
 * final payment is recorded after that month's invoice was issued — or after the month was
 * closed without an invoice for the contract — the interest would be lost: it goes on the
 * contract's next invoice instead, as a T-26 line dated on the first day of the first month not
 * invoiced yet (Interpretation, app/billing/INTERPRETATIONS.md). A month being closed right now
 * bills it itself when the contract's invoice is still to come: the run plans again every
 * contract written after its plan (billing-run.server.ts), and this transaction commits either
 * before the batch of that invoice or after it.
 */
async function interestToCarry(trx: Transaction<Database>, found: Found, payment: PaymentInput) {
  const { invoice } = found;
  const waived = await trx
    .selectFrom("interest_waivers")
    .select("invoice_id")
    .where("invoice_id", "=", invoice.id)
    .executeTakeFirst();
  if (waived) return null;
  const result = lateInterest(found.principal, [
    ...found.payments.map((p) => ({ paidOn: p.paidOn, amountYen: p.amountYen })),
    payment,
  ]);
  if (result.billingMonth === null || result.interestYen === 0) return null;
  const [latest, closed] = await Promise.all([
    trx
      .selectFrom("invoices")
      .select((eb) => eb.fn.max("billing_month").as("month"))
      .where("contract_id", "=", invoice.contract_id)
      .executeTakeFirst(),
    trx
      .selectFrom("billing_months")
      .select((eb) => eb.fn.max("month").as("month"))
      .where("status", "=", "closed")
      .executeTakeFirst(),
  ]);
  // The last month whose invoice for the contract is settled: its last invoice, or the last month
  // closed (one closed without an invoice for the contract will never have one).
  const settled = [latest?.month, closed?.month]
    .filter((m): m is YearMonth => typeof m === "string")
    .sort()
    .at(-1);
  if (!settled || settled < result.billingMonth) return null; // that month's invoice is still to come and bills it
  return {
    contract_id: invoice.contract_id,
    line_date: firstDayOf(addMonths(settled, 1)),
    amount_yen: result.interestYen,
    taxable: 0,
    code: LATE_INTEREST_CODE,
    rule: "T-26",
    description: `延滞利息（請求書 ${invoice.invoice_number}、${formatMonth(result.billingMonth)}の完済を請求後に記録したため繰越し）`,
  };
}

export async function recordPayment(
  db: Kysely<Database>,
  params: {
    invoiceId: number;
    tenant: Tenant;
    payment: PaymentInput;
    actor: AuditActor;
    ip: string;
  },
): Promise<PaymentResult> {
  const today = jstDate(now());
  const found = await getInvoice(db, { id: params.invoiceId, tenant: params.tenant }, today);
  if (!found) return notFoundFailure();
  const { invoice, outstandingYen } = found;
  const { paidOn, amountYen } = params.payment;
  if (outstandingYen <= 0) return conflict("この請求書はお支払い済みです");
  if (paidOn < invoice.issue_date)
    return invalidField(
      "paidOn",
      `入金日は発行日（${invoice.issue_date}）以降の日付にしてください`,
    );
  if (paidOn > today) return invalidField("paidOn", "入金日に未来の日付は指定できません");
  if (amountYen !== null && amountYen > outstandingYen) {
    return invalidField(
      "amountYen",
      `入金額が未入金残高（${formatYen(outstandingYen)}）を超えています`,
    );
  }
  await inTransaction(db, (trx) =>
    writePayment(trx, found, params.payment, params.actor, params.ip),
  );
  // T-17: paying what is overdue lifts a non-payment suspension.
  await liftPaidUpSuspensions(db, invoice.contract_id, today, now(), params.actor);
  return ok();
}

/**
 * Writes a payment already checked against what is owed (`found` read in the same transaction),
 * with the T-26 interest it carries and its audit row. The caller lifts T-17 suspensions after
 * the commit (liftPaidUpSuspensions). Used by recordPayment and the bank imports (collections).
 */
export async function writePayment(
  trx: Transaction<Database>,
  found: Found,
  payment: PaymentInput,
  actor: AuditActor,
  ip: string,
  note = "",
): Promise<void> {
  const { invoice, outstandingYen } = found;
  const { paidOn, amountYen } = payment;
  const settles = amountYen === null || amountYen === outstandingYen;
  await trx
    .insertInto("payments")
    .values({
      contract_id: invoice.contract_id,
      billing_month: invoice.billing_month,
      paid_on: paidOn,
      // A payment of exactly what is left is recorded as "in full".
      amount_yen: settles ? null : amountYen,
      recorded_by: actor.email,
      created_at: instantOf(now()),
    })
    .execute();
  const carried = settles ? await interestToCarry(trx, found, payment) : null;
  if (carried) {
    await trx
      .insertInto("manual_lines")
      .values({ ...carried, created_by: actor.email, created_at: instantOf(now()) })
      .execute();
  }
  await recordAudit(trx, {
    actor,
    action: "payment.record",
    entity: "invoice",
    entityId: invoice.invoice_number,
    summary:
      `${invoice.invoice_number} に入金 ${formatYen(amountYen ?? outstandingYen)}（${paidOn}）${settles ? "・完済" : "・一部入金"}${note}` +
      (carried
        ? `、延滞利息 ${formatYen(carried.amount_yen)}を ${formatBillingMonth(carried.line_date)}の請求へ繰越し`
        : ""),
    ip,
  });
}
