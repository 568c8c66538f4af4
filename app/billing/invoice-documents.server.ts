// The printable document of an issued invoice or credit note, read within the caller's tenant
// and handed to the PDF builder in reports/.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { InvoiceDocument, InvoicePdfIssuer } from "../../reports/invoice-pdf";
import type { Tenant } from "../auth/tenancy";
import { getProviderSettings } from "../settings/provider.server";
import { getCreditNote } from "./credit-notes.server";
import { getInvoiceForPrint } from "./invoices.server";

async function issuer(db: Kysely<Database>): Promise<InvoicePdfIssuer> {
  const p = await getProviderSettings(db);
  return {
    name: p.name,
    address: p.address,
    phone: p.phone,
    email: p.email,
    registrationNumber: p.registrationNumber,
    bankAccount: p.bankAccount,
  };
}

export async function invoiceDocument(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
): Promise<InvoiceDocument | null> {
  const found = await getInvoiceForPrint(db, params);
  if (!found) return null;
  const { invoice, lines } = found;
  return {
    kind: "invoice",
    number: invoice.invoice_number,
    issueDate: invoice.issue_date,
    billingMonth: invoice.billing_month,
    dueDate: invoice.due_date,
    issuer: await issuer(db),
    recipient: {
      name: invoice.recipient_name,
      address: invoice.recipient_address,
      contractRef: invoice.contract_ref,
      lineId: invoice.line_id,
    },
    lines: lines.map((l) => ({
      description: l.description,
      rule: l.rule,
      quantity: l.quantity,
      unitPriceYen: l.unit_price_yen,
      amountYen: l.amount_yen,
      taxCategory: l.tax_category,
    })),
    totals: {
      taxable10Yen: invoice.taxable_10_yen,
      tax10Yen: invoice.tax_10_yen,
      nonTaxableYen: invoice.non_taxable_yen,
      totalYen: invoice.total_yen,
    },
  };
}

export async function creditNoteDocument(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
): Promise<InvoiceDocument | null> {
  const found = await getCreditNote(db, params);
  if (!found) return null;
  const { note, lines } = found;
  return {
    kind: "credit_note",
    number: note.credit_note_number,
    issueDate: note.issue_date,
    billingMonth: note.billing_month,
    originalInvoiceNumber: note.invoice_number,
    reason: note.reason,
    issuer: await issuer(db),
    recipient: {
      name: note.recipient_name,
      address: note.recipient_address,
      contractRef: note.contract_ref,
      lineId: note.line_id,
    },
    lines: lines.map((l) => ({
      description: l.description,
      rule: l.rule,
      quantity: 1,
      unitPriceYen: l.amount_yen,
      amountYen: l.amount_yen,
      taxCategory: l.tax_category,
    })),
    totals: {
      taxable10Yen: note.taxable_10_yen,
      tax10Yen: note.tax_10_yen,
      nonTaxableYen: note.non_taxable_yen,
      totalYen: note.total_yen,
    },
  };
}
