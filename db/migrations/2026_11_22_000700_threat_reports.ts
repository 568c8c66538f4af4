// S1-4⑤: the stored monthly threat reports (PDF), at most 99 per contract (enforced by
// storeThreatReport). One monthly report per contract and month: the partial unique index makes
// a second monthly run a no-op; on-demand reports may be made again. Frozen once shipped.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("threat_reports")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("period_month", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('monthly', 'on_demand')`))
    .addColumn("pdf", "blob", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("threat_reports_monthly_uq")
    .on("threat_reports")
    .columns(["contract_id", "period_month", "kind"])
    .unique()
    .where(sql.ref("kind"), "=", "monthly")
    .execute();
  await db.schema
    .createIndex("threat_reports_contract_idx")
    .on("threat_reports")
    .columns(["contract_id", "created_at", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("threat_reports").execute();
}
