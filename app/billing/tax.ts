// Consumption tax (T-31: tariff prices exclude tax, 10 % is added) on a qualified invoice
// (docs/rules/terms.md interpretation following the invoice law): computed once per invoice per rate on the
// sum of that rate's lines, fractions dropped toward zero (T-28). Credit lines (negative) reduce
// the sum before the tax is taken.
import { toYen, type Yen } from "../lib/money";
import { applyRate } from "../lib/yen";

export type TaxCategory = "taxable_10" | "non_taxable";

/**
 * A line's tax treatment as printed (docs/rules/terms.md, "Non-taxable lines"): late interest (T-26) is
 * interest, 非課税; every other line without tax — the early-termination fee (S4※1), a
 * compensation entered by hand — is outside the tax, 不課税. Both are summed as `non_taxable`.
 */
export function taxLabel(line: {
  rule: string;
  taxCategory: TaxCategory;
}): "10%" | "非課税" | "不課税" {
  if (line.taxCategory === "taxable_10") return "10%";
  return line.rule === "T-26" ? "非課税" : "不課税";
}

/** The heading of the lines without tax, summed together. */
export const NON_TAXABLE_HEADING = "非課税・不課税";

/** The standard rate, 10 %. */
export const TAX_RATE_10 = { numerator: 10, denominator: 100 } as const;

/** floor(taxable sum × 10 %), truncated toward zero (a negative sum gives a negative tax, T-28). */
export function consumptionTax10(taxableSumYen: number): Yen {
  return applyRate(taxableSumYen, TAX_RATE_10.numerator, TAX_RATE_10.denominator);
}

export interface TaxSummary {
  taxable10Yen: Yen;
  tax10Yen: Yen;
  nonTaxableYen: Yen;
}

/** Sums lines by tax category and takes the tax once over the taxable sum. */
export function summarizeTax(
  lines: readonly { amountYen: number; taxCategory: TaxCategory }[],
): TaxSummary {
  // One pass without intermediate lists: the billing run sums every invoice of the month.
  let taxable10Yen = 0;
  let nonTaxableYen = 0;
  for (const line of lines) {
    if (line.taxCategory === "taxable_10") taxable10Yen += line.amountYen;
    else if (line.taxCategory === "non_taxable") nonTaxableYen += line.amountYen;
  }
  const taxable = toYen(taxable10Yen);
  return {
    taxable10Yen: taxable,
    tax10Yen: consumptionTax10(taxable),
    nonTaxableYen: toYen(nonTaxableYen),
  };
}
