import type { ReactNode } from "react";
import type { VisitEstimateLine } from "~/contracts/visit-estimate";
import { formatYen } from "~/lib/format";
import { TableScroll } from "./TableScroll";

/**
 * A visit's work lines with quantity, unit price and amount (tax excluded), and the total: the
 * booking's estimate and the recorded visit's charge show the same table. `children` are further
 * footer rows (the estimate's tax and tax-inclusive total).
 */
export function VisitLinesTable({
  label,
  lines,
  totalYen,
  totalTestId,
  children,
}: {
  label: string;
  lines: readonly VisitEstimateLine[];
  totalYen: number;
  totalTestId: string;
  children?: ReactNode;
}) {
  return (
    <TableScroll label={label}>
      <table className="data">
        <thead>
          <tr>
            <th scope="col">作業</th>
            <th scope="col" className="num">
              数量
            </th>
            <th scope="col" className="num">
              単価
            </th>
            <th scope="col" className="num">
              金額
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={i}>
              <td>
                {l.description}
                {l.free ? "（無料）" : ""}
              </td>
              <td className="num">{l.quantity}</td>
              <td className="num">{formatYen(l.unitPriceYen)}</td>
              <td className="num">{formatYen(l.amountYen)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>合計（税抜）</td>
            <td className="num" data-testid={totalTestId}>
              {formatYen(totalYen)}
            </td>
          </tr>
          {children}
        </tfoot>
      </table>
    </TableScroll>
  );
}
