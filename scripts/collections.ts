// `npm run -s collections -- request --date YYYY-MM-DD --out FILE` writes the 口座振替 request
// file for the invoices due that day; `collections -- import-result FILE` imports the bank's
// result file; `collections -- import-statement FILE` imports a bank statement CSV and matches its
// credits (docs/rules/zengin.md). A refused file prints `FILE: record N (field): message`,
// exits 1 and records nothing.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  importDebitResult,
  importStatement,
  writeDebitRequest,
} from "../app/collections/collections.server";
import { now } from "../app/lib/clock";
import { isIsoDate, isoDate } from "../app/lib/jst";
import { failureMessage } from "../app/lib/result";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";
import { formatCount } from "../app/lib/format";

const USAGE =
  "usage: collections request --date YYYY-MM-DD --out FILE | collections import-result FILE | collections import-statement FILE";
const ACTOR = { id: null, email: "collections" };
/** Bank files are small (a result record is 122 bytes); anything larger is not one. */
const MAX_FILE_BYTES = 50 * 1024 * 1024;

function readInput(file: string): Buffer | string {
  try {
    const bytes = readFileSync(file);
    return bytes.length > MAX_FILE_BYTES
      ? `${file}: ファイルが大きすぎます（上限 ${formatCount(MAX_FILE_BYTES)} バイト）`
      : bytes;
  } catch (error) {
    return `${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { date: { type: "string" }, out: { type: "string" } },
  });
  const [command, file, ...extra] = positionals;
  if (command === "request") {
    if (file !== undefined || !values.out) {
      console.error(USAGE);
      return 1;
    }
    if (!isIsoDate(values.date)) {
      console.error(
        `--date: expected YYYY-MM-DD, got ${values.date === undefined ? "nothing" : `"${values.date}"`}`,
      );
      return 1;
    }
  } else if (
    (command !== "import-result" && command !== "import-statement") ||
    file === undefined ||
    extra.length > 0
  ) {
    console.error(USAGE);
    return 1;
  }
  const input = command === "request" ? null : readInput(file);
  if (typeof input === "string") {
    console.error(input);
    return 1;
  }
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    const context = { at: now(), actor: ACTOR, ip: "" };
    if (command === "request") {
      const result = await writeDebitRequest(handle.db, {
        ...context,
        dueDate: isoDate(values.date!),
      });
      if (!result.ok) {
        console.error(`collections: ${failureMessage(result)}`);
        return 1;
      }
      writeFileSync(values.out!, result.value.bytes);
      const { date, count, yen } = result.value;
      console.log(
        JSON.stringify({ date, debitDate: result.value.debitDate, count, yen, file: values.out }),
      );
      return 0;
    }
    const result =
      command === "import-result"
        ? await importDebitResult(handle.db, { ...context, bytes: input! })
        : await importStatement(handle.db, { ...context, bytes: input! });
    if (!result.ok) {
      console.error(`${file}: ${failureMessage(result)}`);
      return 1;
    }
    console.log(JSON.stringify(result.value));
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("collections", main);
