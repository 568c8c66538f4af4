// S1-4⑤ log retention: the events behind the monthly threat reports are kept 6 months; older
// events are purged, and a report period cannot start before the retention window. Pure
// calendar rules in Japan time; the purge itself is retention.server.ts.
import {
  addMonths,
  daysInMonth,
  isoDate,
  type IsoDate,
  jstDate,
  jstInstant,
  monthOf,
} from "../lib/jst";

/** S1-4⑤: how long security events are kept. */
export const RETENTION_MONTHS = 6;

/**
 * S1-4⑤: the first day of the retention window for a JST date — the same day 6 months
 * earlier, or that month's last day when it is shorter (2026-11-22 → 2026-05-22,
 * 2026-08-31 → 2026-02-28). Events detected on or after 00:00 JST of that day are kept.
 */
export function retentionStartDate(today: IsoDate): IsoDate {
  const month = addMonths(monthOf(today), -RETENTION_MONTHS);
  const day = Math.min(Number(today.slice(8, 10)), daysInMonth(month));
  return isoDate(`${month}-${String(day).padStart(2, "0")}`);
}

/** S1-4⑤: the retention window's first day for the instant `now` (its date in Japan). */
export function retentionStart(now: Date): IsoDate {
  return retentionStartDate(jstDate(now));
}

/** S1-4⑤: the instant before which an event is expired: 00:00 JST of `retentionStart(now)`. */
export function retentionCutoff(now: Date): Date {
  return jstInstant(retentionStart(now));
}

/** S1-4⑤: whether an event detected at `detectedAt` is still kept at `now`. */
export function isRetained(detectedAt: Date, now: Date): boolean {
  return detectedAt.getTime() >= retentionCutoff(now).getTime();
}
