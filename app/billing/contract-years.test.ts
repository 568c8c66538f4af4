import { describe, expect, it } from "vitest";
import {
  contractMonthNumber,
  contractYearOf,
  contractYearStart,
  feeFreeDate,
  isRenewalMonth,
  renewalMonthOnOrAfter,
  renewalReminderDate,
  upcomingRenewal,
} from "./contract-years";
import { isoDate, yearMonth } from "../lib/jst";

const start = isoDate("2024-04-10");

describe("contract years and renewal months (S4 ※1)", () => {
  it("numbers months from the start month as 1", () => {
    expect(contractMonthNumber(start, yearMonth("2024-04"))).toBe(1);
    expect(contractMonthNumber(start, yearMonth("2025-03"))).toBe(12);
    expect(contractMonthNumber(start, yearMonth("2025-04"))).toBe(13);
  });

  it("groups 12 months per contract year", () => {
    expect(contractYearOf(start, yearMonth("2024-04"))).toBe(1);
    expect(contractYearOf(start, yearMonth("2025-03"))).toBe(1);
    expect(contractYearOf(start, yearMonth("2025-04"))).toBe(2);
    expect(contractYearOf(start, yearMonth("2026-03"))).toBe(2);
    expect(contractYearOf(start, yearMonth("2026-04"))).toBe(3);
    expect(contractYearStart(start, 2)).toBe("2025-04");
  });

  it("makes months 13, 25, … renewal months, not the start month", () => {
    expect(isRenewalMonth(start, yearMonth("2024-04"))).toBe(false);
    expect(isRenewalMonth(start, yearMonth("2025-03"))).toBe(false);
    expect(isRenewalMonth(start, yearMonth("2025-04"))).toBe(true);
    expect(isRenewalMonth(start, yearMonth("2025-05"))).toBe(false);
    expect(isRenewalMonth(start, yearMonth("2026-04"))).toBe(true);
    expect(isRenewalMonth(start, yearMonth("2023-04"))).toBe(false);
  });

  it("finds the next renewal month on or after a month", () => {
    expect(renewalMonthOnOrAfter(start, yearMonth("2024-04"))).toBe("2025-04");
    expect(renewalMonthOnOrAfter(start, yearMonth("2025-03"))).toBe("2025-04");
    expect(renewalMonthOnOrAfter(start, yearMonth("2025-04"))).toBe("2025-04");
    expect(renewalMonthOnOrAfter(start, yearMonth("2025-05"))).toBe("2026-04");
  });

  it("quotes the nearest fee-free date on or after the wished date", () => {
    expect(feeFreeDate(start, isoDate("2024-09-30"))).toBe("2025-04-01");
    expect(feeFreeDate(start, isoDate("2024-04-15"))).toBe("2025-04-01");
    expect(feeFreeDate(start, isoDate("2025-03-31"))).toBe("2025-04-01");
    expect(feeFreeDate(start, isoDate("2025-04-01"))).toBe("2025-04-01");
    expect(feeFreeDate(start, isoDate("2025-04-20"))).toBe("2025-04-20");
    expect(feeFreeDate(start, isoDate("2025-04-30"))).toBe("2025-04-30");
    expect(feeFreeDate(start, isoDate("2025-05-01"))).toBe("2026-04-01");
  });

  it("reminds 60 days before the renewal month begins", () => {
    expect(renewalReminderDate(yearMonth("2025-04"))).toBe("2025-01-31");
    expect(renewalReminderDate(yearMonth("2028-04"))).toBe("2028-02-01"); // 29-day February
    expect(renewalReminderDate(yearMonth("2024-03"))).toBe("2024-01-01");
  });

  it("gives the next renewal not yet begun and its reminder date", () => {
    expect(upcomingRenewal(start, isoDate("2025-01-31"))).toEqual({
      renewalMonth: "2025-04",
      reminderDate: "2025-01-31",
    });
    expect(upcomingRenewal(start, isoDate("2025-03-31"))).toEqual({
      renewalMonth: "2025-04",
      reminderDate: "2025-01-31",
    });
    expect(upcomingRenewal(start, isoDate("2025-04-01"))).toEqual({
      renewalMonth: "2026-04",
      reminderDate: "2026-01-31",
    });
    expect(upcomingRenewal(start, isoDate("2024-04-10"))).toEqual({
      renewalMonth: "2025-04",
      reminderDate: "2025-01-31",
    });
  });
});
