// Japan-time calendar arithmetic. Japan has no daylight-saving time, so a JST wall-clock
// time is always UTC+09:00; dates are handled as plain "YYYY-MM-DD" strings and months as
// "YYYY-MM" so that no host time zone ever leaks into a rule.
import holidayJp from "@holiday-jp/holiday_jp";

// The three kinds of time text are branded so the compiler tells them apart (issue 16 item 3):
// a plain string becomes one only through a checking constructor below, and an instant's
// calendar day is only reachable through jstDateOf — slicing the UTC text gives the UTC day,
// a day early between 00:00 and 08:59 JST.

/** A calendar date in Japan, `YYYY-MM-DD`. */
export type IsoDate = string & { readonly __brand: "IsoDate" };
/** A billing month, `YYYY-MM`. */
export type YearMonth = string & { readonly __brand: "YearMonth" };
/** An instant as stored: ISO 8601 in UTC, `2026-07-01T01:00:00.000Z` (Date#toISOString). */
export type Instant = string & { readonly __brand: "Instant" };

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== "string") return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return (
    mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(`${m[1]}-${m[2]}` as YearMonth) && y >= 1900
  );
}

export function isYearMonth(value: unknown): value is YearMonth {
  if (typeof value !== "string") return false;
  const m = MONTH_RE.exec(value);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Whether a value is an instant as stored (UTC, `Z`, a calendar date that exists). */
export function isInstant(value: unknown): value is Instant {
  return (
    typeof value === "string" &&
    INSTANT_RE.test(value) &&
    isIsoDate(value.slice(0, 10)) &&
    !Number.isNaN(Date.parse(value))
  );
}

/** A date the code knows is valid (a literal, a stored value); throws on anything else. */
export function isoDate(value: string): IsoDate {
  if (!isIsoDate(value)) throw new Error(`invalid date "${value}"`);
  return value;
}

/** A date from user input: the date, or undefined when it is malformed or does not exist. */
export function parseIsoDate(value: unknown): IsoDate | undefined {
  return isIsoDate(value) ? value : undefined;
}

/** A month the code knows is valid; throws on anything else. */
export function yearMonth(value: string): YearMonth {
  if (!isYearMonth(value)) throw new Error(`invalid month "${value}"`);
  return value;
}

/** A month from user input, or undefined when it is malformed. */
export function parseYearMonth(value: unknown): YearMonth | undefined {
  return isYearMonth(value) ? value : undefined;
}

/** An instant as stored (UTC text); throws on anything else, an offset other than Z included. */
export function instant(value: string): Instant {
  if (!isInstant(value)) throw new Error(`invalid instant "${value}"`);
  return value;
}

/** The stored text of a point in time. */
export function instantOf(at: Date): Instant {
  if (Number.isNaN(at.getTime())) throw new Error("invalid instant: Invalid Date");
  return at.toISOString() as Instant;
}

/** The point in time of a stored instant. */
export function dateOfInstant(at: Instant): Date {
  return new Date(at);
}

/** The JST calendar date of a stored instant (never its UTC date: 15:30Z is 00:30 JST the next day). */
export function jstDateOf(at: Instant): IsoDate {
  return jstDate(new Date(at));
}

export function isTimeOfDay(value: unknown): value is string {
  return typeof value === "string" && TIME_RE.test(value);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function dateParts(date: IsoDate): [number, number, number] {
  const m = DATE_RE.exec(date);
  if (!m) throw new Error(`invalid date "${date}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function monthParts(month: YearMonth): [number, number] {
  const m = MONTH_RE.exec(month);
  if (!m) throw new Error(`invalid month "${month}"`);
  return [Number(m[1]), Number(m[2])];
}

/** Days since 1970-01-01 for a calendar date (no time zone involved). */
function epochDay(date: IsoDate): number {
  const [y, m, d] = dateParts(date);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function fromEpochDay(day: number): IsoDate {
  const t = new Date(day * DAY_MS);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}` as IsoDate;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(epochDay(date) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return epochDay(to) - epochDay(from);
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return (((epochDay(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function monthOf(date: IsoDate): YearMonth {
  return date.slice(0, 7) as YearMonth;
}

export function daysInMonth(month: YearMonth): number {
  const [y, m] = monthParts(month);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function firstDayOf(month: YearMonth): IsoDate {
  return `${month}-01` as IsoDate;
}

export function lastDayOf(month: YearMonth): IsoDate {
  return `${month}-${pad(daysInMonth(month))}` as IsoDate;
}

export function addMonths(month: YearMonth, n: number): YearMonth {
  const [y, m] = monthParts(month);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}` as YearMonth;
}

/** Number of months from `from` to `to` (2024-04 → 2024-09 is 5). */
export function monthsBetween(from: YearMonth, to: YearMonth): number {
  const [y1, m1] = monthParts(from);
  const [y2, m2] = monthParts(to);
  return (y2 - y1) * 12 + (m2 - m1);
}

/** Every month from `from` to `to`, both included; empty when `to` is before `from`. */
export function monthRange(from: YearMonth, to: YearMonth): YearMonth[] {
  const count = monthsBetween(from, to);
  return Array.from({ length: Math.max(0, count + 1) }, (_, i) => addMonths(from, i));
}

/** Name of the national holiday on that date (from the maintained holiday_jp dataset), or null. */
export function nationalHolidayName(date: IsoDate): string | null {
  return (holidayJp.holidays as Record<string, { name: string } | undefined>)[date]?.name ?? null;
}

export function isNationalHoliday(date: IsoDate): boolean {
  return nationalHolidayName(date) !== null;
}

/** The provider's year-end holidays, 12/29 to 1/3 (S1-4, S2). */
export function isYearEndHoliday(date: IsoDate): boolean {
  const md = date.slice(5);
  return md >= "12-29" || md <= "01-03";
}

export function isWeekend(date: IsoDate): boolean {
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6;
}

// ---- instants ---------------------------------------------------------------------------

/** The JST calendar date of an instant. */
export function jstDate(instant: Date): IsoDate {
  return new Date(instant.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10) as IsoDate;
}

/** The first JST day that starts at or after an instant: its own date when it is 00:00 JST, else the next. */
export function firstWholeJstDay(instant: Date): IsoDate {
  const date = jstDate(instant);
  return jstInstant(date).getTime() === instant.getTime() ? date : addDays(date, 1);
}

/** The JST wall-clock time of an instant, `HH:MM`. */
export function jstTime(instant: Date): string {
  return new Date(instant.getTime() + JST_OFFSET_MS).toISOString().slice(11, 16);
}

/** Minutes since JST midnight of an instant. */
export function jstMinuteOfDay(instant: Date): number {
  const t = new Date(instant.getTime() + JST_OFFSET_MS);
  return t.getUTCHours() * 60 + t.getUTCMinutes();
}

/** The instant of a JST wall-clock time on a date (`time` is `HH:MM` or `HH:MM:SS`). */
export function jstInstant(date: IsoDate, time = "00:00"): Date {
  const [h, mi, s] = time.split(":").map(Number);
  return new Date(
    epochDay(date) * DAY_MS + ((h ?? 0) * 3600 + (mi ?? 0) * 60 + (s ?? 0)) * 1000 - JST_OFFSET_MS,
  );
}

/** ISO 8601 with the +09:00 offset, to the second: `2025-01-04T09:00:00+09:00`. */
export function formatJstIso(instant: Date): string {
  return new Date(instant.getTime() + JST_OFFSET_MS).toISOString().slice(0, 19) + "+09:00";
}

/** Parses ISO 8601 with an explicit offset (or Z); returns null on anything else. */
export function parseInstant(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    return null;
  // Date() rolls 2024-02-30 over to March; a calendar date that does not exist is refused.
  if (!isIsoDate(value.slice(0, 10))) return null;
  const t = new Date(value);
  return Number.isNaN(t.getTime()) ? null : t;
}

// ---- wall-clock times and daily windows ---------------------------------------------------

/** Minutes since midnight of a wall-clock time `HH:MM` (`"09:30"` → 570). */
export function minutesOfTime(time: string): number {
  const m = TIME_RE.exec(time);
  if (!m) throw new Error(`invalid time "${time}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** `HH:MM` for minutes since midnight (570 → `"09:30"`). */
export function timeOfMinutes(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= 24 * 60) {
    throw new Error(`invalid minute of day ${minutes}`);
  }
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * The instant rounded up to the next full hour; unchanged when it already is one. JST is a
 * whole-hour offset from UTC, so a full hour in Japan is a full hour in UTC.
 */
export function ceilToHour(instant: Date): Date {
  const HOUR_MS = 60 * 60 * 1000;
  return new Date(Math.ceil(instant.getTime() / HOUR_MS) * HOUR_MS);
}

/** A service window open `opens ≤ t < closes` (JST wall clock) on the days `isOpenDay` accepts. */
export interface DailyWindow {
  opens: string;
  closes: string;
  isOpenDay: (date: IsoDate) => boolean;
}

/** Longest run of closed days searched before giving up (a misconfigured window). */
const MAX_CLOSED_DAYS = 366 * 2;

/**
 * The earliest instant at or after `at` inside the window: `at` itself when the window is
 * open then, otherwise the opening time of the same or a following open day.
 */
export function nextInstantInWindow(at: Date, window: DailyWindow): Date {
  const first = jstDate(at);
  for (let i = 0; i <= MAX_CLOSED_DAYS; i++) {
    const date = addDays(first, i);
    if (!window.isOpenDay(date)) continue;
    const opens = jstInstant(date, window.opens);
    const closes = jstInstant(date, window.closes);
    if (at.getTime() < opens.getTime()) return opens;
    if (at.getTime() < closes.getTime()) return at;
  }
  throw new Error(`no open window within ${MAX_CLOSED_DAYS} days of ${formatJstIso(at)}`);
}

/** Whether `at` falls inside the window (`opens ≤ t < closes` on an open day). */
export function isInWindow(at: Date, window: DailyWindow): boolean {
  const date = jstDate(at);
  if (!window.isOpenDay(date)) return false;
  const t = at.getTime();
  return (
    t >= jstInstant(date, window.opens).getTime() && t < jstInstant(date, window.closes).getTime()
  );
}
