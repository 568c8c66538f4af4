// Load benchmark (issue 18 item 3/5): the real server (npm start's code path) with
// WEB_CONCURRENCY=1 and then 2, the security dashboard (/dashboard) and the invoice list (/invoices) driven from
// this process with 10 and 50 concurrent keep-alive connections for a fixed time each; prints
// requests/s, p50 and p99. Then GET /invoices at 10 connections while the job worker closes a
// month of 40,000 generated contracts (p99 and 5xx while the close runs).
//   npx tsx scripts/bench/load.ts [SECONDS] [CONTRACTS]
import { formatCount } from "../../app/lib/format";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { requestMonthClose } from "../../app/billing/month-close-jobs.server";
import { openDatabase } from "../../db/connection";
import { startConsole } from "../../test/e2e/support/server";
import { sessionCookie } from "../../test/e2e/support/session";
import { generateContracts } from "./generate-contracts";
import { yearMonth } from "../../app/lib/jst";

const seconds = Number(process.argv[2] ?? 8);
const contracts = Number(process.argv[3] ?? 40_000);
const dir = mkdtempSync(join(tmpdir(), "bench-load-"));
const demoPath = join(dir, "demo.db");

interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  status5xx: number;
  errors: number;
  /** The load generator's own CPU (this process) as a share of one core: it shares the cores. */
  clientCores: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
    : NaN;

/** `connections` loops, each requesting `path` again as soon as the last answer is read, until `until()` says stop. */
async function drive(
  baseUrl: string,
  path: string,
  cookie: string,
  connections: number,
  until: () => boolean,
): Promise<Load> {
  const times: number[] = [];
  let status5xx = 0;
  let errors = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (!until()) {
        const t = performance.now();
        try {
          const response = await fetch(`${baseUrl}${path}`, {
            headers: { Cookie: cookie },
            redirect: "manual",
          });
          await response.arrayBuffer();
          if (response.status >= 500) status5xx++;
          else if (response.status !== 200) errors++;
          times.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  times.sort((a, b) => a - b);
  return {
    requests: times.length,
    perSecond: times.length / elapsed,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    status5xx,
    errors,
    clientCores: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

const forSeconds = (s: number) => {
  const end = performance.now() + s * 1000;
  return () => performance.now() >= end;
};
const line = (label: string, r: Load) =>
  `${label.padEnd(44)} ${r.perSecond.toFixed(1).padStart(7)} req/s  p50 ${r.p50.toFixed(0).padStart(5)} ms  p99 ${r.p99.toFixed(0).padStart(5)} ms  (${r.requests} requests, ${r.status5xx} 5xx, ${r.errors} other; load generator ${(r.clientCores * 100).toFixed(0)}% of a core)`;

const DEMO_NOW = "2026-12-02T10:00:00+09:00";

try {
  // The demo database once (seeded as of 2026-11-22, so November is open to close on 12-02).
  const seed = await startConsole(
    { APP_NOW: "2026-11-22T10:00:00+09:00" },
    { databasePath: demoPath },
  );
  await seed.stop();

  const results: Record<string, Record<string, number>> = {};
  for (const workers of [1, 2]) {
    const databasePath = join(dir, `w${workers}.db`);
    copyFileSync(demoPath, databasePath);
    const server = await startConsole(
      { APP_NOW: DEMO_NOW, WEB_CONCURRENCY: String(workers) },
      { databasePath },
    );
    try {
      const cookie = await sessionCookie(server.url, "admin@demo.example");
      for (const path of ["/dashboard", "/invoices"]) {
        await drive(server.url, path, cookie, 4, forSeconds(1)); // warm-up
        for (const connections of [10, 50]) {
          const r = await drive(server.url, path, cookie, connections, forSeconds(seconds));
          console.log(line(`WEB_CONCURRENCY=${workers} GET ${path} ×${connections}`, r));
          (results[`${path} ×${connections}`] ??= {})[workers] = r.perSecond;
        }
      }
    } finally {
      await server.stop();
    }
  }
  for (const [key, r] of Object.entries(results))
    console.log(`2 workers / 1 worker, GET ${key}: ${(r[2] / r[1]).toFixed(2)}×`);

  // A month close of `contracts` contracts in the job worker while /invoices is read.
  const closePath = join(dir, "close.db");
  copyFileSync(demoPath, closePath);
  const sqlite = new SQLite(closePath);
  let t = performance.now();
  generateContracts(sqlite, contracts, yearMonth("2026-11"));
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  sqlite.close();
  console.log(
    `${formatCount(contracts)} contracts generated in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const server = await startConsole(
    { APP_NOW: DEMO_NOW, WEB_CONCURRENCY: "1" },
    { databasePath: closePath },
  );
  const handle = openDatabase(`file:${closePath}`);
  try {
    const cookie = await sessionCookie(server.url, "admin@demo.example");
    const quiet = await drive(server.url, "/invoices", cookie, 10, forSeconds(seconds));
    console.log(line("GET /invoices ×10, no close running", quiet));
    await requestMonthClose(handle.db, yearMonth("2026-11"), {
      at: new Date(DEMO_NOW),
      actor: { id: null, email: "bench" },
      ip: "",
    });
    t = performance.now();
    let state = "queued";
    const poll = setInterval(() => {
      void handle.db
        .selectFrom("jobs")
        .select("state")
        .where("kind", "=", "month_close")
        .where("key", "=", "2026-11")
        .executeTakeFirst()
        .then((row) => {
          state = row?.state ?? state;
        });
    }, 200);
    const during = await drive(
      server.url,
      "/invoices",
      cookie,
      10,
      () => state === "done" || state === "failed",
    );
    clearInterval(poll);
    const closeSeconds = (performance.now() - t) / 1000;
    const job = await handle.db
      .selectFrom("jobs")
      .select(["state", "progress_done", "error"])
      .where("kind", "=", "month_close")
      .executeTakeFirstOrThrow();
    console.log(
      `month close in the job worker: ${job.state}, ${job.progress_done} invoices in ${closeSeconds.toFixed(1)} s${job.error ? ` (${job.error})` : ""}`,
    );
    console.log(line(`GET /invoices ×10 during the close`, during));
  } finally {
    await handle.close();
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
