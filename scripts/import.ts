// `npm run -s import -- FILE.json` (import-format.md): validates the whole file against the
// format and the database, then imports it in one transaction and prints the counts. An invalid
// file prints every problem as `path: message` on stderr, exits 1 and writes nothing. A file
// larger than IMPORT_MAX_BYTES is refused before it is read: the whole file is held in memory.
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { validateImportFile } from "../app/import/import-file";
import { formatImportCounts, importFile, importMaxBytes, readExistingKeys } from "../app/import/import.server";
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
  const maxBytes = importMaxBytes(process.env);
  if (typeof maxBytes === "string") {
    console.error(maxBytes);
    return 1;
  }

  let text: string;
  let fd: number | undefined;
  try {
    // Opened once and measured through the same descriptor: the size checked is the file read.
    fd = openSync(file, "r");
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      console.error(`${file}: ファイルが大きすぎます（${size.toLocaleString("en-US")} バイト、上限 ${maxBytes.toLocaleString("en-US")} バイト: IMPORT_MAX_BYTES）`);
      return 1;
    }
    text = readFileSync(fd, "utf8");
  } catch (error) {
    console.error(`${file}: cannot read: ${reason(error)}`);
    return 1;
  } finally {
    if (fd !== undefined) closeSync(fd);
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
