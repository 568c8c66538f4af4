// S1-4④ earliest on-site dispatch for a failed gateway.
import { describe, expect, it } from "vitest";
import { formatJstIso, parseInstant } from "../lib/jst";
import { earliestDispatch, type Area, type GatewayModel } from "./gateway-dispatch";

const dispatch = (
  reported: string,
  area: Area,
  model: GatewayModel,
  repair24h: boolean,
): string => {
  const reportedAt = parseInstant(reported);
  if (!reportedAt) throw new Error(`bad instant ${reported}`);
  return formatJstIso(earliestDispatch({ reportedAt, area, model, repair24h }));
};

describe("S1-4④ standard hours: 09:00 ≤ t < 17:00 every day of the year", () => {
  const cases: Array<[Area, GatewayModel]> = [
    ["west", "gw10"],
    ["west", "gw50"],
    ["west", "gw100"],
    ["east", "gw50"],
    ["east", "gw100"],
  ];

  for (const [area, model] of cases) {
    it(`${area} ${model} without the 24-hour option`, () => {
      // Weekday (Monday 2025-06-16): inside, before 09:00, at and after 17:00.
      expect(dispatch("2025-06-16T10:20:00+09:00", area, model, false)).toBe(
        "2025-06-16T10:20:00+09:00",
      );
      expect(dispatch("2025-06-16T16:59:00+09:00", area, model, false)).toBe(
        "2025-06-16T16:59:00+09:00",
      );
      expect(dispatch("2025-06-16T08:30:00+09:00", area, model, false)).toBe(
        "2025-06-16T09:00:00+09:00",
      );
      expect(dispatch("2025-06-16T17:00:00+09:00", area, model, false)).toBe(
        "2025-06-17T09:00:00+09:00",
      );
      expect(dispatch("2025-06-16T23:40:00+09:00", area, model, false)).toBe(
        "2025-06-17T09:00:00+09:00",
      );
      // Friday evening → Saturday morning; weekends are service days.
      expect(dispatch("2025-06-13T18:00:00+09:00", area, model, false)).toBe(
        "2025-06-14T09:00:00+09:00",
      );
      expect(dispatch("2025-06-15T11:00:00+09:00", area, model, false)).toBe(
        "2025-06-15T11:00:00+09:00",
      ); // Sunday
      // National holidays: 成人の日 2025-01-13, 勤労感謝の日 2026-11-23.
      expect(dispatch("2025-01-13T10:00:00+09:00", area, model, false)).toBe(
        "2025-01-13T10:00:00+09:00",
      );
      expect(dispatch("2026-11-22T19:00:00+09:00", area, model, false)).toBe(
        "2026-11-23T09:00:00+09:00",
      );
      // Year-end holidays are service days too (年中無休).
      expect(dispatch("2024-12-31T10:00:00+09:00", area, model, false)).toBe(
        "2024-12-31T10:00:00+09:00",
      );
      expect(dispatch("2024-12-31T20:00:00+09:00", area, model, false)).toBe(
        "2025-01-01T09:00:00+09:00",
      );
      // Golden Week 2025 (05-03..05-06) is no exception.
      expect(dispatch("2025-05-02T17:30:00+09:00", area, model, false)).toBe(
        "2025-05-03T09:00:00+09:00",
      );
    });

    it(`${area} ${model} with the 24-hour option: at once`, () => {
      expect(dispatch("2025-06-16T03:12:45+09:00", area, model, true)).toBe(
        "2025-06-16T03:12:45+09:00",
      );
      expect(dispatch("2025-06-13T18:00:00+09:00", area, model, true)).toBe(
        "2025-06-13T18:00:00+09:00",
      );
      expect(dispatch("2025-06-15T22:00:00+09:00", area, model, true)).toBe(
        "2025-06-15T22:00:00+09:00",
      );
      expect(dispatch("2026-11-23T02:00:00+09:00", area, model, true)).toBe(
        "2026-11-23T02:00:00+09:00",
      );
      expect(dispatch("2025-01-01T00:30:00+09:00", area, model, true)).toBe(
        "2025-01-01T00:30:00+09:00",
      );
      expect(dispatch("2025-05-04T20:00:00+09:00", area, model, true)).toBe(
        "2025-05-04T20:00:00+09:00",
      );
    });
  }

  it("keeps the reported instant to the millisecond when dispatching at once", () => {
    const reportedAt = parseInstant("2025-06-16T10:20:33.250+09:00")!;
    expect(
      earliestDispatch({ reportedAt, area: "west", model: "gw50", repair24h: false }).toISOString(),
    ).toBe("2025-06-16T01:20:33.250Z");
  });
});

describe("S1-4④ east gw10: weekdays 09:00–17:00 only, option or not", () => {
  for (const repair24h of [false, true]) {
    it(`${repair24h ? "with" : "without"} the 24-hour option`, () => {
      // Weekday: inside, before 09:00, at 17:00.
      expect(dispatch("2025-06-16T10:20:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-06-16T10:20:00+09:00",
      );
      expect(dispatch("2025-06-16T08:59:59+09:00", "east", "gw10", repair24h)).toBe(
        "2025-06-16T09:00:00+09:00",
      );
      expect(dispatch("2025-06-16T17:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-06-17T09:00:00+09:00",
      );
      // Friday evening and the weekend → Monday 09:00.
      expect(dispatch("2025-06-13T18:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-06-16T09:00:00+09:00",
      );
      expect(dispatch("2025-06-14T10:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-06-16T09:00:00+09:00",
      );
      expect(dispatch("2025-06-15T23:59:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-06-16T09:00:00+09:00",
      );
      // National holidays: Monday 成人の日 2025-01-13 (after a weekend) and 勤労感謝の日 2026-11-23.
      expect(dispatch("2025-01-10T17:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-01-14T09:00:00+09:00",
      );
      expect(dispatch("2025-01-13T10:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-01-14T09:00:00+09:00",
      );
      expect(dispatch("2026-11-23T10:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2026-11-24T09:00:00+09:00",
      );
      // Year-end: Friday 2024-12-27 evening → 12-28 Sat, 12-29..01-03, 01-04 Sat, 01-05 Sun → Monday 01-06.
      expect(dispatch("2024-12-27T17:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-01-06T09:00:00+09:00",
      );
      expect(dispatch("2025-01-03T10:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-01-06T09:00:00+09:00",
      );
      // Golden Week 2025: Fri 05-02 after 17:00, then 05-03 Sat .. 05-06 振替休日 → Wednesday 05-07.
      expect(dispatch("2025-05-02T17:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-05-07T09:00:00+09:00",
      );
      expect(dispatch("2025-05-05T12:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-05-07T09:00:00+09:00",
      );
      expect(dispatch("2025-05-02T16:00:00+09:00", "east", "gw10", repair24h)).toBe(
        "2025-05-02T16:00:00+09:00",
      );
    });
  }

  it("does not restrict a gw10 in the west area", () => {
    expect(dispatch("2025-05-05T12:00:00+09:00", "west", "gw10", false)).toBe(
      "2025-05-05T12:00:00+09:00",
    );
    expect(dispatch("2025-05-05T22:00:00+09:00", "west", "gw10", true)).toBe(
      "2025-05-05T22:00:00+09:00",
    );
  });
});
