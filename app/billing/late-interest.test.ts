import { describe, expect, it } from "vitest";
import { accruedInterest, interestDays, lateInterest } from "./late-interest";
import { isoDate } from "../lib/jst";

describe("late interest (T-26)", () => {
  const june = { principalYen: 22000, dueDate: isoDate("2024-06-30") };

  it("worked example: 22,000 due 2024-06-30 paid 2024-07-20 → 19 days → 166", () => {
    expect(lateInterest(june, [{ paidOn: isoDate("2024-07-20"), amountYen: 22000 }])).toEqual({
      interestYen: 166,
      portions: [{ paidOn: "2024-07-20", principalYen: 22000, days: 19 }],
      outstandingPrincipalYen: 0,
      finalPaymentDate: "2024-07-20",
      billingMonth: "2024-07",
    });
  });

  it("worked example: paid 2024-07-15 (day 15 after the due date) → no interest", () => {
    expect(lateInterest(june, [{ paidOn: isoDate("2024-07-15"), amountYen: 22000 }])).toMatchObject(
      {
        interestYen: 0,
        billingMonth: "2024-07",
      },
    );
  });

  it("charges the whole period from the day after the grace ends (day 16 → 15 days)", () => {
    expect(interestDays(isoDate("2024-06-30"), isoDate("2024-07-15"))).toBe(0);
    expect(interestDays(isoDate("2024-06-30"), isoDate("2024-07-16"))).toBe(15);
    expect(
      lateInterest(june, [{ paidOn: isoDate("2024-07-16"), amountYen: null }]).interestYen,
    ).toBe(131); // 22000 × 145 × 15 ÷ 365000 = 131.09
    expect(interestDays(isoDate("2024-06-30"), isoDate("2024-06-30"))).toBe(0);
    expect(interestDays(isoDate("2024-06-30"), isoDate("2024-06-01"))).toBe(0);
  });

  it("worked example: 10,000 paid 10-20 and 12,000 paid 11-09 → floor((10000×19 + 12000×39) × 0.145 ÷ 365) = 261, in November", () => {
    const result = lateInterest({ principalYen: 22000, dueDate: isoDate("2024-09-30") }, [
      { paidOn: isoDate("2024-11-09"), amountYen: 12000 },
      { paidOn: isoDate("2024-10-20"), amountYen: 10000 },
    ]);
    expect(result).toEqual({
      interestYen: 261,
      portions: [
        { paidOn: "2024-10-20", principalYen: 10000, days: 19 },
        { paidOn: "2024-11-09", principalYen: 12000, days: 39 },
      ],
      outstandingPrincipalYen: 0,
      finalPaymentDate: "2024-11-09",
      billingMonth: "2024-11",
    });
  });

  it("floors once over the invoice, not per payment", () => {
    // per payment: floor(75.48) + floor(90.57) = 165; once: floor(166.05) = 166
    const result = lateInterest(june, [
      { paidOn: isoDate("2024-07-20"), amountYen: 10000 },
      { paidOn: isoDate("2024-07-20"), amountYen: 12000 },
    ]);
    expect(result.interestYen).toBe(166);
  });

  it("lets a payment within the grace bear none while a later one bears its whole period", () => {
    const result = lateInterest(june, [
      { paidOn: isoDate("2024-07-10"), amountYen: 10000 },
      { paidOn: isoDate("2024-07-20"), amountYen: 12000 },
    ]);
    expect(result.interestYen).toBe(90); // 12000 × 145 × 19 ÷ 365000 = 90.57
  });

  it("counts 365 days a year even across 29 February", () => {
    // due 2024-02-28, paid 2024-03-31 → 2024-02-29 … 2024-03-30 = 31 days;
    // 100000 × 0.145 × 31 ÷ 365 = 1231.5 → 1231 (÷ 366 would give 1228)
    const result = lateInterest({ principalYen: 100000, dueDate: isoDate("2024-02-28") }, [
      { paidOn: isoDate("2024-03-31"), amountYen: null },
    ]);
    expect(result.portions[0].days).toBe(31);
    expect(result.interestYen).toBe(1231);
  });

  it("applies payments to principal first; any excess pays the interest lines and bears nothing", () => {
    // invoice total 22,166 of which 166 is interest: the principal is 22,000
    const result = lateInterest({ principalYen: 22000, dueDate: isoDate("2024-08-31") }, [
      { paidOn: isoDate("2024-09-20"), amountYen: 22166 },
    ]);
    expect(result.portions).toEqual([{ paidOn: "2024-09-20", principalYen: 22000, days: 19 }]);
    expect(result.interestYen).toBe(166);
  });

  it("bills nothing while principal is left unpaid", () => {
    const result = lateInterest(june, [{ paidOn: isoDate("2024-07-20"), amountYen: 10000 }]);
    expect(result).toMatchObject({
      outstandingPrincipalYen: 12000,
      finalPaymentDate: null,
      billingMonth: null,
    });
    expect(lateInterest(june, [])).toMatchObject({
      interestYen: 0,
      outstandingPrincipalYen: 22000,
      billingMonth: null,
    });
  });

  it("pays the remaining principal for a payment without amount", () => {
    const result = lateInterest(june, [
      { paidOn: isoDate("2024-07-10"), amountYen: 10000 },
      { paidOn: isoDate("2024-07-20"), amountYen: null },
    ]);
    expect(result.portions).toEqual([
      { paidOn: "2024-07-10", principalYen: 10000, days: 0 },
      { paidOn: "2024-07-20", principalYen: 12000, days: 19 },
    ]);
    expect(result.billingMonth).toBe("2024-07");
  });
});

describe("accrued interest of an unpaid invoice (overdue list)", () => {
  const june = { principalYen: 22000, dueDate: isoDate("2024-06-30") };

  it("is what paying the rest on that day would cost", () => {
    expect(accruedInterest(june, [], isoDate("2024-07-15"))).toBe(0);
    expect(accruedInterest(june, [], isoDate("2024-07-16"))).toBe(131);
    expect(accruedInterest(june, [], isoDate("2024-07-20"))).toBe(166);
  });

  it("adds the interest of late payments already made and ignores later ones", () => {
    // 10000 × 19 + 12000 × 40 (07-01 … 08-09) = 670000 yen-days → 266.16
    const payments = [
      { paidOn: isoDate("2024-07-20"), amountYen: 10000 },
      { paidOn: isoDate("2024-08-20"), amountYen: 12000 },
    ];
    expect(accruedInterest(june, payments, isoDate("2024-08-10"))).toBe(266);
    expect(accruedInterest(june, payments, isoDate("2024-07-19"))).toBe(157); // 22000 × 145 × 18 ÷ 365000 = 157.3
  });

  it("is the final interest once everything is paid", () => {
    expect(
      accruedInterest(
        june,
        [{ paidOn: isoDate("2024-07-20"), amountYen: null }],
        isoDate("2024-12-31"),
      ),
    ).toBe(166);
  });
});
