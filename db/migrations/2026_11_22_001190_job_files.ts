// Files made by the job worker (issue 18 item 4): the month's invoice PDF zip and the zip of a
// month's threat reports. Stored in the database as the document archive stores its PDFs, so
// every web worker and every instance on one PostgreSQL serves them and backups include them;
// in chunks of at most 1 MiB so that neither writing nor serving holds a whole archive (a zip
// may pass 4 GB; one SQLite blob or PostgreSQL bytea may not pass 1 GB). Portable: SQLite blob,
// PostgreSQL bytea.
import { idColumn, idType, isPostgres } from "./portable";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("job_files")
    .addColumn("id", idType(db), idColumn(db))
    .addColumn("job_id", idType(db), (c) => c.notNull().references("jobs.id").onDelete("cascade"))
    // Who may download it: 'provider', 'reseller:ID' or 'customer:ID' (app/jobs/job-files.server.ts).
    .addColumn("tenant", "text", (c) => c.notNull())
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    // Set when the last chunk is written; a file without them is incomplete and never served.
    .addColumn("size_bytes", "bigint")
    .addColumn("sha256", "text")
    .addColumn("chunk_count", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .execute();
  await db.schema.createIndex("job_files_by_job").on("job_files").column("job_id").execute();
  await db.schema
    .createTable("job_file_chunks")
    .addColumn("file_id", idType(db), (c) =>
      c.notNull().references("job_files.id").onDelete("cascade"),
    )
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("data", isPostgres(db) ? "bytea" : "blob", (c) => c.notNull())
    .addPrimaryKeyConstraint("job_file_chunks_pk", ["file_id", "seq"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("job_file_chunks").execute();
  await db.schema.dropTable("job_files").execute();
}
