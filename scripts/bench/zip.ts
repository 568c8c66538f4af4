// The month's invoice PDF zip as the job worker makes it (issue 18 item 4, issue 16 item 9): the
// demo month, then a month of N invoices (default 2,000), each twice — first run renders and
// archives every PDF, second run zips the stored originals only. Prints wall time, the zip's size
// and the process's peak RSS during each run (sampled every 20 ms, and the lifetime maxRSS).
//   npx tsx scripts/bench/zip.ts [INVOICES]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBillingMonth } from "../../app/billing/billing-run.server";
import {
  INVOICE_PDF_ZIP_KIND,
  invoicePdfZipProgress,
  requestInvoicePdfZip,
  runInvoicePdfZipJob,
} from "../../app/billing/invoice-zip-jobs.server";
import { claimJob, finishJob } from "../../app/jobs/jobs.server";
import type { YearMonth } from "../../app/lib/jst";
import { migrateToLatest, openDatabase } from "../../db/connection";
import { seedDemo } from "../../db/demo/seed";
import { generateContracts } from "./generate-contracts";
import { yearMonth } from "../../app/lib/jst";

const count = Number(process.argv[2] ?? 2_000);
const dir = mkdtempSync(join(tmpdir(), "bench-zip-"));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

try {
  const handle = openDatabase(`file:${join(dir, "bench.db")}`);
  await migrateToLatest(handle.db);
  await seedDemo(handle.db, new Date("2026-11-22T10:00:00+09:00"));

  const zipMonth = async (month: YearMonth, label: string) => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const t = performance.now();
    await requestInvoicePdfZip(handle.db, month, { actor: { id: null, email: "bench" } });
    const job = (await claimJob(handle.db, [INVOICE_PDF_ZIP_KIND], "bench", new Date()))!;
    const outcome = await runInvoicePdfZipJob(handle.db, job, {
      holder: "bench",
      stopping: () => false,
    });
    if (outcome.state !== "done") throw new Error(`${month}: ${outcome.error}`);
    await finishJob(handle.db, job.id, "bench", outcome, new Date());
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    const progress = (await invoicePdfZipProgress(handle.db, month))!;
    console.log(
      `${label}: ${progress.total} PDFs, zip ${mb(progress.file!.sizeBytes)} in ${seconds.toFixed(1)} s; RSS ${mb(before)} before, peak ${mb(peak)} (+${mb(peak - before)}); maxRSS so far ${mb(process.resourceUsage().maxRSS * 1024)}`,
    );
  };

  await zipMonth(yearMonth("2026-09"), "demo month 2026-09, first run (renders)");
  await zipMonth(yearMonth("2026-09"), "demo month 2026-09, again (stored originals)");

  generateContracts(handle.sqlite, count, yearMonth("2026-11"));
  const closed = await runBillingMonth(handle.db, yearMonth("2026-11"), {
    at: new Date("2026-12-02T10:00:00+09:00"),
  });
  console.log(`closed 2026-11: ${closed.issued} invoices`);
  await zipMonth(yearMonth("2026-11"), `2026-11 (${closed.issued} invoices), first run (renders)`);
  await zipMonth(
    yearMonth("2026-11"),
    `2026-11 (${closed.issued} invoices), again (stored originals)`,
  );
  await handle.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
