// Several processes, one of each job (issue 18 items 3-4): a lease per scheduled job or month
// close (taken by a conditional upsert, renewed while working, expired when its holder died),
// a claim on each outbox mail so two processes never send the same one, and the jobs table of
// the job worker (month close off the request path, with its progress). Portable types only:
// the same statements run on SQLite and PostgreSQL.
import { idColumn, idType } from "./portable";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("leases")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("holder", "text", (c) => c.notNull())
    // ISO instants (UTC, fixed width): compared as text.
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("taken_at", "text", (c) => c.notNull())
    .execute();

  await db.schema.alterTable("outbox").addColumn("claimed_by", "text").execute();
  await db.schema.alterTable("outbox").addColumn("claimed_until", "text").execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", idType(db), idColumn(db))
    // 'month_close' (key: the month), 'scheduled' (key: job and period, e.g. 'daily:2026-12-06').
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    // queued → running → done | failed
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("params", "text")
    .addColumn("progress_done", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("progress_total", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("result", "text")
    .addColumn("error", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("requested_by", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .addColumn("lease_holder", "text")
    .addColumn("lease_until", "text")
    // One row per kind and key: a month has one close job, a scheduled period one run.
    .addUniqueConstraint("jobs_kind_key", ["kind", "key"])
    .execute();
  await db.schema.createIndex("jobs_by_state").on("jobs").columns(["state", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("jobs").execute();
  await db.schema.alterTable("outbox").dropColumn("claimed_until").execute();
  await db.schema.alterTable("outbox").dropColumn("claimed_by").execute();
  await db.schema.dropTable("leases").execute();
}
