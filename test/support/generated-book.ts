// The benchmark's generated book of contracts (scripts/bench/generate-contracts.ts) in a test
// database of either engine. The generator writes through SQLite statements: on PostgreSQL the
// book is generated into a scratch SQLite file and its rows copied over, ids included (then each
// identity continues after them), so both engines hold the same book.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql, type Kysely } from "kysely";
import { migrateToLatest, openDatabase } from "../../db/connection";
import type { YearMonth } from "../../app/lib/jst";
import { generateContracts, type GeneratedBook } from "../../scripts/bench/generate-contracts";
import { TEST_ON_POSTGRES, type TestDatabase } from "./database";

/** The tables the generator writes, parents first. */
const TABLES = [
  "resellers",
  "customers",
  "contracts",
  "contract_items",
  "outages",
  "visits",
  "visit_lines",
  "terminations",
  "payments",
] as const;

/** Rows per INSERT: far below PostgreSQL's 65,535 parameters for these tables' widths. */
const ROWS_PER_INSERT = 500;

export async function generateBook(
  t: TestDatabase,
  count: number,
  firstBilledMonth: YearMonth,
): Promise<GeneratedBook> {
  if (!TEST_ON_POSTGRES) return generateContracts(t.sqlite, count, firstBilledMonth);
  const dir = mkdtempSync(join(tmpdir(), "generated-book-"));
  const scratch = openDatabase(`file:${join(dir, "book.db")}`);
  try {
    await migrateToLatest(scratch.db);
    const book = generateContracts(scratch.sqlite, count, firstBilledMonth);
    const target = t.db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const table of TABLES) {
      const rows = scratch.sqlite.prepare(`select * from ${table} order by rowid`).all() as Record<
        string,
        unknown
      >[];
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
        await target
          .insertInto(table)
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .execute();
      // A table keyed by its parent (no id of its own) has no identity to move on.
      if (rows.length > 0 && "id" in rows[0])
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(
          t.db,
        );
    }
    return book;
  } finally {
    await scratch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
