import { describe, expect, it } from "vitest";
import {
  addDays, addMonths, dayOfWeek, daysBetween, daysInMonth, formatJstIso, isIsoDate, isNationalHoliday,
  isYearEndHoliday, jstDate, jstInstant, jstTime, monthRange, monthsBetween, nationalHolidayName, parseInstant,
} from "./jst";

describe("Japan calendar", () => {
  it("validates dates including month lengths and leap years", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2025-02-29")).toBe(false);
    expect(isIsoDate("2024-13-01")).toBe(false);
    expect(isIsoDate("2024-4-1")).toBe(false);
  });

  it("does month and day arithmetic", () => {
    expect(addDays("2024-12-31", 1)).toBe("2025-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(daysBetween("2024-06-30", "2024-07-20")).toBe(20);
    expect(addMonths("2024-11", 3)).toBe("2025-02");
    expect(addMonths("2024-01", -1)).toBe("2023-12");
    expect(monthsBetween("2024-04", "2024-09")).toBe(5);
    expect(monthRange("2024-11", "2025-02")).toEqual(["2024-11", "2024-12", "2025-01", "2025-02"]);
    expect(daysInMonth("2024-02")).toBe(29);
    expect(daysInMonth("2024-07")).toBe(31);
    expect(dayOfWeek("2026-11-22")).toBe(0); // a Sunday
  });

  it("knows national holidays from the maintained dataset and the year-end break", () => {
    expect(nationalHolidayName("2025-01-13")).toBe("成人の日");
    expect(isNationalHoliday("2026-11-23")).toBe(true); // 勤労感謝の日
    expect(isNationalHoliday("2026-11-24")).toBe(false);
    expect(isYearEndHoliday("2024-12-29")).toBe(true);
    expect(isYearEndHoliday("2025-01-03")).toBe(true);
    expect(isYearEndHoliday("2025-01-04")).toBe(false);
    expect(isYearEndHoliday("2024-12-28")).toBe(false);
  });

  it("converts instants to and from Japan time whatever the host zone", () => {
    const t = parseInstant("2024-12-28T22:30:00+09:00")!;
    expect(jstDate(t)).toBe("2024-12-28");
    expect(jstTime(t)).toBe("22:30");
    expect(formatJstIso(jstInstant("2025-01-04", "09:00"))).toBe("2025-01-04T09:00:00+09:00");
    expect(jstDate(parseInstant("2024-06-30T15:00:00Z")!)).toBe("2024-07-01");
    expect(parseInstant("2024-06-30 15:00")).toBeNull();
  });
});
