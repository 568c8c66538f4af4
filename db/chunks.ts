// Splitting long lists for SQL: one statement may carry only so many bound values (SQLite as
// shipped with better-sqlite3 11: 32,766; PostgreSQL: 65,535), so a multi-row insert or an
// `in (…)` list built from input of any length is sent in chunks.

/** Rows per multi-row insert, values per `in (…)` list: far below either limit at ≤ 60 columns. */
export const SQL_CHUNK = 500;

/** `items` in consecutive slices of at most `size` (the last one shorter); none for an empty list. */
export function* chunks<T>(items: readonly T[], size: number = SQL_CHUNK): Generator<T[]> {
  if (!(size >= 1)) throw new Error(`chunks: size must be at least 1, got ${size}`);
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
