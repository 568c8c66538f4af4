import { describe, expect, it } from "vitest";
import {
  draftInvoice,
  interestBearingPrincipal,
  invoiceDueDate,
  invoiceIssueDate,
  invoiceTotals,
  type InvoiceLine,
} from "./invoice";
import { isoDate, yearMonth } from "../lib/jst";
import { toYen } from "../lib/money";

const line = (
  code: string,
  amountYen: number,
  taxCategory: InvoiceLine["taxCategory"] = "taxable_10",
): InvoiceLine => ({
  code,
  rule: "T-24-1",
  tariffVersion: isoDate("2024-04-01"),
  description: code,
  quantity: 1,
  unitPriceYen: toYen(amountYen),
  amountYen: toYen(amountYen),
  taxCategory,
});

describe("invoice of a billing month (T-27-1)", () => {
  it("is issued on the 1st of M+1 and due on its last day", () => {
    expect(invoiceIssueDate(yearMonth("2024-05"))).toBe("2024-06-01");
    expect(invoiceDueDate(yearMonth("2024-05"))).toBe("2024-06-30");
    expect(invoiceIssueDate(yearMonth("2024-12"))).toBe("2025-01-01");
    expect(invoiceDueDate(yearMonth("2024-12"))).toBe("2025-01-31");
    expect(invoiceDueDate(yearMonth("2024-01"))).toBe("2024-02-29");
    expect(invoiceDueDate(yearMonth("2025-01"))).toBe("2025-02-28");
  });

  it("totals taxable lines, the tax once, and non-taxable lines", () => {
    expect(
      invoiceTotals([
        line("base.standard", 20000),
        line("credit.outage.gateway", -733),
        line("etf.termination", 21000, "non_taxable"),
      ]),
    ).toEqual({
      taxable10Yen: 19267,
      tax10Yen: 1926,
      nonTaxableYen: 21000,
      totalYen: 42193,
    });
  });

  it("drops zero-amount lines and makes no invoice without lines", () => {
    const draft = draftInvoice(yearMonth("2024-07"), [
      line("base.standard", 3000),
      line("visit.base", 0),
    ]);
    expect(draft).toEqual({
      billingMonth: "2024-07",
      issueDate: "2024-08-01",
      dueDate: "2024-08-31",
      lines: [line("base.standard", 3000)],
      totals: { taxable10Yen: 3000, tax10Yen: 300, nonTaxableYen: 0, totalYen: 3300 },
    });
    expect(draftInvoice(yearMonth("2024-07"), [])).toBeNull();
    expect(draftInvoice(yearMonth("2024-07"), [line("visit.base", 0)])).toBeNull();
  });

  it("takes the due date from the provider setting when given", () => {
    expect(
      draftInvoice(yearMonth("2024-07"), [line("base.standard", 3000)], {
        dueDate: isoDate("2024-08-27"),
      })?.dueDate,
    ).toBe("2024-08-27");
  });

  it("leaves an interest-only invoice unbilled only when the provider says so (T-26-3)", () => {
    const interest = [line("interest.late", 166, "non_taxable")];
    expect(draftInvoice(yearMonth("2024-07"), interest)?.totals.totalYen).toBe(166);
    expect(
      draftInvoice(yearMonth("2024-07"), interest, { leaveInterestOnlyUnbilled: true }),
    ).toBeNull();
    expect(
      draftInvoice(yearMonth("2024-07"), [...interest, line("base.standard", 3000)], {
        leaveInterestOnlyUnbilled: true,
      })?.totals.totalYen,
    ).toBe(3466);
  });

  it("bears interest on the total including tax, less its interest lines (T-26)", () => {
    const draft = draftInvoice(yearMonth("2024-07"), [
      line("base.standard", 20000),
      line("interest.late", 166, "non_taxable"),
    ])!;
    expect(draft.totals.totalYen).toBe(22166);
    expect(interestBearingPrincipal(draft)).toBe(22000);
  });
});
