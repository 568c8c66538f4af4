import { describe, expect, it } from "vitest";
import { creditNoteNumber, draftCreditNote, type CreditableLine } from "./credit-note";

const lines: CreditableLine[] = [
  {
    invoiceLineId: 1,
    description: "基本料金",
    rule: "T-24-1",
    taxCategory: "taxable_10",
    amountYen: 3000,
    alreadyCreditedYen: 0,
  },
  {
    invoiceLineId: 2,
    description: "エンドポイント 15台",
    rule: "T-24-1",
    taxCategory: "taxable_10",
    amountYen: 9000,
    alreadyCreditedYen: 1200,
  },
  {
    invoiceLineId: 3,
    description: "解約違約金",
    rule: "S4※1",
    taxCategory: "non_taxable",
    amountYen: 15000,
    alreadyCreditedYen: 0,
  },
  {
    invoiceLineId: 4,
    description: "障害による減額",
    rule: "T-24-2",
    taxCategory: "taxable_10",
    amountYen: -733,
    alreadyCreditedYen: 0,
  },
];

describe("credit notes (T-27-4)", () => {
  it("returns amounts per line with the tax taken once on the 10 % sum, truncated (T-28)", () => {
    const draft = draftCreditNote(
      lines,
      new Map([
        [1, 3000],
        [2, 1555],
        [3, 15000],
      ]),
    );
    expect(draft.ok).toBe(true);
    if (draft.ok) {
      // 3,000 + 1,555 = 4,555 → tax floor(455.5) = 455; non-taxable 15,000 → 20,010
      expect(draft.value.totals).toEqual({
        taxable10Yen: 4555,
        tax10Yen: 455,
        nonTaxableYen: 15000,
        totalYen: 20010,
      });
      expect(draft.value.lines.map((l) => l.invoiceLineId)).toEqual([1, 2, 3]);
    }
  });

  it("refuses more than what is left of a line after earlier credit notes", () => {
    expect(draftCreditNote(lines, new Map([[2, 7800]])).ok).toBe(true);
    expect(draftCreditNote(lines, new Map([[2, 7801]]))).toEqual({
      ok: false,
      kind: "validation",
      fields: { "line-2": "返還できるのは 7,800円 までです" },
    });
  });

  it("refuses crediting a credit line, an unknown line, and an empty request", () => {
    expect(draftCreditNote(lines, new Map([[4, 1]]))).toEqual({
      ok: false,
      kind: "validation",
      fields: { "line-4": "返還できるのは 0円 までです" },
    });
    expect(draftCreditNote(lines, new Map([[9, 100]]))).toEqual({
      ok: false,
      kind: "validation",
      fields: { "line-9": "この請求書の明細ではありません" },
    });
    expect(draftCreditNote(lines, new Map())).toEqual({
      ok: false,
      kind: "validation",
      fields: { _form: "返還する明細と金額を1つ以上入力してください" },
    });
  });

  it("numbers credit notes in their own sequence", () => {
    expect(creditNoteNumber(12)).toBe("CN-00000012");
  });
});
