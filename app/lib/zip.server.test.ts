// The archive is read back by Info-ZIP's unzip (Debian `unzip`, installed by scripts/test.sh), an
// independent reader, so a header mistake cannot hide behind a reader written alongside it.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { zipBuffer, zipStream, type ZipSource } from "./zip.server";

const dir = mkdtempSync(join(tmpdir(), "zip-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// UTF-8 locale so that unzip prints the flagged names as they are.
const UTF8_ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
const unzip = (...args: string[]) =>
  execFileSync("unzip", args, { env: UTF8_ENV, maxBuffer: 64 * 1024 * 1024 });

const pdfLike = Buffer.from(
  `%PDF-1.3\n${"請求書 INV-00000123 ¥175,628\n".repeat(200)}%%EOF\n`,
  "utf8",
);
// Bytes that do not compress.
const noise = Buffer.alloc(4096);
for (let i = 0, x = 12345; i < noise.length; i++) {
  x = (x * 1103515245 + 12345) >>> 0;
  noise[i] = x >>> 24;
}
const files = [
  { name: "請求書_2026年10月分_株式会社みなと製作所.pdf", data: pdfLike },
  {
    name: "明細/invoice-lines.csv",
    data: Buffer.from("invoice_number,amount_yen\nINV-00000123,175628\n", "utf8"),
  },
  { name: "noise.bin", data: noise },
];
const sources = (list: typeof files): ZipSource[] =>
  list.map((f) => ({ name: f.name, read: async () => f.data }));

function save(name: string, zip: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, zip);
  return file;
}

describe("zipStream (yazl)", () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it("writes an archive that unzip opens with the Japanese names and the exact contents", async () => {
    const zip = await zipBuffer(sources(files));
    const file = save("bundle.zip", zip);
    expect(unzip("-Z1", file).toString("utf8").split("\n").filter(Boolean)).toEqual(
      files.map((f) => f.name),
    );
    for (const f of files) expect(unzip("-p", file, f.name).equals(f.data), f.name).toBe(true);
    expect(unzip("-t", file).toString("utf8")).toMatch(/No errors detected/);
    const listing = unzip("-l", file).toString("utf8");
    // The fixed timestamp, as a person listing the archive sees it; 3 files.
    expect(listing).toContain(`${pdfLike.length}  2000-01-01 00:00   ${files[0].name}`);
    expect(listing).toMatch(/\s3 files\n$/);
    // The repetitive PDF text was deflated.
    expect(zip.length).toBeLessThan(pdfLike.length + noise.length);
  });

  it("gives the same bytes for the same files, whatever the clock and the time zone", async () => {
    process.env.TZ = "Asia/Tokyo";
    const tokyo = await zipBuffer(sources(files));
    await new Promise((r) => setTimeout(r, 1100));
    process.env.TZ = "America/Los_Angeles";
    const losAngeles = await zipBuffer(sources(files));
    expect(losAngeles.equals(tokyo)).toBe(true);
    // Local header: UTF-8 name flag, DOS time 00:00:00, DOS date 2000-01-01, no extra field.
    expect(tokyo.readUInt32LE(0)).toBe(0x04034b50);
    expect(tokyo.readUInt16LE(6) & 0x0800).toBe(0x0800);
    expect(tokyo.readUInt16LE(10)).toBe(0);
    expect(tokyo.readUInt16LE(12)).toBe((20 << 9) | (1 << 5) | 1);
    expect(tokyo.readUInt16LE(28)).toBe(0);
    // Another order is another archive (the order is part of what is fixed).
    const reversed = await zipBuffer(sources([...files].reverse()));
    expect(reversed.equals(tokyo)).toBe(false);
  });

  it("reads each file only when the writer reaches it: an unread archive holds at most three files", async () => {
    // Random bytes: deflate cannot shrink them, so the output is as large as the input.
    const megabyte = randomBytes(1024 * 1024);
    const reads: number[] = [];
    const stream = zipStream(
      Array.from({ length: 8 }, (_, i) => ({
        name: `${i}.bin`,
        read: async () => {
          reads.push(i);
          return megabyte;
        },
      })),
    );
    await new Promise((r) => setTimeout(r, 200));
    // Nobody reads the output: the writer waits (backpressure) instead of loading all 8 MB.
    expect(reads.length).toBeLessThanOrEqual(3);
    let bytes = 0;
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    expect(reads).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(bytes).toBeGreaterThan(8 * megabyte.length);
  });

  it("writes ZIP64 for more than 65,535 entries (the hand-written writer refused them)", async () => {
    const many = Array.from({ length: 65_536 }, (_, i) => ({
      name: `${String(i).padStart(5, "0")}.txt`,
      read: async () => Buffer.from(String(i)),
    }));
    const zip = await zipBuffer(many);
    const file = save("many.zip", zip);
    // ZIP64 end of central directory record and its locator before the classic record.
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(zip.readUInt32LE(zip.length - 22 - 20)).toBe(0x07064b50);
    expect(zip.readUInt32LE(zip.length - 22 - 20 - 56)).toBe(0x06064b50);
    expect(unzip("-l", file).toString("utf8")).toMatch(/\s65536 files\n$/);
    expect(unzip("-p", file, "65535.txt").toString()).toBe("65535");
  }, 120_000);

  it("ends the stream with the error of a file that cannot be read", async () => {
    const stream = zipStream([
      { name: "a.txt", read: async () => Buffer.from("a") },
      {
        name: "b.txt",
        read: async () => {
          throw new Error("archive row missing");
        },
      },
    ]);
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow("archive row missing");
  });

  it("refuses unsafe and duplicate names before writing anything", () => {
    const one = (name: string) => [{ name, read: async () => Buffer.from("x") }];
    expect(() => zipStream(one("../etc/passwd"))).toThrow(/unsafe/);
    expect(() => zipStream(one("/abs.txt"))).toThrow(/unsafe/);
    expect(() => zipStream(one(""))).toThrow(/unsafe/);
    expect(() => zipStream([...one("a.txt"), ...one("a.txt")])).toThrow(/duplicate/);
  });
});
