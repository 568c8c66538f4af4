// `npm run -s licenses -- quote-cancel --license REF --on YYYY-MM-DD --json` (import-format.md)
// prints what cancelling the licence on that date does — `{effectiveEnd, refundYen, cascades,
// path}` — from the same loading and the same rules the web flow uses (licenses.server.ts).
import { parseArgs } from "node:util";
import { quoteCancelLicense } from "../app/licenses/licenses.server";
import { isIsoDate } from "../app/lib/jst";
import { formatYen } from "../app/lib/yen";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";

const USAGE = "usage: licenses quote-cancel --license REF --on YYYY-MM-DD [--json]";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { license: { type: "string" }, on: { type: "string" }, json: { type: "boolean" } },
  });
  if (positionals[0] !== "quote-cancel" || positionals.length !== 1) {
    console.error(USAGE);
    return 1;
  }
  if (!values.license) {
    console.error("--license: a license ref is required");
    return 1;
  }
  if (!isIsoDate(values.on)) {
    console.error(`--on: expected a date YYYY-MM-DD, got ${values.on === undefined ? "nothing" : `"${values.on}"`}`);
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    // The command runs for the provider: every licence.
    const quote = await quoteCancelLicense(handle.db, { ref: values.license, tenant: { kind: "provider" } }, values.on);
    if (!quote) {
      console.error(`--license: unknown license "${values.license}"`);
      return 1;
    }
    if (values.json) {
      const { effectiveEnd, refundYen, cascades, path } = quote;
      console.log(JSON.stringify({ effectiveEnd, refundYen, cascades, path }));
    } else {
      console.log(`終了日: ${quote.effectiveEnd}`);
      console.log(`返金額: ${formatYen(quote.refundYen)}`);
      console.log(`同時に解約されるアドオン: ${quote.cascades.length > 0 ? quote.cascades.join(", ") : "なし"}`);
      console.log(`解約の方法: ${quote.pathDetail.title}（${quote.path}）`);
      for (const line of quote.lines) console.log(`  ${line.ref}: ${line.effectiveEnd} まで、${formatYen(line.refundYen)}（${line.rule}）`);
    }
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("licenses", main);
