// T-26-3: finance may waive the late interest of an invoice, with a reason (audited).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("interest_waivers")
    .addColumn("invoice_id", "integer", (c) => c.primaryKey().references("invoices.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("waived_by", "text", (c) => c.notNull())
    .addColumn("waived_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("interest_waivers").execute();
}
