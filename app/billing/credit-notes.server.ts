// Issuing and reading credit notes. The original invoice is never touched: a credit note refers
// to it, carries its own gap-free number, and is immutable once written (trigger-enforced).
import type { Kysely, Transaction } from "kysely";
import { writeTransaction } from "../../db/write-transaction";
import type { Database } from "../../db/schema";
import { liftPaidUpSuspensions } from "../contracts/suspensions.server";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { instantOf, jstDate } from "../lib/jst";
import {
  creditNoteNumber,
  draftCreditNote,
  type CreditableLine,
  type CreditNoteDraft,
} from "./credit-note";
import { formatYen } from "../lib/format";
import { notFoundFailure, ok, type Result } from "../lib/result";

/** The invoice's lines with what earlier credit notes already returned of each. */
export async function creditableLines(
  db: Kysely<Database> | Transaction<Database>,
  invoiceId: number,
): Promise<CreditableLine[]> {
  const rows = await db
    .selectFrom("invoice_lines")
    .leftJoin("credit_note_lines", "credit_note_lines.invoice_line_id", "invoice_lines.id")
    .select((eb) => [
      "invoice_lines.id",
      "invoice_lines.description",
      "invoice_lines.rule",
      "invoice_lines.tax_category",
      "invoice_lines.amount_yen",
      eb.fn.coalesce(eb.fn.sum<number>("credit_note_lines.amount_yen"), eb.val(0)).as("credited"),
    ])
    .where("invoice_lines.invoice_id", "=", invoiceId)
    .groupBy("invoice_lines.id")
    .orderBy("invoice_lines.position")
    .execute();
  return rows.map((r) => ({
    invoiceLineId: r.id,
    description: r.description,
    rule: r.rule,
    taxCategory: r.tax_category,
    amountYen: r.amount_yen,
    alreadyCreditedYen: Number(r.credited),
  }));
}

/**
 * What a credit note with these amounts would be (its lines and totals), for the confirmation
 * before issuing; writes nothing. Not found when the invoice is not the tenant's.
 */
export async function previewCreditNote(
  db: Kysely<Database>,
  params: { invoiceId: number; tenant: Tenant; amounts: ReadonlyMap<number, number> },
): Promise<CreditNoteDraft> {
  const invoice = await db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select("invoices.id")
    .where("invoices.id", "=", params.invoiceId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!invoice) return notFoundFailure();
  return draftCreditNote(await creditableLines(db, invoice.id), params.amounts);
}

export async function issueCreditNote(
  db: Kysely<Database>,
  params: {
    invoiceId: number;
    tenant: Tenant;
    amounts: ReadonlyMap<number, number>;
    reason: string;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result<{ id: number; number: string }>> {
  const invoice = await db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["invoices.id", "invoices.invoice_number", "invoices.contract_id"])
    .where("invoices.id", "=", params.invoiceId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!invoice) return notFoundFailure();
  const at = now();
  // A write transaction (BEGIN IMMEDIATE on SQLite, the advisory lock on PostgreSQL): two finance
  // users crediting at once are serialised, so neither returns the same amount twice nor takes
  // the same number (PostgreSQL's READ COMMITTED would let both read the same state).
  const result = await writeTransaction(db, async (trx) => {
    // Read what is creditable inside the transaction, so two finance users cannot both return the same amount.
    const drafted = draftCreditNote(await creditableLines(trx, invoice.id), params.amounts);
    if (!drafted.ok) return drafted;
    const draft = drafted.value;
    const last = await trx
      .selectFrom("credit_notes")
      .select((eb) => eb.fn.max("seq").as("seq"))
      .executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    const number = creditNoteNumber(seq);
    const { id } = await trx
      .insertInto("credit_notes")
      .values({
        seq,
        credit_note_number: number,
        invoice_id: invoice.id,
        issue_date: jstDate(at),
        reason: params.reason,
        taxable_10_yen: draft.totals.taxable10Yen,
        tax_10_yen: draft.totals.tax10Yen,
        non_taxable_yen: draft.totals.nonTaxableYen,
        total_yen: draft.totals.totalYen,
        line_count: draft.lines.length,
        issued_at: instantOf(at),
        issued_by: params.actor.email ?? "",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("credit_note_lines")
      .values(
        draft.lines.map((l, i) => ({
          credit_note_id: id,
          position: i + 1,
          invoice_line_id: l.invoiceLineId,
          description: l.description,
          rule: l.rule,
          amount_yen: l.amountYen,
          tax_category: l.taxCategory,
        })),
      )
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "credit_note.issue",
      entity: "invoice",
      entityId: invoice.invoice_number,
      summary: `${invoice.invoice_number} に返還請求書 ${number}（${formatYen(draft.totals.totalYen)}）を発行: ${params.reason}`,
      ip: params.ip,
    });
    return ok({ id, number });
  });
  // T-17: a credit note may settle what was overdue, as a payment does.
  if (result.ok)
    await liftPaidUpSuspensions(db, invoice.contract_id, jstDate(at), at, params.actor);
  return result;
}

export async function listCreditNotesOfInvoice(db: Kysely<Database>, invoiceId: number) {
  return db
    .selectFrom("credit_notes")
    .selectAll()
    .where("invoice_id", "=", invoiceId)
    .orderBy("seq")
    .execute();
}

export async function getCreditNote(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  const note = await db
    .selectFrom("credit_notes")
    .innerJoin("invoices", "invoices.id", "credit_notes.invoice_id")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .selectAll("credit_notes")
    .select([
      "invoices.invoice_number",
      "invoices.recipient_name",
      "invoices.recipient_address",
      "invoices.billing_month",
      "contracts.ref as contract_ref",
      "contracts.line_id",
    ])
    .where("credit_notes.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!note) return null;
  const lines = await db
    .selectFrom("credit_note_lines")
    .selectAll()
    .where("credit_note_id", "=", note.id)
    .orderBy("position")
    .execute();
  return { note, lines };
}
