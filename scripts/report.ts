// `npm run -s report -- --contract REF --month YYYY-MM --out FILE.pdf` makes the threat report
// of one contract and month (S1-4⑤), stores it like any other (on demand) and writes the PDF.
// Exit 1 with a Japanese message for a month outside log retention or an unknown contract.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { now } from "../app/lib/clock";
import { parseYearMonth } from "../app/lib/jst";
import {
  createThreatReport,
  reportMonthProblem,
  ThreatReportRefused,
} from "../app/security/threat-report.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";

const USAGE = "usage: report --contract REF --month YYYY-MM --out FILE.pdf";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { contract: { type: "string" }, month: { type: "string" }, out: { type: "string" } },
  });
  if (!values.contract || !values.month || !values.out) {
    console.error(USAGE);
    return 1;
  }
  const month = parseYearMonth(values.month);
  if (month === undefined) {
    console.error(reportMonthProblem(values.month, now()));
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    const contract = await handle.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", values.contract)
      .executeTakeFirst();
    if (!contract) {
      console.error(`契約が見つかりません: ${values.contract}`);
      return 1;
    }
    const report = await createThreatReport(handle.db, {
      contractId: contract.id,
      month,
      kind: "on_demand",
      at: now(),
    });
    writeFileSync(values.out, report.pdf);
    console.log(
      `report ${values.contract} ${values.month}: ${values.out} (${report.pdf.length} bytes, stored as #${report.id})`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ThreatReportRefused) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await handle.close();
  }
}

runCommand("report", main);
