import type { ReactNode } from "react";
import { Form } from "@remix-run/react";
import type { PageInfo } from "~/lib/paging";
import { KeepSort } from "./Pager";

/**
 * The filter form above a paged list: a GET form (works without JavaScript) that keeps the
 * list's sort order when the filters change.
 */
export function ListFilters({
  page,
  label,
  submit = "絞り込む",
  children,
}: {
  page: Pick<PageInfo, "sort" | "dir">;
  /** The form's accessible name, e.g. 「お申し込みの絞り込み」. */
  label?: string;
  submit?: string;
  children: ReactNode;
}) {
  return (
    <Form method="get" className="filters" aria-label={label}>
      {children}
      <KeepSort info={page} />
      <button type="submit" className="secondary">
        {submit}
      </button>
    </Form>
  );
}

/** A filter select over a label map, with 「すべて」 (no filter) first. */
export function FilterSelect({
  label,
  name,
  defaultValue,
  labels,
}: {
  label: string;
  name: string;
  defaultValue: string;
  labels: Readonly<Record<string, string>>;
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={defaultValue}>
        <option value="">すべて</option>
        {Object.entries(labels).map(([k, v]) => (
          <option key={k} value={k}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}
