// Recording a payment against an issued invoice (T-26 reads them): validated against what is
// still owed, written with its audit row in one transaction.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { jstDate, type IsoDate } from "../lib/jst";
import { liftPaidUpSuspensions } from "../contracts/suspensions.server";
import { getInvoice } from "./invoices.server";

export type PaymentInput = { paidOn: IsoDate; amountYen: number | null };
export type PaymentResult = { ok: true } | { ok: false; field: "paidOn" | "amountYen" | "_form"; message: string };

export async function recordPayment(
  db: Kysely<Database>,
  params: { invoiceId: number; tenant: Tenant; payment: PaymentInput; actor: AuditActor; ip: string },
): Promise<PaymentResult | null> {
  const today = jstDate(now());
  const found = await getInvoice(db, { id: params.invoiceId, tenant: params.tenant }, today);
  if (!found) return null;
  const { invoice, outstandingYen } = found;
  const { paidOn, amountYen } = params.payment;
  if (outstandingYen <= 0) return { ok: false, field: "_form", message: "この請求書はお支払い済みです" };
  if (paidOn < invoice.issue_date) return { ok: false, field: "paidOn", message: `入金日は発行日（${invoice.issue_date}）以降の日付にしてください` };
  if (paidOn > today) return { ok: false, field: "paidOn", message: "入金日に未来の日付は指定できません" };
  if (amountYen !== null && amountYen > outstandingYen) {
    return { ok: false, field: "amountYen", message: `入金額が未入金残高（${outstandingYen.toLocaleString("ja-JP")}円）を超えています` };
  }
  const settles = amountYen === null || amountYen === outstandingYen;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("payments").values({
      contract_id: invoice.contract_id, billing_month: invoice.billing_month, paid_on: paidOn,
      // A payment of exactly what is left is recorded as "in full".
      amount_yen: settles ? null : amountYen, recorded_by: params.actor.email, created_at: now().toISOString(),
    }).execute();
    await recordAudit(trx, {
      actor: params.actor, action: "payment.record", entity: "invoice", entityId: invoice.invoice_number,
      summary: `${invoice.invoice_number} に入金 ${(amountYen ?? outstandingYen).toLocaleString("ja-JP")}円（${paidOn}）${settles ? "・完済" : "・一部入金"}`,
      ip: params.ip,
    });
  });
  // T-17: paying what is overdue lifts a non-payment suspension.
  await liftPaidUpSuspensions(db, invoice.contract_id, today, now(), params.actor);
  return { ok: true };
}
