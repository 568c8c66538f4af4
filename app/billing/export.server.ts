// The invoice and line CSV of a billing month: for the command line, columns exactly as
// docs/rules/import-format.md specifies; for the browser's Excel downloads, Japanese headers, dates and
// labels with the same rows and plain integer amounts (decision 0026).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { toCsv, type CsvValue } from "../lib/csv";
import { formatBillingMonth, formatDate } from "../lib/format";
import type { YearMonth } from "../lib/jst";
import { TAX_CATEGORY_LABELS } from "./labels";

export const INVOICE_CSV_COLUMNS = [
  "invoice_number",
  "customer_ref",
  "contract_ref",
  "billing_month",
  "issue_date",
  "due_date",
  "taxable_10_yen",
  "tax_10_yen",
  "non_taxable_yen",
  "total_yen",
] as const;

export const LINE_CSV_COLUMNS = [
  "invoice_number",
  "contract_ref",
  "billing_month",
  "code",
  "rule",
  "description",
  "quantity",
  "unit_price_yen",
  "amount_yen",
  "tax_category",
] as const;

/** The Japanese headers of the Excel download, column for column with INVOICE_CSV_COLUMNS. */
export const INVOICE_EXCEL_HEADERS = [
  "請求書番号",
  "顧客番号",
  "契約番号",
  "請求月",
  "発行日",
  "支払期限",
  "10%対象（税抜）",
  "消費税（10%）",
  "非課税・不課税",
  "合計（税込）",
] as const satisfies { length: (typeof INVOICE_CSV_COLUMNS)["length"] };

export const LINE_EXCEL_HEADERS = [
  "請求書番号",
  "契約番号",
  "請求月",
  "項目コード",
  "根拠",
  "内容",
  "数量",
  "単価",
  "金額",
  "税区分",
] as const satisfies { length: (typeof LINE_CSV_COLUMNS)["length"] };

export async function invoiceCsv(
  db: Kysely<Database>,
  month: YearMonth,
  options: { bom?: boolean } = {},
): Promise<string> {
  const rows = await invoiceRows(db, month);
  return toCsv(
    INVOICE_CSV_COLUMNS,
    rows.map((r) => INVOICE_CSV_COLUMNS.map((c) => r[c])),
    options,
  );
}

function invoiceExcelRow(r: Awaited<ReturnType<typeof invoiceRows>>[number]): CsvValue[] {
  return [
    r.invoice_number,
    r.customer_ref,
    r.contract_ref,
    formatBillingMonth(r.billing_month),
    formatDate(r.issue_date),
    formatDate(r.due_date),
    r.taxable_10_yen,
    r.tax_10_yen,
    r.non_taxable_yen,
    r.total_yen,
  ];
}

/** Reads a query a window at a time until a short window: what a streamed download writes from. */
export async function* inWindows<R>(
  read: (window: { limit: number; offset: number }) => Promise<R[]>,
  size: number,
): AsyncGenerator<R[]> {
  for (let offset = 0; ; offset += size) {
    const rows = await read({ limit: size, offset });
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
  }
}

/** The Excel invoice CSV's rows of the month, a chunk at a time (issue 17 item 2: streamed, not built whole). */
export async function* invoiceExcelChunks(db: Kysely<Database>, month: YearMonth, size = 1000) {
  for await (const rows of inWindows((w) => invoiceRows(db, month, w), size))
    yield rows.map(invoiceExcelRow);
}

/** The Excel line CSV's rows of the month, a chunk at a time. */
export async function* lineExcelChunks(db: Kysely<Database>, month: YearMonth, size = 1000) {
  for await (const rows of inWindows((w) => lineRows(db, month, w), size))
    yield rows.map(lineExcelRow);
}

export async function lineCsv(
  db: Kysely<Database>,
  month: YearMonth,
  options: { bom?: boolean } = {},
): Promise<string> {
  const rows = await lineRows(db, month);
  return toCsv(
    LINE_CSV_COLUMNS,
    rows.map((r) => LINE_CSV_COLUMNS.map((c) => r[c])),
    options,
  );
}

function lineExcelRow(r: Awaited<ReturnType<typeof lineRows>>[number]): CsvValue[] {
  return [
    r.invoice_number,
    r.contract_ref,
    formatBillingMonth(r.billing_month),
    r.code,
    r.rule,
    r.description,
    r.quantity,
    r.unit_price_yen,
    r.amount_yen,
    TAX_CATEGORY_LABELS[r.tax_category],
  ];
}

/** All rows, or one window of them (the id breaks no ties here: seq and position are unique). */
type RowWindow = { limit: number; offset: number } | undefined;

async function invoiceRows(db: Kysely<Database>, month: YearMonth, window?: RowWindow) {
  let q = db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select((eb) => [
      "invoices.invoice_number",
      "contracts.ref as contract_ref",
      "invoices.billing_month",
      "invoices.issue_date",
      "invoices.due_date",
      "invoices.taxable_10_yen",
      "invoices.tax_10_yen",
      "invoices.non_taxable_yen",
      "invoices.total_yen",
      // The customer the invoice was issued to: the holder before the first transfer or succession
      // approved after it was issued (T-10, T-12), else the contract's customer. An export of a
      // month reads the same before and after a transfer, as the invoice itself does.
      eb.fn
        .coalesce(
          eb
            .selectFrom("contract_holder_changes")
            .innerJoin(
              "customers as holder",
              "holder.id",
              "contract_holder_changes.from_customer_id",
            )
            .select("holder.ref")
            .whereRef("contract_holder_changes.contract_id", "=", "invoices.contract_id")
            .where("contract_holder_changes.status", "=", "approved")
            .whereRef("contract_holder_changes.decided_at", ">", "invoices.issued_at")
            .orderBy("contract_holder_changes.decided_at")
            .limit(1),
          eb.ref("customers.ref"),
        )
        .as("customer_ref"),
    ])
    .where("invoices.billing_month", "=", month)
    .orderBy("invoices.seq");
  if (window) q = q.limit(window.limit).offset(window.offset);
  return q.execute();
}

async function lineRows(db: Kysely<Database>, month: YearMonth, window?: RowWindow) {
  let q = db
    .selectFrom("invoice_lines")
    .innerJoin("invoices", "invoices.id", "invoice_lines.invoice_id")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .select([
      "invoices.invoice_number",
      "contracts.ref as contract_ref",
      "invoices.billing_month",
      "invoice_lines.code",
      "invoice_lines.rule",
      "invoice_lines.description",
      "invoice_lines.quantity",
      "invoice_lines.unit_price_yen",
      "invoice_lines.amount_yen",
      "invoice_lines.tax_category",
    ])
    .where("invoices.billing_month", "=", month)
    .orderBy("invoices.seq")
    .orderBy("invoice_lines.position");
  if (window) q = q.limit(window.limit).offset(window.offset);
  return q.execute();
}
