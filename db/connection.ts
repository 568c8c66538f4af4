// Opens the database named by DATABASE_URL (`file:PATH`, default `file:./data/app.db`) with
// WAL and foreign keys on, and migrates it to the latest version.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, sql, SqliteDialect, type MigrationProvider, type SqliteDatabase } from "kysely";
import { migrations } from "./migrations/index";
import type { Database } from "./schema";

import { DEFAULT_DATABASE_URL, environment } from "../app/config.server";

export { DEFAULT_DATABASE_URL };
const BUSY_TIMEOUT_MS = 5000;

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** The raw connection, for lucia's adapter and for benchmarks' raw floors. */
  sqlite: SQLite.Database;
  path: string;
  close(): Promise<void>;
}

export function sqlitePathFromUrl(url: string): string {
  if (!url.startsWith("file:")) {
    throw new Error(`DATABASE_URL: only file:PATH (SQLite) is supported, got "${url}"`);
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
export function withStatementCache(sqlite: SQLite.Database, capacity = STATEMENT_CACHE_SIZE): SqliteDatabase {
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

export function openDatabase(url = environment().databaseUrl): DatabaseHandle {
  const path = sqlitePathFromUrl(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, sqlite, path, close: () => db.destroy() };
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** How long a process waits for another one migrating the same file (a backfill can take a while). */
const MIGRATION_WAIT_MS = 120_000;

/**
 * Brings the schema to the latest migration; throws with the failing migration's name. Kysely's
 * SQLite adapter takes no lock (it assumes one process), so the server and a command starting on
 * the same file would both apply a new migration. The whole run is one write transaction
 * (BEGIN IMMEDIATE): a second process waits for it, then finds nothing left to do; a failing
 * migration leaves the schema as it was.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`pragma busy_timeout = ${sql.raw(String(MIGRATION_WAIT_MS))}`.execute(conn);
    await sql`begin immediate`.execute(conn);
    try {
      const { error, results } = await new Migrator({ db: conn, provider }).migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === "Error");
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${reason}`);
      }
      await sql`commit`.execute(conn);
      return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
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
    .selectFrom("kysely_migration").select("name").execute()
    .catch((error: unknown) => {
      if (/no such table|does not exist/i.test(error instanceof Error ? error.message : "")) return [];
      throw error;
    });
  const applied = new Set(rows.map((r) => r.name));
  return Object.keys(migrations).sort().filter((name) => !applied.has(name));
}

export async function migrateDown(db: Kysely<Database>): Promise<string | null> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateDown();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results?.[0]?.migrationName ?? null;
}
