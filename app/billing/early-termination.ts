// Termination date (T-20) and the early-termination fee of the base plan (S4 note ※1 as read in
// docs/rules/terms.md "Early termination, minimum term, auto-renewal"), for a termination and for a
// downgrade of the base plan. Endpoint and gateway fees carry no termination fee (docs/rules/terms.md
// interpretation of 「対象サービス」), so only base-plan prices come in here.
import { maxDate, monthOf, monthsBetween, type IsoDate, type YearMonth } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { chargedMonthCount, lastChargedMonth } from "./charged-months";

/** Rule id written on ETF invoice lines: note ※1 of 別紙 4 (S4). */
export const ETF_RULE = "S4※1";

/**
 * Who ended the contract. `provider_fault`: the provider terminated for the customer's fault
 * (T-17, T-21(1)(3), T-22) — the fee applies. `provider_service_end`: the provider ended the
 * service itself (T-19, T-21(2)) — no fee.
 */
export type TerminatedBy = "customer" | "provider_fault" | "provider_service_end";

/** T-20: the wished date, or the confirmation day when that is later. */
export function terminationDate(wished: IsoDate, confirmedOn: IsoDate): IsoDate {
  return maxDate(wished, confirmedOn);
}

/** Whether a termination by this party can carry an ETF (T-19, T-21(2): not when the provider ends the service). */
export function chargesEarlyTerminationFee(terminatedBy: TerminatedBy): boolean {
  return terminatedBy !== "provider_service_end";
}

/** `remaining = 12·ceil(B/12) − B` with B at least 1: 0 when B is a multiple of 12. */
export function remainingMonths(chargedMonths: number): number {
  const b = Math.max(1, chargedMonths);
  return 12 * Math.ceil(b / 12) - b;
}

export interface EarlyTerminationFee {
  terminationDate: IsoDate;
  /** B: months charged over the contract's life (T-24-1). */
  chargedMonths: number;
  remainingMonths: number;
  /** The month whose base-plan price sets the fee. */
  lastChargedMonth: YearMonth;
  /** 0 when B is a multiple of 12 or the provider ended the service (then no line is made). */
  etfYen: Yen;
}

/**
 * ETF of a termination = base-plan price in the last charged month × remaining months.
 * `basePlanPriceYen` is that price: ask `lastChargedMonth(serviceStart, terminationDate)` for the
 * month, then the plan and tariff of that month.
 */
export function earlyTerminationFee(input: {
  serviceStart: IsoDate;
  terminationDate: IsoDate;
  basePlanPriceYen: number;
  terminatedBy: TerminatedBy;
}): EarlyTerminationFee {
  const b = chargedMonthCount(input.serviceStart, input.terminationDate);
  const remaining = remainingMonths(b);
  const etfYen = toYen(
    chargesEarlyTerminationFee(input.terminatedBy) ? input.basePlanPriceYen * remaining : 0,
  );
  return {
    terminationDate: input.terminationDate,
    chargedMonths: b,
    remainingMonths: remaining,
    lastChargedMonth: lastChargedMonth(input.serviceStart, input.terminationDate),
    etfYen,
  };
}

export interface DowngradeFee {
  /** B: months charged up to the month before the change (0 for a change in the start month). */
  chargedMonths: number;
  remainingMonths: number;
  etfYen: Yen;
}

/**
 * Downgrade of the base plan (①→② cheaper) counts as early termination of the old plan:
 * old plan's full monthly fee × remaining months, B = months charged up to the month before the
 * change; a change in the start month (B = 0) leaves 12 months. The line goes on the invoice of
 * the month of the change. Whether the change is a downgrade is the caller's question
 * (`isCheaperPlan` in tariff.ts); upgrades cost nothing.
 */
export function downgradeFee(input: {
  serviceStart: IsoDate;
  changeDate: IsoDate;
  oldPlanPriceYen: number;
}): DowngradeFee {
  const b = Math.max(0, monthsBetween(monthOf(input.serviceStart), monthOf(input.changeDate)));
  const remaining = b === 0 ? 12 : remainingMonths(b);
  return {
    chargedMonths: b,
    remainingMonths: remaining,
    etfYen: toYen(input.oldPlanPriceYen * remaining),
  };
}
