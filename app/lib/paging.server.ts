// One page of a list whose count is taken over the whole filter first (issue 17 item 2): the
// page asked for is clamped to the last one, then only its rows are read.
import type { ExpressionBuilder, SelectQueryBuilder } from "kysely";
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
