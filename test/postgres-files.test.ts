// Every integration file with a database runs on both engines (decision 0034): a new one that is
// not in test/postgres-files.txt would silently run on SQLite only — as the review queue's union of
// a date and a text column did, which PostgreSQL refuses. Files that are SQLite-only on purpose are
// named here with the reason.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const SQLITE_ONLY: Record<string, string> = {
  "test/billing-run-memory.test.ts": "counts the rows better-sqlite3 returns per statement",
};

describe("the PostgreSQL file list", () => {
  it("names every test file that opens a test database, except the SQLite-only ones", () => {
    const listed = new Set(
      readFileSync("test/postgres-files.txt", "utf8")
        .split("\n")
        .filter((line) => line !== "" && !line.startsWith("#")),
    );
    const withDatabase = readdirSync("test")
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => `test/${name}`)
      .filter((path) => /createTestDatabase\(/.test(readFileSync(join(path), "utf8")));
    expect(withDatabase.length).toBeGreaterThan(60);
    expect(withDatabase.filter((path) => !listed.has(path) && !(path in SQLITE_ONLY))).toEqual([]);
    // And every file listed exists (a renamed file would drop out of the PostgreSQL run).
    expect([...listed].filter((path) => !existsSync(path))).toEqual([]);
  });
});
