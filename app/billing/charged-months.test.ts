import { describe, expect, it } from "vitest";
import {
  chargedMonthCount,
  chargedMonths,
  isItemMonthCharged,
  isItemPresentOn,
  isMonthCharged,
  lastChargedMonth,
} from "./charged-months";
import { isoDate, yearMonth } from "../lib/jst";

describe("contract charged months (T-24-1 / T-27-2)", () => {
  it("worked example: start 2024-04-10, termination 2024-09-30 → April–August, 5 months", () => {
    expect(chargedMonths(isoDate("2024-04-10"), isoDate("2024-09-30"))).toEqual([
      "2024-04",
      "2024-05",
      "2024-06",
      "2024-07",
      "2024-08",
    ]);
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2024-09-30"))).toBe(5);
    expect(lastChargedMonth(isoDate("2024-04-10"), isoDate("2024-09-30"))).toBe("2024-08");
  });

  it("charges the start month in full and never the termination month", () => {
    expect(isMonthCharged(isoDate("2024-04-30"), isoDate("2024-09-30"), yearMonth("2024-03"))).toBe(
      false,
    );
    expect(isMonthCharged(isoDate("2024-04-30"), isoDate("2024-09-30"), yearMonth("2024-04"))).toBe(
      true,
    ); // started on its last day
    expect(isMonthCharged(isoDate("2024-04-10"), isoDate("2024-09-30"), yearMonth("2024-08"))).toBe(
      true,
    );
    expect(isMonthCharged(isoDate("2024-04-10"), isoDate("2024-09-30"), yearMonth("2024-09"))).toBe(
      false,
    );
    expect(isMonthCharged(isoDate("2024-04-10"), isoDate("2024-09-01"), yearMonth("2024-09"))).toBe(
      false,
    ); // terminated on the 1st
    expect(isMonthCharged(isoDate("2024-04-10"), isoDate("2024-09-30"), yearMonth("2024-10"))).toBe(
      false,
    );
  });

  it("charges one month when start and termination are in the same month", () => {
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2024-04-25"))).toBe(1);
    expect(chargedMonths(isoDate("2024-04-10"), isoDate("2024-04-25"))).toEqual(["2024-04"]);
    expect(isMonthCharged(isoDate("2024-04-10"), isoDate("2024-04-25"), yearMonth("2024-04"))).toBe(
      true,
    );
  });

  it("counts on both sides of a month edge of the termination date", () => {
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2024-05-01"))).toBe(1);
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2024-05-31"))).toBe(1);
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2024-06-01"))).toBe(2);
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2025-03-31"))).toBe(11);
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2025-04-01"))).toBe(12);
    expect(chargedMonthCount(isoDate("2024-04-10"), isoDate("2025-06-15"))).toBe(14);
  });

  it("keeps charging a contract without termination; its list needs a bound", () => {
    expect(isMonthCharged(isoDate("2024-04-10"), null, yearMonth("2030-01"))).toBe(true);
    expect(chargedMonths(isoDate("2024-04-10"), null, yearMonth("2024-06"))).toEqual([
      "2024-04",
      "2024-05",
      "2024-06",
    ]);
    expect(
      chargedMonths(isoDate("2024-04-10"), isoDate("2024-09-30"), yearMonth("2024-05")),
    ).toEqual(["2024-04", "2024-05"]);
    expect(() => chargedMonths(isoDate("2024-04-10"), null)).toThrow(RangeError);
  });
});

describe("item-line rule (T-24-1 interpretation)", () => {
  const start = isoDate("2024-04-10");

  it("charges the month a line is added, whatever the day", () => {
    const item = { from: isoDate("2024-05-31") };
    expect(isItemMonthCharged(item, start, null, yearMonth("2024-04"))).toBe(false);
    expect(isItemMonthCharged(item, start, null, yearMonth("2024-05"))).toBe(true);
    expect(isItemMonthCharged(item, start, null, yearMonth("2024-06"))).toBe(true);
  });

  it("does not charge the month a line is removed, whatever the day", () => {
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-04-10"), to: isoDate("2024-07-01") },
        start,
        null,
        yearMonth("2024-06"),
      ),
    ).toBe(true);
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-04-10"), to: isoDate("2024-07-01") },
        start,
        null,
        yearMonth("2024-07"),
      ),
    ).toBe(false);
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-04-10"), to: isoDate("2024-06-30") },
        start,
        null,
        yearMonth("2024-05"),
      ),
    ).toBe(true);
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-04-10"), to: isoDate("2024-06-30") },
        start,
        null,
        yearMonth("2024-06"),
      ),
    ).toBe(false);
    // leap year: removed on 2024-03-01 → February (29 days) charged, March not
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-01-15"), to: isoDate("2024-03-01") },
        isoDate("2024-01-15"),
        null,
        yearMonth("2024-02"),
      ),
    ).toBe(true);
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-01-15"), to: isoDate("2024-03-01") },
        isoDate("2024-01-15"),
        null,
        yearMonth("2024-03"),
      ),
    ).toBe(false);
  });

  it("charges one month for a line added and removed in the same month", () => {
    const item = { from: isoDate("2024-06-03"), to: isoDate("2024-06-20") };
    expect(isItemMonthCharged(item, start, null, yearMonth("2024-05"))).toBe(false);
    expect(isItemMonthCharged(item, start, null, yearMonth("2024-06"))).toBe(true);
    expect(isItemMonthCharged(item, start, null, yearMonth("2024-07"))).toBe(false);
  });

  it("charges each line on its own: fewer seats end a line and start a new one the same day", () => {
    const ten = { from: isoDate("2024-04-10"), to: isoDate("2024-06-15") };
    const eight = { from: isoDate("2024-06-15") };
    expect(isItemMonthCharged(ten, start, null, yearMonth("2024-06"))).toBe(false);
    expect(isItemMonthCharged(eight, start, null, yearMonth("2024-06"))).toBe(true);
    // a line added and removed in June and its replacement are both charged for June
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-06-01"), to: isoDate("2024-06-20") },
        start,
        null,
        yearMonth("2024-06"),
      ),
    ).toBe(true);
    expect(
      isItemMonthCharged({ from: isoDate("2024-06-20") }, start, null, yearMonth("2024-06")),
    ).toBe(true);
  });

  it("lets the contract rule win: nothing for the termination month, nothing before the start month", () => {
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-09-05") },
        start,
        isoDate("2024-09-30"),
        yearMonth("2024-09"),
      ),
    ).toBe(false);
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-08-31") },
        start,
        isoDate("2024-09-30"),
        yearMonth("2024-08"),
      ),
    ).toBe(true);
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-09-05"), to: isoDate("2024-09-06") },
        start,
        isoDate("2024-09-30"),
        yearMonth("2024-09"),
      ),
    ).toBe(false);
    expect(
      isItemMonthCharged({ from: isoDate("2024-03-01") }, start, null, yearMonth("2024-03")),
    ).toBe(false);
    // same-month contract: its one month is charged, so are its lines
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-04-10") },
        start,
        isoDate("2024-04-25"),
        yearMonth("2024-04"),
      ),
    ).toBe(true);
  });

  it("never charges a line removed before it was added (invalid input)", () => {
    expect(
      isItemMonthCharged(
        { from: isoDate("2024-06-10"), to: isoDate("2024-05-10") },
        start,
        null,
        yearMonth("2024-06"),
      ),
    ).toBe(false);
  });

  it("has an item on the contract from its `from` day up to, not including, its `to` day", () => {
    expect(
      isItemPresentOn(
        { from: isoDate("2024-04-10"), to: isoDate("2024-06-15") },
        isoDate("2024-04-09"),
      ),
    ).toBe(false);
    expect(
      isItemPresentOn(
        { from: isoDate("2024-04-10"), to: isoDate("2024-06-15") },
        isoDate("2024-04-10"),
      ),
    ).toBe(true);
    expect(
      isItemPresentOn(
        { from: isoDate("2024-04-10"), to: isoDate("2024-06-15") },
        isoDate("2024-06-14"),
      ),
    ).toBe(true);
    expect(
      isItemPresentOn(
        { from: isoDate("2024-04-10"), to: isoDate("2024-06-15") },
        isoDate("2024-06-15"),
      ),
    ).toBe(false);
    expect(isItemPresentOn({ from: isoDate("2024-04-10"), to: null }, isoDate("2030-01-01"))).toBe(
      true,
    );
  });
});
