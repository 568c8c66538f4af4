// A credit note (適格返還請求書) returns part or all of an issued invoice's lines (T-27-4:
// corrections are credit notes, never edits). Each returned amount is positive and at most what
// is left of its line after earlier credit notes; the tax is taken once per credit note on the
// sum of its 10 % amounts, like an invoice's (T-28, T-31).
import { summarizeTax, type TaxCategory, type TaxSummary } from "./tax";
import { formatYen } from "../lib/format";
import { toYen, type Yen } from "../lib/money";
import { invalid, invalidField, ok, type Result } from "../lib/result";
import { sumYen } from "../lib/yen";

export interface CreditableLine {
  invoiceLineId: number;
  description: string;
  rule: string;
  taxCategory: TaxCategory;
  amountYen: number;
  alreadyCreditedYen: number;
}

export interface CreditNoteLineDraft {
  invoiceLineId: number;
  description: string;
  rule: string;
  taxCategory: TaxCategory;
  amountYen: Yen;
}

export interface CreditNoteDraftValue {
  lines: CreditNoteLineDraft[];
  totals: TaxSummary & { totalYen: Yen };
}

/** The draft, or a validation failure keyed by `line-<id>` (or `_form`). */
export type CreditNoteDraft = Result<CreditNoteDraftValue>;

/** What can still be returned of a line: its amount less earlier credits; credit lines (negative) nothing. */
export function creditableYen(line: CreditableLine): Yen {
  return toYen(Math.max(0, line.amountYen - line.alreadyCreditedYen));
}

export function draftCreditNote(
  lines: readonly CreditableLine[],
  requested: ReadonlyMap<number, number>,
): CreditNoteDraft {
  const errors: Record<string, string> = {};
  const drafts: CreditNoteLineDraft[] = [];
  for (const line of lines) {
    const amount = requested.get(line.invoiceLineId);
    if (amount === undefined || amount === 0) continue;
    const limit = creditableYen(line);
    if (!Number.isSafeInteger(amount) || amount < 0)
      errors[`line-${line.invoiceLineId}`] = "返還額は1円以上の整数で入力してください";
    else if (amount > limit)
      errors[`line-${line.invoiceLineId}`] = `返還できるのは ${formatYen(limit)} までです`;
    else
      drafts.push({
        invoiceLineId: line.invoiceLineId,
        description: line.description,
        rule: line.rule,
        taxCategory: line.taxCategory,
        amountYen: toYen(amount),
      });
  }
  for (const id of requested.keys()) {
    if (!lines.some((l) => l.invoiceLineId === id))
      errors[`line-${id}`] = "この請求書の明細ではありません";
  }
  if (Object.keys(errors).length > 0) return invalid(errors);
  if (drafts.length === 0)
    return invalidField("_form", "返還する明細と金額を1つ以上入力してください");
  const tax = summarizeTax(drafts);
  return ok({
    lines: drafts,
    totals: { ...tax, totalYen: sumYen([tax.taxable10Yen, tax.tax10Yen, tax.nonTaxableYen]) },
  });
}

export function creditNoteNumber(seq: number): string {
  return `CN-${String(seq).padStart(8, "0")}`;
}
