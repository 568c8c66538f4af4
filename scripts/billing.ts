// `npm run -s billing -- run --month YYYY-MM` closes a billing month;
// `npm run -s billing -- export --month YYYY-MM [--lines] [--out FILE]` writes its CSV.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runBillingMonth } from "../app/billing/billing-run.server";
import { monthCloseLease } from "../app/billing/month-close-jobs.server";
import { holdLease, leaseHolder } from "../app/jobs/leases.server";
import { formatInstant } from "../app/lib/format";
import { invoiceCsv, lineCsv } from "../app/billing/export.server";
import { now } from "../app/lib/clock";
import { isYearMonth } from "../app/lib/jst";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";

const USAGE =
  "usage: billing run --month YYYY-MM | billing export --month YYYY-MM [--lines] [--out FILE]";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { month: { type: "string" }, lines: { type: "boolean" }, out: { type: "string" } },
  });
  const [command] = positionals;
  if (command !== "run" && command !== "export") {
    console.error(USAGE);
    return 1;
  }
  if (!isYearMonth(values.month)) {
    console.error(
      `--month: expected YYYY-MM, got ${values.month === undefined ? "nothing" : `"${values.month}"`}`,
    );
    return 1;
  }
  const month = values.month;
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    if (command === "export") {
      const csv = values.lines
        ? await lineCsv(handle.db, month)
        : await invoiceCsv(handle.db, month);
      if (values.out) writeFileSync(values.out, csv);
      else process.stdout.write(csv);
      return 0;
    }
    // The same lease as the job worker's close (issue 18 item 4): one close of a month anywhere.
    const lease = await holdLease(handle.db, monthCloseLease(month));
    if (!lease) {
      const other = await leaseHolder(handle.db, monthCloseLease(month), new Date());
      console.error(
        `billing ${month}: この月の締めは別の処理（${other?.holder ?? "不明"}、${other ? formatInstant(other.takenAt) : "—"} 開始）で実行中です。終わってから再度実行してください`,
      );
      return 3;
    }
    const started = Date.now();
    const result = await runBillingMonth(handle.db, month, {
      at: now(),
      onProgress: ({ done, total }) => {
        if (!lease.held)
          throw new Error(
            "the month's lease was lost (another process took it); run again to continue",
          );
        process.stderr.write(`billing ${month}: ${done}/${total} invoices issued\n`);
      },
    }).finally(() => lease.release());
    if (result.problems.length > 0) {
      for (const p of result.problems)
        console.error(`contracts[${p.contractRef}].${p.path}: ${p.message}`);
      console.error(
        result.issued > 0
          ? `billing ${month}: stopped after ${result.issued} invoices (${result.problems.length} problems in data written during the run); fix them and run again`
          : `billing ${month}: nothing issued (${result.problems.length} problems)`,
      );
      return 1;
    }
    if (result.alreadyClosed) {
      console.log(
        `billing ${month}: already closed; nothing new issued (${result.alreadyIssued} invoices)`,
      );
    } else if (result.issued === 0) {
      console.log(
        `billing ${month}: nothing new to issue (${result.alreadyIssued} invoices already issued); month closed`,
      );
    } else {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `billing ${month}: issued ${result.issued} invoices in ${seconds} s` +
          (result.alreadyIssued ? ` (${result.alreadyIssued} issued by an earlier run)` : "") +
          "; month closed",
      );
    }
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("billing", main);
