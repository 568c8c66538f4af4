// Date arithmetic written once per engine, so a query that computes dates in SQL (the licence
// list's terms, decision 0043) stays the same on SQLite and PostgreSQL.
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { IsoDate } from "../app/lib/jst";
import type { Database } from "./schema";
import { dialectOf } from "./connection";

/** Date arithmetic in each engine's SQL: whole months clamped to the month's end (L-1). */
export interface DateSql {
  /** `date` plus `months` calendar months, on the month's last day when it is shorter (sameDayMonthsLater). */
  addMonths(date: RawBuilder<unknown>, months: RawBuilder<unknown>): RawBuilder<IsoDate>;
  dayBefore(date: RawBuilder<unknown>): RawBuilder<IsoDate>;
  /** year × 12 + month, to count whole months between two dates. */
  monthIndex(date: RawBuilder<unknown>): RawBuilder<number>;
  day(iso: IsoDate): RawBuilder<IsoDate>;
}

const SQLITE_DATES: DateSql = {
  // 'floor' (SQLite 3.46+): 01-31 plus a month is 02-28/29, not 03-02/03.
  addMonths: (d, n) => sql`date(${d}, '+' || (${n}) || ' months', 'floor')`,
  dayBefore: (d) => sql`date(${d}, '-1 day')`,
  monthIndex: (d) =>
    sql`(cast(strftime('%Y', ${d}) as integer) * 12 + cast(strftime('%m', ${d}) as integer))`,
  day: (iso) => sql`${iso}`,
};

const POSTGRES_DATES: DateSql = {
  // A date plus an interval of months is clamped to the month's end by PostgreSQL itself.
  addMonths: (d, n) => sql`cast(${d} + make_interval(months => cast(${n} as integer)) as date)`,
  dayBefore: (d) => sql`(${d} - 1)`,
  monthIndex: (d) =>
    sql`(cast(extract(year from ${d}) as integer) * 12 + cast(extract(month from ${d}) as integer))`,
  day: (iso) => sql`cast(${iso} as date)`,
};

/** The date arithmetic of the engine behind `db`. */
export function dateSqlOf(db: Kysely<Database>): DateSql {
  return dialectOf(db) === "postgres" ? POSTGRES_DATES : SQLITE_DATES;
}
