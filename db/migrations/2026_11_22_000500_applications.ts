// Applications for the security support service (T-7, T-8): what was applied for, the consent to
// the handling of personal data, and the review (approved with the service start date, rejected
// or revoked with a T-8-2 reason).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("applications")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("ref", "text", (c) => c.notNull().unique())
    .addColumn("reseller_id", "integer", (c) => c.references("resellers.id"))
    .addColumn("customer_id", "integer", (c) => c.references("customers.id"))
    // The holder as applied for (T-7); a new customer is created from these on approval.
    .addColumn("holder_name", "text", (c) => c.notNull())
    .addColumn("holder_address", "text", (c) => c.notNull())
    .addColumn("holder_phone", "text", (c) => c.notNull())
    .addColumn("holder_email", "text", (c) => c.notNull())
    .addColumn("line_id", "text", (c) => c.notNull())
    .addColumn("area", "text", (c) => c.notNull().check(sql`area in ('east', 'west')`))
    .addColumn("base_plan", "text", (c) => c.notNull())
    .addColumn("endpoint_seats", "integer", (c) => c.notNull())
    .addColumn("endpoint_ownership", "text", (c) => c.notNull())
    .addColumn("gateway_model", "text")
    .addColumn("gateway_ownership", "text")
    .addColumn("gateway_repair24h", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("wished_start", "text", (c) => c.notNull())
    .addColumn("consent_at", "text", (c) => c.notNull())
    .addColumn("consent_by", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('applied', 'approved', 'rejected', 'revoked')`),
    )
    .addColumn("reason_code", "integer")
    .addColumn("reason_note", "text")
    .addColumn("service_start", "text")
    .addColumn("contract_id", "integer", (c) => c.references("contracts.id"))
    .addColumn("decided_at", "text")
    .addColumn("decided_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .execute();
  // T-6: one application under review per line id; an approved one lives on as its contract,
  // whose own partial index keeps the line unique while it is not terminated.
  await db.schema
    .createIndex("applications_pending_line_unique")
    .on("applications")
    .column("line_id")
    .unique()
    .where(sql.ref("status"), "=", "applied")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("applications").execute();
}
