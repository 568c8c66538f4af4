// The invoice and line CSV of a billing month, columns exactly as import-format.md specifies.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { toCsv } from "../lib/csv";
import type { YearMonth } from "../lib/jst";

export const INVOICE_CSV_COLUMNS = [
  "invoice_number", "customer_ref", "contract_ref", "billing_month", "issue_date", "due_date",
  "taxable_10_yen", "tax_10_yen", "non_taxable_yen", "total_yen",
] as const;

export const LINE_CSV_COLUMNS = [
  "invoice_number", "contract_ref", "billing_month", "code", "rule", "description", "quantity",
  "unit_price_yen", "amount_yen", "tax_category",
] as const;

export async function invoiceCsv(db: Kysely<Database>, month: YearMonth, options: { bom?: boolean } = {}): Promise<string> {
  const rows = await db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select((eb) => [
      "invoices.invoice_number", "contracts.ref as contract_ref", "invoices.billing_month",
      "invoices.issue_date", "invoices.due_date", "invoices.taxable_10_yen", "invoices.tax_10_yen",
      "invoices.non_taxable_yen", "invoices.total_yen",
      // The customer the invoice was issued to: the holder before the first transfer or succession
      // approved after it was issued (T-10, T-12), else the contract's customer. An export of a
      // month reads the same before and after a transfer, as the invoice itself does.
      eb.fn.coalesce(
        eb.selectFrom("contract_holder_changes").innerJoin("customers as holder", "holder.id", "contract_holder_changes.from_customer_id")
          .select("holder.ref")
          .whereRef("contract_holder_changes.contract_id", "=", "invoices.contract_id")
          .where("contract_holder_changes.status", "=", "approved")
          .whereRef("contract_holder_changes.decided_at", ">", "invoices.issued_at")
          .orderBy("contract_holder_changes.decided_at").limit(1),
        eb.ref("customers.ref"),
      ).as("customer_ref"),
    ])
    .where("invoices.billing_month", "=", month)
    .orderBy("invoices.seq")
    .execute();
  return toCsv(INVOICE_CSV_COLUMNS, rows.map((r) => INVOICE_CSV_COLUMNS.map((c) => r[c])), options);
}

export async function lineCsv(db: Kysely<Database>, month: YearMonth, options: { bom?: boolean } = {}): Promise<string> {
  const rows = await db
    .selectFrom("invoice_lines")
    .innerJoin("invoices", "invoices.id", "invoice_lines.invoice_id")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .select([
      "invoices.invoice_number", "contracts.ref as contract_ref", "invoices.billing_month", "invoice_lines.code",
      "invoice_lines.rule", "invoice_lines.description", "invoice_lines.quantity", "invoice_lines.unit_price_yen",
      "invoice_lines.amount_yen", "invoice_lines.tax_category",
    ])
    .where("invoices.billing_month", "=", month)
    .orderBy("invoices.seq")
    .orderBy("invoice_lines.position")
    .execute();
  return toCsv(LINE_CSV_COLUMNS, rows.map((r) => LINE_CSV_COLUMNS.map((c) => r[c])), options);
}
