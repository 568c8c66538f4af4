// One page of a list whose count is taken over the whole filter first (issue 17 item 2): the
// page asked for is clamped to the last one, then only its rows are read.
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from "kysely";
import { pageInfo, type PageInfo, type PageRequest, type SortDirection } from "./paging";

export interface PageWindow<S extends string> {
  sort: S;
  dir: SortDirection;
  offset: number;
  size: number;
}

export async function fetchPage<S extends string, R>(
  request: PageRequest<S>,
  count: () => Promise<{ count: number | string | bigint }>,
  rows: (window: PageWindow<S>) => Promise<R[]>,
): Promise<{ rows: R[]; page: PageInfo<S> }> {
  const total = Number((await count()).count);
  const { offset, ...page } = pageInfo(request, total);
  return { rows: await rows({ sort: page.sort, dir: page.dir, offset, size: page.size }), page };
}

/**
 * The count side of fetchPage for a list's scoped query (joins and tenant filter, no select):
 * how many rows it finds.
 */
export async function countOf<DB, TB extends keyof DB>(
  query: SelectQueryBuilder<DB, TB, object>,
): Promise<{ count: number | string | bigint }> {
  const row = await query
    .select((eb: ExpressionBuilder<DB, TB>) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  // Kysely cannot resolve the selection's type over a generic DB; the column is the one above.
  return row as unknown as { count: number | string | bigint };
}

/**
 * The count side of fetchPage for a list of money rows, with the sum of their `amount_yen` over the
 * whole filter (the list's 「N件 合計」, issue 17 item 2): 0 for no rows, not null.
 */
export async function countAndYenOf<DB, TB extends keyof DB>(
  query: SelectQueryBuilder<DB, TB, object>,
): Promise<{ count: number; amount_yen: number }> {
  const row = await query
    .select([
      sql<number>`count(*)`.as("count"),
      sql<number>`coalesce(sum(amount_yen), 0)`.as("amount_yen"),
    ])
    .executeTakeFirstOrThrow();
  // As countOf: the selection's type over a generic DB; both columns are the ones above.
  const totals = row as unknown as { count: number | string; amount_yen: number | string };
  return { count: Number(totals.count), amount_yen: Number(totals.amount_yen) };
}
