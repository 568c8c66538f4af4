// S1-4④ Gateway failures reported to the provider: when the customer reported it, the earliest
// on-site dispatch the terms allow at that moment, and whether the customer caused it (then
// dispatch, technical and parts fees are billed as manual lines). Frozen once shipped.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("gateway_failures")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("reported_at", "text", (c) => c.notNull())
    .addColumn("earliest_dispatch_at", "text", (c) => c.notNull())
    .addColumn("customer_fault", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("notes", "text")
    .addColumn("recorded_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("gateway_failures_contract_reported_idx")
    .on("gateway_failures")
    .columns(["contract_id", "reported_at"])
    .execute();
  await db.schema
    .createIndex("gateway_failures_reported_idx")
    .on("gateway_failures")
    .column("reported_at")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("gateway_failures").execute();
}
