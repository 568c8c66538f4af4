import { describe, expect, it } from "vitest";
import { consumptionTax10, summarizeTax, taxLabel } from "./tax";

describe("consumption tax (T-31, T-28, qualified invoice)", () => {
  it("takes 10 % and drops the fraction", () => {
    expect(consumptionTax10(20000)).toBe(2000);
    expect(consumptionTax10(19267)).toBe(1926);
    expect(consumptionTax10(19)).toBe(1);
    expect(consumptionTax10(9)).toBe(0);
    expect(consumptionTax10(0)).toBe(0);
  });

  it("truncates toward zero on a negative sum", () => {
    expect(consumptionTax10(-733)).toBe(-73);
  });

  it("taxes once per invoice over the taxable sum, credits included, non-taxable lines apart", () => {
    expect(
      summarizeTax([
        { amountYen: 20000, taxCategory: "taxable_10" },
        { amountYen: -733, taxCategory: "taxable_10" },
        { amountYen: 21000, taxCategory: "non_taxable" },
        { amountYen: 166, taxCategory: "non_taxable" },
      ]),
    ).toEqual({ taxable10Yen: 19267, tax10Yen: 1926, nonTaxableYen: 21166 });
  });

  it("differs from per-line rounding: five lines of 105 → 52, not 5 × 10", () => {
    expect(
      summarizeTax(
        Array.from({ length: 5 }, () => ({ amountYen: 105, taxCategory: "taxable_10" as const })),
      ).tax10Yen,
    ).toBe(52);
  });
});

describe("taxLabel (docs/rules/terms.md, Non-taxable lines)", () => {
  it("prints late interest as 非課税, the early-termination fee and other untaxed lines as 不課税, taxed lines as 10%", () => {
    expect(taxLabel({ rule: "T-26", taxCategory: "non_taxable" })).toBe("非課税");
    expect(taxLabel({ rule: "S4※1", taxCategory: "non_taxable" })).toBe("不課税");
    expect(taxLabel({ rule: "manual", taxCategory: "non_taxable" })).toBe("不課税");
    expect(taxLabel({ rule: "T-24-1", taxCategory: "taxable_10" })).toBe("10%");
  });
});
