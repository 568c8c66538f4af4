import type { ReactNode } from "react";

/**
 * The box every data table sits in: on a narrow screen (a 390 px phone) a wide table scrolls
 * sideways inside it instead of widening the whole page (issue 17 item 12). The box is focusable
 * and named so that a keyboard user can scroll it too (WCAG 2.1.1; axe's
 * scrollable-region-focusable).
 */
export function TableScroll({
  label,
  className,
  children,
}: {
  /** What the table shows, read out when the box gets the focus. */
  label?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div
      className={className ? `table-wrap ${className}` : "table-wrap"}
      role="group"
      aria-label={label ?? "表"}
      tabIndex={0}
    >
      {children}
    </div>
  );
}

/** The head cell over a table's buttons: no visible text, but named for screen readers. */
export function ActionsHeader() {
  return (
    <th scope="col">
      <span className="visually-hidden">操作</span>
    </th>
  );
}
