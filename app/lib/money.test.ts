import type { Insertable, Selectable } from "kysely";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { ManualLineTable } from "../../db/schema";
import { instant, isoDate } from "./jst";
import { isYen, parseYenInput, toYen, type Yen } from "./money";
import { applyRate, sumYen, yenTimes } from "./yen";

describe("Yen: whole yen, branded (issue 16 item 3)", () => {
  it("brands whole amounts, credits (negative) and zero included", () => {
    expect(toYen(8_980)).toBe(8_980);
    expect(toYen(0)).toBe(0);
    expect(toYen(-1_500)).toBe(-1_500);
    expect(isYen(-1)).toBe(true);
  });

  it("refuses what is not a whole, safe number of yen", () => {
    expect(() => toYen(1.5)).toThrow("invalid yen amount 1.5");
    expect(() => toYen(Number.NaN)).toThrow("invalid yen amount NaN");
    expect(() => toYen(Number.POSITIVE_INFINITY)).toThrow("invalid yen amount Infinity");
    expect(() => toYen(Number.NEGATIVE_INFINITY)).toThrow("invalid yen amount -Infinity");
    expect(() => toYen(2 ** 53)).toThrow("invalid yen amount 9007199254740992");
    expect(isYen("100")).toBe(false);
    expect(isYen(0.1 + 0.2)).toBe(false);
  });

  it("reads typed amounts as Yen", () => {
    expect(parseYenInput("１２，３４５円")).toBe(12_345);
    expect(parseYenInput("¥1,000")).toBe(1_000);
    expect(parseYenInput("1.5")).toBeNull();
    expect(parseYenInput("-100")).toBeNull();
    expectTypeOf(parseYenInput("1")).toEqualTypeOf<Yen | null>();
  });

  it("sums, multiplies and takes rates in whole yen (T-28: fractions dropped toward zero)", () => {
    expect(sumYen([toYen(3_000), toYen(-300), toYen(1_166)])).toBe(3_866);
    expect(sumYen([])).toBe(0);
    expect(yenTimes(toYen(500), 3)).toBe(1_500);
    // A fraction of a unit is not a quantity: the product must still be whole yen.
    expect(() => yenTimes(toYen(3), 0.5)).toThrow("invalid yen amount 1.5");
    expect(applyRate(12_345, 10, 100)).toBe(1_234);
    expect(applyRate(-15, 10, 100)).toBe(-1);
  });

  it("is what money columns give and take (tsc checks the marked lines in npm test)", () => {
    // @ts-expect-error a plain number is not yen: it goes through toYen (or a rule) first
    const plain: Yen = 1_000;
    // @ts-expect-error the sum of two amounts is a plain number until it is branded again
    const summed: Yen = toYen(1) + toYen(2);
    // @ts-expect-error a unit price must be yen
    expect(yenTimes(500, 2)).toBe(1_000);
    const row = {
      contract_id: 1,
      line_date: isoDate("2026-12-01"),
      description: "手動明細",
      taxable: 1,
      code: null,
      rule: null,
      created_by: null,
      created_at: instant("2026-12-01T00:00:00.000Z"),
    };
    // @ts-expect-error a plain number cannot be inserted into a Yen column
    const unbranded: Insertable<ManualLineTable> = { ...row, amount_yen: 1_000 };
    const branded: Insertable<ManualLineTable> = { ...row, amount_yen: toYen(1_000) };
    expectTypeOf<Selectable<ManualLineTable>["amount_yen"]>().toEqualTypeOf<Yen>();
    // A Yen is still a number wherever a number is read (formatting, comparisons, JSON).
    expectTypeOf<Yen>().toExtend<number>();
    expect([plain, summed, unbranded.amount_yen, branded.amount_yen]).toEqual([
      1_000, 3, 1_000, 1_000,
    ]);
  });
});
