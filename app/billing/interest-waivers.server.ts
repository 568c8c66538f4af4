// T-26-3: waiving an invoice's late interest, with the reason, before it is billed. Once the
// interest line is on an issued invoice, only a credit note can return it.
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { conflict, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";

export type WaiverResult = Result;

export async function interestWaiverOf(db: Kysely<Database>, invoiceId: number) {
  return db
    .selectFrom("interest_waivers")
    .selectAll()
    .where("invoice_id", "=", invoiceId)
    .executeTakeFirst();
}

export async function waiveInterest(
  db: Kysely<Database>,
  params: { invoiceId: number; tenant: Tenant; reason: string; actor: AuditActor; ip: string },
): Promise<WaiverResult> {
  const invoice = await db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["invoices.id", "invoices.invoice_number"])
    .where("invoices.id", "=", params.invoiceId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!invoice) return notFoundFailure();
  if (await interestWaiverOf(db, invoice.id))
    return conflict("この請求書の延滞利息はすでに免除されています");
  // An interest line names the invoice it charges interest on (monthly-invoice.ts lateInterestLines).
  const billed = await db
    .selectFrom("invoice_lines")
    .select("id")
    .where("code", "=", "interest.late")
    .where("description", "like", `%${invoice.invoice_number}%`)
    .executeTakeFirst();
  if (billed)
    return conflict("延滞利息はすでに請求済みです。返還する場合は返還請求書を発行してください");
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("interest_waivers")
      .values({
        invoice_id: invoice.id,
        reason: params.reason,
        waived_by: params.actor.email ?? "",
        waived_at: instantOf(now()),
      })
      .execute();
    // Interest carried to a month not invoiced yet (payments.server.ts) is waived with it.
    await trx
      .deleteFrom("manual_lines")
      .where("code", "=", "interest.late")
      .where("description", "like", `%${invoice.invoice_number}%`)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "interest.waive",
      entity: "invoice",
      entityId: invoice.invoice_number,
      summary: `${invoice.invoice_number} の延滞利息を免除（第26条第3項）: ${params.reason}`,
      ip: params.ip,
    });
  });
  return ok();
}
