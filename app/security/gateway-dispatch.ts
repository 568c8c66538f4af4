// S1-4④ Gateway failure replacement (on-site): the earliest time a technician can be
// dispatched for a reported gateway failure.
//   - Standard: 09:00–17:00 every day of the year (「年中無休」: weekends, national holidays
//     and the year-end holidays included).
//   - With the 24-hour repair option: any time, so at once.
//   - A 10-client gateway (gw10) in the east area: weekdays only (Mon–Fri, not national
//     holidays, not 12/29–1/3), 09:00–17:00, with or without the option.
// Interpretation: the service hours are the half-open window 09:00 ≤ t < 17:00, as for
// the phone window of S1-4①; a failure reported at 17:00 sharp is served from the next
// service day's 09:00, one reported at 16:59 at once. The result is a lower bound: the
// terms add that a visit may come on the next business day or later (「翌営業日以降に
// お伺いする場合があります」), which depends on staffing the console does not know.
import {
  dayOfWeek,
  isNationalHoliday,
  isYearEndHoliday,
  nextInstantInWindow,
  type DailyWindow,
} from "../lib/jst";

export type Area = "east" | "west";
export type GatewayModel = "gw10" | "gw50" | "gw100";

export interface GatewayFailure {
  reportedAt: Date;
  area: Area;
  model: GatewayModel;
  /** The 24-hour on-site repair option (docs/rules/import-format.md: `repair24h`, default true). */
  repair24h: boolean;
}

/** S1-4④ standard hours: 09:00–17:00, 365 days. */
export const DISPATCH_WINDOW_EVERY_DAY: DailyWindow = {
  opens: "09:00",
  closes: "17:00",
  isOpenDay: () => true,
};

/** S1-4④ east-area gw10 hours: weekdays 09:00–17:00, no national or year-end holidays. */
export const DISPATCH_WINDOW_EAST_GW10: DailyWindow = {
  opens: "09:00",
  closes: "17:00",
  isOpenDay: (date) => {
    const dow = dayOfWeek(date);
    return dow >= 1 && dow <= 5 && !isNationalHoliday(date) && !isYearEndHoliday(date);
  },
};

/** S1-4④: the service hours that apply to a gateway, or null when it is served any time. */
export function dispatchWindow(
  failure: Pick<GatewayFailure, "area" | "model" | "repair24h">,
): DailyWindow | null {
  if (failure.area === "east" && failure.model === "gw10") return DISPATCH_WINDOW_EAST_GW10;
  if (failure.repair24h) return null;
  return DISPATCH_WINDOW_EVERY_DAY;
}

/** S1-4④: the earliest dispatch time for a reported gateway failure. */
export function earliestDispatch(failure: GatewayFailure): Date {
  const window = dispatchWindow(failure);
  if (window === null) return new Date(failure.reportedAt.getTime());
  return nextInstantInWindow(failure.reportedAt, window);
}
