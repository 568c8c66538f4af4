// The 全銀協 口座振替 file (docs/rules/zengin.md): 120-byte records in JIS X 0201 written as
// Shift_JIS bytes (iconv-lite), header, data, trailer and end. Pure: values in, bytes out, and
// the bank's result file read back with the first problem named by record and field.
import { invalidField, ok, type Result } from "../lib/result";
import iconv from "iconv-lite";
import { RESULT_LABELS, toZenginKana, type AccountType } from "./zengin";
import type { IsoDate } from "../lib/jst";

export const RECORD_BYTES = 120;

// ---- records ------------------------------------------------------------------------------------

function n(value: number | string, width: number): string {
  const s = String(value);
  if (!/^\d*$/.test(s) || s.length > width) throw new Error(`N field of ${width}: "${s}"`);
  return s.padStart(width, "0");
}

function c(value: string, width: number): string {
  // Every character of the 全銀 set is one Shift_JIS byte: characters are bytes here. Stored
  // names were normalised when entered; this keeps the file valid whatever is stored.
  const text = toZenginKana(value) ?? "";
  return text.slice(0, width).padEnd(width, " ");
}

/** A bank account as the file names it: codes, kana names, type and number. */
interface FileBankAccount {
  bankCode: string;
  bankKana: string;
  branchCode: string;
  branchKana: string;
  accountType: AccountType;
  accountNumber: string;
}

/** The provider (委託者) and the account its debits are credited to. */
export interface Consignor extends FileBankAccount {
  code: string;
  kana: string;
}

export interface DebitRecord extends FileBankAccount {
  holderKana: string;
  amountYen: number;
  newCode: 0 | 1;
  /** 顧客番号: identifies the invoice in the result file (its number's digits). */
  customerNumber: string;
}

/** The request file: header, data, trailer, end, each 120 bytes + CR LF, as Shift_JIS bytes. */
export function requestFile(
  consignor: Consignor,
  debitDate: IsoDate,
  records: readonly DebitRecord[],
): Buffer {
  const lines = [
    "1" +
      "91" +
      "0" +
      n(consignor.code, 10) +
      c(consignor.kana, 40) +
      debitDate.slice(5, 7) +
      debitDate.slice(8, 10) +
      n(consignor.bankCode, 4) +
      c(consignor.bankKana, 15) +
      n(consignor.branchCode, 3) +
      c(consignor.branchKana, 15) +
      n(consignor.accountType, 1) +
      n(consignor.accountNumber, 7) +
      c("", 17),
    ...records.map(
      (r) =>
        "2" +
        n(r.bankCode, 4) +
        c(r.bankKana, 15) +
        n(r.branchCode, 3) +
        c(r.branchKana, 15) +
        c("", 4) +
        n(r.accountType, 1) +
        n(r.accountNumber, 7) +
        c(r.holderKana, 30) +
        n(r.amountYen, 10) +
        n(r.newCode, 1) +
        n(r.customerNumber, 20) +
        "0" +
        c("", 8),
    ),
    "8" +
      n(records.length, 6) +
      n(
        records.reduce((a, r) => a + r.amountYen, 0),
        12,
      ) +
      n(0, 6) +
      n(0, 12) +
      n(0, 6) +
      n(0, 12) +
      c("", 65),
    "9" + c("", 119),
  ];
  for (const line of lines)
    if (line.length !== RECORD_BYTES) throw new Error(`record of ${line.length} bytes`);
  return iconv.encode(lines.map((l) => `${l}\r\n`).join(""), "Shift_JIS");
}

// ---- result file --------------------------------------------------------------------------------

export interface ResultRecord {
  /** 1-based position in the file (the header is record 1). */
  record: number;
  bankCode: string;
  branchCode: string;
  accountNumber: string;
  amountYen: number;
  customerNumber: string;
  resultCode: string;
}

export interface ResultFile {
  consignorCode: string;
  /** MMDD of the 引落日. */
  debitMonthDay: string;
  records: ResultRecord[];
}

/** A file's content, or a validation failure of `file`: `record 3 (引落金額): …`. */
export type Parsed<T> = Result<T, "file">;

class RecordError extends Error {
  constructor(
    readonly record: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** The records of a file, with or without CR LF after each. */
function splitRecords(bytes: Buffer): Buffer[] {
  let body = bytes;
  while (body.length > 0 && body[body.length - 1] === 0x1a)
    body = body.subarray(0, body.length - 1); // DOS end-of-file
  if (body.includes(0x0a)) {
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 0x0a) {
        let end = i;
        if (end > start && body[end - 1] === 0x0d) end--;
        if (!(i === body.length && end === start)) parts.push(body.subarray(start, end));
        start = i + 1;
      }
    }
    return parts;
  }
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += RECORD_BYTES)
    parts.push(body.subarray(i, i + RECORD_BYTES));
  return parts;
}

/** Reads the bank's result file; the first problem found names its record and field. */
export function parseResultFile(bytes: Buffer): Parsed<ResultFile> {
  try {
    return ok(readResult(splitRecords(bytes)));
  } catch (error) {
    if (error instanceof RecordError)
      return invalidField("file", `record ${error.record} (${error.field}): ${error.message}`);
    throw error;
  }
}

function readResult(parts: Buffer[]): ResultFile {
  if (parts.length === 0) throw new RecordError(1, "データ区分", "ファイルが空です");
  const fields = (index: number) => {
    const raw = parts[index];
    const record = index + 1;
    if (raw.length !== RECORD_BYTES)
      throw new RecordError(
        record,
        "レコード長",
        `${RECORD_BYTES}バイトではありません（${raw.length}バイト）`,
      );
    // Shift_JIS bytes of the 全銀 set are single bytes: byte offsets are character offsets.
    const text = iconv.decode(raw, "Shift_JIS");
    let at = 0;
    return {
      record,
      kind: text[0],
      num(name: string, width: number, from?: number): string {
        if (from !== undefined) at = from;
        const s = text.slice(at, at + width);
        at += width;
        if (!/^\d+$/.test(s))
          throw new RecordError(record, name, `数字${width}桁ではありません: "${s}"`);
        return s;
      },
      skip(width: number) {
        at += width;
      },
    };
  };
  const header = fields(0);
  if (header.kind !== "1")
    throw new RecordError(
      1,
      "データ区分",
      `最初のレコードはヘッダー（1）ではありません: "${header.kind}"`,
    );
  header.skip(1);
  const kind = header.num("種別コード", 2);
  if (kind !== "91")
    throw new RecordError(1, "種別コード", `口座振替（91）ではありません: "${kind}"`);
  header.skip(1);
  const consignorCode = header.num("委託者コード", 10);
  header.skip(40);
  const debitMonthDay = header.num("引落日", 4);
  const mm = Number(debitMonthDay.slice(0, 2));
  const dd = Number(debitMonthDay.slice(2));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
    throw new RecordError(1, "引落日", `月日（MMDD）ではありません: "${debitMonthDay}"`);

  const records: ResultRecord[] = [];
  let i = 1;
  for (; i < parts.length; i++) {
    const r = fields(i);
    if (r.kind !== "2") break;
    r.skip(1);
    const bankCode = r.num("引落銀行番号", 4);
    r.skip(15);
    const branchCode = r.num("引落支店番号", 3);
    r.skip(15 + 4);
    r.num("預金種目", 1);
    const accountNumber = r.num("口座番号", 7);
    r.skip(30);
    const amountYen = Number(r.num("引落金額", 10));
    r.num("新規コード", 1);
    const customerNumber = r.num("顧客番号", 20);
    const resultCode = r.num("振替結果コード", 1);
    if (!(resultCode in RESULT_LABELS))
      throw new RecordError(r.record, "振替結果コード", `未知のコードです: "${resultCode}"`);
    records.push({
      record: r.record,
      bankCode,
      branchCode,
      accountNumber,
      amountYen,
      customerNumber,
      resultCode,
    });
  }
  if (i >= parts.length) throw new RecordError(i + 1, "データ区分", "トレーラー（8）がありません");
  const trailer = fields(i);
  if (trailer.kind !== "8")
    throw new RecordError(
      trailer.record,
      "データ区分",
      `データ（2）かトレーラー（8）ではありません: "${trailer.kind}"`,
    );
  trailer.skip(1);
  const paid = records.filter((r) => r.resultCode === "0");
  const failed = records.filter((r) => r.resultCode !== "0");
  const sum = (rs: ResultRecord[]) => rs.reduce((a, r) => a + r.amountYen, 0);
  for (const [name, width, expected] of [
    ["合計件数", 6, records.length],
    ["合計金額", 12, sum(records)],
    ["振替済件数", 6, paid.length],
    ["振替済金額", 12, sum(paid)],
    ["振替不能件数", 6, failed.length],
    ["振替不能金額", 12, sum(failed)],
  ] as const) {
    const value = Number(trailer.num(name, width));
    if (value !== expected)
      throw new RecordError(
        trailer.record,
        name,
        `データレコードの集計（${expected}）と一致しません: ${value}`,
      );
  }
  const end = i + 1 < parts.length ? fields(i + 1) : null;
  if (!end || end.kind !== "9")
    throw new RecordError(i + 2, "データ区分", "エンドレコード（9）がありません");
  if (i + 2 < parts.length)
    throw new RecordError(i + 3, "データ区分", "エンドレコードのあとにレコードがあります");
  return { consignorCode, debitMonthDay, records };
}
