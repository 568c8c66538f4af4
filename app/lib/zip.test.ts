// The archive is read back by an independent reader: Info-ZIP's unzip when the machine has it,
// else Python's zipfile, so a header mistake cannot hide behind a reader written alongside it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crc32, crc32Portable, createZip } from "./zip";

const dir = mkdtempSync(join(tmpdir(), "zip-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function has(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// UTF-8 locale so that unzip prints the flagged names as they are.
const UTF8_ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };

/** Names and contents as an independent reader sees them, plus its integrity check. */
function readZip(file: string): {
  tool: string;
  names: string[];
  contents: Map<string, Buffer>;
  intact: boolean;
} {
  if (has("unzip")) {
    const listing = execFileSync("unzip", ["-Z1", file], { env: UTF8_ENV, encoding: "utf8" });
    const names = listing.split("\n").filter(Boolean);
    const contents = new Map(
      names.map(
        (name) => [name, execFileSync("unzip", ["-p", file, name], { env: UTF8_ENV })] as const,
      ),
    );
    const test = execFileSync("unzip", ["-t", file], { env: UTF8_ENV, encoding: "utf8" });
    // `unzip -l` too, the way a person would look at the archive.
    const table = execFileSync("unzip", ["-l", file], { env: UTF8_ENV, encoding: "utf8" });
    const intact = /No errors detected/.test(test) && names.every((name) => table.includes(name));
    return { tool: "unzip", names, contents, intact };
  }
  const script = [
    "import base64, json, sys, zipfile",
    "z = zipfile.ZipFile(sys.argv[1])",
    "print(json.dumps({'names': z.namelist(), 'data': {n: base64.b64encode(z.read(n)).decode() for n in z.namelist()},",
    "  'bad': z.testzip(), 'utf8': all(i.flag_bits & 0x800 for i in z.infolist())}))",
  ].join("\n");
  const out = JSON.parse(
    execFileSync("python3", ["-c", script, file], { env: UTF8_ENV, encoding: "utf8" }),
  ) as {
    names: string[];
    data: Record<string, string>;
    bad: string | null;
    utf8: boolean;
  };
  const contents = new Map(
    Object.entries(out.data).map(([name, b64]) => [name, Buffer.from(b64, "base64")] as const),
  );
  return {
    tool: "python3 zipfile",
    names: out.names,
    contents,
    intact: out.bad === null && out.utf8,
  };
}

const pdfLike = Buffer.from(
  `%PDF-1.3\n${"請求書 INV-00000123 ¥175,628\n".repeat(200)}%%EOF\n`,
  "utf8",
);
// Bytes that do not compress: stored rather than deflated.
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

describe("createZip", () => {
  it("writes an archive that another reader opens with the Japanese names and the exact contents", () => {
    const zip = createZip(files);
    const file = join(dir, "bundle.zip");
    writeFileSync(file, zip);
    const read = readZip(file);

    expect(read.intact, `${read.tool} integrity check`).toBe(true);
    expect(read.names).toEqual(files.map((f) => f.name));
    for (const f of files) expect(read.contents.get(f.name)?.equals(f.data), f.name).toBe(true);
    // The repetitive PDF text was deflated, the noise stored.
    expect(zip.length).toBeLessThan(pdfLike.length + noise.length);
  });

  it("sets the UTF-8 name flag, a fixed DOS date, and deflate or store per file", () => {
    const zip = createZip(files);
    let at = 0;
    const methods: number[] = [];
    for (const f of files) {
      expect(zip.readUInt32LE(at)).toBe(0x04034b50);
      expect(zip.readUInt16LE(at + 6) & 0x0800).toBe(0x0800);
      expect(zip.readUInt16LE(at + 10)).toBe(0); // 00:00:00
      expect(zip.readUInt16LE(at + 12)).toBe(0x21); // 1980-01-01
      expect(zip.readUInt32LE(at + 14)).toBe(crc32(f.data));
      methods.push(zip.readUInt16LE(at + 8));
      at += 30 + zip.readUInt16LE(at + 26) + zip.readUInt32LE(at + 18);
    }
    expect(methods).toEqual([8, 8, 0]);
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
    expect(zip.readUInt16LE(zip.length - 22 + 10)).toBe(3);
  });

  it("is deterministic", () => {
    expect(createZip(files).equals(createZip(files))).toBe(true);
  });

  it("computes CRC-32 the same with and without zlib.crc32", () => {
    expect(crc32Portable(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32Portable(noise)).toBe(crc32(noise));
    expect(crc32Portable(Buffer.alloc(0))).toBe(0);
  });

  it("refuses unsafe and duplicate names", () => {
    const data = Buffer.from("x");
    expect(() => createZip([{ name: "../etc/passwd", data }])).toThrow(/unsafe/);
    expect(() => createZip([{ name: "/abs.txt", data }])).toThrow(/unsafe/);
    expect(() => createZip([{ name: "", data }])).toThrow(/unsafe/);
    expect(() =>
      createZip([
        { name: "a.txt", data },
        { name: "a.txt", data },
      ]),
    ).toThrow(/duplicate/);
  });
});
