// A fresh database per test, migrated and (optionally) seeded with the demo data, so every
// integration test runs against a real database: a SQLite file by default, or, with
// TEST_DATABASE=postgres, a PostgreSQL database of its own (decision 0023). On PostgreSQL each
// database is a copy (CREATE DATABASE … TEMPLATE) of a template migrated and seeded once per
// source version and seed options: seeding takes seconds there, a copy a fraction of one. SQLite
// does the same with a file: a template per source version and seed options, copied per test.
import { describe } from "vitest";
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import {
  migrateToLatest,
  openDatabase,
  withDefaultUser,
  type DatabaseHandle,
} from "../../db/connection";
import { seedDemo } from "../../db/demo/seed";
import { setDatabase } from "../../app/db.server";

/** The fixed "today" of the demo data in tests: 2026-11-22 10:00 JST. */
export const TEST_NOW = new Date("2026-11-22T10:00:00+09:00");

export interface TestDatabase extends DatabaseHandle {
  dir: string;
  url: string;
  dispose(): Promise<void>;
}

type SeedOptions = { seed?: boolean; at?: Date; events?: boolean };

/** Which engine the integration tests run on: TEST_DATABASE=postgres, SQLite otherwise. */
export const TEST_ON_POSTGRES = process.env.TEST_DATABASE === "postgres";

/**
 * Checks of SQLite itself (its query plans): registered only when the suite runs on SQLite, so
 * the PostgreSQL run neither runs nor lists them (PostgreSQL plans its own way, decision 0023).
 */
export const describeOnSqlite = (name: string, fn: () => void): void => {
  if (!TEST_ON_POSTGRES) describe(name, fn);
};

/**
 * The PostgreSQL counterpart of a describeOnSqlite check (the same property, shown the way
 * PostgreSQL shows it): registered only in the PostgreSQL run.
 */
export const describeOnPostgres = (name: string, fn: () => void): void => {
  if (TEST_ON_POSTGRES) describe(name, fn);
};

/** The server the PostgreSQL mode creates its databases on (any database there: it connects as admin). */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres:///postgres?host=/var/run/postgresql";

export async function createTestDatabase(options: SeedOptions = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "console-test-"));
  if (TEST_ON_POSTGRES) return createPostgresTestDatabase(dir, options);
  const file = join(dir, "app.db");
  copyFileSync(await sqliteTemplateFor(options), file);
  const url = `file:${file}`;
  const handle = openDatabase(url);
  setDatabase(handle);
  return {
    ...handle,
    dir,
    url,
    dispose: async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The same URL with another database name. */
export function postgresUrlFor(url: string, database: string): string {
  const parsed = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/.exec(url);
  if (!parsed) throw new Error(`TEST_POSTGRES_URL: not a PostgreSQL URL: ${url}`);
  return `${parsed[1]}/${database}${parsed[3]}`;
}

let sourceVersion: string | undefined;
/** A hash of the sources a template is built from (migrations, seed, the domain code it calls). */
function sourceHash(): string {
  if (sourceVersion) return sourceVersion;
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith(".test.ts"))
        hash.update(path).update(readFileSync(path));
    }
  };
  const root = resolve(import.meta.dirname, "../..");
  walk(join(root, "db"));
  walk(join(root, "app"));
  sourceVersion = hash.digest("hex").slice(0, 12);
  return sourceVersion;
}

/** The name part of a template for these seed options (the clock a test set is part of it). */
function seedKeyOf(options: SeedOptions): string {
  return options.seed
    ? `s${createHash("sha256")
        .update(
          `${(options.at ?? TEST_NOW).toISOString()}|${options.events ?? ""}|${process.env.APP_NOW ?? ""}`,
        )
        .digest("hex")
        .slice(0, 8)}`
    : "m";
}

const SQLITE_TEMPLATES = join(tmpdir(), "console-test-templates");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The SQLite template file for these seed options, built once per source version: test files run
 * in parallel processes, so one builds it under a lock file and the others wait for it to appear.
 * The file is written under another name and renamed, so a template is never seen half-built.
 */
async function sqliteTemplateFor(options: SeedOptions): Promise<string> {
  mkdirSync(SQLITE_TEMPLATES, { recursive: true });
  const path = join(SQLITE_TEMPLATES, `${sourceHash()}_${seedKeyOf(options)}.db`);
  const lock = `${path}.lock`;
  for (let waited = 0; !existsSync(path); waited += 100) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, "wx");
    } catch {
      // Another process builds it; a lock left by a killed build is taken over after 3 minutes.
      if (waited > 180_000) rmSync(lock, { force: true });
      await sleep(100);
      continue;
    }
    try {
      if (existsSync(path)) break;
      const building = `${path}.${process.pid}.building`;
      rmSync(building, { force: true });
      const handle = openDatabase(`file:${building}`);
      try {
        await migrateToLatest(handle.db);
        if (options.seed)
          await seedDemo(handle.db, options.at ?? TEST_NOW, { events: options.events });
      } finally {
        await handle.close();
      }
      renameSync(building, path);
      // Templates of older sources are of no further use once an hour old (a parallel run of
      // another checkout may still be copying a newer one of its own).
      for (const name of readdirSync(SQLITE_TEMPLATES)) {
        const other = join(SQLITE_TEMPLATES, name);
        if (!name.startsWith(sourceHash()) && Date.now() - statSync(other).mtimeMs > 3_600_000)
          rmSync(other, { force: true });
      }
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
  return path;
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: withDefaultUser(TEST_POSTGRES_URL) });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/** The template for these seed options, built once (under an advisory lock: test files run in parallel). */
async function templateFor(options: SeedOptions): Promise<string> {
  const name = `console_tpl_${sourceHash()}_${seedKeyOf(options)}`;
  return withAdmin(async (admin) => {
    await admin.query("select pg_advisory_lock(hashtext($1))", [name]);
    try {
      const exists = await admin.query("select 1 from pg_database where datname = $1", [name]);
      if (exists.rowCount) return name;
      const building = `${name}_building`;
      await admin.query(`drop database if exists "${building}" with (force)`);
      await admin.query(`create database "${building}"`);
      const handle = openDatabase(postgresUrlFor(TEST_POSTGRES_URL, building));
      try {
        await migrateToLatest(handle.db);
        if (options.seed)
          await seedDemo(handle.db, options.at ?? TEST_NOW, { events: options.events });
      } finally {
        await handle.close();
      }
      await admin.query(`alter database "${building}" rename to "${name}"`);
      await admin.query(`comment on database "${name}" is 'built ${Date.now()}'`);
      await dropStaleTemplates(admin);
      return name;
    } finally {
      await admin.query("select pg_advisory_unlock(hashtext($1))", [name]);
    }
  });
}

/**
 * As the SQLite templates: templates (and half-built ones) of older sources are dropped once an
 * hour old — a parallel run of another checkout may still be copying a newer one of its own. A
 * template without its build time predates the comment and is dropped too. At most five per build
 * (a drop takes seconds on a busy machine), so a backlog drains over a few builds.
 */
async function dropStaleTemplates(admin: pg.Client): Promise<void> {
  const stale = await admin.query<{ datname: string }>(
    `select d.datname from pg_database d
      where d.datname like 'console\\_tpl\\_%' and d.datname not like $1
        and coalesce(substring(shobj_description(d.oid, 'pg_database') from '^built (\\d+)$')::bigint, 0) < $2
      order by d.oid limit 5`,
    [`console\\_tpl\\_${sourceHash()}\\_%`, Date.now() - 3_600_000],
  );
  for (const { datname } of stale.rows)
    await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
}

let created = 0;
async function createPostgresTestDatabase(
  dir: string,
  options: SeedOptions,
): Promise<TestDatabase> {
  const template = await templateFor(options);
  const name = `console_test_${process.pid}_${++created}_${Date.now().toString(36)}`;
  // A copy needs the template free of connections: another worker copying it at the same
  // moment makes CREATE DATABASE fail ("being accessed by other users"), so it is retried.
  await withAdmin(async (admin) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${template}"`);
        return;
      } catch (error) {
        if (attempt >= 50 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  const url = postgresUrlFor(TEST_POSTGRES_URL, name);
  const handle = openDatabase(url);
  setDatabase(handle);
  const database = {
    ...handle,
    dir,
    url,
    dispose: async () => {
      await handle.close();
      await withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`));
      rmSync(dir, { recursive: true, force: true });
    },
  } as TestDatabase;
  // As the handle's own: reading it throws on PostgreSQL (SQLite-only paths), a copy leaves it out.
  Object.defineProperty(database, "sqlite", { enumerable: false, get: () => handle.sqlite });
  return database;
}

/** The raw SQLite connection for the ingest fast path, or undefined on PostgreSQL (no such path there). */
export function fastPathOf(t: TestDatabase) {
  return TEST_ON_POSTGRES ? undefined : t.sqlite;
}
