// A month's downloads for finance: the invoice and line CSV with Japanese headers and labels
// (UTF-8 with BOM for Excel, or Shift_JIS; decision 0026), the 弥生会計 journal (Shift_JIS, CRLF, no header) and every invoice PDF in one zip.
import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { now } from "../lib/clock";
import { addMonths, firstDayOf, lastDayOf, type YearMonth } from "../lib/jst";
import { zipStream } from "../lib/zip.server";
import { csvBytes, type CsvStreamEncoding } from "../lib/csv-stream.server";
import {
  inWindows,
  INVOICE_EXCEL_HEADERS,
  invoiceExcelChunks,
  LINE_EXCEL_HEADERS,
  lineExcelChunks,
} from "./export.server";
import { archivedInvoicePdf } from "./document-archive.server";
import { journalRows, type JournalInvoice } from "./journal";

export type CsvEncoding = CsvStreamEncoding;

/**
 * The month's invoice CSV for Excel as bytes read a chunk of invoices at a time (issue 17 item 2:
 * the download streams, so memory does not grow with the month's invoices).
 */
export function invoiceCsvBytes(
  db: Kysely<Database>,
  month: YearMonth,
  encoding: CsvEncoding,
  chunkSize?: number,
): AsyncGenerator<Uint8Array> {
  return csvBytes(INVOICE_EXCEL_HEADERS, invoiceExcelChunks(db, month, chunkSize), encoding);
}

/** The month's line CSV for Excel, a chunk of lines at a time. */
export function lineCsvBytes(
  db: Kysely<Database>,
  month: YearMonth,
  encoding: CsvEncoding,
  chunkSize?: number,
): AsyncGenerator<Uint8Array> {
  return csvBytes(LINE_EXCEL_HEADERS, lineExcelChunks(db, month, chunkSize), encoding);
}

/** A streamed file whole, for the callers that attach or compare it. */
export async function collectBytes(bytes: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of bytes) parts.push(part);
  return Buffer.concat(parts);
}

export async function invoiceCsvFile(
  db: Kysely<Database>,
  month: YearMonth,
  encoding: CsvEncoding,
): Promise<Buffer> {
  return collectBytes(invoiceCsvBytes(db, month, encoding));
}

export async function lineCsvFile(
  db: Kysely<Database>,
  month: YearMonth,
  encoding: CsvEncoding,
): Promise<Buffer> {
  return collectBytes(lineCsvBytes(db, month, encoding));
}

/**
 * Journal entries booked in the month the invoices of `month` are issued (M+1): those invoices,
 * and the credit notes issued in that same month, a chunk at a time (issue 17 item 2: the
 * download streams).
 */
export async function* journalEntryChunks(
  db: Kysely<Database>,
  month: YearMonth,
  size = 1000,
): AsyncGenerator<JournalInvoice[]> {
  const bookedIn = addMonths(month, 1);
  const invoices = (w: { limit: number; offset: number }) =>
    db
      .selectFrom("invoices")
      .select([
        "invoice_number",
        "issue_date",
        "recipient_name",
        "billing_month",
        "taxable_10_yen",
        "tax_10_yen",
        "interest_yen",
        "non_taxable_yen",
        "total_yen",
      ])
      .where("billing_month", "=", month)
      .orderBy("seq")
      .limit(w.limit)
      .offset(w.offset)
      .execute();
  const notes = (w: { limit: number; offset: number }) =>
    db
      .selectFrom("credit_notes")
      .innerJoin("invoices", "invoices.id", "credit_notes.invoice_id")
      .leftJoin("credit_note_lines", (join) =>
        join
          .onRef("credit_note_lines.credit_note_id", "=", "credit_notes.id")
          .on("credit_note_lines.rule", "=", "T-26"),
      )
      .select((eb) => [
        "credit_notes.credit_note_number",
        "credit_notes.issue_date",
        "invoices.recipient_name",
        "invoices.billing_month",
        "credit_notes.taxable_10_yen",
        "credit_notes.tax_10_yen",
        "credit_notes.non_taxable_yen",
        "credit_notes.total_yen",
        eb.fn
          .coalesce(eb.fn.sum<number>("credit_note_lines.amount_yen"), eb.val(0))
          .as("interest_yen"),
      ])
      .where("credit_notes.issue_date", ">=", firstDayOf(bookedIn))
      .where("credit_notes.issue_date", "<=", lastDayOf(bookedIn))
      // Each note has one invoice: grouping by it too changes nothing, and PostgreSQL requires it.
      .groupBy(["credit_notes.id", "invoices.id"])
      .orderBy("credit_notes.seq")
      .limit(w.limit)
      .offset(w.offset)
      .execute();
  for await (const rows of inWindows(invoices, size))
    yield rows.map((i) => ({
      number: i.invoice_number,
      issueDate: i.issue_date,
      customerName: i.recipient_name,
      billingMonth: i.billing_month,
      taxable10Yen: i.taxable_10_yen,
      tax10Yen: i.tax_10_yen,
      interestYen: i.interest_yen,
      otherNonTaxableYen: i.non_taxable_yen - i.interest_yen,
      totalYen: i.total_yen,
      reversal: false,
    }));
  for await (const rows of inWindows(notes, size))
    yield rows.map((n) => ({
      number: n.credit_note_number,
      issueDate: n.issue_date,
      customerName: n.recipient_name,
      billingMonth: n.billing_month,
      taxable10Yen: n.taxable_10_yen,
      tax10Yen: n.tax_10_yen,
      interestYen: Number(n.interest_yen),
      otherNonTaxableYen: n.non_taxable_yen - Number(n.interest_yen),
      totalYen: n.total_yen,
      reversal: true,
    }));
}

/** The 弥生会計 journal's bytes (Shift_JIS, CRLF), a chunk of slips at a time. */
export async function* journalCsvBytes(
  db: Kysely<Database>,
  month: YearMonth,
  chunkSize?: number,
): AsyncGenerator<Uint8Array> {
  async function* rows() {
    for await (const entries of journalEntryChunks(db, month, chunkSize))
      yield entries.flatMap(journalRows);
  }
  // 弥生会計 reads the file without a header row.
  yield* csvBytes(null, rows(), "sjis");
}

export async function journalCsvFile(db: Kysely<Database>, month: YearMonth): Promise<Buffer> {
  return collectBytes(journalCsvBytes(db, month));
}

/** The month's invoices in the zip's order (issue order), with their names inside it. */
export async function invoicePdfZipEntries(
  db: Kysely<Database>,
  month: YearMonth,
): Promise<Array<{ id: number; name: string }>> {
  const invoices = await db
    .selectFrom("invoices")
    .select(["id", "invoice_number", "recipient_name"])
    .where("billing_month", "=", month)
    .orderBy("seq")
    .execute();
  return invoices.map((invoice) => ({
    id: invoice.id,
    name: `請求書_${invoice.invoice_number}_${invoice.recipient_name}.pdf`,
  }));
}

/**
 * Every invoice PDF of the month in one zip, streamed (issue 16 item 9): each stored original
 * (電子帳簿保存法: the same bytes as mailed and downloaded) is read, or rendered and stored, when
 * the writer reaches it, so memory holds one PDF. `onFile` runs after each PDF is read.
 */
export async function invoicePdfZip(
  db: Kysely<Database>,
  month: YearMonth,
  options: { onFile?: (done: number, total: number) => Promise<void> } = {},
): Promise<Readable> {
  const entries = await invoicePdfZipEntries(db, month);
  let done = 0;
  return zipStream(
    entries.map((entry) => ({
      name: entry.name,
      read: async () => {
        const stored = await archivedInvoicePdf(db, {
          id: entry.id,
          tenant: { kind: "provider" },
          at: now(),
        });
        if (!stored) throw new Error(`invoice #${entry.id} has no PDF`);
        done++;
        await options.onFile?.(done, entries.length);
        return stored.pdf;
      },
    })),
  );
}
