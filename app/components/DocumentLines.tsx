import type { ReactNode } from "react";
import { NON_TAXABLE_HEADING, taxLabel } from "~/billing/tax";
import { formatYen } from "~/lib/format";
import { RuleRef } from "./RuleRef";

interface DocumentLine {
  id: number;
  description: string;
  rule: string;
  explanation?: string | null;
  tax_category: Parameters<typeof taxLabel>[0]["taxCategory"];
}

/**
 * The lines of an invoice or a credit note: what, the rule it follows, the document's own amount
 * columns, and its tax category.
 */
export function DocumentLineRows<L extends DocumentLine>({
  lines,
  showRuleIds,
  amounts,
}: {
  lines: readonly L[];
  showRuleIds: boolean;
  amounts: (line: L) => ReactNode;
}) {
  return (
    <tbody>
      {lines.map((l) => (
        <tr key={l.id}>
          <td>{l.description}</td>
          <td>
            <RuleRef rule={l.rule} explanation={l.explanation} staff={showRuleIds} />
          </td>
          {amounts(l)}
          <td>{taxLabel({ rule: l.rule, taxCategory: l.tax_category })}</td>
        </tr>
      ))}
    </tbody>
  );
}

/**
 * The tax summary under the lines (T-25): the 10 % base, its tax, the non-taxable part and the
 * total, each under the amount column (`span` columns of labels before it).
 */
export function TaxSummaryFoot({
  span,
  labels,
  yen,
  testIds,
}: {
  span: number;
  labels: { taxable10: string; tax10: string; nonTaxable: string };
  yen: { taxable10: number; tax10: number; nonTaxable: number; total: number };
  testIds?: { taxable10: string; tax10: string; nonTaxable: string };
}) {
  const row = (label: ReactNode, amount: number, testId?: string) => (
    <tr>
      <td colSpan={span}>{label}</td>
      <td className="num" data-testid={testId}>
        {formatYen(amount)}
      </td>
      <td />
    </tr>
  );
  return (
    <tfoot>
      {row(labels.taxable10, yen.taxable10, testIds?.taxable10)}
      {row(labels.tax10, yen.tax10, testIds?.tax10)}
      {row(`${NON_TAXABLE_HEADING} ${labels.nonTaxable}`, yen.nonTaxable, testIds?.nonTaxable)}
      <tr>
        <td colSpan={span}>
          <strong>合計</strong>
        </td>
        <td className="num">
          <strong>{formatYen(yen.total)}</strong>
        </td>
        <td />
      </tr>
    </tfoot>
  );
}
