// S1-4⑤ retention window: same day 6 months earlier in Japan, clamped to the month's end.
import { describe, expect, it } from "vitest";
import { isRetained, retentionCutoff, retentionStart, retentionStartDate } from "./retention";
import { instantOf, isoDate } from "../lib/jst";

describe("S1-4⑤ retention start: the same day 6 months earlier (JST)", () => {
  it.each([
    ["2026-11-22", "2026-05-22"],
    ["2026-05-22", "2025-11-22"], // across the year
    ["2026-01-15", "2025-07-15"],
    ["2026-12-31", "2026-06-30"], // June has 30 days
    ["2026-08-31", "2026-02-28"], // month end: February is shorter
    ["2028-08-31", "2028-02-29"], // leap year
    ["2026-08-28", "2026-02-28"],
    ["2026-03-31", "2025-09-30"],
    ["2026-07-01", "2026-01-01"],
  ])("%s → %s", (today, start) => {
    expect(retentionStartDate(isoDate(today))).toBe(start);
  });

  it("takes the date of the instant in Japan, not in UTC", () => {
    // 2026-11-21 15:30 UTC is already 2026-11-22 00:30 in Japan.
    expect(retentionStart(new Date("2026-11-21T15:30:00Z"))).toBe("2026-05-22");
    expect(retentionStart(new Date("2026-11-21T14:59:59Z"))).toBe("2026-05-21");
    expect(retentionStart(new Date("2026-08-31T23:59:00+09:00"))).toBe("2026-02-28");
  });

  it("keeps events from 00:00 JST of the first day", () => {
    const now = new Date("2026-11-22T10:00:00+09:00");
    expect(instantOf(retentionCutoff(now))).toBe("2026-05-21T15:00:00.000Z");
    expect(isRetained(new Date("2026-05-22T00:00:00+09:00"), now)).toBe(true);
    expect(isRetained(new Date("2026-05-21T23:59:59+09:00"), now)).toBe(false);
    expect(isRetained(new Date("2026-05-21T15:00:00Z"), now)).toBe(true);
  });
});
