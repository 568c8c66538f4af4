// A minimal ZIP writer (PKWARE APPNOTE 6.3, no ZIP64) for bundling invoice PDFs and CSVs into one
// download without a dependency. Names are flagged UTF-8 (general purpose bit 11) so Japanese file
// names survive in Windows Explorer, macOS and Info-ZIP. Every entry carries the same fixed DOS
// date, so the same files always give the same bytes.
import * as zlib from "node:zlib";

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, e.g. `2026-10/請求書_INV-00000123.pdf`. */
  name: string;
  data: Buffer;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const VERSION_NEEDED = 20; // 2.0: deflate
const VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED; // host 3 = Unix, so the external attributes below are read as a mode
const FLAG_UTF8_NAME = 1 << 11;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** 1980-01-01 00:00:00, the DOS epoch: ((1980 − 1980) << 9) | (1 << 5) | 1. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;
/** A regular file, rw-r--r--. */
const EXTERNAL_ATTRIBUTES = (0o100644 << 16) >>> 0;
const MAX_32 = 0xffffffff;
const MAX_16 = 0xffff;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses it) by table, for Node versions without `zlib.crc32`. */
export function crc32Portable(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// zlib.crc32 arrived in Node 20.15 / 22.2; a namespace import reads it without failing where it is missing.
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export function crc32(data: Uint8Array): number {
  return nativeCrc32 ? nativeCrc32(data) >>> 0 : crc32Portable(data);
}

function checkName(name: string, seen: Set<string>): Buffer {
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
  const encoded = Buffer.from(name, "utf8");
  if (encoded.length > MAX_16) throw new Error(`zip: entry name too long "${name.slice(0, 40)}…"`);
  return encoded;
}

/** One archive holding the files in the given order; each is deflated unless that would not make it smaller. */
export function createZip(files: readonly ZipEntry[]): Buffer {
  if (files.length > MAX_16)
    throw new Error(`zip: ${files.length} entries need ZIP64, which this writer does not do`);
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;

  for (const file of files) {
    const name = checkName(file.name, seen);
    const deflated = zlib.deflateRawSync(file.data, { level: 9 });
    const method = deflated.length < file.data.length ? METHOD_DEFLATED : METHOD_STORED;
    const body = method === METHOD_DEFLATED ? deflated : file.data;
    const crc = crc32(file.data);
    if (file.data.length > MAX_32 || offset > MAX_32)
      throw new Error("zip: archive needs ZIP64, which this writer does not do");

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(FLAG_UTF8_NAME, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // extra field length

    const header = Buffer.alloc(46);
    header.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(FLAG_UTF8_NAME, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(file.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(0, 30); // extra field length
    header.writeUInt16LE(0, 32); // comment length
    header.writeUInt16LE(0, 34); // disk number
    header.writeUInt16LE(0, 36); // internal attributes
    header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
    header.writeUInt32LE(offset, 42);

    parts.push(local, name, body);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }

  const centralSize = central.reduce((a, b) => a + b.length, 0);
  if (offset > MAX_32 || centralSize > MAX_32)
    throw new Error("zip: archive needs ZIP64, which this writer does not do");
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY_SIGNATURE, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the central directory
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length

  return Buffer.concat([...parts, ...central, end]);
}
