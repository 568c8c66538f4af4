import type { ReactNode } from "react";
import { TableScroll } from "~/components/TableScroll";
import { formatCount } from "~/lib/format";
import { RankingChart } from "./RankingChart";

export interface RankingColumn<T> {
  header: string;
  cell: (item: T) => ReactNode;
  className?: string;
}

/**
 * A ranking of the dashboard (the most detected threats, devices…): a panel with its heading,
 * the bar chart beside a table of rank, the given columns and the count, or a sentence when
 * there is nothing to rank. The chart shows the same figures as the table for those who see it.
 */
export function RankingPanel<T>({
  id,
  title,
  hint,
  empty,
  items,
  name,
  count,
  rowKey,
  columns,
  color,
  labelWidth,
}: {
  id: string;
  title: string;
  hint: string;
  empty: string;
  items: readonly T[];
  name: (item: T) => string;
  count: (item: T) => number;
  rowKey: (item: T) => string;
  columns: RankingColumn<T>[];
  color?: string;
  labelWidth: number;
}) {
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span className="hint">{hint}</span>
      </h2>
      {items.length === 0 ? (
        <div className="empty">{empty}</div>
      ) : (
        <div className="split">
          <RankingChart
            items={items.map((item) => ({ name: name(item), count: count(item) }))}
            label={`${title}（横棒グラフ）`}
            color={color}
            labelWidth={labelWidth}
          />
          <TableScroll label={title}>
            <table className="data compact" aria-label={title}>
              <thead>
                <tr>
                  <th scope="col">順位</th>
                  {columns.map((c) => (
                    <th key={c.header} scope="col">
                      {c.header}
                    </th>
                  ))}
                  <th scope="col" className="num">
                    件数
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((item, i) => (
                  <tr key={rowKey(item)}>
                    <td>{i + 1}</td>
                    {columns.map((c) => (
                      <td key={c.header} className={c.className}>
                        {c.cell(item)}
                      </td>
                    ))}
                    <td className="num">{formatCount(count(item))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      )}
    </section>
  );
}
