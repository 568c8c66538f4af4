// `npm run -s import -- FILE.json` (docs/rules/import-format.md): validates the whole file against the
// format and the database, then imports it in one transaction and prints the counts. An invalid
// file prints every problem as `path: message` on stderr, exits 1 and writes nothing. A file
// larger than IMPORT_MAX_BYTES is refused before it is read: the whole file is held in memory.
import { constants } from "node:buffer";
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { validateImportFile } from "../app/import/import-file";
import { formatImportCounts, importFile, readExistingKeys } from "../app/import/import.server";
import { environment } from "../app/config.server";
import { now } from "../app/lib/clock";
import { migrateToLatest, openDatabase } from "../db/connection";
import { runCommand } from "./run-command";
import { formatCount } from "../app/lib/format";
import { failureFields, failureMessage, invalidField, ok, type Result } from "../app/lib/result";

const { MAX_STRING_LENGTH } = constants;
const USAGE = "import: usage: npm run -s import -- FILE.json";

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The parsed file, or why not (a validation failure of `file`); the text is dropped once parsed. */
function readJson(file: string, maxBytes: number): Result<unknown, "file"> {
  let text: string;
  let fd: number | undefined;
  let size = 0;
  try {
    // Opened once and measured through the same descriptor: the size checked is the file read.
    fd = openSync(file, "r");
    size = fstatSync(fd).size;
    if (size > maxBytes) {
      return invalidField(
        "file",
        `${file}: ファイルが大きすぎます（${formatCount(size)} バイト、上限 ${formatCount(maxBytes)} バイト: IMPORT_MAX_BYTES）`,
      );
    }
    text = readFileSync(fd, "utf8");
  } catch (error) {
    // V8's longest string is 536,870,888 characters: 24 fewer than 512 MiB of plain ASCII.
    if ((error as { code?: unknown }).code === "ERR_STRING_TOO_LONG") {
      return invalidField(
        "file",
        `${file}: ファイルが大きすぎます（${formatCount(size)} バイト、一度に読める上限 ${formatCount(MAX_STRING_LENGTH)} 文字）`,
      );
    }
    return invalidField("file", `${file}: cannot read: ${reason(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    // Spreadsheet tools on Windows often save UTF-8 with a byte-order mark; it is not JSON.
    return ok(JSON.parse(text.replace(/^\uFEFF/, "")) as unknown);
  } catch (error) {
    return invalidField("file", `${file}: invalid JSON: ${reason(error)}`);
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 1) {
    console.error(USAGE);
    return 1;
  }
  const [file] = args;
  const maxBytes = environment().importMaxBytes;

  let read: Result<unknown, "file"> | undefined = readJson(file, maxBytes);
  if (!read.ok) {
    console.error(failureMessage(read));
    return 1;
  }
  let json: unknown = read.value;

  const at = now();
  const handle = openDatabase();
  try {
    await migrateToLatest(handle.db);
    const validation = validateImportFile(json, await readExistingKeys(handle.db));
    // What is written is the validated copy: the parsed file may go (a 512 MB file is gigabytes
    // of objects, and both at once came near the heap's limit).
    json = read = undefined;
    if (!validation.ok) {
      const problems = Object.entries(failureFields(validation));
      for (const [path, message] of problems) console.error(`${path}: ${message}`);
      console.error(
        `${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was imported`,
      );
      return 1;
    }
    const counts = await importFile(handle.db, validation.value, at);
    console.log(formatImportCounts(counts));
    return 0;
  } finally {
    await handle.close();
  }
}

runCommand("import", main);
