// S2 Visit support (option): when visits happen and when requests are taken.
//   - Visits: 09:00–17:00; west area Monday–Saturday, east area Monday–Friday; never on
//     national holidays (maintained dataset) nor the year-end holidays 12/29–1/3. The
//     console refuses a slot outside these hours and offers the next possible slot.
//     A slot is allowed when 09:00 ≤ start < 17:00 and, when a duration is given, the
//     visit ends by 17:00 (end ≤ 17:00).
//   - Requests: 09:00–21:00. Interpretation: the seed says requests are taken and arranged
//     at the security-support customer desk (「ご利用の受付・手配はセキュリティサポートの
//     契約者専用窓口で実施します」), whose hours are 9:00–21:00 except the year-end holidays
//     (S1-4②③). So a request is accepted 09:00 ≤ t < 21:00 every day, weekends and national
//     holidays included, but not on 12/29–1/3.
import { invalidField, ok, type Failure } from "../lib/result";
import {
  ceilToHour,
  dayOfWeek,
  isInWindow,
  isIsoDate,
  isTimeOfDay,
  isYearEndHoliday,
  jstDate,
  jstInstant,
  jstTime,
  minutesOfTime,
  nationalHolidayName,
  nextInstantInWindow,
  timeOfMinutes,
  type DailyWindow,
  type IsoDate,
} from "../lib/jst";

export type Area = "east" | "west";

export interface VisitSlot {
  date: IsoDate;
  /** `HH:MM`, Japan time. */
  start: string;
}

export interface VisitSlotRequest extends VisitSlot {
  area: Area;
  /** Planned length of the visit; when given, the visit must end by 17:00. */
  durationMinutes?: number;
}

/** The field a refusal is about: the day (day of week, holiday, year end) or the start time. */
export type VisitSlotField = "date" | "start";

/** A bookable slot, or a validation failure of its day or start that names the next slot. */
export type VisitSlotCheck =
  { ok: true; value: undefined } | (Failure<VisitSlotField> & { next: VisitSlot });

const VISIT_OPENS = "09:00";
const VISIT_CLOSES = "17:00";
const LONGEST_VISIT_MINUTES = minutesOfTime(VISIT_CLOSES) - minutesOfTime(VISIT_OPENS);

/** S2 request desk: 09:00 ≤ t < 21:00, every day but 12/29–1/3 (see the interpretation above). */
export const VISIT_REQUEST_WINDOW: DailyWindow = {
  opens: "09:00",
  closes: "21:00",
  isOpenDay: (date) => !isYearEndHoliday(date),
};

/** S2: why no visit can take place on that date in that area, or null when it can. */
export function visitDayRefusal(area: Area, date: IsoDate): string | null {
  if (isYearEndHoliday(date)) return "年末年始（12月29日〜1月3日）は訪問できません";
  const holiday = nationalHolidayName(date);
  if (holiday !== null) return `祝日（${holiday}）は訪問できません`;
  const dow = dayOfWeek(date);
  if (area === "east" && (dow === 0 || dow === 6)) return "東日本エリアの訪問は月曜〜金曜です";
  if (area === "west" && dow === 0) return "西日本エリアの訪問は月曜〜土曜です";
  return null;
}

export function isVisitDay(area: Area, date: IsoDate): boolean {
  return visitDayRefusal(area, date) === null;
}

/**
 * S2: whether a visit may be booked at `start` on `date`; when not, a validation failure of
 * `date` (the day) or `start` (the hour) with the reason (Japanese, shown as is) and the next
 * allowed slot (`nextVisitSlot` from the requested start).
 * Throws a RangeError on a malformed date or time, or a duration that no slot can hold
 * (not a whole number of minutes from 1 to 480) — input errors, not refusals.
 */
export function checkVisitSlot(request: VisitSlotRequest): VisitSlotCheck {
  const { area, date, start, durationMinutes } = request;
  if (!isIsoDate(date)) throw new RangeError(`invalid visit date "${date}"`);
  if (!isTimeOfDay(start)) throw new RangeError(`invalid visit start "${start}"`);
  assertDuration(durationMinutes);

  const startMinute = minutesOfTime(start);
  const dayRefusal = visitDayRefusal(area, date);
  const startRefusal =
    (startMinute < minutesOfTime(VISIT_OPENS) ? "訪問の開始は9:00以降です" : null) ??
    (startMinute >= minutesOfTime(VISIT_CLOSES) ? "訪問の開始は17:00より前です" : null) ??
    (durationMinutes !== undefined && startMinute + durationMinutes > minutesOfTime(VISIT_CLOSES)
      ? "訪問は17:00までに終わる必要があります"
      : null);
  if (dayRefusal === null && startRefusal === null) return ok();
  const next = nextVisitSlot(area, jstInstant(date, start), durationMinutes);
  return dayRefusal !== null
    ? { ...invalidField<VisitSlotField>("date", dayRefusal), next }
    : { ...invalidField<VisitSlotField>("start", startRefusal!), next };
}

/**
 * S2: the earliest allowed visit start at or after `from`, on a full hour (`from` is rounded
 * up to the next full hour first: 10:20 → 11:00, 10:00 stays). With a duration, only starts
 * that let the visit end by 17:00 count.
 */
export function nextVisitSlot(area: Area, from: Date, durationMinutes?: number): VisitSlot {
  assertDuration(durationMinutes);
  // The latest allowed start: before 17:00, or exactly 17:00 − duration (inclusive, hence +1).
  const lastStartExclusive =
    durationMinutes === undefined
      ? minutesOfTime(VISIT_CLOSES)
      : minutesOfTime(VISIT_CLOSES) - durationMinutes + 1;
  const starts: DailyWindow = {
    opens: VISIT_OPENS,
    closes: timeOfMinutes(lastStartExclusive),
    isOpenDay: (date) => isVisitDay(area, date),
  };
  const at = nextInstantInWindow(ceilToHour(from), starts);
  return { date: jstDate(at), start: jstTime(at) };
}

/**
 * S2: the first slot that can still be booked at `at`: strictly after it (a visit starting now is
 * already under way), on a full hour, on a visit day of the area.
 */
export function nextBookableSlot(area: Area, at: Date): VisitSlot {
  return nextVisitSlot(area, new Date(at.getTime() + 1));
}

/** S2: whether a visit request is taken at that instant (see the interpretation above). */
export function isRequestAcceptedAt(at: Date): boolean {
  return isInWindow(at, VISIT_REQUEST_WINDOW);
}

/** S2: when the request desk next takes requests: `at` itself when open, else its next opening. */
export function nextRequestAcceptanceAt(at: Date): Date {
  return nextInstantInWindow(at, VISIT_REQUEST_WINDOW);
}

function assertDuration(minutes: number | undefined): void {
  if (minutes === undefined) return;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > LONGEST_VISIT_MINUTES) {
    throw new RangeError(
      `visit duration must be 1–${LONGEST_VISIT_MINUTES} minutes, got ${minutes}`,
    );
  }
}
