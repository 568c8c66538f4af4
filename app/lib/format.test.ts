import { describe, expect, it } from "vitest";
import {
  formatBillingMonth,
  formatCount,
  formatDate,
  formatInstant,
  formatInstantDate,
  formatInstantWithWeekday,
  formatMonth,
  formatYen,
} from "./format";

describe("the one formatting module", () => {
  it("prints calendar dates without leading zeros", () => {
    expect(formatDate("2026-07-01")).toBe("2026年7月1日");
    expect(formatDate("2026-12-31")).toBe("2026年12月31日");
    expect(formatDate(null)).toBe("—");
    expect(formatDate(undefined)).toBe("—");
  });

  it("prints instants in Japan time", () => {
    expect(formatInstant("2026-07-01T01:00:00Z")).toBe("2026年7月1日 10:00");
    expect(formatInstant("2026-07-01T01:00Z")).toBe("2026年7月1日 10:00");
    expect(formatInstant(new Date("2026-12-31T15:05:00Z"))).toBe("2027年1月1日 00:05");
    expect(formatInstant(null)).toBe("—");
    expect(formatInstantWithWeekday("2026-11-30T00:00:00Z")).toBe("2026年11月30日（月） 09:00");
  });

  it("gives the Japan date of an instant at 08:30 JST, not the UTC date before (issue 16 item 3)", () => {
    // 2026-07-01 08:30 JST is 2026-06-30 23:30 UTC
    expect(formatInstantDate("2026-06-30T23:30:00Z")).toBe("2026年7月1日");
    expect(formatInstantDate("2026-06-30T23:30:00.000Z")).toBe("2026年7月1日");
    // An instant handed to formatDate by mistake is still the Japan date.
    expect(formatDate("2026-06-30T23:30:00.000Z")).toBe("2026年7月1日");
  });

  it("prints months and invoice months", () => {
    expect(formatMonth("2026-07")).toBe("2026年7月");
    expect(formatMonth("2026-11-15")).toBe("2026年11月");
    expect(formatBillingMonth("2026-07")).toBe("2026年7月分");
  });

  it("prints yen and counts one way", () => {
    expect(formatYen(8980)).toBe("8,980円");
    expect(formatYen(0)).toBe("0円");
    expect(formatYen(1234567)).toBe("1,234,567円");
    expect(formatYen(-1000)).toBe("-1,000円");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(1234.5)).toBe("1,234.5");
  });
});
