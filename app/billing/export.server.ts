// The invoice and line CSV of a billing month: for the command line, columns exactly as
// docs/rules/import-format.md specifies; for the browser's Excel downloads, Japanese headers, dates and
// labels with the same rows and plain integer amounts (decision 0026).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { toCsv } from "../lib/csv";
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

export async function invoiceExcelCsv(db: Kysely<Database>, month: YearMonth): Promise<string> {
  const rows = await invoiceRows(db, month);
  return toCsv(
    INVOICE_EXCEL_HEADERS,
    rows.map((r) => [
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
    ]),
  );
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

export async function lineExcelCsv(db: Kysely<Database>, month: YearMonth): Promise<string> {
  const rows = await lineRows(db, month);
  return toCsv(
    LINE_EXCEL_HEADERS,
    rows.map((r) => [
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
    ]),
  );
}

async function invoiceRows(db: Kysely<Database>, month: YearMonth) {
  return db
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
    .orderBy("invoices.seq")
    .execute();
}

async function lineRows(db: Kysely<Database>, month: YearMonth) {
  return db
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
    .orderBy("invoice_lines.position")
    .execute();
}
