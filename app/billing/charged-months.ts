// Which billing months carry monthly fees: T-24-1 and T-27-2 for the contract, and the item-line
// rule of docs/rules/terms.md ("Items added or removed during the contract", an interpretation) for each
// endpoint / gateway / option line.
import {
  addMonths,
  monthOf,
  monthRange,
  monthsBetween,
  type IsoDate,
  type YearMonth,
} from "../lib/jst";

/**
 * T-24-1 / T-27-2: the months charged run from the start month (in full, T-27-2(1)) through the
 * month before the termination month (T-27-2(2)); start and termination in the same month → that
 * one month. `terminationDate` null = not terminated: every month from the start month on.
 */
export function isMonthCharged(
  serviceStart: IsoDate,
  terminationDate: IsoDate | null,
  month: YearMonth,
): boolean {
  const first = monthOf(serviceStart);
  if (month < first) return false;
  if (terminationDate === null) return true;
  return month <= lastChargedMonth(serviceStart, terminationDate);
}

/**
 * T-24-1: the last month charged for a terminated contract — the month before the termination
 * month, or the start month when both are the same month (a termination dated before the start
 * month is invalid input; it is also answered with the start month).
 */
export function lastChargedMonth(serviceStart: IsoDate, terminationDate: IsoDate): YearMonth {
  const first = monthOf(serviceStart);
  const beforeTermination = addMonths(monthOf(terminationDate), -1);
  return beforeTermination < first ? first : beforeTermination;
}

/** T-24-1: B, the number of months charged over a terminated contract's life (at least 1). */
export function chargedMonthCount(serviceStart: IsoDate, terminationDate: IsoDate): number {
  return monthsBetween(monthOf(serviceStart), lastChargedMonth(serviceStart, terminationDate)) + 1;
}

/**
 * The charged months, in order. For a contract not terminated, `through` bounds the list
 * (inclusive); without it the list would never end, so it is then required.
 */
export function chargedMonths(
  serviceStart: IsoDate,
  terminationDate: IsoDate | null,
  through?: YearMonth,
): YearMonth[] {
  let last: YearMonth;
  if (terminationDate !== null) {
    last = lastChargedMonth(serviceStart, terminationDate);
    if (through !== undefined && through < last) last = through;
  } else if (through !== undefined) {
    last = through;
  } else {
    throw new RangeError("chargedMonths: a contract without termination needs `through`");
  }
  return monthRange(monthOf(serviceStart), last);
}

/** An item line's dates: `to` = the day it was removed; null/absent = still on. */
export interface ItemPeriod {
  from: IsoDate;
  to?: IsoDate | null;
}

/**
 * Item-line rule (interpretation in docs/rules/terms.md under T-24-1): a line added on any day of month m is
 * charged for m; a line removed on any day of m is not charged for m; added and removed in the
 * same month → that month is charged. The contract rule wins: the line is charged only in months
 * the contract itself is charged (never the contract's termination month).
 */
export function isItemMonthCharged(
  item: ItemPeriod,
  serviceStart: IsoDate,
  terminationDate: IsoDate | null,
  month: YearMonth,
): boolean {
  if (!isMonthCharged(serviceStart, terminationDate, month)) return false;
  const added = monthOf(item.from);
  if (month < added) return false;
  if (item.to === null || item.to === undefined) return true;
  const removed = monthOf(item.to);
  if (removed < added) return false; // removed before added: invalid input, never charged
  if (removed === added) return month === added;
  return month < removed;
}

/**
 * Whether an item is on the contract on a given day (for the free visit of S2: "has the gateway
 * service on the visit date"): from its `from` day up to, not including, its `to` day.
 */
export function isItemPresentOn(item: ItemPeriod, date: IsoDate): boolean {
  return item.from <= date && (item.to === null || item.to === undefined || date < item.to);
}
