// L-4 (docs/rules/licenses.md): the customer's main ISP service contracts — internet, TV,
// phone… provided by the ISP whose security service the customer takes. When every one of them
// has ended or is suspended, the ISP security contracts end with them. One row per service of a
// customer, updated when its status is recorded (the audit log keeps each recording). A service
// that is ended or suspended carries its last day of service; an active one has none.
// Frozen once shipped.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("isp_main_services")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("customer_id", "integer", (c) => c.notNull().references("customers.id"))
    // The ISP's number for the service (回線番号・お客さま番号), unique within the customer.
    .addColumn("service_ref", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) =>
      c.notNull().check(sql`kind in ('internet', 'tv', 'phone', 'other')`),
    )
    .addColumn("name", "text")
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('active', 'suspended', 'ended')`),
    )
    .addColumn("last_day", "text")
    .addColumn("recorded_at", "text", (c) => c.notNull())
    .addColumn("recorded_by", "text")
    .addUniqueConstraint("isp_main_services_customer_service_unique", [
      "customer_id",
      "service_ref",
    ])
    .addCheckConstraint("isp_main_services_last_day", sql`(status = 'active') = (last_day is null)`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("isp_main_services").execute();
}
