// Opens the database named by DATABASE_URL and migrates it to the latest version: SQLite
// (`file:PATH`, default `file:./data/app.db`, WAL and foreign keys on) or PostgreSQL
// (`postgres://…` / `postgresql://…`, a `pg` pool). The PostgreSQL side maps values back to what
// the SQLite side returns (decision 0023), so the domain code sees one shape on both engines.
import { mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  sql,
  SqliteDialect,
  type MigrationProvider,
  type MigrationResultSet,
  type SqliteDatabase,
} from "kysely";
import pg from "pg";
import { migrations, postgresMigrations } from "./migrations/index";
import type { Database } from "./schema";

import { DEFAULT_DATABASE_URL, environment } from "../app/config.server";

export { DEFAULT_DATABASE_URL };
const BUSY_TIMEOUT_MS = 5000;

export type SqlDialect = "sqlite" | "postgres";

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: SqlDialect;
  /**
   * The raw SQLite connection, for the ingest fast path and benchmarks' raw floors. On
   * PostgreSQL reading it throws: those paths must branch on `dialect` first.
   */
  sqlite: SQLite.Database;
  /** The `pg` pool on PostgreSQL (lucia's adapter, raw floors); undefined on SQLite. */
  pool?: pg.Pool;
  /** The SQLite file, or the PostgreSQL URL. */
  path: string;
  close(): Promise<void>;
}

export function isPostgresUrl(url: string): boolean {
  return url.startsWith("postgres://") || url.startsWith("postgresql://");
}

/** Which engine a Kysely instance (or a transaction of it) talks to, for the few raw SQL paths. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema, migrations included
export function dialectOf(db: Kysely<any>): SqlDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

export function sqlitePathFromUrl(url: string): string {
  if (!url.startsWith("file:")) {
    throw new Error(
      `DATABASE_URL: file:PATH (SQLite) or postgres://… (PostgreSQL) is expected, got "${url}"`,
    );
  }
  const path = url.slice("file:".length);
  if (path === "") throw new Error("DATABASE_URL: the file path is empty");
  return path === ":memory:" ? path : resolve(path);
}

/** How many prepared statements one connection keeps (the least recently used is dropped first). */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * The connection as Kysely sees it, preparing each distinct SQL text once. Kysely's SQLite driver
 * prepares every query it runs: SQLite parses and plans the text again each time, which cost the
 * monthly billing run (multi-row INSERTs of hundreds of rows) as much as writing the rows. A
 * statement that is being iterated (a streamed query) is not shared: a fresh one is prepared.
 */
export function withStatementCache(
  sqlite: SQLite.Database,
  capacity = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      const cached = statements.get(text);
      if (cached && !cached.busy) {
        // Map keeps insertion order: move the statement to the most recently used end.
        statements.delete(text);
        statements.set(text, cached);
        return cached;
      }
      const statement = sqlite.prepare(text);
      if (!cached) {
        statements.set(text, statement);
        if (statements.size > capacity) statements.delete(statements.keys().next().value!);
      }
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}

/** 2026-11-22 01:00:00.123+00 (timestamptz text in the UTC session) → 2026-11-22T01:00:00.123Z. */
export function isoFromTimestamptz(text: string): string {
  const m =
    /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(
      text,
    );
  if (!m) return new Date(text).toISOString();
  const [, day, time, fraction = "", hours, minutes = "00"] = m;
  const millis = fraction ? (fraction + "00").slice(0, 4) : ".000";
  if (hours === "+00" && minutes === "00") return `${day}T${time}${millis}Z`;
  return new Date(`${day}T${time}${millis}${hours}:${minutes}`).toISOString();
}

const { types } = pg;
/**
 * The value mapping of decision 0023: bigint yen, ids and count(*) as JS numbers (pg gives
 * strings, they stay far below 2^53), sum() of bigint (numeric) as a number, `date` as the
 * 'YYYY-MM-DD' text, timestamptz as the toISOString() text the code writes, json/jsonb as
 * JSON.stringify's compact text, as the code writes it (it parses it itself), booleans of expressions as SQLite's 1/0.
 */
const PG_PARSERS: Record<number, (text: string) => unknown> = {
  [types.builtins.INT8]: Number,
  [types.builtins.NUMERIC]: Number,
  [types.builtins.DATE]: (text) => text,
  [types.builtins.TIMESTAMPTZ]: isoFromTimestamptz,
  [types.builtins.TIMESTAMP]: (text) => isoFromTimestamptz(`${text}+00`),
  [types.builtins.JSON]: (text) => text,
  // jsonb prints `["a", "b"]`; the code writes and compares JSON.stringify's compact form.
  [types.builtins.JSONB]: (text) => JSON.stringify(JSON.parse(text)),
  [types.builtins.BOOL]: (text) => (text === "t" ? 1 : 0),
};

export const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    PG_PARSERS[oid] ??
    types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

/**
 * A URL without a user name (postgres:///db?host=/var/run/postgresql) signs in as PGUSER or the
 * system user, as psql does: pg itself only reads $USER, which services and containers often lack.
 */
export function withDefaultUser(url: string): string {
  const m = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/.exec(url);
  if (!m || m[2].includes("@")) return url;
  const user = process.env.PGUSER ?? process.env.USER ?? userInfo().username;
  return `${m[1]}${encodeURIComponent(user)}@${m[2]}${m[3]}`;
}

/** The URL with its password masked, for banners and messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/?#@]*:)[^@/?#]*@/, "$1***@");
}

/** How many connections one process keeps to PostgreSQL. */
const PG_POOL_SIZE = 10;

export function openPostgres(url: string): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: withDefaultUser(url),
    max: PG_POOL_SIZE,
    types: postgresTypes,
    // Instants are compared and rendered in UTC, whatever the server's default.
    options: "-c TimeZone=UTC",
  });
  // An idle client losing its server (a restart) must not crash the process: the pool drops it.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const handle = {
    db,
    dialect: "postgres",
    pool,
    path: redactedUrl(url),
    close: () => db.destroy(),
  } as DatabaseHandle;
  // Not enumerable: a copy of the handle ({ ...handle }) leaves it out instead of throwing.
  Object.defineProperty(handle, "sqlite", {
    enumerable: false,
    get(): SQLite.Database {
      throw new Error(
        "this path is SQLite-only: branch on handle.dialect (the database is PostgreSQL)",
      );
    },
  });
  return handle;
}

export function openDatabase(url = environment().databaseUrl): DatabaseHandle {
  if (isPostgresUrl(url)) return openPostgres(url);
  const path = sqlitePathFromUrl(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return { db, dialect: "sqlite", sqlite, path, close: () => db.destroy() };
}

function providerFor(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => (dialect === "postgres" ? postgresMigrations : migrations) };
}

/** How long a process waits for another one migrating the same file (a backfill can take a while). */
const MIGRATION_WAIT_MS = 120_000;

/** The names of the migrations a run applied, or the error naming the one that failed. */
function appliedMigrations({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * Brings the schema to the latest migration; throws with the failing migration's name. Kysely's
 * SQLite adapter takes no lock (it assumes one process), so the server and a command starting on
 * the same file would both apply a new migration. The whole run is one write transaction
 * (BEGIN IMMEDIATE): a second process waits for it, then finds nothing left to do; a failing
 * migration leaves the schema as it was.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  if (dialectOf(db) === "postgres") {
    // Kysely's PostgreSQL adapter takes an advisory lock and runs the whole set in a transaction.
    return appliedMigrations(
      await new Migrator({ db, provider: providerFor("postgres") }).migrateToLatest(),
    );
  }
  const provider = providerFor("sqlite");
  return db.connection().execute(async (conn) => {
    await sql`pragma busy_timeout = ${sql.raw(String(MIGRATION_WAIT_MS))}`.execute(conn);
    await sql`begin immediate`.execute(conn);
    try {
      const applied = appliedMigrations(
        await new Migrator({ db: conn, provider }).migrateToLatest(),
      );
      await sql`commit`.execute(conn);
      return applied;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    } finally {
      await sql`pragma busy_timeout = ${sql.raw(String(BUSY_TIMEOUT_MS))}`.execute(conn);
    }
  });
}

/** The migrations not yet applied to the database, by name (readiness: scripts/edge.ts). Reads only. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  // One query on Kysely's own table (Migrator.getMigrations introspects every table first, which
  // is too much for a probe called every few seconds). A database never migrated has no table:
  // every migration is pending.
  const rows = await (db as unknown as Kysely<{ kysely_migration: { name: string } }>)
    .selectFrom("kysely_migration")
    .select("name")
    .execute()
    .catch((error: unknown) => {
      if (/no such table|does not exist/i.test(error instanceof Error ? error.message : ""))
        return [];
      throw error;
    });
  const applied = new Set(rows.map((r) => r.name));
  // PostgreSQL's set starts from its baseline (decision 0023), not SQLite's frozen history.
  return Object.keys(dialectOf(db) === "postgres" ? postgresMigrations : migrations)
    .sort()
    .filter((name) => !applied.has(name));
}

export async function migrateDown(db: Kysely<Database>): Promise<string | null> {
  const migrator = new Migrator({ db, provider: providerFor(dialectOf(db)) });
  const { error, results } = await migrator.migrateDown();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results?.[0]?.migrationName ?? null;
}
