// The billing benchmark's close, in a process of its own (scripts/bench/billing.ts starts it) so
// that the peak RSS it reports is the close's and nothing else's: the parent generates the
// contracts (and later writes the schema floor), which would otherwise set the process's peak.
// Closes the given months in order on DATABASE (file:PATH or postgres://…) and prints one JSON
// line on stdout; progress goes to stderr.
//   node --import tsx scripts/bench/billing-close.ts DATABASE MONTH…
import { runBillingMonth } from "../../app/billing/billing-run.server";
import type { YearMonth } from "../../app/lib/jst";
import { openDatabase } from "../../db/connection";

export interface CloseFigures {
  /** Resident set size once the modules are loaded and the database is open, before any close (MB). */
  startRssMb: number;
  /** The process's peak resident set size, read when every month is closed (MB). */
  peakRssMb: number;
  months: { month: YearMonth; issued: number; seconds: number }[];
}

const [url, ...months] = process.argv.slice(2) as [string, ...YearMonth[]];
const handle = openDatabase(url);
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const figures: CloseFigures = {
  startRssMb: mb(process.memoryUsage().rss),
  peakRssMb: 0,
  months: [],
};
for (const month of months) {
  const start = performance.now();
  const result = await runBillingMonth(handle.db, month, { at: new Date() });
  if (result.problems.length)
    throw new Error(`${month}: ${result.problems[0].contractRef} ${result.problems[0].message}`);
  const seconds = (performance.now() - start) / 1000;
  figures.months.push({ month, issued: result.issued, seconds });
  process.stderr.write(`${month}: ${result.issued} invoices in ${seconds.toFixed(2)} s\n`);
}
await handle.close();
// maxRSS is in kilobytes on Linux: the high-water mark of the whole process, closes included.
figures.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(figures)}\n`);
