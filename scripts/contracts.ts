// `npm run -s contracts -- quote-termination --contract REF --wished YYYY-MM-DD [--confirmed YYYY-MM-DD] --json`
// prints what terminating the contract would cost (T-20, S4 ※1), from the same rules that bill.
import { parseArgs } from "node:util";
import { quoteContractTermination } from "../app/billing/termination-quotes.server";
import { now } from "../app/lib/clock";
import { isIsoDate, jstDate } from "../app/lib/jst";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";
import { formatYen } from "../app/lib/format";

const USAGE =
  "usage: contracts quote-termination --contract REF --wished YYYY-MM-DD [--confirmed YYYY-MM-DD] --json";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      contract: { type: "string" },
      wished: { type: "string" },
      confirmed: { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (positionals[0] !== "quote-termination") {
    console.error(USAGE);
    return 1;
  }
  if (!values.contract) {
    console.error("--contract: a contract ref is required");
    return 1;
  }
  if (!isIsoDate(values.wished)) {
    console.error(
      `--wished: expected a date YYYY-MM-DD, got ${values.wished === undefined ? "nothing" : `"${values.wished}"`}`,
    );
    return 1;
  }
  if (values.confirmed !== undefined && !isIsoDate(values.confirmed)) {
    console.error(`--confirmed: expected a date YYYY-MM-DD, got "${values.confirmed}"`);
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    const row = await handle.db
      .selectFrom("contracts")
      .select(["id", "service_start"])
      .where("ref", "=", values.contract)
      .executeTakeFirst();
    if (!row) {
      console.error(`--contract: unknown contract "${values.contract}"`);
      return 1;
    }
    // Not confirmed yet: the provider would confirm today at the earliest (T-20).
    const confirmed = values.confirmed ?? jstDate(now());
    const quote = await quoteContractTermination(
      handle.db,
      { id: row.id, serviceStart: row.service_start },
      values.wished,
      confirmed,
    );
    if (values.json) {
      console.log(JSON.stringify(quote));
    } else {
      console.log(`解約日: ${quote.terminationDate}（T-20）`);
      console.log(`課金月数: ${quote.chargedMonths} か月 / 残り: ${quote.remainingMonths} か月`);
      console.log(`解約違約金: ${formatYen(quote.etfYen)}（不課税）`);
      console.log(`違約金がかからない最も近い日: ${quote.feeFreeDate}`);
    }
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("contracts", main);
