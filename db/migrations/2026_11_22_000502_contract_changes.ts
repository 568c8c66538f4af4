// Change requests on a contract (T-9: reviewed like an application) and the history of a
// customer's registered name, address, phone and e-mail (T-13: notices go to the latest).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("contract_changes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("effective_date", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('requested', 'approved', 'rejected')`),
    )
    .addColumn("reason", "text")
    .addColumn("requested_by", "text", (c) => c.notNull())
    .addColumn("requested_at", "text", (c) => c.notNull())
    .addColumn("decided_by", "text")
    .addColumn("decided_at", "text")
    .execute();
  await db.schema
    .createIndex("contract_changes_contract_idx")
    .on("contract_changes")
    .column("contract_id")
    .execute();
  await db.schema
    .createTable("customer_contact_history")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("customer_id", "integer", (c) => c.notNull().references("customers.id"))
    .addColumn("field", "text", (c) => c.notNull())
    .addColumn("old_value", "text", (c) => c.notNull())
    .addColumn("new_value", "text", (c) => c.notNull())
    .addColumn("effective_date", "text", (c) => c.notNull())
    .addColumn("changed_by", "text", (c) => c.notNull())
    .addColumn("changed_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("customer_contact_history").execute();
  await db.schema.dropTable("contract_changes").execute();
}
