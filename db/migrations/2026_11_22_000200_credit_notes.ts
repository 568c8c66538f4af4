// Credit notes (適格返還請求書): corrections of an issued invoice, with their own gap-free
// sequence. Like invoices, they never change once issued (T-27-4).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("credit_notes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("seq", "integer", (c) => c.notNull().unique())
    .addColumn("credit_note_number", "text", (c) => c.notNull().unique())
    .addColumn("invoice_id", "integer", (c) => c.notNull().references("invoices.id"))
    .addColumn("issue_date", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("taxable_10_yen", "integer", (c) => c.notNull())
    .addColumn("tax_10_yen", "integer", (c) => c.notNull())
    .addColumn("non_taxable_yen", "integer", (c) => c.notNull())
    .addColumn("total_yen", "integer", (c) => c.notNull())
    .addColumn("line_count", "integer", (c) => c.notNull())
    .addColumn("issued_at", "text", (c) => c.notNull())
    .addColumn("issued_by", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("credit_notes_invoice_idx")
    .on("credit_notes")
    .column("invoice_id")
    .execute();
  await db.schema
    .createTable("credit_note_lines")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("credit_note_id", "integer", (c) => c.notNull().references("credit_notes.id"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("invoice_line_id", "integer", (c) => c.notNull().references("invoice_lines.id"))
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull().check(sql`amount_yen > 0`))
    .addColumn("tax_category", "text", (c) =>
      c.notNull().check(sql`tax_category in ('taxable_10', 'non_taxable')`),
    )
    .addUniqueConstraint("credit_note_lines_position_unique", ["credit_note_id", "position"])
    .execute();
  for (const table of ["credit_notes", "credit_note_lines"]) {
    await sql
      .raw(
        `create trigger ${table}_no_update before update on ${table}
      begin select raise(abort, 'issued credit notes are immutable'); end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_no_delete before delete on ${table}
      begin select raise(abort, 'issued credit notes are immutable'); end`,
      )
      .execute(db);
  }
  await sql
    .raw(
      `create trigger credit_note_lines_sealed before insert on credit_note_lines
    when (select count(*) from credit_note_lines where credit_note_id = new.credit_note_id)
       >= (select line_count from credit_notes where id = new.credit_note_id)
    begin select raise(abort, 'issued credit notes are immutable: no line can be added'); end`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of [
    "credit_note_lines_sealed",
    "credit_note_lines_no_delete",
    "credit_note_lines_no_update",
    "credit_notes_no_delete",
    "credit_notes_no_update",
  ]) {
    await sql.raw(`drop trigger if exists ${trigger}`).execute(db);
  }
  await db.schema.dropTable("credit_note_lines").execute();
  await db.schema.dropTable("credit_notes").execute();
}
