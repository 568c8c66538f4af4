// Threat-report benchmark (S1-4⑤): one contract with a month of EVENTS detections (default
// 100,000) spread over October 2026, reported through the real code (threatReportData +
// renderThreatReportPdf). Prints the time of each step and the peak RSS growth while reporting,
// which must not follow the event count (every figure is counted in SQL).
//   npx tsx scripts/bench/report.ts [EVENTS]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DETECTION_TYPES } from "../../app/security/dashboard.server";
import { createThreatReport } from "../../app/security/threat-report.server";
import { migrateToLatest, openDatabase } from "../../db/connection";
import { seedDemo } from "../../db/demo/seed";
import { yearMonth } from "../../app/lib/jst";

const count = Number(process.argv[2] ?? 100_000);
const NOW = new Date("2026-11-22T10:00:00+09:00");
const dir = mkdtempSync(join(tmpdir(), "bench-report-"));
try {
  const handle = openDatabase(`file:${join(dir, "bench.db")}`);
  await migrateToLatest(handle.db);
  await seedDemo(handle.db, NOW, { events: false });
  const contract = handle.sqlite.prepare("select id from contracts where ref = 'K-1001'").get() as {
    id: number;
  };
  const insert = handle.sqlite
    .prepare(`insert into security_events (id, contract_id, device_id, device_name, source, type,
    severity, action, threat, url, detected_at, ingested_at) values (?, ?, null, ?, 'endpoint', ?, 'medium', ?, ?, null, ?, ?)`);
  const actions = ["blocked", "quarantined", "removed", "failed", "passed"];
  const start = Date.parse("2026-09-30T15:00:00Z");
  const span = 31 * 86_400_000;
  let t = performance.now();
  handle.sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const at = new Date(start + Math.floor((i / count) * span)).toISOString();
      insert.run(
        `bench-${i}`,
        contract.id,
        `PC-${String(i % 300).padStart(3, "0")}`,
        DETECTION_TYPES[i % DETECTION_TYPES.length],
        actions[i % actions.length],
        `BENCH.THREAT.${i % 500}`,
        at,
        at,
      );
    }
  })();
  console.log(`inserted ${count} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  t = performance.now();
  const report = await createThreatReport(handle.db, {
    contractId: contract.id,
    month: yearMonth("2026-10"),
    kind: "on_demand",
    at: NOW,
  });
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `report over ${count} events: ${seconds.toFixed(2)} s, PDF ${(report.pdf.length / 1024).toFixed(0)} KiB, ` +
      `RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB → peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${((peak - rssBefore) / 2 ** 20).toFixed(0)} MiB)`,
  );
  await handle.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
