// Starts the console exactly as `npm start` does (scripts/start.ts) on a free port with a fresh
// database file, and stops it afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";

export interface ConsoleServer {
  url: string;
  databasePath: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * `databasePath` reuses an existing database (a restart); otherwise a fresh one is made and
 * removed on stop.
 */
export async function startConsole(env: Record<string, string> = {}, reuse?: { databasePath: string }): Promise<ConsoleServer> {
  const dir = reuse ? null : mkdtempSync(join(tmpdir(), "console-e2e-"));
  const databasePath = reuse?.databasePath ?? join(dir!, "app.db");
  let output = "";
  const child: ChildProcess = spawn("node_modules/.bin/tsx", ["scripts/start.ts"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: `file:${databasePath}`, NODE_ENV: "production",
      // Background jobs (mail, monthly reports) stay off unless a test asks for them; the job
      // worker still runs the jobs queue (month close). One web worker unless a test of the
      // workers asks for more (issue 18 item 3).
      SCHEDULER: "off", WEB_CONCURRENCY: "1", ...env },
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
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    databasePath,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The rows of a read-only query on the server's database file: what a test checks was written. */
export function queryDatabase<T>(server: { databasePath: string }, sql: string, ...params: unknown[]): T[] {
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
