// What the credit notes of an invoice returned, as expressions over `invoices` for any query that
// reads invoices (owed = total less credit notes, T-27-4; the T-26 principal leaves out only the
// interest still standing).
import { expressionBuilder } from "kysely";
import type { Database } from "../../db/schema";
import { toYen, type Yen } from "../lib/money";

const eb = expressionBuilder<Database, "invoices">();

/** The yen returned by the invoice's credit notes, tax included (0 without any). */
export function creditedYenOfInvoice() {
  return eb.fn.coalesce(
    eb
      .selectFrom("credit_notes")
      .select((e) => e.fn.sum<Yen>("credit_notes.total_yen").as("c"))
      .whereRef("credit_notes.invoice_id", "=", "invoices.id"),
    eb.val(toYen(0)),
  );
}

/** The late interest (T-26 lines) the invoice's credit notes returned (0 without any). */
export function creditedInterestYenOfInvoice() {
  return eb.fn.coalesce(
    eb
      .selectFrom("credit_note_lines")
      .innerJoin("credit_notes", "credit_notes.id", "credit_note_lines.credit_note_id")
      .select((e) => e.fn.sum<Yen>("credit_note_lines.amount_yen").as("i"))
      .whereRef("credit_notes.invoice_id", "=", "invoices.id")
      .where("credit_note_lines.rule", "=", "T-26"),
    eb.val(toYen(0)),
  );
}

/**
 * The yen paid against the invoice's contract and month (0 without any). A payment without an
 * amount counts as paying everything, so such an invoice never reads as owed.
 */
export function paidYenOfInvoice() {
  return eb.fn.coalesce(
    eb
      .selectFrom("payments")
      .select((e) =>
        e.fn.sum<number>(e.fn.coalesce("payments.amount_yen", eb.val(1_000_000_000_000))).as("p"),
      )
      .whereRef("payments.contract_id", "=", "invoices.contract_id")
      .whereRef("payments.billing_month", "=", "invoices.billing_month"),
    eb.val(0),
  );
}
