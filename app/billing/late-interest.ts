// T-26 late interest, with the interpretation in docs/rules/terms.md: 14.5 % a year counted on 365 days even
// in leap years, from the day after the due date to the day before payment; an amount paid within
// 15 days after the due date (the day after it being day 1) bears none; the principal is the
// invoice total including tax less the interest lines on it (interest bears no interest);
// payments pay principal first; each amount paid after the 15 days bears interest for its whole
// period; the sum over the invoice is floored once (T-28) and billed on the invoice of the month
// in which the invoice was finally paid.
import { addDays, daysBetween, monthOf, type IsoDate, type YearMonth } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { applyRate } from "../lib/yen";

/** 14.5 % a year on 365 days: amount × days × 145 ÷ 365,000 (exact integer arithmetic). */
export const LATE_INTEREST_RATE = { numerator: 145, denominator: 365_000 } as const;
/** Days after the due date within which a payment bears no interest. */
export const INTEREST_GRACE_DAYS = 15;

export interface InterestBearingInvoice {
  /** Invoice total including tax, less the interest lines on it. */
  principalYen: number;
  dueDate: IsoDate;
}

/**
 * The principal of an issued invoice: what is owed on it (its total less credit notes) less the
 * interest lines still standing on it — their amount less what credit notes returned of them, so
 * returned interest is not taken off twice.
 */
export function issuedInvoicePrincipal(invoice: {
  owedYen: number;
  interestYen: number;
  creditedInterestYen: number;
}): Yen {
  return toYen(invoice.owedYen - (invoice.interestYen - invoice.creditedInterestYen));
}

export interface InvoicePayment {
  paidOn: IsoDate;
  /** null = pays what is left of the invoice in full. */
  amountYen: number | null;
}

/**
 * Interest days of an amount paid on `paidOn`: from the day after the due date to the day before
 * payment; 0 when paid within the 15-day grace (by due date + 15).
 */
export function interestDays(dueDate: IsoDate, paidOn: IsoDate): number {
  if (paidOn <= addDays(dueDate, INTEREST_GRACE_DAYS)) return 0;
  return daysBetween(dueDate, paidOn) - 1;
}

export interface InterestPortion {
  paidOn: IsoDate;
  /** The part of the payment that paid principal. */
  principalYen: number;
  days: number;
}

export interface LateInterest {
  /** floor(Σ principal paid × days × 0.145 ÷ 365), once per invoice. */
  interestYen: Yen;
  portions: InterestPortion[];
  outstandingPrincipalYen: Yen;
  /** The payment that cleared the principal; null while some is unpaid. */
  finalPaymentDate: IsoDate | null;
  /** The month whose invoice carries the interest (month of the final payment); null while unpaid. */
  billingMonth: YearMonth | null;
}

function sortedPayments(payments: readonly InvoicePayment[]): InvoicePayment[] {
  return [...payments].sort((a, b) => (a.paidOn < b.paidOn ? -1 : a.paidOn > b.paidOn ? 1 : 0));
}

/** Splits payments into principal portions, in date order (payments pay principal first). */
function principalPortions(
  invoice: InterestBearingInvoice,
  payments: readonly InvoicePayment[],
): { portions: InterestPortion[]; outstanding: number; finalPaymentDate: IsoDate | null } {
  let outstanding = invoice.principalYen;
  let finalPaymentDate: IsoDate | null = null;
  const portions: InterestPortion[] = [];
  for (const payment of sortedPayments(payments)) {
    if (outstanding <= 0) break;
    const principalYen = Math.min(outstanding, payment.amountYen ?? outstanding);
    if (principalYen <= 0) continue;
    outstanding -= principalYen;
    portions.push({
      paidOn: payment.paidOn,
      principalYen,
      days: interestDays(invoice.dueDate, payment.paidOn),
    });
    if (outstanding === 0) finalPaymentDate = payment.paidOn;
  }
  return { portions, outstanding, finalPaymentDate };
}

function interestOn(portions: readonly { principalYen: number; days: number }[]): Yen {
  const yenDays = portions.reduce((sum, p) => sum + p.principalYen * p.days, 0);
  return applyRate(yenDays, LATE_INTEREST_RATE.numerator, LATE_INTEREST_RATE.denominator);
}

/** T-26 interest of one invoice from its payments. */
export function lateInterest(
  invoice: InterestBearingInvoice,
  payments: readonly InvoicePayment[],
): LateInterest {
  const { portions, outstanding, finalPaymentDate } = principalPortions(invoice, payments);
  return {
    interestYen: interestOn(portions),
    portions,
    outstandingPrincipalYen: toYen(outstanding),
    finalPaymentDate,
    billingMonth: finalPaymentDate === null ? null : monthOf(finalPaymentDate),
  };
}

/**
 * Interest accrued on an invoice as of `asOf` (for an overdue list): the interest of the payments
 * made by `asOf`, plus what the unpaid principal would bear if it were paid on `asOf` (interest
 * through the day before), floored once. 0 within the grace.
 */
export function accruedInterest(
  invoice: InterestBearingInvoice,
  payments: readonly InvoicePayment[],
  asOf: IsoDate,
): Yen {
  const { portions, outstanding } = principalPortions(
    invoice,
    payments.filter((p) => p.paidOn <= asOf),
  );
  const unpaid =
    outstanding > 0
      ? [{ principalYen: outstanding, days: interestDays(invoice.dueDate, asOf) }]
      : [];
  return interestOn([...portions, ...unpaid]);
}
