// ZIP archives through yazl (issue 16 item 9), a maintained streaming writer with ZIP64: a month
// of more than 65,535 PDFs or 4 GB is one archive. Entries are read lazily, one at a time, when
// the writer reaches them, so memory holds one file and the output stream's buffer, never the
// month. Names are flagged UTF-8 so Japanese file names survive in Windows Explorer, macOS and
// Info-ZIP. The same files in the same order give the same bytes: every entry carries one fixed
// DOS timestamp (no extended-timestamp field, which would carry the wall clock) and one mode.
import { Readable, type PassThrough } from "node:stream";
import { ZipFile } from "yazl";

export interface ZipSource {
  /** Path inside the archive, `/`-separated, e.g. `請求書_INV-00000123_株式会社みなと.pdf`. */
  name: string;
  /** The file's bytes, read when the writer reaches the entry. */
  read(): Promise<Buffer>;
}

/**
 * 2000-01-01 00:00:00 in the process's own time zone: yazl converts the date to DOS fields in
 * local time, so the fields read 2000-01-01 00:00 whatever TZ the server runs in. (Not the DOS
 * epoch 1980-01-01: yazl clamps earlier instants to its minimum, computed in the time zone of
 * when it was loaded, which would move the fields by the zone's offset.)
 */
function fixedTimestamp(): Date {
  return new Date(2000, 0, 1, 0, 0, 0);
}

/** A regular file, rw-r--r--. */
const FILE_MODE = 0o100644;

function checkName(name: string, seen: Set<string>): void {
  if (
    name === "" ||
    name.startsWith("/") ||
    name.includes("\\") ||
    name.split("/").some((part) => part === "" || part === "..")
  ) {
    throw new Error(`zip: unsafe or empty entry name "${name}"`);
  }
  if (seen.has(name)) throw new Error(`zip: duplicate entry name "${name}"`);
  seen.add(name);
}

/**
 * The archive of `sources` in their order, as a stream. Names are checked before anything is
 * written; a failing `read()` ends the stream with its error.
 */
export function zipStream(sources: readonly ZipSource[]): Readable {
  const seen = new Set<string>();
  for (const source of sources) checkName(source.name, seen);
  const zip = new ZipFile();
  // yazl's output is a PassThrough; its errors (a failed read) are the zip file's events.
  const output = zip.outputStream as PassThrough;
  zip.on("error", (error: Error) => output.destroy(error));
  const mtime = fixedTimestamp();
  for (const source of sources) {
    zip.addReadStreamLazy(
      source.name,
      { mtime, mode: FILE_MODE, forceDosTimestamp: true, compress: true },
      (callback) => {
        source.read().then(
          (data) => callback(null, Readable.from([data])),
          (error: unknown) =>
            callback(error instanceof Error ? error : new Error(String(error)), Readable.from([])),
        );
      },
    );
  }
  zip.end();
  return output;
}

/** The whole archive in memory: for tests and small archives only. */
export async function zipBuffer(sources: readonly ZipSource[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of zipStream(sources)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
