// S2 visit support: visit slots and request hours.
import { describe, expect, it } from "vitest";
import { formatJstIso, isoDate, parseInstant, type IsoDate } from "../lib/jst";
import {
  checkVisitSlot,
  isRequestAcceptedAt,
  nextBookableSlot,
  nextRequestAcceptanceAt,
  nextVisitSlot,
} from "./visit-slots";

const t = (iso: string): Date => {
  const d = parseInstant(iso);
  if (!d) throw new Error(`bad instant ${iso}`);
  return d;
};

describe("S2 checkVisitSlot: days", () => {
  it("refuses a Sunday in the east with the next Monday 09:00", () => {
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-15"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "東日本エリアの訪問は月曜〜金曜です" },
      next: { date: "2025-06-16", start: "09:00" },
    });
  });

  it("refuses a Sunday in the west with the next Monday 09:00", () => {
    expect(checkVisitSlot({ area: "west", date: isoDate("2025-06-15"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "西日本エリアの訪問は月曜〜土曜です" },
      next: { date: "2025-06-16", start: "09:00" },
    });
  });

  it("accepts a Saturday in the west and refuses it in the east", () => {
    expect(checkVisitSlot({ area: "west", date: isoDate("2025-06-14"), start: "10:00" })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-14"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "東日本エリアの訪問は月曜〜金曜です" },
      next: { date: "2025-06-16", start: "09:00" },
    });
  });

  it("accepts an ordinary weekday in both areas", () => {
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-16"), start: "10:00" })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(checkVisitSlot({ area: "west", date: isoDate("2024-07-05"), start: "10:00" })).toEqual({
      ok: true,
      value: undefined,
    }); // import example
  });

  it("refuses national holidays, naming them, with the next slot", () => {
    expect(checkVisitSlot({ area: "west", date: isoDate("2025-01-13"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "祝日（成人の日）は訪問できません" },
      next: { date: "2025-01-14", start: "09:00" },
    });
    expect(checkVisitSlot({ area: "east", date: isoDate("2026-11-23"), start: "13:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "祝日（勤労感謝の日）は訪問できません" },
      next: { date: "2026-11-24", start: "09:00" },
    });
    // Golden Week 2025: Sat 05-03 (holiday) → Sun → 05-05, 05-06 holidays → Wednesday 05-07, even in the west.
    expect(checkVisitSlot({ area: "west", date: isoDate("2025-05-03"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "祝日（憲法記念日）は訪問できません" },
      next: { date: "2025-05-07", start: "09:00" },
    });
  });

  it("refuses the year-end holidays; the next slot skips weekends by area", () => {
    // 2025-01-04 is a Saturday: allowed in the west; the east waits for Monday 01-06.
    expect(checkVisitSlot({ area: "west", date: isoDate("2024-12-30"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "年末年始（12月29日〜1月3日）は訪問できません" },
      next: { date: "2025-01-04", start: "09:00" },
    });
    expect(checkVisitSlot({ area: "east", date: isoDate("2024-12-30"), start: "10:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { date: "年末年始（12月29日〜1月3日）は訪問できません" },
      next: { date: "2025-01-06", start: "09:00" },
    });
    // 1/1 is also a national holiday; the year-end reason comes first.
    expect(
      checkVisitSlot({ area: "west", date: isoDate("2025-01-01"), start: "10:00" }),
    ).toMatchObject({
      ok: false,
      kind: "validation",
      fields: { date: "年末年始（12月29日〜1月3日）は訪問できません" },
    });
    expect(checkVisitSlot({ area: "west", date: isoDate("2024-12-28"), start: "10:00" })).toEqual({
      ok: true,
      value: undefined,
    }); // Saturday
  });
});

describe("S2 checkVisitSlot: hours 09:00 ≤ start < 17:00", () => {
  it("refuses 08:30 with 09:00 the same day", () => {
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-16"), start: "08:30" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { start: "訪問の開始は9:00以降です" },
      next: { date: "2025-06-16", start: "09:00" },
    });
  });

  it("accepts 09:00 and 16:59, refuses 17:00 with the next visit day", () => {
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-16"), start: "09:00" })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-16"), start: "16:59" })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(checkVisitSlot({ area: "east", date: isoDate("2025-06-16"), start: "17:00" })).toEqual({
      ok: false,
      kind: "validation",
      fields: { start: "訪問の開始は17:00より前です" },
      next: { date: "2025-06-17", start: "09:00" },
    });
    // Friday 17:00: Saturday in the west, Monday in the east.
    expect(
      checkVisitSlot({ area: "west", date: isoDate("2025-06-13"), start: "17:00" }),
    ).toMatchObject({
      ok: false,
      next: { date: "2025-06-14", start: "09:00" },
    });
    expect(
      checkVisitSlot({ area: "east", date: isoDate("2025-06-13"), start: "17:00" }),
    ).toMatchObject({
      ok: false,
      next: { date: "2025-06-16", start: "09:00" },
    });
  });

  it("with a duration, requires the visit to end by 17:00", () => {
    expect(
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "16:00",
        durationMinutes: 60,
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "15:30",
        durationMinutes: 90,
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "09:00",
        durationMinutes: 480,
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "16:00",
        durationMinutes: 61,
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { start: "訪問は17:00までに終わる必要があります" },
      next: { date: "2025-06-17", start: "09:00" },
    });
    // 14:30 + 180 min ends 17:30; the last start that fits (14:00) has passed, so the next day.
    expect(
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "14:30",
        durationMinutes: 180,
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { start: "訪問は17:00までに終わる必要があります" },
      next: { date: "2025-06-17", start: "09:00" },
    });
  });

  it("throws on malformed input rather than refusing", () => {
    expect(() =>
      checkVisitSlot({ area: "east", date: "2025-02-29" as IsoDate, start: "10:00" }),
    ).toThrow(RangeError);
    expect(() =>
      checkVisitSlot({ area: "east", date: isoDate("2025-06-16"), start: "9:00" }),
    ).toThrow(RangeError);
    expect(() =>
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "10:00",
        durationMinutes: 0,
      }),
    ).toThrow(RangeError);
    expect(() =>
      checkVisitSlot({
        area: "east",
        date: isoDate("2025-06-16"),
        start: "09:00",
        durationMinutes: 481,
      }),
    ).toThrow(RangeError);
  });
});

describe("S2 nextVisitSlot", () => {
  it("rounds up to the next full hour inside visit hours", () => {
    expect(nextVisitSlot("east", t("2025-06-16T10:20:00+09:00"))).toEqual({
      date: "2025-06-16",
      start: "11:00",
    });
    expect(nextVisitSlot("east", t("2025-06-16T10:00:00+09:00"))).toEqual({
      date: "2025-06-16",
      start: "10:00",
    });
    expect(nextVisitSlot("east", t("2025-06-16T10:00:01+09:00"))).toEqual({
      date: "2025-06-16",
      start: "11:00",
    });
    expect(nextVisitSlot("east", t("2025-06-16T15:59:00+09:00"))).toEqual({
      date: "2025-06-16",
      start: "16:00",
    });
  });

  it("moves to 09:00 of the next visit day once no full hour is left before 17:00", () => {
    expect(nextVisitSlot("east", t("2025-06-16T16:00:01+09:00"))).toEqual({
      date: "2025-06-17",
      start: "09:00",
    });
    expect(nextVisitSlot("east", t("2025-06-16T06:10:00+09:00"))).toEqual({
      date: "2025-06-16",
      start: "09:00",
    });
    expect(nextVisitSlot("east", t("2025-06-13T16:30:00+09:00"))).toEqual({
      date: "2025-06-16",
      start: "09:00",
    });
    expect(nextVisitSlot("west", t("2025-06-13T16:30:00+09:00"))).toEqual({
      date: "2025-06-14",
      start: "09:00",
    });
  });

  it("skips holidays and the year-end break by area", () => {
    expect(nextVisitSlot("west", t("2024-12-28T12:00:00+09:00"))).toEqual({
      date: "2024-12-28",
      start: "12:00",
    });
    expect(nextVisitSlot("east", t("2024-12-28T12:00:00+09:00"))).toEqual({
      date: "2025-01-06",
      start: "09:00",
    });
    expect(nextVisitSlot("west", t("2024-12-28T16:30:00+09:00"))).toEqual({
      date: "2025-01-04",
      start: "09:00",
    });
    expect(nextVisitSlot("east", t("2025-01-10T17:00:00+09:00"))).toEqual({
      date: "2025-01-14",
      start: "09:00",
    });
  });

  it("with a duration, offers only a start that ends by 17:00", () => {
    expect(nextVisitSlot("east", t("2025-06-16T14:10:00+09:00"), 120)).toEqual({
      date: "2025-06-16",
      start: "15:00",
    });
    expect(nextVisitSlot("east", t("2025-06-16T15:10:00+09:00"), 120)).toEqual({
      date: "2025-06-17",
      start: "09:00",
    });
    expect(nextVisitSlot("east", t("2025-06-16T09:10:00+09:00"), 480)).toEqual({
      date: "2025-06-17",
      start: "09:00",
    });
  });

  it("reads the instant in Japan time", () => {
    // 2025-06-15T15:20Z is Monday 2025-06-16 00:20 JST.
    expect(nextVisitSlot("east", t("2025-06-15T15:20:00Z"))).toEqual({
      date: "2025-06-16",
      start: "09:00",
    });
  });
});

describe("S2 visit requests are taken 09:00 ≤ t < 21:00, except 12/29–1/3", () => {
  it("accepts requests inside the desk hours, weekends and national holidays included", () => {
    expect(isRequestAcceptedAt(t("2025-06-16T09:00:00+09:00"))).toBe(true);
    expect(isRequestAcceptedAt(t("2025-06-16T20:59:59+09:00"))).toBe(true);
    expect(isRequestAcceptedAt(t("2025-06-15T12:00:00+09:00"))).toBe(true); // Sunday
    expect(isRequestAcceptedAt(t("2025-01-13T12:00:00+09:00"))).toBe(true); // 成人の日
    expect(isRequestAcceptedAt(t("2025-01-04T09:00:00+09:00"))).toBe(true);
  });

  it("refuses requests outside the hours and on the year-end holidays", () => {
    expect(isRequestAcceptedAt(t("2025-06-16T08:59:59+09:00"))).toBe(false);
    expect(isRequestAcceptedAt(t("2025-06-16T21:00:00+09:00"))).toBe(false);
    expect(isRequestAcceptedAt(t("2024-12-30T10:00:00+09:00"))).toBe(false);
    expect(isRequestAcceptedAt(t("2025-01-03T20:00:00+09:00"))).toBe(false);
  });

  it("tells when the desk next takes requests", () => {
    expect(formatJstIso(nextRequestAcceptanceAt(t("2025-06-16T21:00:00+09:00")))).toBe(
      "2025-06-17T09:00:00+09:00",
    );
    expect(formatJstIso(nextRequestAcceptanceAt(t("2024-12-28T22:00:00+09:00")))).toBe(
      "2025-01-04T09:00:00+09:00",
    );
    expect(formatJstIso(nextRequestAcceptanceAt(t("2025-06-16T12:34:00+09:00")))).toBe(
      "2025-06-16T12:34:00+09:00",
    );
  });
});

describe("S2 nextBookableSlot (issue 17 item 9)", () => {
  it("is strictly after now: at 10:00 on a weekday the next slot is 11:00, not the visit under way", () => {
    expect(nextVisitSlot("east", t("2026-11-24T10:00:00+09:00"))).toEqual({
      date: "2026-11-24",
      start: "10:00",
    });
    expect(nextBookableSlot("east", t("2026-11-24T10:00:00+09:00"))).toEqual({
      date: "2026-11-24",
      start: "11:00",
    });
  });

  it("skips a Sunday and a national holiday in the east, not the Saturday in the west", () => {
    expect(nextBookableSlot("east", t("2026-11-22T10:00:00+09:00"))).toEqual({
      date: "2026-11-24",
      start: "09:00",
    });
    expect(nextBookableSlot("west", t("2026-11-20T17:30:00+09:00"))).toEqual({
      date: "2026-11-21",
      start: "09:00",
    });
  });
});
