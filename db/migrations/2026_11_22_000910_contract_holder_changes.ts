// Changes of the contract holder: transfer with the provider's approval (T-10) and succession by
// inheritance, merger or split registered with proof (T-12). Approval moves the contract to the
// new holder with every right and obligation, the unpaid invoices included (T-10-4): what was
// taken over is kept on the record.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("contract_holder_changes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('transfer', 'succession')`))
    .addColumn("cause", "text", (c) =>
      c.check(sql`cause is null or cause in ('inheritance', 'merger', 'split')`),
    )
    .addColumn("from_customer_id", "integer", (c) => c.notNull().references("customers.id"))
    .addColumn("to_customer_id", "integer", (c) => c.references("customers.id"))
    .addColumn("party_name", "text", (c) => c.notNull())
    .addColumn("party_address", "text", (c) => c.notNull())
    .addColumn("party_phone", "text", (c) => c.notNull())
    .addColumn("party_email", "text", (c) => c.notNull())
    .addColumn("successors", "text")
    .addColumn("representative", "text")
    .addColumn("evidence", "text", (c) => c.notNull())
    .addColumn("evidence_note", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('requested', 'approved', 'refused', 'withdrawn')`),
    )
    .addColumn("refusal_reason", "integer")
    .addColumn("refusal_note", "text")
    .addColumn("effective_date", "text")
    .addColumn("taken_over_yen", "integer")
    .addColumn("taken_over_invoices", "text")
    .addColumn("requested_by", "text", (c) => c.notNull())
    .addColumn("requested_at", "text", (c) => c.notNull())
    .addColumn("decided_by", "text")
    .addColumn("decided_at", "text")
    .execute();
  await db.schema
    .createIndex("contract_holder_changes_contract_idx")
    .on("contract_holder_changes")
    .column("contract_id")
    .execute();
  // One open request per contract: a second one waits for the first to be decided or withdrawn.
  await sql`create unique index contract_holder_changes_one_open on contract_holder_changes (contract_id) where status = 'requested'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("contract_holder_changes").execute();
}
