// Closing a month reads the invoices with a payment dated in it after their due date (T-26,
// history.server.ts `invoicesPaidLateIn`), twice per plan. Without an index on the payment date
// each read scanned every payment ever recorded, a cost growing with the years of history; with
// the invoice's columns in the index the month's payments are one range of it.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("payments_paid_on_idx")
    .on("payments")
    .columns(["paid_on", "contract_id", "billing_month"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("payments_paid_on_idx").execute();
}
