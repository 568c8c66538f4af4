import { describe, expect, it } from "vitest";
import { journalBalance, journalRows } from "./journal";

const invoice = {
  number: "INV-00000045",
  issueDate: "2026-10-01",
  customerName: "なにわ会計事務所",
  billingMonth: "2026-09",
  taxable10Yen: 20000,
  tax10Yen: 2000,
  interestYen: 166,
  otherNonTaxableYen: 15000,
  totalYen: 37166,
  reversal: false,
};

describe("弥生会計 journal", () => {
  it("writes one balanced slip per invoice with the non-taxable lines on their own accounts", () => {
    const rows = journalRows(invoice);
    expect(rows.map((r) => [r[0], r[4], r[8], r[10], r[13], r[14]])).toEqual([
      ["2110", "売掛金", 37166, "売上高", "課税売上10%", 20000],
      ["2100", "", "", "仮受消費税", "対象外", 2000],
      ["2100", "", "", "雑収入", "不課税", 15000],
      ["2101", "", "", "受取利息", "非課売上", 166],
    ]);
    expect(rows.every((r) => r.length === 25)).toBe(true);
    expect(rows[0][3]).toBe("2026/10/01");
    expect(rows[0][16]).toBe("なにわ会計事務所 2026年9月分 INV-00000045");
    expect(journalBalance(rows)).toEqual({ debit: 37166, credit: 37166 });
  });

  it("reverses a credit note and writes a single-row slip as 2000", () => {
    const rows = journalRows({
      ...invoice,
      number: "CN-00000001",
      taxable10Yen: 3000,
      tax10Yen: 300,
      interestYen: 0,
      otherNonTaxableYen: 0,
      totalYen: 3300,
      reversal: true,
    });
    expect(rows.map((r) => [r[0], r[4], r[8], r[10], r[14]])).toEqual([
      ["2110", "売上高", 3000, "売掛金", 3300],
      ["2101", "仮受消費税", 300, "", ""],
    ]);
    expect(journalBalance(rows)).toEqual({ debit: 3300, credit: 3300 });
    const single = journalRows({
      ...invoice,
      taxable10Yen: 0,
      tax10Yen: 0,
      interestYen: 0,
      otherNonTaxableYen: 15000,
      totalYen: 15000,
    });
    expect(single.map((r) => r[0])).toEqual(["2000"]);
  });
});
