// The statement cache behind Kysely: one prepared statement per SQL text, a fresh one while the
// cached one is being iterated, bounded by its capacity, and still right after a schema change.
import SQLite from "better-sqlite3";
import { Kysely, sql, SqliteDialect } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { userInfo } from "node:os";
import {
  isoFromTimestamptz,
  isPostgresUrl,
  postgresTypes,
  redactedUrl,
  withDefaultUser,
  withStatementCache,
} from "./connection";

let sqlite: SQLite.Database | undefined;
afterEach(() => {
  if (sqlite?.open) sqlite.close();
  sqlite = undefined;
});

function open() {
  sqlite = new SQLite(":memory:");
  sqlite.exec(
    "create table t (id integer primary key, name text not null); insert into t (name) values ('a'), ('b'), ('c')",
  );
  return sqlite;
}

describe("withStatementCache", () => {
  it("prepares each SQL text once", () => {
    const cache = withStatementCache(open());
    const first = cache.prepare("select name from t order by id");
    expect(cache.prepare("select name from t order by id")).toBe(first);
    expect(cache.prepare("select id from t order by id")).not.toBe(first);
  });

  it("gives a fresh statement while the cached one is iterating (a streamed query)", async () => {
    const cache = withStatementCache(open());
    const streaming = cache.prepare("select name from t order by id");
    const rows = streaming.iterate([]);
    expect(rows.next().value).toEqual({ name: "a" });
    expect(cache.prepare("select name from t order by id")).not.toBe(streaming);
    rows.return!();
    expect(cache.prepare("select name from t order by id")).toBe(streaming);
  });

  it("serves Kysely's streams", async () => {
    const db = new Kysely<{ t: { id: number; name: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(open()) }),
    });
    const names: string[] = [];
    for (let i = 0; i < 2; i++)
      for await (const row of db.selectFrom("t").select("name").orderBy("id").stream())
        names.push(row.name);
    expect(names).toEqual(["a", "b", "c", "a", "b", "c"]);
  });

  it("drops the least recently used statement beyond its capacity", () => {
    const cache = withStatementCache(open(), 2);
    const a = cache.prepare("select 1");
    const b = cache.prepare("select 2");
    expect(cache.prepare("select 1")).toBe(a); // "select 1" is now the most recently used
    cache.prepare("select 3"); // evicts "select 2"
    expect(cache.prepare("select 1")).toBe(a);
    expect(cache.prepare("select 2")).not.toBe(b);
  });

  it("returns the new columns of a cached query after the table changes (SQLite re-prepares it)", async () => {
    const db = new Kysely<{ t: Record<string, unknown> }>({
      dialect: new SqliteDialect({ database: withStatementCache(open()) }),
    });
    const query = sql<Record<string, unknown>>`select * from t where id = 1`;
    expect((await query.execute(db)).rows).toEqual([{ id: 1, name: "a" }]);
    await sql`alter table t add column note text not null default 'x'`.execute(db);
    expect((await query.execute(db)).rows).toEqual([{ id: 1, name: "a", note: "x" }]);
  });

  it("closes the connection", () => {
    const cache = withStatementCache(open());
    cache.prepare("select 1");
    cache.close();
    expect(sqlite?.open).toBe(false);
  });
});

describe("PostgreSQL value mapping (decision 0023)", () => {
  it("reads timestamptz back as the toISOString() text the code writes", () => {
    expect(isoFromTimestamptz("2026-11-22 01:00:00+00")).toBe("2026-11-22T01:00:00.000Z");
    expect(isoFromTimestamptz("2026-11-22 01:00:00.5+00")).toBe("2026-11-22T01:00:00.500Z");
    expect(isoFromTimestamptz("2026-11-22 01:00:00.123456+00")).toBe("2026-11-22T01:00:00.123Z");
    expect(isoFromTimestamptz("2026-11-22 10:00:00+09")).toBe("2026-11-22T01:00:00.000Z");
    expect(isoFromTimestamptz("2026-11-22 10:30:00+05:30")).toBe("2026-11-22T05:00:00.000Z");
  });

  it("parses pg's numbers, dates and jsonb into what SQLite returns", () => {
    const parse = (oid: number, text: string) =>
      (postgresTypes.getTypeParser as (oid: number, format: string) => (t: string) => unknown)(
        oid,
        "text",
      )(text);
    expect(parse(20, "9007199254740")).toBe(9007199254740);
    expect(parse(1700, "19800")).toBe(19800);
    expect(parse(1082, "2026-11-22")).toBe("2026-11-22");
    expect(parse(3802, '["INV-00000037", "INV-00000057"]')).toBe('["INV-00000037","INV-00000057"]');
    expect(parse(16, "t")).toBe(1);
    expect(parse(16, "f")).toBe(0);
  });

  it("recognises PostgreSQL URLs, signs in as the system user when none is named, masks passwords", () => {
    expect(
      ["postgres://h/db", "postgresql://h/db", "file:./x.db", "mysql://h/db"].map(isPostgresUrl),
    ).toEqual([true, true, false, false]);
    const user = encodeURIComponent(process.env.PGUSER ?? process.env.USER ?? userInfo().username);
    expect(withDefaultUser("postgres:///console?host=/var/run/postgresql")).toBe(
      `postgres://${user}@/console?host=/var/run/postgresql`,
    );
    expect(withDefaultUser("postgres://app:secret@db.example/console")).toBe(
      "postgres://app:secret@db.example/console",
    );
    expect(redactedUrl("postgres://app:secret@db.example/console")).toBe(
      "postgres://app:***@db.example/console",
    );
    expect(redactedUrl("postgres:///console?host=/tmp")).toBe("postgres:///console?host=/tmp");
  });
});
