import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { withoutNulBytes } from "./html-stream.server";

describe("withoutNulBytes", () => {
  it("drops the NUL padding React 18 leaves after a split 3-byte character, and nothing else", async () => {
    const stream = withoutNulBytes();
    const japanese = Buffer.from("第27条第2項", "utf8");
    // As renderToPipeableStream sends it: the full buffer with two unfilled bytes, then the rest.
    stream.write(Buffer.concat([japanese, Buffer.from([0, 0])]));
    stream.write(Buffer.from("）。基本料金", "utf8"));
    stream.end();
    expect(await text(stream)).toBe("第27条第2項）。基本料金");
  });

  it("passes a chunk without NUL bytes unchanged (the same buffer)", async () => {
    const stream = withoutNulBytes();
    const chunk = Buffer.from("<p>請求書</p>", "utf8");
    const seen: Buffer[] = [];
    stream.on("data", (c: Buffer) => seen.push(c));
    stream.end(chunk);
    await new Promise((r) => stream.on("end", r));
    expect(seen).toEqual([chunk]);
    expect(seen[0]).toBe(chunk);
  });
});
