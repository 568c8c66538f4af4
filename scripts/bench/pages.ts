// Page benchmark: the demo database grown to 1,000,000 security events with the demo's own
// generator (db/demo/seed-events.ts), served by the real server (npm start's code path, through the
// e2e helper), then the security dashboard and the incident list requested one after another by
// a customer administrator and the provider's administrator. Prints p50/p95 per page and role.
//   npx tsx scripts/bench/pages.ts [EVENTS] [REQUESTS]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jstDate } from "../../app/lib/jst";
import type { EventRecord } from "../../app/security/event-lines";
import { ingestRecords } from "../../app/security/ingest.server";
import { retentionStart } from "../../app/security/retention";
import { now } from "../../app/lib/clock";
import { migrateToLatest, openDatabase } from "../../db/connection";
import { seedDemo } from "../../db/demo/seed";
import { eventContractsOf, generateEvents } from "../../db/demo/seed-events";
import { startConsole } from "../../test/e2e/support/server";
import { sessionCookie } from "../../test/e2e/support/session";
import { formatCount } from "../../app/lib/format";

const target = Number(process.argv[2] ?? 1_000_000);
const requests = Number(process.argv[3] ?? 200);
const WARM_UP = 5;
const USERS = ["customer@demo.example", "admin@demo.example"];

const dir = mkdtempSync(join(tmpdir(), "bench-pages-"));
const databasePath = join(dir, "app.db");
const fmt = (n: number) => formatCount(n);

/** The demo, then as many more events of the same kind over the same six months as make `target`. */
async function prepareDatabase(): Promise<void> {
  const at = now();
  const handle = openDatabase(`file:${databasePath}`);
  try {
    await migrateToLatest(handle.db);
    let t = performance.now();
    await seedDemo(handle.db, at);
    const demo = (
      handle.sqlite.prepare("select count(*) as n from security_events").get() as { n: number }
    ).n;
    console.log(
      `demo seed: ${fmt(demo)} events in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const from = retentionStart(at);
    const contracts = await eventContractsOf(handle.db, from);
    const devices = contracts.reduce((s, c) => s + c.devices.length, 0);
    const days = (at.getTime() - new Date(`${from}T00:00:00+09:00`).getTime()) / 86_400_000;
    const wanted = target - demo;
    t = performance.now();
    // A little more than wanted, then every n-th dropped evenly, so that the most recent days get their share too.
    const generated = [
      ...generateEvents(contracts, {
        from,
        until: at,
        seed: "bench-pages",
        perDeviceDay: (wanted / (devices * days * 0.75)) * 1.1,
        idPrefix: "bench-",
      }),
    ];
    if (generated.length < wanted)
      throw new Error(`generated only ${generated.length} of ${wanted} events`);
    const extra: EventRecord[] = generated.filter(
      (_, i) =>
        Math.floor(((i + 1) * wanted) / generated.length) >
        Math.floor((i * wanted) / generated.length),
    );
    const summary = await ingestRecords(handle.db, extra, { now: at, sqlite: handle.sqlite });
    const total = (
      handle.sqlite.prepare("select count(*) as n from security_events").get() as { n: number }
    ).n;
    console.log(
      `grown to ${fmt(total)} events (${contracts.length} active contracts, ${devices} devices, ${from} … ${jstDate(at)}) ` +
        `through ingestRecords in ${((performance.now() - t) / 1000).toFixed(1)} s; ${summary.inserted} inserted`,
    );
    handle.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    await handle.close();
  }
}

async function get(
  baseUrl: string,
  path: string,
  cookie: string,
): Promise<{ status: number; ms: number; bytes: number }> {
  const t = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { Cookie: cookie },
    redirect: "manual",
  });
  const body = await response.text();
  return { status: response.status, ms: performance.now() - t, bytes: body.length };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

try {
  await prepareDatabase();
  const server = await startConsole({}, { databasePath });
  try {
    const results: string[] = [];
    let slowest = 0;
    for (const email of USERS) {
      const cookie = await sessionCookie(server.url, email);
      let pages = ["/dashboard", "/incidents"];
      if ((await get(server.url, "/dashboard", cookie)).status === 404) {
        console.log(
          "/dashboard answers 404 (not built yet): measuring /incidents and /home instead",
        );
        pages = ["/incidents", "/home"];
      }
      for (const page of pages) {
        for (let i = 0; i < WARM_UP; i++) await get(server.url, page, cookie);
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < requests; i++) {
          const r = await get(server.url, page, cookie);
          if (r.status !== 200) throw new Error(`${email} ${page}: HTTP ${r.status}`);
          times.push(r.ms);
          bytes = r.bytes;
        }
        times.sort((a, b) => a - b);
        const p95 = percentile(times, 95);
        slowest = Math.max(slowest, p95);
        results.push(
          `${email.padEnd(22)} ${page.padEnd(11)} ${requests} requests: p50 ${percentile(times, 50).toFixed(1)} ms, ` +
            `p95 ${p95.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (${fmt(bytes)} bytes)`,
        );
      }
    }
    for (const line of results) console.log(line);
    console.log(`slowest p95: ${slowest.toFixed(1)} ms (target: p95 < 150 ms)`);
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
