// Suspensions by the provider (T-17: reason, start and period notified beforehand; lifted when
// the overdue amount is paid) and the return of rental gateways after termination (S4 ※3).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("suspensions")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("reason_code", "text", (c) => c.notNull())
    .addColumn("reason_note", "text")
    .addColumn("starts_on", "text", (c) => c.notNull())
    .addColumn("ends_on", "text")
    .addColumn("emergency", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("notified_at", "text")
    .addColumn("lifted_at", "text")
    .addColumn("lifted_reason", "text")
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("suspensions_contract_idx")
    .on("suspensions")
    .column("contract_id")
    .execute();
  await db.schema
    .createTable("gateway_returns")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("due_on", "text", (c) => c.notNull())
    .addColumn("returned_on", "text")
    .addColumn("charged_manual_line_id", "integer", (c) => c.references("manual_lines.id"))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('awaiting', 'returned', 'charged')`),
    )
    .execute();
  await db.schema
    .createIndex("gateway_returns_contract_idx")
    .on("gateway_returns")
    .column("contract_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("gateway_returns").execute();
  await db.schema.dropTable("suspensions").execute();
}
