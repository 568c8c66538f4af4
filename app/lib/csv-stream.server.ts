// A CSV download of a whole filter, written a chunk of rows at a time as the client reads it
// (issue 17 item 2): no cap on the rows and never the whole file in memory. Cells go through
// toCsv, so formula text is neutralised as in every other CSV.
import { toCsv, type CsvValue } from "./csv";
import { contentDisposition } from "./http.server";

export function csvStreamResponse(
  fileName: string,
  header: readonly string[],
  chunks: AsyncIterable<readonly (readonly CsvValue[])[]>,
): Response {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(toCsv(header, [], { bom: true })));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(toCsv(null, next.value)));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": contentDisposition(fileName),
      "Cache-Control": "private, no-store",
    },
  });
}
