// A CSV download of a whole filter, written a chunk of rows at a time as the client reads it
// (issue 17 item 2): no cap on the rows and never the whole file in memory. Cells go through
// toCsv, so formula text is neutralised as in every other CSV.
import iconv from "iconv-lite";
import { toCsv, type CsvValue } from "./csv";
import { contentDisposition } from "./http.server";

/** UTF-8 with a BOM (Excel's way to know it), or Shift_JIS for 弥生 and older Excel. */
export type CsvStreamEncoding = "utf8" | "sjis";

/**
 * The bytes of a CSV, the header first (none for `null`) and then each chunk of rows as it is
 * read. Shift_JIS encodes each chunk on its own: it has no state across characters.
 */
export async function* csvBytes(
  header: readonly string[] | null,
  chunks: AsyncIterable<readonly (readonly CsvValue[])[]>,
  encoding: CsvStreamEncoding = "utf8",
): AsyncGenerator<Uint8Array> {
  const encode = (text: string): Uint8Array =>
    encoding === "sjis" ? iconv.encode(text, "Shift_JIS") : new TextEncoder().encode(text);
  if (encoding === "utf8") yield encode("\uFEFF");
  if (header) yield encode(toCsv(header, []));
  for await (const rows of chunks) if (rows.length > 0) yield encode(toCsv(null, rows));
}

/** A download answered from a byte source read as the client reads (backpressure: one chunk ahead). */
export function streamedDownload(
  bytes: AsyncIterable<Uint8Array>,
  fileName: string,
  contentType: string,
): Response {
  const iterator = bytes[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": contentType,
      "Content-Disposition": contentDisposition(fileName),
      "Cache-Control": "private, no-store",
    },
  });
}

export function csvStreamResponse(
  fileName: string,
  header: readonly string[],
  chunks: AsyncIterable<readonly (readonly CsvValue[])[]>,
): Response {
  return streamedDownload(csvBytes(header, chunks), fileName, "text/csv; charset=utf-8");
}
