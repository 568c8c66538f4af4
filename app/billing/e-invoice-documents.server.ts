// The e-invoice (JP PINT XML, e-invoice.ts) of an issued invoice or credit note, read within the
// caller's tenant from the same document the PDF is printed from, plus the Peppol ids.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { Tenant } from "../auth/tenancy";
import { eInvoiceXml } from "./e-invoice";
import { creditNoteDocument, invoiceDocument } from "./invoice-documents.server";

export interface EInvoiceFile {
  xml: string;
  fileName: string;
}

async function providerPeppolId(db: Kysely<Database>): Promise<string | null> {
  const row = await db.selectFrom("provider").select("peppol_id").orderBy("id").executeTakeFirst();
  return row?.peppol_id ?? null;
}

async function customerPeppolIdOfInvoice(db: Kysely<Database>, invoiceId: number) {
  return db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["customers.peppol_id", "invoices.issue_date"])
    .where("invoices.id", "=", invoiceId)
    .executeTakeFirstOrThrow();
}

export async function invoiceEInvoice(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
): Promise<EInvoiceFile | null> {
  const doc = await invoiceDocument(db, params);
  if (!doc) return null;
  const buyer = await customerPeppolIdOfInvoice(db, params.id);
  const xml = eInvoiceXml({
    doc,
    sellerPeppolId: await providerPeppolId(db),
    buyerPeppolId: buyer.peppol_id,
  });
  return { xml, fileName: `請求書_${doc.number}.xml` };
}

export async function creditNoteEInvoice(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
): Promise<EInvoiceFile | null> {
  const doc = await creditNoteDocument(db, params);
  if (!doc) return null;
  const note = await db
    .selectFrom("credit_notes")
    .select("invoice_id")
    .where("id", "=", params.id)
    .executeTakeFirstOrThrow();
  const original = await customerPeppolIdOfInvoice(db, note.invoice_id);
  const xml = eInvoiceXml({
    doc,
    sellerPeppolId: await providerPeppolId(db),
    buyerPeppolId: original.peppol_id,
    originalInvoiceIssueDate: original.issue_date,
  });
  return { xml, fileName: `返還請求書_${doc.number}.xml` };
}
