// `npm run -s backup -- --out FILE` (issue 18 item 5): a copy of the SQLite database that opens and
// holds the same rows, taken while another connection holds the database open; on failure
// nothing is written. On PostgreSQL: pg_dump against the real server, restored into a new database.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import pg from "pg";
import { pgDumpInvocation } from "../db/backup";
import { withDefaultUser } from "../db/connection";
import {
  createTestDatabase,
  describeOnPostgres,
  describeOnSqlite,
  postgresUrlFor,
  TEST_POSTGRES_URL,
  type TestDatabase,
} from "./support/database";

const ROOT = join(import.meta.dirname, "..");

function runBackup(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["scripts/backup.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function rowCounts(path: string): Record<string, number> {
  const db = new SQLite(path, { readonly: true });
  try {
    const tables = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map((t) => [
        t.name,
        (db.prepare(`select count(*) as n from "${t.name}"`).get() as { n: number }).n,
      ]),
    );
  } finally {
    db.close();
  }
}

let t: TestDatabase;
let out: string;

// A database and an output folder per test: each test lists the folder it wrote.
beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
  out = mkdtempSync(join(tmpdir(), "console-backup-"));
});

afterEach(async () => {
  await t.dispose();
  rmSync(out, { recursive: true, force: true });
});

describeOnSqlite("backup command", () => {
  it("copies the open database: the copy opens and every table has the same number of rows", () => {
    const file = join(out, "console.db");
    const run = runBackup({ DATABASE_URL: t.url }, "--out", file);
    expect(run.stderr).toMatch(/^backup: 0% \(0 of [\d,]+ pages\)\n/);
    expect(run.stderr).toMatch(/backup: 100% \(([\d,]+) of \1 pages\)\n$/);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      file: string;
      engine: string;
      bytes: number;
      pages: number;
    };
    expect(summary.file).toBe(file);
    expect(summary.engine).toBe("sqlite");
    expect(summary.pages).toBeGreaterThan(100);
    expect(summary.bytes).toBe(summary.pages * 4096);
    const original = rowCounts(t.path);
    expect(original.contracts).toBe(10);
    expect(original.invoices).toBeGreaterThan(0);
    expect(rowCounts(file)).toEqual(original);
    // Nothing else is left beside it (the temporary name was renamed).
    expect(readdirSync(out)).toEqual(["console.db"]);
  });

  it("writes nothing and names the path when it cannot", () => {
    const missingDir = join(out, "no-such-folder", "b.db");
    const a = runBackup({ DATABASE_URL: t.url }, "--out", missingDir);
    expect(a.status).toBe(1);
    expect(a.stdout).toBe("");
    expect(a.stderr).toBe(`${missingDir}: フォルダ ${join(out, "no-such-folder")} がありません\n`);

    const gone = join(out, "gone.db");
    const b = runBackup({ DATABASE_URL: `file:${gone}` }, "--out", join(out, "c.db"));
    expect(b.status).toBe(1);
    expect(b.stderr).toBe(`${gone}: データベースのファイルがありません\n`);
    expect(existsSync(gone)).toBe(false);

    const c = runBackup({ DATABASE_URL: t.url }, "--out", t.path);
    expect(c.status).toBe(1);
    expect(c.stderr).toBe(
      `${t.path}: データベースそのものには書き込めません。別のファイル名を指定してください\n`,
    );

    // A file that is not a database is refused by the copy's check; an earlier backup stays.
    const earlier = join(out, "earlier.db");
    writeFileSync(earlier, "the previous backup");
    const broken = join(out, "broken.db");
    writeFileSync(
      broken,
      "not a database at all, but long enough to be read as a header".repeat(100),
    );
    const d = runBackup({ DATABASE_URL: `file:${broken}` }, "--out", earlier);
    expect(d.status).toBe(1);
    expect(d.stderr).toBe(`${broken}: file is not a database\n`);
    expect(readFileSync(earlier, "utf8")).toBe("the previous backup");
    expect(readdirSync(out).sort()).toEqual(["broken.db", "earlier.db"]);

    const usage = runBackup({ DATABASE_URL: t.url });
    expect(usage.status).toBe(1);
    expect(usage.stderr).toBe("usage: npm run -s backup -- --out FILE\n");
  }, 60_000); // five commands, each a process of its own

  it("a bad setting stops it before anything is written", () => {
    const run = runBackup({ DATABASE_URL: t.url, SCHEDULER: "maybe" }, "--out", join(out, "x.db"));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('SCHEDULER: on または off を指定してください: "maybe"\n');
    expect(existsSync(join(out, "x.db"))).toBe(false);
  });
});

describeOnPostgres("backup command on PostgreSQL", () => {
  async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: withDefaultUser(url) });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
  const countsOf = (url: string) =>
    withClient(url, async (c) => {
      const n = async (table: string) =>
        Number((await c.query(`select count(*) as n from ${table}`)).rows[0].n);
      return {
        contracts: await n("contracts"),
        invoices: await n("invoices"),
        invoice_lines: await n("invoice_lines"),
        migrations: await n("kysely_migration"),
      };
    });

  it("dumps the open database with pg_dump, and the dump restores into a new database with the same rows", async () => {
    const file = join(out, "console.dump");
    const run = runBackup({ DATABASE_URL: t.url }, "--out", file);
    expect(run.stderr).toContain("pg_dump: dumping contents of table");
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as { file: string; engine: string; bytes: number };
    expect(summary).toMatchObject({ file, engine: "postgresql" });
    expect(summary.bytes).toBeGreaterThan(10_000);
    expect(readdirSync(out)).toEqual(["console.dump"]);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe("PGDMP");

    const restored = `console_restore_${process.pid}_${Date.now().toString(36)}`;
    await withClient(TEST_POSTGRES_URL, (c) => c.query(`create database "${restored}"`));
    try {
      const url = postgresUrlFor(TEST_POSTGRES_URL, restored);
      const restore = spawnSync(
        "pg_restore",
        ["--no-owner", "--exit-on-error", `--dbname=${withDefaultUser(url)}`, file],
        { encoding: "utf8", timeout: 60_000 },
      );
      expect(restore.stderr).toBe("");
      expect(restore.status).toBe(0);
      const original = await countsOf(t.url);
      expect(original.contracts).toBe(10);
      expect(original.invoices).toBeGreaterThan(0);
      expect(await countsOf(url)).toEqual(original);
    } finally {
      await withClient(TEST_POSTGRES_URL, (c) =>
        c.query(`drop database if exists "${restored}" with (force)`),
      );
    }
  });
});

describe("pg_dump on PostgreSQL", () => {
  it("gets the password in PGPASSWORD, never on its command line", () => {
    const { args, password } = pgDumpInvocation(
      "postgres://console:s%40cret@db.internal:5432/console?sslmode=require",
      "/backups/.c.dump.1.tmp",
    );
    expect(password).toBe("s@cret");
    expect(args).toEqual([
      "--format=custom",
      "--no-owner",
      "--verbose",
      "--file=/backups/.c.dump.1.tmp",
      "--dbname=postgres://console@db.internal:5432/console?sslmode=require",
    ]);
    expect(
      pgDumpInvocation("postgresql:///console?host=/var/run/postgresql", "f").password,
    ).toBeNull();
  });
});
