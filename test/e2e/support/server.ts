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
  /** The server's JSON log lines so far (stderr), parsed. */
  logLines(): Array<Record<string, unknown>>;
  /** Sends the signal and resolves with the exit status once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * `databasePath` reuses an existing database (a restart); otherwise a fresh one is made and
 * removed on stop.
 */
export async function startConsole(
  env: Record<string, string> = {},
  reuse?: { databasePath: string },
): Promise<ConsoleServer> {
  const dir = reuse ? null : mkdtempSync(join(tmpdir(), "console-e2e-"));
  const databasePath = reuse?.databasePath ?? join(dir!, "app.db");
  let output = "";
  let stderr = "";
  // Node with tsx as its loader, as `npm start` runs it: the tsx command would be a second process
  // that relays signals and kills a server busy for 30 ms (its event loop in a job) with SIGKILL.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${databasePath}`,
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
    },
  };
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
