// 口座振替 and bank-transfer matching (issue 20, items 1 and 2; docs/decisions/0019):
// - a customer's kana name (the name a bank statement shows) and its direct-debit account;
// - the provider's 委託者コード, kana name and the account the debits are credited to;
// - one row per debit requested (invoice × 引落日) with the bank's result once imported;
// - the credits of imported bank statements, each matched, waiting or dismissed.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("customers").addColumn("kana_name", "text").execute();
  for (const [name, type] of [
    ["debit_consignor_code", "text"],
    ["debit_consignor_kana", "text"],
    ["debit_bank_code", "text"],
    ["debit_branch_code", "text"],
    ["debit_account_type", "integer"],
    ["debit_account_number", "text"],
  ] as const) {
    await db.schema.alterTable("provider").addColumn(name, type).execute();
  }
  await db.schema
    .createTable("customer_direct_debits")
    .addColumn("customer_id", "integer", (c) => c.primaryKey().references("customers.id"))
    .addColumn("bank_code", "text", (c) => c.notNull())
    .addColumn("branch_code", "text", (c) => c.notNull())
    .addColumn("account_type", "integer", (c) => c.notNull().check(sql`account_type in (1, 2)`))
    .addColumn("account_number", "text", (c) => c.notNull())
    .addColumn("holder_kana", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("updated_by", "text")
    .execute();
  await db.schema
    .createTable("direct_debits")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("invoice_id", "integer", (c) => c.notNull().references("invoices.id"))
    .addColumn("debit_date", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull())
    .addColumn("bank_code", "text", (c) => c.notNull())
    .addColumn("branch_code", "text", (c) => c.notNull())
    .addColumn("account_type", "integer", (c) => c.notNull())
    .addColumn("account_number", "text", (c) => c.notNull())
    .addColumn("holder_kana", "text", (c) => c.notNull())
    .addColumn("new_code", "integer", (c) => c.notNull())
    .addColumn("requested_at", "text", (c) => c.notNull())
    .addColumn("result_code", "text")
    .addColumn("result_at", "text")
    .addUniqueConstraint("direct_debits_invoice_date", ["invoice_id", "debit_date"])
    .execute();
  await db.schema
    .createIndex("direct_debits_by_date")
    .on("direct_debits")
    .columns(["debit_date"])
    .execute();
  await db.schema
    .createTable("bank_credits")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // Date, yen, normalised payer and the occurrence among identical lines: a statement imported
    // again (or one overlapping it) adds nothing.
    .addColumn("line_key", "text", (c) => c.notNull().unique())
    .addColumn("transaction_date", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull())
    .addColumn("payer_name", "text", (c) => c.notNull())
    .addColumn("payer_kana", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('matched', 'pending', 'assigned', 'dismissed')`),
    )
    .addColumn("invoice_id", "integer", (c) => c.references("invoices.id"))
    .addColumn("imported_at", "text", (c) => c.notNull())
    .addColumn("resolved_by", "text")
    .addColumn("resolved_at", "text")
    .execute();
  await db.schema
    .createIndex("bank_credits_by_status")
    .on("bank_credits")
    .columns(["status", "transaction_date"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("bank_credits").execute();
  await db.schema.dropTable("direct_debits").execute();
  await db.schema.dropTable("customer_direct_debits").execute();
  for (const column of [
    "debit_account_number",
    "debit_account_type",
    "debit_branch_code",
    "debit_bank_code",
    "debit_consignor_kana",
    "debit_consignor_code",
  ]) {
    await db.schema.alterTable("provider").dropColumn(column).execute();
  }
  await db.schema.alterTable("customers").dropColumn("kana_name").execute();
}
