// `npm run -s import -- FILE.json` (import-format.md): validates the whole file against the
// format and the database, then imports it in one transaction and prints the counts. An invalid
// file prints every problem as `path: message` on stderr, exits 1 and writes nothing.
import { readFileSync } from "node:fs";
import { validateImportFile } from "../app/import/import-file";
import { formatImportCounts, importFile, readExistingKeys } from "../app/import/import.server";
import { now } from "../app/lib/clock";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";

const USAGE = "import: usage: npm run -s import -- FILE.json";

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    console.error(USAGE);
    return 1;
  }
  const [file] = args;

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    console.error(`${file}: cannot read: ${reason(error)}`);
    return 1;
  }
  let json: unknown;
  try {
    // Spreadsheet tools on Windows often save UTF-8 with a byte-order mark; it is not JSON.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    console.error(`${file}: invalid JSON: ${reason(error)}`);
    return 1;
  }

  const at = now();
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    const validation = validateImportFile(json, await readExistingKeys(handle.db));
    if (!validation.ok) {
      for (const p of validation.problems) console.error(`${p.path}: ${p.message}`);
      console.error(`${file}: ${validation.problems.length} problem${validation.problems.length === 1 ? "" : "s"}; nothing was imported`);
      return 1;
    }
    const counts = await importFile(handle.db, validation.file, at);
    console.log(formatImportCounts(counts));
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("import", main);
