// The provider's billing settings (app/billing/billing-settings.ts): the due date of invoices
// (T-27-1, default the last day of M+1) and leaving interest-only invoices unbilled (T-26-3, off).
// Changing either changes every invoice not yet issued: the billing journal (decision 0010) gets a
// row for every contract, so a month being closed plans its remaining invoices again.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("provider")
    .addColumn("due_month_offset", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable("provider").addColumn("due_day", "integer").execute();
  await db.schema
    .alterTable("provider")
    .addColumn("interest_only_unbilled", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`create trigger provider_billing_update after update of due_month_offset, due_day, interest_only_unbilled on provider
    begin insert into billing_changes (contract_id) select null; end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists provider_billing_update`.execute(db);
  for (const column of ["interest_only_unbilled", "due_day", "due_month_offset"]) {
    await db.schema.alterTable("provider").dropColumn(column).execute();
  }
}
