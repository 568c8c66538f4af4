// Starts the console exactly as `npm start` does (scripts/start.ts) on a free port with a fresh
// database file, and stops it afterwards. With E2E_DATABASE=postgres the fresh database is a
// PostgreSQL database of its own on TEST_POSTGRES_URL's server (issue 18 item 2: the browser
// tests that scripts/test.sh runs a second time there).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { withDefaultUser } from "../../../db/connection";

/** The engine of the browser run: PostgreSQL with E2E_DATABASE=postgres, SQLite otherwise. */
export const E2E_ON_POSTGRES = process.env.E2E_DATABASE === "postgres";
const POSTGRES_SERVER_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres:///postgres?host=/var/run/postgresql";

/** The same PostgreSQL URL with another database name. */
function postgresUrlFor(url: string, database: string): string {
  const parsed = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/.exec(url);
  if (!parsed) throw new Error(`TEST_POSTGRES_URL: not a PostgreSQL URL: ${url}`);
  return `${parsed[1]}/${database}${parsed[3]}`;
}

async function withPostgres<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDefaultUser(url) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let postgresDatabases = 0;
/** A new empty PostgreSQL database: the server migrates and seeds it at start, as on SQLite. */
export async function createPostgresDatabase(): Promise<string> {
  const name = `console_e2e_${process.pid}_${++postgresDatabases}_${Date.now().toString(36)}`;
  await withPostgres(POSTGRES_SERVER_URL, (c) => c.query(`create database "${name}"`));
  return postgresUrlFor(POSTGRES_SERVER_URL, name);
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = /^postgres(?:ql)?:\/\/[^/?#]*\/([^?#]*)/.exec(url)![1];
  await withPostgres(POSTGRES_SERVER_URL, (c) =>
    c.query(`drop database if exists "${name}" with (force)`),
  );
}

export interface ConsoleServer {
  url: string;
  databasePath: string;
  /** The server's DATABASE_URL (file:… or postgres://…). */
  databaseUrl: string;
  output: () => string;
  /** The server's JSON log lines so far (stderr), parsed. */
  logLines(): Array<Record<string, unknown>>;
  /** Sends the signal and resolves with the exit status once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * `databasePath` (SQLite) or `databaseUrl` (either engine) reuses an existing database (a
 * restart); otherwise a fresh one is made (PostgreSQL with E2E_DATABASE=postgres) and removed on
 * stop.
 */
export async function startConsole(
  env: Record<string, string> = {},
  reuse?: { databasePath?: string; databaseUrl?: string },
): Promise<ConsoleServer> {
  const fresh = !reuse?.databasePath && !reuse?.databaseUrl;
  const dir = reuse?.databasePath ? null : mkdtempSync(join(tmpdir(), "console-e2e-"));
  const databasePath = reuse?.databasePath ?? join(dir!, "app.db");
  const databaseUrl =
    reuse?.databaseUrl ??
    (fresh && E2E_ON_POSTGRES && !env.DATABASE_URL
      ? await createPostgresDatabase()
      : `file:${databasePath}`);
  const ownsPostgres = fresh && databaseUrl.startsWith("postgres");
  let output = "";
  let stderr = "";
  // Node with tsx as its loader, as `npm start` runs it: the tsx command would be a second process
  // that relays signals and kills a server busy for 30 ms (its event loop in a job) with SIGKILL.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      NODE_ENV: "production",
      // Background jobs (mail, monthly reports) stay off unless a test asks for them; the job
      // worker still runs the jobs queue (month close). One web worker unless a test of the
      // workers asks for more (issue 18 item 3).
      SCHEDULER: "off",
      WEB_CONCURRENCY: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /管理コンソールを起動しました: (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => {
      output += c.toString();
      stderr += c.toString();
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    databasePath,
    databaseUrl: env.DATABASE_URL ?? databaseUrl,
    output: () => output,
    logLines: () =>
      stderr
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (ownsPostgres) await dropPostgresDatabase(databaseUrl);
    },
  };
}

/**
 * The rows of a query on the server's database, SQLite or PostgreSQL (`?` placeholders on both):
 * what a test checks was written. Counts come back as numbers on both.
 */
export async function queryRows<T>(
  server: { databasePath: string; databaseUrl: string },
  sql: string,
  ...params: unknown[]
): Promise<T[]> {
  if (!server.databaseUrl.startsWith("postgres")) return queryDatabase<T>(server, sql, ...params);
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  return withPostgres(server.databaseUrl, async (c) =>
    (await c.query(text, params)).rows.map(
      (row: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            // count(*) and bigint ids arrive as text from pg.
            typeof v === "string" && /^(n|id|.*_id)$/.test(k) && /^-?\d+$/.test(v) ? Number(v) : v,
          ]),
        ) as T,
    ),
  );
}

/** The rows of a read-only query on the server's database file: what a test checks was written. */
export function queryDatabase<T>(
  server: { databasePath: string },
  sql: string,
  ...params: unknown[]
): T[] {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** How many rows a table of the server's database holds. */
export function countRows(server: { databasePath: string }, table: string): number {
  return queryDatabase<{ n: number }>(server, `select count(*) as n from ${table}`)[0].n;
}
