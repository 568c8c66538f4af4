// Server-side paging and sorting of the long lists (issue 17 item 2): the page, the sort column
// and its direction come from the address, so a list can be paged, sorted and bookmarked without
// JavaScript, and the filters stay in the address beside them. Each list names the columns it
// sorts by (an allow-list); anything else in the address falls back to the list's default rather
// than reaching the SQL. Shared by the loaders (parsing) and the pager component (links).
import { formatCount } from "./format";
import { z } from "zod";

export type SortDirection = "asc" | "desc";

/** Rows on one page of every list. Large enough for a month's invoices of a small reseller. */
export const PAGE_SIZE = 50;

/** A list's sortable columns, each with the direction it starts in when first chosen. */
export interface ListSort<S extends string> {
  columns: Readonly<Record<S, SortDirection>>;
  default: S;
}

export interface PageRequest<S extends string> {
  page: number;
  size: number;
  sort: S;
  dir: SortDirection;
  /**
   * A page with two or more lists names each one (`contracts`): its parameters are then
   * `contractsPage`, `contractsSort` and `contractsDir`, so paging one list does not move another.
   */
  prefix?: string;
}

/** The address parameters of a list: `page`, `sort`, `dir`, or with a prefix `xPage`, `xSort`, `xDir`. */
export function listParamNames(prefix?: string): { page: string; sort: string; dir: string } {
  return prefix
    ? { page: `${prefix}Page`, sort: `${prefix}Sort`, dir: `${prefix}Dir` }
    : { page: "page", sort: "sort", dir: "dir" };
}

/** What the pager and the sortable headers need: sent from the loader to the component. */
export interface PageInfo<S extends string = string> extends PageRequest<S> {
  /** Rows in the whole filter (not only this page). */
  total: number;
}

const pageParam = z.coerce.number().int().min(1).max(1_000_000);
const dirParam = z.enum(["asc", "desc"]);

/**
 * The page, sort and direction asked for in the address, validated against the list's columns.
 * A second list on the same page names its own page parameter (`pageParam`), or all three of its
 * parameters by a `prefix` (a detail page with several lists).
 */
export function pageRequest<S extends string>(
  params: URLSearchParams,
  sort: ListSort<S>,
  options: { size?: number; pageParam?: string; prefix?: string } = {},
): PageRequest<S> {
  const size = options.size ?? PAGE_SIZE;
  const names = listParamNames(options.prefix);
  const page = pageParam.safeParse(params.get(options.pageParam ?? names.page) ?? undefined);
  const keys = Object.keys(sort.columns) as S[];
  const column = keys.find((k) => k === params.get(names.sort)) ?? sort.default;
  const dir = dirParam.safeParse(params.get(names.dir) ?? undefined);
  return {
    page: page.success ? page.data : 1,
    size,
    sort: column,
    dir: dir.success ? dir.data : sort.columns[column],
    ...(options.prefix ? { prefix: options.prefix } : {}),
  };
}

/**
 * The page as it can be shown for a filter of `total` rows: a page past the end (an old bookmark,
 * a filter that shrank) shows the last page rather than an empty table.
 */
export function pageInfo<S extends string>(
  request: PageRequest<S>,
  total: number,
): PageInfo<S> & { offset: number } {
  const last = Math.max(1, Math.ceil(total / request.size));
  const page = Math.min(request.page, last);
  return { ...request, page, total, offset: (page - 1) * request.size };
}

export function lastPage(info: Pick<PageInfo, "total" | "size">): number {
  return Math.max(1, Math.ceil(info.total / info.size));
}

/**
 * The address of the same list with some parameters changed (`null` removes one). The filters
 * and everything else in `search` are kept; page 1 and the default sort are left out of the address.
 */
export function listHref(search: string, changes: Record<string, string | number | null>): string {
  const params = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || (/page$/i.test(k) && String(v) === "1")) params.delete(k);
    else params.set(k, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : "?";
}

/** The href of a sortable column header: the other direction if it is the current sort, else its own first direction. */
export function sortHref<S extends string>(
  search: string,
  info: PageInfo<S>,
  column: S,
  firstDir: SortDirection,
): string {
  const dir = info.sort === column ? (info.dir === "asc" ? "desc" : "asc") : firstDir;
  const names = listParamNames(info.prefix);
  return listHref(search, { [names.sort]: column, [names.dir]: dir, [names.page]: null });
}

/** 「全1,234件中 51–100件」 */
export function rangeText(info: PageInfo): string {
  if (info.total === 0) return "0件";
  const from = (info.page - 1) * info.size + 1;
  const to = Math.min(info.total, info.page * info.size);
  return `全${formatCount(info.total)}件中 ${formatCount(from)}–${formatCount(to)}件`;
}
