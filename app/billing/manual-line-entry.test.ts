import { describe, expect, it } from "vitest";
import { ManualLineForm, manualLineEntry } from "./manual-line-entry";

const entry = (form: Record<string, string>) =>
  manualLineEntry(ManualLineForm.parse({ date: "2026-12-05", ...form }));

describe("manual lines entered in the console", () => {
  it("T-25: a surcharge is twice the evaded amount, taxed when the evaded fee was", () => {
    expect(
      entry({
        kind: "surcharge",
        amount: "6,000",
        note: "エンドポイント10台の未申告利用",
        taxCategory: "taxable_10",
      }),
    ).toEqual({
      lineDate: "2026-12-05",
      amountYen: 12000,
      taxable: true,
      code: "surcharge.evasion",
      rule: "T-25",
      description: "割増金（不当に免れた料金 6,000円の2倍：エンドポイント10台の未申告利用）",
    });
    expect(
      entry({
        kind: "surcharge",
        amount: "３０００円",
        note: "解約違約金の不払い",
        taxCategory: "non_taxable",
      }),
    ).toMatchObject({ amountYen: 6000, taxable: false });
  });

  it("T-32: relief is a taxable credit naming the decision", () => {
    expect(
      entry({ kind: "relief", amount: "3000", note: "令和8年台風第10号 西日本エリア 9月分" }),
    ).toEqual({
      lineDate: "2026-12-05",
      amountYen: -3000,
      taxable: true,
      code: "credit.relief",
      rule: "T-32",
      description: "災害時の料金減免（令和8年台風第10号 西日本エリア 9月分）",
    });
  });

  it("S1-4④ and S6: a repair charge and a quoted migration are taxable charges with their rule", () => {
    expect(
      entry({ kind: "repair", amount: "16500", note: "落下による筐体破損（出動費・部品代）" }),
    ).toMatchObject({ amountYen: 16500, taxable: true, rule: "S1-4④", code: "repair.gateway" });
    expect(
      entry({
        kind: "data_migration",
        amount: "420000",
        note: "50GB以下 25台（見積書 Q-2026-118）",
      }),
    ).toMatchObject({ amountYen: 420000, rule: "S6", code: "visit.data_migration" });
  });

  it("other lines take their sign and tax category from the form", () => {
    expect(
      entry({
        kind: "other",
        amount: "1200",
        note: "請求書再発行手数料",
        sign: "charge",
        taxCategory: "taxable_10",
      }),
    ).toMatchObject({
      amountYen: 1200,
      taxable: true,
      rule: "manual",
      description: "請求書再発行手数料",
    });
    expect(
      entry({
        kind: "other",
        amount: "500",
        note: "お詫びの減額",
        sign: "credit",
        taxCategory: "non_taxable",
      }),
    ).toMatchObject({ amountYen: -500, taxable: false });
  });

  it("refuses a missing kind, a bad date, a zero, negative or huge amount and an empty note, in Japanese", () => {
    const issues = (form: Record<string, string>) => {
      const parsed = ManualLineForm.safeParse(form);
      return parsed.success
        ? []
        : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    };
    expect(issues({ kind: "bonus", date: "2026-02-30", amount: "0", note: " " })).toEqual([
      "kind: 種類を選んでください",
      "date: 計上日を正しい日付で入力してください",
      "amount: 金額を1円以上の整数で入力してください",
      "note: 内容を入力してください",
    ]);
    expect(issues({ kind: "other", date: "2026-12-05", amount: "-500", note: "x" })).toEqual([
      "amount: 金額を1円以上の整数で入力してください",
    ]);
    expect(issues({ kind: "other", date: "2026-12-05", amount: "10,000,001", note: "x" })).toEqual([
      "amount: 金額は10,000,000円以下で入力してください",
    ]);
  });
});
