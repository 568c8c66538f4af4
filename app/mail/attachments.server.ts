// Attachments queued by name only and made when the mail is sent (so a month of invoice PDFs is
// not stored twice): the outbox asks here by the mail's kind and ref.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { renderInvoicePdf } from "../../reports/invoice-pdf";
import { invoiceDocument } from "../billing/invoice-documents.server";

export function attachmentRenderer(db: Kysely<Database>) {
  return async (mail: { kind: string; ref: string | null }): Promise<Buffer | null> => {
    if (mail.kind === "invoice" && mail.ref?.startsWith("invoice:")) {
      const number = mail.ref.slice("invoice:".length);
      const row = await db.selectFrom("invoices").select("id").where("invoice_number", "=", number).executeTakeFirst();
      if (!row) return null;
      const doc = await invoiceDocument(db, { id: row.id, tenant: { kind: "provider" } });
      return doc ? renderInvoicePdf(doc) : null;
    }
    return null;
  };
}
