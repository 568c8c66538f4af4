// PostgreSQL's baseline migration (decision 0023) against the SQLite history it stands for:
// the same tables, columns, nullability, unique constraints and triggers. Runs in the
// PostgreSQL run (TEST_DATABASE=postgres); on SQLite there is nothing to compare.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateToLatest, openDatabase, type DatabaseHandle } from "../db/connection";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";

let pg: TestDatabase;
let lite: DatabaseHandle;
let dir: string;
beforeAll(async () => {
  if (!TEST_ON_POSTGRES) return;
  pg = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), "console-schema-"));
  lite = openDatabase(`file:${join(dir, "app.db")}`);
  await migrateToLatest(lite.db);
});
afterAll(async () => {
  if (!TEST_ON_POSTGRES) return;
  await pg.dispose();
  await lite.close();
  rmSync(dir, { recursive: true, force: true });
});

type Column = { table: string; column: string; nullable: boolean };
const key = (c: Column) => `${c.table}.${c.column}${c.nullable ? "" : " not null"}`;

describe("PostgreSQL baseline", () => {
  it("has every table and column of the SQLite schema, with the same nullability", async () => {
    const liteColumns = (
      lite.sqlite
        .prepare(
          `select m.name as "table", p.name as "column", p."notnull" as nn, p.pk as pk
      from sqlite_master m, pragma_table_info(m.name) p
      where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like 'kysely_%'`,
        )
        .all() as Array<{ table: string; column: string; nn: number; pk: number }>
    )
      .map((c) => key({ table: c.table, column: c.column, nullable: c.nn === 0 && c.pk === 0 }))
      .sort();
    const pgColumns = (
      await sql<{
        table: string;
        column: string;
        nullable: string;
      }>`select table_name as "table", column_name as "column", is_nullable as nullable
      from information_schema.columns where table_schema = 'public' and table_name not like 'kysely_%'`.execute(
        pg.db,
      )
    ).rows
      .map((c) => key({ table: c.table, column: c.column, nullable: c.nullable === "YES" }))
      .sort();
    expect(pgColumns.length).toBeGreaterThan(400);
    expect(pgColumns).toEqual(liteColumns);
  });

  it("has every index and trigger of the SQLite schema", async () => {
    const liteNames = (type: string) =>
      (
        lite.sqlite
          .prepare(`select name from sqlite_master where type = ? and name not like 'sqlite_%'`)
          .all(type) as { name: string }[]
      )
        .map((r) => r.name)
        .sort();
    const pgIndexes = (
      await sql<{
        name: string;
      }>`select indexname as name from pg_indexes where schemaname = 'public'`.execute(pg.db)
    ).rows.map((r) => r.name);
    for (const index of liteNames("index")) expect(pgIndexes, index).toContain(index);
    const pgTriggers = (
      await sql<{
        name: string;
      }>`select distinct trigger_name as name from information_schema.triggers`.execute(pg.db)
    ).rows
      .map((r) => r.name)
      .sort();
    expect(pgTriggers).toEqual(liteNames("trigger"));
    expect(pgTriggers).toHaveLength(54);
  });

  it("keeps the types of decision 0023: instants, dates, yen and JSON", async () => {
    const types = Object.fromEntries(
      (
        await sql<{
          c: string;
          t: string;
        }>`select table_name || '.' || column_name as c, data_type as t
      from information_schema.columns where table_schema = 'public'`.execute(pg.db)
      ).rows.map((r) => [r.c, r.t]),
    );
    expect([
      types["invoices.issued_at"],
      types["invoices.issue_date"],
      types["invoices.total_yen"],
      types["contract_changes.payload"],
      types["invoices.billing_month"],
      types["sessions.expires_at"],
    ]).toEqual(["timestamp with time zone", "date", "bigint", "jsonb", "text", "bigint"]);
  });
});
