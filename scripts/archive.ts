// 電子帳簿保存法: the stored originals of issued invoices and credit notes (document-archive.server.ts).
// `npm run -s archive -- verify` recomputes every stored PDF's SHA-256; prints
// `{"documents":N,"verified":N}`, or names each mismatch and exits 1.
// `npm run -s archive -- search [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--min-yen N] [--max-yen N]
// [--counterparty TEXT]` prints the matching originals as JSON lines (the act's search keys:
// 取引年月日, 取引金額, 取引先; combined with "and").
import { parseArgs } from "node:util";
import {
  searchArchive,
  verifyArchive,
  type ArchiveSearch,
} from "../app/billing/document-archive.server";
import { isIsoDate } from "../app/lib/jst";
import { toYen } from "../app/lib/money";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";

const USAGE =
  "usage: archive verify | archive search [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--min-yen N] [--max-yen N] [--counterparty TEXT]";
/** Progress on stderr every this many documents (a year of a large installation is tens of thousands). */
const PROGRESS_EVERY = 1000;

/** The search options checked; the problems as `--option: message` lines. */
function searchOptions(values: Record<string, string | undefined>): {
  search: ArchiveSearch;
  problems: string[];
} {
  const problems: string[] = [];
  const date = (name: "from" | "to") => {
    const value = values[name];
    if (value === undefined) return null;
    if (isIsoDate(value)) return value;
    problems.push(`--${name}: expected YYYY-MM-DD, got "${value}"`);
    return null;
  };
  const yen = (name: "min-yen" | "max-yen") => {
    const value = values[name];
    if (value === undefined) return null;
    if (!/^-?\d{1,15}$/.test(value)) {
      problems.push(`--${name}: expected an integer number of yen, got "${value}"`);
      return null;
    }
    return toYen(Number(value));
  };
  const search: ArchiveSearch = {
    from: date("from"),
    to: date("to"),
    minYen: yen("min-yen"),
    maxYen: yen("max-yen"),
    counterparty: values.counterparty ?? null,
  };
  return { search, problems };
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      "min-yen": { type: "string" },
      "max-yen": { type: "string" },
      counterparty: { type: "string" },
    },
  });
  const [command] = positionals;
  if ((command !== "verify" && command !== "search") || positionals.length > 1) {
    console.error(USAGE);
    return 1;
  }
  const { search, problems } = searchOptions(values);
  if (command === "verify" && Object.values(values).some((v) => v !== undefined))
    problems.push("verify: takes no options");
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    if (command === "search") {
      for (const doc of await searchArchive(handle.db, search, Number.MAX_SAFE_INTEGER))
        console.log(JSON.stringify(doc));
      return 0;
    }
    let reported = 0;
    const result = await verifyArchive(handle.db, ({ done, total }) => {
      if (done - reported >= PROGRESS_EVERY || (done === total && reported > 0)) {
        process.stderr.write(`archive verify: ${done}/${total} documents\n`);
        reported = done;
      }
    });
    for (const m of result.mismatches) {
      console.error(
        `document_archive[${m.number}]: SHA-256 mismatch: stored ${m.storedSha256}, computed ${m.computedSha256}`,
      );
    }
    if (result.mismatches.length > 0) {
      console.error(
        `archive verify: ${result.mismatches.length} of ${result.documents} documents do not match their stored hash`,
      );
      return 1;
    }
    console.log(JSON.stringify({ documents: result.documents, verified: result.verified }));
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("archive", main);
