import type { ReactNode } from "react";
import { taxLabel, type TaxCategory } from "~/billing/tax";
import { formatYen } from "~/lib/format";
import { RuleRef } from "./RuleRef";

/**
 * One line of an invoice or a credit note: what it is, the rule it rests on, the amount and its
 * tax category. Columns only one of them has (quantity, unit price) go between, as children.
 */
export function BillLineRow({
  line,
  showRuleIds,
  children,
}: {
  line: {
    description: string;
    rule: string;
    explanation?: string | null;
    amount_yen: number;
    tax_category: TaxCategory;
  };
  showRuleIds: boolean;
  children?: ReactNode;
}) {
  return (
    <tr>
      <td>{line.description}</td>
      <td>
        <RuleRef rule={line.rule} explanation={line.explanation} staff={showRuleIds} />
      </td>
      {children}
      <td className="num">{formatYen(line.amount_yen)}</td>
      <td>{taxLabel({ rule: line.rule, taxCategory: line.tax_category })}</td>
    </tr>
  );
}

/** The head of a table of BillLineRow, with the same optional columns between as children. */
export function BillLineHead({
  item,
  amount,
  children,
}: {
  item: string;
  amount: string;
  children?: ReactNode;
}) {
  return (
    <thead>
      <tr>
        <th scope="col">{item}</th>
        <th scope="col">根拠</th>
        {children}
        <th scope="col" className="num">
          {amount}
        </th>
        <th scope="col">税区分</th>
      </tr>
    </thead>
  );
}
