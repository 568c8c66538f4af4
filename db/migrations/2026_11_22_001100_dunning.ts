// Dunning (issue 20 item 3): the days after the due date on which an overdue invoice gets a
// reminder (a provider setting, default "1,10"), and one row per invoice and step so the daily
// job never sends a step twice; the rows are the invoice's 督促の履歴.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("provider")
    .addColumn("dunning_days", "text", (c) => c.notNull().defaultTo("1,10"))
    .execute();
  await db.schema
    .createTable("dunning_steps")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("invoice_id", "integer", (c) =>
      c.notNull().references("invoices.id").onDelete("cascade"),
    )
    // 'reminder' (a mail) or 'suspension_notice' (the T-17 prior notice through suspendContract).
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("day_offset", "integer", (c) => c.notNull())
    .addColumn("on_date", "text", (c) => c.notNull())
    .addColumn("owed_yen", "integer", (c) => c.notNull())
    .addColumn("interest_yen", "integer", (c) => c.notNull())
    .addColumn("outbox_id", "integer")
    .addColumn("suspension_id", "integer")
    .addColumn("note", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("dunning_steps_once", ["invoice_id", "kind", "day_offset"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("dunning_steps").execute();
  await db.schema.alterTable("provider").dropColumn("dunning_days").execute();
}
