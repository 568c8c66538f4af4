// Partner API benchmark (issue 19): the demo grown by 10,000 contracts (scripts/bench/
// generate-contracts.ts) and a supply of new incidents, served by the real server (npm start's
// code path, through the e2e helper) on loopback, then under 10 parallel clients:
//   a contract list page  GET  /api/v1/contracts?limit=50&cursor=…  (pages spread over the list)
//   an incident acknowledge  POST /api/v1/incidents/{id}/acknowledge (each a different new incident)
// Prints requests/s, p50 and p99 of each. Bounded: a fixed number of requests per scenario.
//   npx tsx scripts/bench/api.ts [REQUESTS_PER_SCENARIO] [CLIENTS]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiKey } from "../../app/api/keys.server";
import { encodeCursor } from "../../app/api/http.server";
import { now } from "../../app/lib/clock";
import { migrateToLatest, openDatabase } from "../../db/connection";
import { seedDemo } from "../../db/demo/seed";
import { startConsole } from "../../test/e2e/support/server";
import { generateContracts } from "./generate-contracts";
import { formatCount } from "../../app/lib/format";
import { yearMonth } from "../../app/lib/jst";

const requests = Number(process.argv[2] ?? 2000);
const clients = Number(process.argv[3] ?? 10);
const CONTRACTS = 10_000;
const WARM_UP = 20;

const dir = mkdtempSync(join(tmpdir(), "bench-api-"));
const databasePath = join(dir, "app.db");

async function prepare(): Promise<{ key: string; contractRefs: string[]; incidentIds: number[] }> {
  const handle = openDatabase(`file:${databasePath}`);
  try {
    await migrateToLatest(handle.db);
    await seedDemo(handle.db, now());
    generateContracts(handle.sqlite, CONTRACTS, yearMonth("2025-01"));
    // New incidents to acknowledge, one per request (an acknowledged one would answer 409).
    const contractIds = (
      handle.sqlite
        .prepare("select id from contracts where ref like 'BK%' order by id limit 500")
        .all() as { id: number }[]
    ).map((r) => r.id);
    const insert = handle.sqlite
      .prepare(`insert into incidents (contract_id, kind, status, severity, title, opened_at, first_event_id, device_name)
      values (?, 'virus_not_removed', 'new', 'high', ?, ?, ?, 'PC-001')`);
    const incidentIds: number[] = [];
    handle.sqlite.transaction(() => {
      for (let i = 0; i < requests + WARM_UP; i++) {
        const r = insert.run(
          contractIds[i % contractIds.length],
          `ベンチ用インシデント${i}`,
          new Date(Date.now() - i * 60_000).toISOString(),
          `bench-${i}`,
        );
        incidentIds.push(Number(r.lastInsertRowid));
      }
    })();
    const created = await createApiKey(handle.db, {
      tenant: { kind: "provider" },
      name: "bench",
      scope: "write",
      at: now(),
      actor: { id: null, email: "bench" },
      ip: null,
    });
    if (!created.ok) throw new Error(JSON.stringify(created));
    const contractRefs = (
      handle.sqlite.prepare("select ref from contracts order by ref").all() as { ref: string }[]
    ).map((r) => r.ref);
    handle.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    return { key: created.value.key, contractRefs, incidentIds };
  } finally {
    await handle.close();
  }
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** `total` requests by `clients` parallel loops; each takes the next index. */
async function run(
  total: number,
  request: (i: number) => Promise<number>,
): Promise<{ perSecond: number; p50: number; p99: number; max: number }> {
  const times: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        const status = await request(i);
        if (status !== 200) throw new Error(`request ${i}: HTTP ${status}`);
        times.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return {
    perSecond: total / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1)!,
  };
}

try {
  const t = performance.now();
  const { key, contractRefs, incidentIds } = await prepare();
  console.log(
    `prepared ${formatCount(contractRefs.length)} contracts and ${incidentIds.length} new incidents in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  // The limit is not what is measured here.
  const server = await startConsole({ API_RATE_LIMIT: "1000000" }, { databasePath });
  try {
    const headers = { Authorization: `Bearer ${key}` };
    const listPage = async (i: number) => {
      // A page somewhere in the list, as a client walking it would ask for.
      const after = contractRefs[(i * 97) % (contractRefs.length - 50)];
      const response = await fetch(
        `${server.url}/api/v1/contracts?limit=50&cursor=${encodeCursor([after])}`,
        { headers },
      );
      const body = (await response.json()) as { data: unknown[] };
      if (response.status === 200 && body.data.length !== 50)
        throw new Error(`page of ${body.data.length}`);
      return response.status;
    };
    const acknowledge = async (i: number) => {
      const response = await fetch(`${server.url}/api/v1/incidents/${incidentIds[i]}/acknowledge`, {
        method: "POST",
        headers: { ...headers, "Content-Type": "application/json" },
        body: JSON.stringify({ assignee: "bench" }),
      });
      await response.arrayBuffer();
      return response.status;
    };
    for (let i = 0; i < WARM_UP; i++) await listPage(i);
    const list = await run(requests, listPage);
    for (let i = 0; i < WARM_UP; i++) await acknowledge(requests + i);
    const ack = await run(requests, acknowledge);
    const line = (name: string, r: typeof list) =>
      `${name.padEnd(44)} ${requests} requests, ${clients} clients: ${r.perSecond.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`;
    console.log(line("GET /api/v1/contracts?limit=50 (a page)", list));
    console.log(line("POST /api/v1/incidents/{id}/acknowledge", ack));
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
