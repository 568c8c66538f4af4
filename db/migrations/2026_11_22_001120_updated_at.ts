// Issue 19: the partner API filters records that change by update time (`updatedFrom`/`updatedTo`),
// so the tables of those records carry `updated_at`, written by the application on every insert
// and update (no trigger: the clock is the app's, APP_NOW included, and the same code runs on
// PostgreSQL). Existing rows get the latest instant the row itself records.
import type { Kysely } from "kysely";

const TABLES = [
  "customers",
  "contracts",
  "applications",
  "incidents",
  "devices",
  "licenses",
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES)
    await db.schema.alterTable(table).addColumn("updated_at", "text").execute();
  for (const table of ["customers", "contracts", "licenses"]) {
    await db
      .updateTable(table)
      .set((eb: any) => ({ updated_at: eb.ref("created_at") }))
      .execute();
  }
  await db
    .updateTable("applications")
    .set((eb: any) => ({ updated_at: eb.fn.coalesce("decided_at", "created_at") }))
    .execute();
  await db
    .updateTable("incidents")
    .set((eb: any) => ({
      updated_at: eb.fn.coalesce("resolved_at", "acknowledged_at", "opened_at"),
    }))
    .execute();
  // Devices record no creation; the ingest writes last_seen_at whenever it writes the row.
  await db
    .updateTable("devices")
    .set((eb: any) => ({ updated_at: eb.ref("last_seen_at") }))
    .execute();
  for (const table of TABLES) {
    await db.schema.createIndex(`${table}_by_updated_at`).on(table).column("updated_at").execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await db.schema.dropIndex(`${table}_by_updated_at`).execute();
    await db.schema.alterTable(table).dropColumn("updated_at").execute();
  }
}
