// Attachments queued by name only and made when the mail is sent (so a month of invoice PDFs is
// not stored twice): the outbox asks here by the mail's kind and ref. The PDF is the invoice's
// stored original (電子帳簿保存法, document-archive.server.ts): a mail sent first stores it, a mail
// sent after a download carries the downloaded bytes.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { archivedInvoicePdf } from "../billing/document-archive.server";
import { now } from "../lib/clock";

export function attachmentRenderer(db: Kysely<Database>) {
  return async (mail: { kind: string; ref: string | null }): Promise<Buffer | null> => {
    if (mail.kind === "invoice" && mail.ref?.startsWith("invoice:")) {
      const number = mail.ref.slice("invoice:".length);
      const row = await db
        .selectFrom("invoices")
        .select("id")
        .where("invoice_number", "=", number)
        .executeTakeFirst();
      if (!row) return null;
      const stored = await archivedInvoicePdf(db, {
        id: row.id,
        tenant: { kind: "provider" },
        at: now(),
      });
      return stored?.pdf ?? null;
    }
    return null;
  };
}
