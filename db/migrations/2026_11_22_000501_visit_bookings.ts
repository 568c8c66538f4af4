// Visit bookings (S2): the slot and the work asked for, before the visit; the operator's record
// of what was done becomes a row of `visits`, which the billing run prices.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("visit_bookings")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("visit_date", "text", (c) => c.notNull())
    .addColumn("start_time", "text", (c) => c.notNull())
    .addColumn("lines", "text", (c) => c.notNull()) // JSON: [{ code, quantity, endpointReinstall, pcs }]
    .addColumn("with_line_application", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("backup_available", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("estimate_yen", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('booked', 'done', 'cancelled')`),
    )
    .addColumn("visit_id", "integer", (c) => c.references("visits.id"))
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("visit_bookings_contract_idx")
    .on("visit_bookings")
    .column("contract_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("visit_bookings").execute();
}
