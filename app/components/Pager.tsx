// The pager and the sortable column headers of every long list (issue 17 item 2). Plain links:
// paging and sorting work without JavaScript, keep the filters in the address, and with
// JavaScript Remix follows them as client navigations.
import { Link, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import {
  lastPage,
  listHref,
  listParamNames,
  rangeText,
  sortHref,
  type PageInfo,
  type SortDirection,
} from "~/lib/paging";
import { TableScroll } from "./TableScroll";

/** 「全N件中 X–Y件」 with 「前へ」「次へ」 and the page numbers around the current one. */
export function Pager({
  info,
  label = "ページ",
  pageParam = listParamNames(info.prefix).page,
}: {
  info: PageInfo;
  label?: string;
  pageParam?: string;
}) {
  const { search } = useLocation();
  const href = (p: number) => listHref(search, { [pageParam]: p });
  const last = lastPage(info);
  const pages = pageNumbers(info.page, last);
  return (
    <nav className="pager" aria-label={label}>
      <span className="pager-range" data-testid="pager-range">
        {rangeText(info)}
      </span>
      {last > 1 ? (
        <span className="pager-links">
          {info.page > 1 ? (
            <Link to={href(info.page - 1)} rel="prev">
              前へ
            </Link>
          ) : (
            <span className="pager-off" aria-hidden="true">
              前へ
            </span>
          )}
          {pages.map((p, i) =>
            p === null ? (
              <span key={`gap${i}`} className="pager-gap" aria-hidden="true">
                …
              </span>
            ) : p === info.page ? (
              <span key={p} className="pager-current" aria-current="page">
                {p}
              </span>
            ) : (
              <Link key={p} to={href(p)} aria-label={`${p}ページ目`}>
                {p}
              </Link>
            ),
          )}
          {info.page < last ? (
            <Link to={href(info.page + 1)} rel="next">
              次へ
            </Link>
          ) : (
            <span className="pager-off" aria-hidden="true">
              次へ
            </span>
          )}
        </span>
      ) : null}
    </nav>
  );
}

/** First, last and the two either side of the current page; `null` marks a gap. */
export function pageNumbers(current: number, last: number): (number | null)[] {
  const wanted = new Set(
    [1, last, current - 2, current - 1, current, current + 1, current + 2].filter(
      (p) => p >= 1 && p <= last,
    ),
  );
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const p of sorted) {
    const prev = out[out.length - 1];
    if (typeof prev === "number" && p - prev > 1) out.push(null);
    out.push(p);
  }
  return out;
}

/** A column header that sorts the list by its column: a link, with aria-sort on the current one. */
export function SortHeader<S extends string>(props: {
  info: PageInfo<S>;
  column: S;
  first?: SortDirection;
  className?: string;
  children: ReactNode;
}) {
  const { search } = useLocation();
  const current = props.info.sort === props.column;
  const ariaSort = current ? (props.info.dir === "asc" ? "ascending" : "descending") : undefined;
  return (
    <th scope="col" className={props.className} aria-sort={ariaSort}>
      <Link className="sort" to={sortHref(search, props.info, props.column, props.first ?? "asc")}>
        {props.children}
        <span aria-hidden="true" className="sort-mark">
          {current ? (props.info.dir === "asc" ? " ▲" : " ▼") : ""}
        </span>
      </Link>
    </th>
  );
}

/** Hidden fields that carry the current sort through a filter form's submission (the page starts again at 1). */
export function KeepSort({ info }: { info: Pick<PageInfo, "sort" | "dir" | "prefix"> }) {
  const names = listParamNames(info.prefix);
  return (
    <>
      <input type="hidden" name={names.sort} value={info.sort} />
      <input type="hidden" name={names.dir} value={info.dir} />
    </>
  );
}

/** A paged list's table: the pager above and below it (「（下）」), the table scrolling in its own box. */
export function PagedTable({
  page,
  label,
  children,
}: {
  page: PageInfo;
  label: string;
  /** The table's head and body. */
  children: ReactNode;
}) {
  return (
    <>
      <Pager info={page} label={label} />
      <TableScroll>
        <table className="data">{children}</table>
      </TableScroll>
      <Pager info={page} label={`${label}（下）`} />
    </>
  );
}
