// Contract years, renewal months and the renewal reminder (S4 note ※1 as read in docs/rules/terms.md,
// "Early termination, minimum term, auto-renewal"): year 1 is the 12 billing months starting
// with the start month; the renewal month (契約更新月) is month 13, 25, … counting the start
// month as 1; a termination dated in a renewal month costs no fee; the console reminds 60 days
// before each renewal month begins.
import {
  addDays,
  addMonths,
  firstDayOf,
  monthOf,
  monthsBetween,
  type IsoDate,
  type YearMonth,
} from "../lib/jst";

/** Days before the first day of a renewal month when the reminder goes out. */
export const RENEWAL_REMINDER_DAYS = 60;

/** Month number in the contract, the start month being 1 (0 or less before the start month). */
export function contractMonthNumber(serviceStart: IsoDate, month: YearMonth): number {
  return monthsBetween(monthOf(serviceStart), month) + 1;
}

/** Contract year of a month: 1 for the start month and the 11 after it, 2 for the next 12, … */
export function contractYearOf(serviceStart: IsoDate, month: YearMonth): number {
  return Math.floor((contractMonthNumber(serviceStart, month) - 1) / 12) + 1;
}

/** The first month of a contract year. */
export function contractYearStart(serviceStart: IsoDate, year: number): YearMonth {
  return addMonths(monthOf(serviceStart), 12 * (year - 1));
}

/** Month 13, 25, 37, … counting the start month as 1. */
export function isRenewalMonth(serviceStart: IsoDate, month: YearMonth): boolean {
  const n = contractMonthNumber(serviceStart, month);
  return n >= 13 && (n - 1) % 12 === 0;
}

/** The first renewal month that is `month` or later. */
export function renewalMonthOnOrAfter(serviceStart: IsoDate, month: YearMonth): YearMonth {
  const n = contractMonthNumber(serviceStart, month);
  const years = Math.max(1, Math.ceil((n - 1) / 12));
  return addMonths(monthOf(serviceStart), 12 * years);
}

/**
 * The nearest fee-free termination date on or after the wished date (the cancellation quote):
 * the wished date itself when it falls in a renewal month, otherwise the first day of the next
 * renewal month.
 */
export function feeFreeDate(serviceStart: IsoDate, wished: IsoDate): IsoDate {
  const month = monthOf(wished);
  return isRenewalMonth(serviceStart, month)
    ? wished
    : firstDayOf(renewalMonthOnOrAfter(serviceStart, month));
}

/** The reminder date of a renewal month: 60 days before its first day. */
export function renewalReminderDate(renewalMonth: YearMonth): IsoDate {
  return addDays(firstDayOf(renewalMonth), -RENEWAL_REMINDER_DAYS);
}

/**
 * The next renewal month that has not begun on `today`, and the day its reminder is (or was)
 * due. A reminder date earlier than `today` means the reminder is overdue.
 */
export function upcomingRenewal(
  serviceStart: IsoDate,
  today: IsoDate,
): { renewalMonth: YearMonth; reminderDate: IsoDate } {
  const renewalMonth = renewalMonthOnOrAfter(serviceStart, addMonths(monthOf(today), 1));
  return { renewalMonth, reminderDate: renewalReminderDate(renewalMonth) };
}
