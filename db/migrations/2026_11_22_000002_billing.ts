// Billing schema (T-24..T-31, S2..S6): tariff versions after the built-in one, the contract
// history the rules read (plan changes, terminations, outages, visits, manual lines, payments),
// billing months and issued invoices. Issued invoices and their lines are immutable: triggers
// refuse any UPDATE or DELETE, and refuse lines beyond the count the invoice was issued with.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("tariff_versions")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("effective_from", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("tariff_prices")
    .addColumn("version_id", "integer", (c) => c.notNull().references("tariff_versions.id"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("price_yen", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("tariff_prices_pk", ["version_id", "code"])
    .execute();

  await db.schema
    .createTable("plan_changes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("change_date", "text", (c) => c.notNull())
    .addColumn("base_plan", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("plan_changes_contract_idx")
    .on("plan_changes")
    .column("contract_id")
    .execute();

  await db.schema
    .createTable("terminations")
    .addColumn("contract_id", "integer", (c) => c.primaryKey().references("contracts.id"))
    .addColumn("requested_on", "text", (c) => c.notNull())
    .addColumn("wished_date", "text", (c) => c.notNull())
    .addColumn("confirmed_on", "text")
    .addColumn("terminated_by", "text", (c) =>
      c
        .notNull()
        .defaultTo("customer")
        .check(sql`terminated_by in ('customer', 'provider_fault', 'provider_service_end')`),
    )
    .addColumn("withdrawn_at", "text")
    .execute();

  await db.schema
    .createTable("outages")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("services", "text", (c) => c.notNull()) // comma-separated: base,endpoint,gateway,sandbox
    .addColumn("known_at", "text", (c) => c.notNull())
    .addColumn("restored_at", "text")
    .addColumn("customer_fault", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("outages_contract_idx").on("outages").column("contract_id").execute();

  await db.schema
    .createTable("visits")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("visit_date", "text", (c) => c.notNull())
    .addColumn("start_time", "text", (c) => c.notNull())
    .addColumn("with_line_application", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("backup_available", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex("visits_contract_idx").on("visits").column("contract_id").execute();
  await db.schema
    .createTable("visit_lines")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("visit_id", "integer", (c) => c.notNull().references("visits.id"))
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("quantity", "integer")
    .addColumn("endpoint_reinstall", "integer")
    .addColumn("pcs_gb", "text") // JSON array of per-PC volumes in GB, data migration only
    .execute();
  await db.schema
    .createIndex("visit_lines_visit_idx")
    .on("visit_lines")
    .column("visit_id")
    .execute();

  await db.schema
    .createTable("manual_lines")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("line_date", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull())
    .addColumn("taxable", "integer", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("rule", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("manual_lines_contract_idx")
    .on("manual_lines")
    .column("contract_id")
    .execute();

  await db.schema
    .createTable("payments")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("billing_month", "text", (c) => c.notNull())
    .addColumn("paid_on", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer") // null = the invoice in full
    .addColumn("recorded_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("payments_contract_idx")
    .on("payments")
    .columns(["contract_id", "billing_month"])
    .execute();

  await db.schema
    .createTable("billing_months")
    .addColumn("month", "text", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('running', 'closed')`))
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("closed_at", "text")
    .addColumn("invoice_count", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("invoices")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("seq", "integer", (c) => c.notNull().unique())
    .addColumn("invoice_number", "text", (c) => c.notNull().unique())
    .addColumn("contract_id", "integer", (c) => c.notNull().references("contracts.id"))
    .addColumn("billing_month", "text", (c) => c.notNull())
    .addColumn("issue_date", "text", (c) => c.notNull())
    .addColumn("due_date", "text", (c) => c.notNull())
    .addColumn("taxable_10_yen", "integer", (c) => c.notNull())
    .addColumn("tax_10_yen", "integer", (c) => c.notNull())
    .addColumn("non_taxable_yen", "integer", (c) => c.notNull())
    .addColumn("interest_yen", "integer", (c) => c.notNull())
    .addColumn("total_yen", "integer", (c) => c.notNull())
    .addColumn("line_count", "integer", (c) => c.notNull())
    // The recipient as it stood when issued (T-13: notices go to the address registered then).
    .addColumn("recipient_name", "text", (c) => c.notNull())
    .addColumn("recipient_address", "text", (c) => c.notNull())
    .addColumn("issued_at", "text", (c) => c.notNull())
    .addUniqueConstraint("invoices_contract_month_unique", ["contract_id", "billing_month"])
    .execute();
  await db.schema
    .createIndex("invoices_month_idx")
    .on("invoices")
    .column("billing_month")
    .execute();

  await db.schema
    .createTable("invoice_lines")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("invoice_id", "integer", (c) => c.notNull().references("invoices.id"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("tariff_version", "text")
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull())
    .addColumn("unit_price_yen", "integer", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull())
    .addColumn("tax_category", "text", (c) =>
      c.notNull().check(sql`tax_category in ('taxable_10', 'non_taxable')`),
    )
    .addUniqueConstraint("invoice_lines_position_unique", ["invoice_id", "position"])
    .execute();

  // Immutability of issued invoices (SQLite triggers; a PostgreSQL installation gets the same
  // rules as plpgsql triggers in its own migration).
  for (const table of ["invoices", "invoice_lines"]) {
    await sql
      .raw(
        `create trigger ${table}_no_update before update on ${table}
      begin select raise(abort, 'issued invoices are immutable: issue a credit note instead'); end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_no_delete before delete on ${table}
      begin select raise(abort, 'issued invoices are immutable: issue a credit note instead'); end`,
      )
      .execute(db);
  }
  await sql
    .raw(
      `create trigger invoice_lines_sealed before insert on invoice_lines
    when (select count(*) from invoice_lines where invoice_id = new.invoice_id)
       >= (select line_count from invoices where id = new.invoice_id)
    begin select raise(abort, 'issued invoices are immutable: no line can be added'); end`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of [
    "invoice_lines_sealed",
    "invoice_lines_no_delete",
    "invoice_lines_no_update",
    "invoices_no_delete",
    "invoices_no_update",
  ]) {
    await sql.raw(`drop trigger if exists ${trigger}`).execute(db);
  }
  for (const table of [
    "invoice_lines",
    "invoices",
    "billing_months",
    "payments",
    "manual_lines",
    "visit_lines",
    "visits",
    "outages",
    "terminations",
    "plan_changes",
    "tariff_prices",
    "tariff_versions",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
