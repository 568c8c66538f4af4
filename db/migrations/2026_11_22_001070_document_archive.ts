// 電子帳簿保存法: the PDF of every issued invoice and credit note as it was first rendered (sent by
// mail or downloaded), with its SHA-256, kept in the database (so the backup holds it) and
// searchable by 取引年月日 (issue_date), 取引金額 (amount_yen) and 取引先 (counterparty). A stored
// original is never changed or removed: triggers refuse both, as for issued invoices (000002).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("document_archive")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('invoice', 'credit_note')`))
    .addColumn("document_id", "integer", (c) => c.notNull())
    .addColumn("document_number", "text", (c) => c.notNull())
    .addColumn("issue_date", "text", (c) => c.notNull())
    .addColumn("counterparty", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull())
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("pdf", "blob", (c) => c.notNull())
    .addColumn("sha256", "text", (c) => c.notNull())
    .addColumn("stored_at", "text", (c) => c.notNull())
    .addUniqueConstraint("document_archive_document_unique", ["kind", "document_id"])
    .execute();
  await db.schema
    .createIndex("document_archive_issue_date_idx")
    .on("document_archive")
    .columns(["issue_date", "id"])
    .execute();
  await sql
    .raw(
      `create trigger document_archive_no_update before update on document_archive
    begin select raise(abort, 'archived documents are immutable'); end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger document_archive_no_delete before delete on document_archive
    begin select raise(abort, 'archived documents are immutable'); end`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const trigger of ["document_archive_no_delete", "document_archive_no_update"]) {
    await sql.raw(`drop trigger if exists ${trigger}`).execute(db);
  }
  await db.schema.dropTable("document_archive").execute();
}
