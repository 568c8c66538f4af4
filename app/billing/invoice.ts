// The invoice of a billing month (T-27-1): issued on the 1st of M+1, due on the last day of M+1
// (a provider setting: overridable); zero-amount lines make no line and a month without lines
// makes no invoice; totals per tax category with the tax taken once per invoice (T-28, T-31,
// see tax.ts). Every line names the rule and tariff version that produced it (spec README).
import { addMonths, firstDayOf, lastDayOf, type IsoDate, type YearMonth } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { sumYen } from "../lib/yen";
import { summarizeTax, type TaxCategory, type TaxSummary } from "./tax";

export type { TaxCategory } from "./tax";

export interface InvoiceLine {
  /** Tariff code (`base.standard`, `endpoint`, `visit.os_recovery`, …) or a line kind (`credit.outage.gateway`, `etf.termination`, `interest.late`, `manual`). */
  code: string;
  /** Rule id from docs/rules/terms.md (`T-24-1`, `T-24-2`, `S5`, `S6`, `S4※1`, `T-26`, …). */
  rule: string;
  /** effectiveFrom of the tariff version that priced it; null for manual and interest lines. */
  tariffVersion: IsoDate | null;
  /** Japanese text printed on the invoice. */
  description: string;
  quantity: number;
  unitPriceYen: Yen;
  /** Signed integer yen; credits are negative. */
  amountYen: Yen;
  taxCategory: TaxCategory;
}

export const LATE_INTEREST_CODE = "interest.late";

export interface InvoiceTotals extends TaxSummary {
  /** taxable + tax + non-taxable. */
  totalYen: Yen;
}

export interface InvoiceDraft {
  billingMonth: YearMonth;
  issueDate: IsoDate;
  dueDate: IsoDate;
  lines: InvoiceLine[];
  totals: InvoiceTotals;
}

export interface InvoiceOptions {
  /** Provider setting (billing-settings.ts); default the last day of M+1 (T-27-1). */
  dueDate?: IsoDate;
  /** T-26-3: leave interest unbilled when it would be the invoice's only line (default false). */
  leaveInterestOnlyUnbilled?: boolean;
}

/** T-27-1: the 1st of the month after the billing month. */
export function invoiceIssueDate(month: YearMonth): IsoDate {
  return firstDayOf(addMonths(month, 1));
}

/** T-27-1: the last day of the month after the billing month. */
export function invoiceDueDate(month: YearMonth): IsoDate {
  return lastDayOf(addMonths(month, 1));
}

/** T-27-1: a zero amount makes no line. */
export function dropZeroLines(lines: readonly InvoiceLine[]): InvoiceLine[] {
  return lines.filter((line) => line.amountYen !== 0);
}

export function invoiceTotals(lines: readonly InvoiceLine[]): InvoiceTotals {
  // Fields named rather than spread: this runs once per invoice of a billing run.
  const { taxable10Yen, tax10Yen, nonTaxableYen } = summarizeTax(lines);
  return {
    taxable10Yen,
    tax10Yen,
    nonTaxableYen,
    totalYen: sumYen([taxable10Yen, tax10Yen, nonTaxableYen]),
  };
}

/** The invoice of month M from its lines; null when no line is left (T-27-1) or, by setting, only interest is (T-26-3). */
export function draftInvoice(
  month: YearMonth,
  lines: readonly InvoiceLine[],
  options: InvoiceOptions = {},
): InvoiceDraft | null {
  const kept = dropZeroLines(lines);
  if (kept.length === 0) return null;
  if (options.leaveInterestOnlyUnbilled && kept.every((line) => line.code === LATE_INTEREST_CODE))
    return null;
  return {
    billingMonth: month,
    issueDate: invoiceIssueDate(month),
    dueDate: options.dueDate ?? invoiceDueDate(month),
    lines: kept,
    totals: invoiceTotals(kept),
  };
}

/** T-26: the principal that bears interest — the total including tax less the interest lines. */
export function interestBearingPrincipal(invoice: {
  lines: readonly InvoiceLine[];
  totals: InvoiceTotals;
}): Yen {
  return toYen(
    invoice.totals.totalYen -
      sumYen(invoice.lines.filter((l) => l.code === LATE_INTEREST_CODE).map((l) => l.amountYen)),
  );
}
