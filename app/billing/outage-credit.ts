// T-24-2(2) outage credit (with the interpretation in docs/rules/terms.md): for each full 24 hours a service
// was completely unusable, counted from when the provider learned of it, one day's share of that
// service's monthly fee is not charged. Each 24-hour block belongs to the month (JST) in which
// it starts; per outage, per service, per month: floor(fee × days ÷ daysInMonth) (T-28); the
// sum for a service in a month never exceeds its fee for that month. No credit for a
// customer-caused outage, nor for one shorter than 24 hours.
import { daysInMonth, jstDate, monthOf, parseInstant, type YearMonth } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { sumYen, truncDiv } from "../lib/yen";

export type OutageService = "base" | "endpoint" | "gateway" | "sandbox";
export const OUTAGE_SERVICES: readonly OutageService[] = ["base", "endpoint", "gateway", "sandbox"];

export interface Outage {
  services: readonly OutageService[];
  /** ISO 8601 with offset: when the provider learned of the outage (the count starts here). */
  knownAt: string;
  /** ISO 8601 with offset; null while the service is still down (no credit yet). */
  restoredAt: string | null;
  customerFault: boolean;
}

const BLOCK_MS = 24 * 60 * 60 * 1000;

function instant(value: string, field: string): Date {
  const t = parseInstant(value);
  if (!t) throw new RangeError(`outage ${field}: not an ISO 8601 instant with offset: "${value}"`);
  return t;
}

/**
 * The full 24-hour blocks of an outage grouped by the JST month each block starts in, in
 * order: 73 h from 2024-07-30 20:00 → [{2024-07, 2}, {2024-08, 1}].
 */
export function outageBlockDays(
  knownAt: string,
  restoredAt: string,
): { month: YearMonth; days: number }[] {
  const start = instant(knownAt, "knownAt").getTime();
  const end = instant(restoredAt, "restoredAt").getTime();
  const blocks = Math.max(0, Math.floor((end - start) / BLOCK_MS));
  const byMonth: { month: YearMonth; days: number }[] = [];
  for (let i = 0; i < blocks; i++) {
    const month = monthOf(jstDate(new Date(start + i * BLOCK_MS)));
    const last = byMonth[byMonth.length - 1];
    if (last && last.month === month) last.days += 1;
    else byMonth.push({ month, days: 1 });
  }
  return byMonth;
}

/** Credited days of one outage in a month: 0 when customer-caused or not yet restored. */
export function outageDaysInMonth(outage: Outage, month: YearMonth): number {
  if (outage.customerFault || outage.restoredAt === null) return 0;
  return (
    outageBlockDays(outage.knownAt, outage.restoredAt).find((b) => b.month === month)?.days ?? 0
  );
}

/** One outage's credit for one service: floor(fee × days ÷ daysInMonth), at most the fee (positive yen). */
export function dailyShareCredit(feeYen: number, days: number, month: YearMonth): Yen {
  if (feeYen <= 0 || days <= 0) return toYen(0);
  return toYen(Math.min(feeYen, truncDiv(feeYen * days, daysInMonth(month))));
}

export interface OutageCredit {
  service: OutageService;
  /** Credited days of all outages of the month for this service. */
  days: number;
  /** The service's fee for the month that the credit was computed from. */
  feeYen: number;
  /** Positive; the invoice line carries it with a minus sign (T-28). */
  creditYen: Yen;
}

/**
 * Credits of a month, one per service that has one: each outage's credit computed on its own
 * and summed, the sum capped at the service's fee. `feeYen[service]` is that service's charged
 * fee in the month (base plan; sum of the charged endpoint / gateway / sandbox lines).
 */
export function outageCreditsForMonth(
  outages: readonly Outage[],
  month: YearMonth,
  feeYen: Partial<Record<OutageService, number>>,
): OutageCredit[] {
  const credits: OutageCredit[] = [];
  for (const service of OUTAGE_SERVICES) {
    const fee = feeYen[service] ?? 0;
    if (fee <= 0) continue;
    const perOutage = outages
      .filter((o) => o.services.includes(service))
      .map((o) => outageDaysInMonth(o, month))
      .filter((days) => days > 0);
    if (perOutage.length === 0) continue;
    const creditYen = toYen(
      Math.min(fee, sumYen(perOutage.map((days) => dailyShareCredit(fee, days, month)))),
    );
    const days = perOutage.reduce((a, b) => a + b, 0);
    if (creditYen > 0) credits.push({ service, days, feeYen: fee, creditYen });
  }
  return credits;
}
