// The one place where dates, times, months, yen and counts become text a person reads
// (screens, e-mails, PDFs, audit summaries). Values stay ISO text / integers everywhere
// else; test/format-lint.test.ts fails when a module formats them by hand.
//
// Dates and months are calendar values in Japan and are printed as they are; instants
// (`2026-07-01T01:00:00Z`) are converted to Japan time first, so an event at 00:30 JST
// shows that day, not the UTC day before.

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const EMPTY = "—";

type Maybe<T> = T | null | undefined;

function jstParts(at: string | Date): { date: string; time: string } | null {
  const ms = at instanceof Date ? at.getTime() : Date.parse(at);
  if (Number.isNaN(ms)) return null;
  const t = new Date(ms + JST_OFFSET_MS).toISOString();
  return { date: t.slice(0, 10), time: t.slice(11, 16) };
}

function dateText(date: string): string | null {
  const m = DATE_RE.exec(date);
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : null;
}

/**
 * A calendar date `2026-07-01` → `2026年7月1日`. An instant passed by mistake is shown as
 * its Japan date (never the UTC date); anything else is shown unchanged.
 */
export function formatDate(date: Maybe<string>): string {
  if (!date) return EMPTY;
  const text = dateText(date);
  if (text) return text;
  return formatInstantDate(date);
}

/** An instant as its Japan date: `2026-06-30T15:30:00Z` → `2026年7月1日`. */
export function formatInstantDate(at: Maybe<string | Date>): string {
  if (!at) return EMPTY;
  const p = jstParts(at);
  return p ? dateText(p.date)! : String(at);
}

/** An instant in Japan time: `2026-07-01T01:00:00Z` → `2026年7月1日 10:00`. */
export function formatInstant(at: Maybe<string | Date>): string {
  if (!at) return EMPTY;
  const p = jstParts(at);
  return p ? `${dateText(p.date)} ${p.time}` : String(at);
}

const WEEKDAYS = ["日", "月", "火", "水", "木", "金", "土"];

/** An instant in Japan time with the weekday: `2026年11月30日（月） 09:00`. */
export function formatInstantWithWeekday(at: Maybe<string | Date>): string {
  if (!at) return EMPTY;
  const p = jstParts(at);
  if (!p) return String(at);
  const weekday = WEEKDAYS[new Date(`${p.date}T00:00:00Z`).getUTCDay()];
  return `${dateText(p.date)}（${weekday}） ${p.time}`;
}

/** A calendar date with its weekday: `2026-11-30` → `2026年11月30日（月）`. */
export function formatDateWithWeekday(date: Maybe<string>): string {
  if (!date) return EMPTY;
  const text = dateText(date);
  if (!text) return formatDate(date);
  return `${text}（${WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]}）`;
}

/** A month `2026-07` (or a date in it) → `2026年7月`. */
export function formatMonth(month: Maybe<string>): string {
  if (!month) return EMPTY;
  const m = MONTH_RE.exec(month.slice(0, 7));
  return m ? `${Number(m[1])}年${Number(m[2])}月` : month;
}

/** The month an invoice is for: `2026-07` → `2026年7月分`. */
export function formatBillingMonth(month: Maybe<string>): string {
  return month ? `${formatMonth(month)}分` : EMPTY;
}

/** A count with thousands separators: `12345` → `12,345`. */
export function formatCount(n: number): string {
  const sign = n < 0 ? "-" : "";
  const [whole, fraction] = String(Math.abs(n)).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${fraction ? `.${fraction}` : ""}`;
}

/** Integer yen → `8,980円`, negative `-1,000円`. The one yen style of screens, e-mails and PDFs. */
export function formatYen(amountYen: number): string {
  return `${formatCount(amountYen)}円`;
}
