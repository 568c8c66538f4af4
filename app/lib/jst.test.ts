import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  ceilToHour,
  dateOfInstant,
  dayOfWeek,
  daysBetween,
  daysInMonth,
  formatJstIso,
  instant,
  instantOf,
  isInstant,
  isInWindow,
  isIsoDate,
  isNationalHoliday,
  isoDate,
  type IsoDate,
  isYearEndHoliday,
  jstDate,
  jstDateOf,
  jstInstant,
  jstTime,
  minutesOfTime,
  monthRange,
  monthsBetween,
  nationalHolidayName,
  nextInstantInWindow,
  parseInstant,
  parseIsoDate,
  parseYearMonth,
  timeOfMinutes,
  yearMonth,
} from "./jst";

describe("Japan calendar", () => {
  it("validates dates including month lengths and leap years", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2025-02-29")).toBe(false);
    expect(isIsoDate("2024-13-01")).toBe(false);
    expect(isIsoDate("2024-4-1")).toBe(false);
  });

  it("does month and day arithmetic", () => {
    expect(addDays(isoDate("2024-12-31"), 1)).toBe("2025-01-01");
    expect(addDays(isoDate("2024-03-01"), -1)).toBe("2024-02-29");
    expect(daysBetween(isoDate("2024-06-30"), isoDate("2024-07-20"))).toBe(20);
    expect(addMonths(yearMonth("2024-11"), 3)).toBe("2025-02");
    expect(addMonths(yearMonth("2024-01"), -1)).toBe("2023-12");
    expect(monthsBetween(yearMonth("2024-04"), yearMonth("2024-09"))).toBe(5);
    expect(monthRange(yearMonth("2024-11"), yearMonth("2025-02"))).toEqual([
      "2024-11",
      "2024-12",
      "2025-01",
      "2025-02",
    ]);
    expect(daysInMonth(yearMonth("2024-02"))).toBe(29);
    expect(daysInMonth(yearMonth("2024-07"))).toBe(31);
    expect(dayOfWeek(isoDate("2026-11-22"))).toBe(0); // a Sunday
  });

  it("knows national holidays from the maintained dataset and the year-end break", () => {
    expect(nationalHolidayName(isoDate("2025-01-13"))).toBe("成人の日");
    expect(isNationalHoliday(isoDate("2026-11-23"))).toBe(true); // 勤労感謝の日
    expect(isNationalHoliday(isoDate("2026-11-24"))).toBe(false);
    expect(isYearEndHoliday(isoDate("2024-12-29"))).toBe(true);
    expect(isYearEndHoliday(isoDate("2025-01-03"))).toBe(true);
    expect(isYearEndHoliday(isoDate("2025-01-04"))).toBe(false);
    expect(isYearEndHoliday(isoDate("2024-12-28"))).toBe(false);
  });

  it("converts instants to and from Japan time whatever the host zone", () => {
    const t = parseInstant("2024-12-28T22:30:00+09:00")!;
    expect(jstDate(t)).toBe("2024-12-28");
    expect(jstTime(t)).toBe("22:30");
    expect(formatJstIso(jstInstant(isoDate("2025-01-04"), "09:00"))).toBe(
      "2025-01-04T09:00:00+09:00",
    );
    expect(jstDate(parseInstant("2024-06-30T15:00:00Z")!)).toBe("2024-07-01");
    expect(parseInstant("2024-06-30 15:00")).toBeNull();
    expect(parseInstant("2024-02-30T10:00:00+09:00")).toBeNull();
  });
});

describe("wall-clock times and daily windows", () => {
  const at = (iso: string) => parseInstant(iso)!;
  const weekdays9to17 = {
    opens: "09:00",
    closes: "17:00",
    isOpenDay: (d: IsoDate) => dayOfWeek(d) >= 1 && dayOfWeek(d) <= 5,
  };

  it("converts HH:MM to minutes and back", () => {
    expect(minutesOfTime("09:30")).toBe(570);
    expect(minutesOfTime("00:00")).toBe(0);
    expect(minutesOfTime("23:59")).toBe(1439);
    expect(() => minutesOfTime("24:00")).toThrow();
    expect(() => minutesOfTime("9:30")).toThrow();
    expect(timeOfMinutes(570)).toBe("09:30");
    expect(timeOfMinutes(1020)).toBe("17:00");
    expect(() => timeOfMinutes(1440)).toThrow();
  });

  it("rounds an instant up to the next full hour in Japan time", () => {
    expect(formatJstIso(ceilToHour(at("2025-06-16T10:00:00+09:00")))).toBe(
      "2025-06-16T10:00:00+09:00",
    );
    expect(formatJstIso(ceilToHour(at("2025-06-16T10:00:01+09:00")))).toBe(
      "2025-06-16T11:00:00+09:00",
    );
    expect(formatJstIso(ceilToHour(at("2025-06-16T23:30:00+09:00")))).toBe(
      "2025-06-17T00:00:00+09:00",
    );
  });

  it("finds the next instant inside a daily window", () => {
    // Inside: the instant itself, to the millisecond.
    expect(
      nextInstantInWindow(at("2025-06-16T16:59:59.500+09:00"), weekdays9to17).toISOString(),
    ).toBe("2025-06-16T07:59:59.500Z");
    // Before opening: the same day's opening.
    expect(formatJstIso(nextInstantInWindow(at("2025-06-16T08:59:59+09:00"), weekdays9to17))).toBe(
      "2025-06-16T09:00:00+09:00",
    );
    // At closing time (exclusive) on a Friday: Monday's opening.
    expect(formatJstIso(nextInstantInWindow(at("2025-06-13T17:00:00+09:00"), weekdays9to17))).toBe(
      "2025-06-16T09:00:00+09:00",
    );
    expect(isInWindow(at("2025-06-16T09:00:00+09:00"), weekdays9to17)).toBe(true);
    expect(isInWindow(at("2025-06-16T17:00:00+09:00"), weekdays9to17)).toBe(false);
    expect(isInWindow(at("2025-06-14T10:00:00+09:00"), weekdays9to17)).toBe(false); // Saturday
    expect(() =>
      nextInstantInWindow(at("2025-06-16T10:00:00+09:00"), {
        ...weekdays9to17,
        isOpenDay: () => false,
      }),
    ).toThrow(/no open window/);
  });
});

describe("branded dates, months and instants (issue 16 item 3)", () => {
  it("checks what it brands", () => {
    expect(isoDate("2024-02-29")).toBe("2024-02-29");
    expect(() => isoDate("2025-02-29")).toThrow('invalid date "2025-02-29"');
    expect(parseIsoDate("2026-07-01")).toBe("2026-07-01");
    expect(parseIsoDate("2026-7-1")).toBeUndefined();
    expect(parseIsoDate(undefined)).toBeUndefined();
    expect(yearMonth("2026-07")).toBe("2026-07");
    expect(() => yearMonth("2026-13")).toThrow('invalid month "2026-13"');
    expect(parseYearMonth("2026-00")).toBeUndefined();
    expect(instant("2026-06-30T15:30:00.000Z")).toBe("2026-06-30T15:30:00.000Z");
    // Only the stored form: text order is time order only when every instant is UTC.
    expect(() => instant("2026-07-01T00:30:00+09:00")).toThrow("invalid instant");
    expect(isInstant("2026-02-30T00:00:00Z")).toBe(false);
    expect(instantOf(new Date("2026-07-01T00:30:00+09:00"))).toBe("2026-06-30T15:30:00.000Z");
    expect(() => instantOf(new Date("x"))).toThrow("invalid instant");
  });

  it("gives the JST day of an instant, not its UTC day", () => {
    // 00:30 JST on 1 July is 15:30Z on 30 June: slicing the stored text gives the day before.
    const at = instant("2026-06-30T15:30:00.000Z");
    expect(at.slice(0, 10)).toBe("2026-06-30");
    expect(jstDateOf(at)).toBe("2026-07-01");
    expect(jstDateOf(instant("2026-06-30T14:59:59.999Z"))).toBe("2026-06-30");
    expect(dateOfInstant(at).getTime()).toBe(Date.UTC(2026, 5, 30, 15, 30));
  });
});
