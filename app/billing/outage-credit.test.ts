import { describe, expect, it } from "vitest";
import {
  dailyShareCredit,
  outageBlockDays,
  outageCreditsForMonth,
  outageDaysInMonth,
  type Outage,
} from "./outage-credit";
import { yearMonth } from "../lib/jst";

const outage = (
  knownAt: string,
  restoredAt: string | null,
  services: Outage["services"],
  customerFault = false,
): Outage => ({
  services,
  knownAt,
  restoredAt,
  customerFault,
});

describe("outage credit (T-24-2(2))", () => {
  // Worked example 1: base (3,000) and endpoint (6,000) down 73 h from 2024-07-30 20:00.
  const example1 = outage("2024-07-30T20:00:00+09:00", "2024-08-02T21:00:00+09:00", [
    "base",
    "endpoint",
  ]);

  it("worked example 1: blocks start 07-30 20:00, 07-31 20:00 (July) and 08-01 20:00 (August)", () => {
    expect(outageBlockDays(example1.knownAt, example1.restoredAt!)).toEqual([
      { month: "2024-07", days: 2 },
      { month: "2024-08", days: 1 },
    ]);
  });

  it("worked example 1: July 193 + 387 = 580, August 96 + 193 = 289", () => {
    const fees = { base: 3000, endpoint: 6000 };
    const july = outageCreditsForMonth([example1], yearMonth("2024-07"), fees);
    expect(july).toEqual([
      { service: "base", days: 2, feeYen: 3000, creditYen: 193 },
      { service: "endpoint", days: 2, feeYen: 6000, creditYen: 387 },
    ]);
    expect(july[0].creditYen + july[1].creditYen).toBe(580);
    const august = outageCreditsForMonth([example1], yearMonth("2024-08"), fees);
    expect(august.map((c) => c.creditYen)).toEqual([96, 193]);
    expect(august[0].creditYen + august[1].creditYen).toBe(289);
  });

  it("worked example 2: gateway 11,000 down 06-01 10:00 → 06-03 12:00 = 50 h → 2 days → 733", () => {
    const o = outage("2024-06-01T10:00:00+09:00", "2024-06-03T12:00:00+09:00", ["gateway"]);
    expect(outageDaysInMonth(o, yearMonth("2024-06"))).toBe(2);
    expect(outageCreditsForMonth([o], yearMonth("2024-06"), { gateway: 11000 })).toEqual([
      { service: "gateway", days: 2, feeYen: 11000, creditYen: 733 },
    ]);
  });

  it("counts only full 24-hour blocks from when the provider learned of it", () => {
    const days = (restoredAt: string) =>
      outageDaysInMonth(
        outage("2024-06-01T10:00:00+09:00", restoredAt, ["gateway"]),
        yearMonth("2024-06"),
      );
    expect(days("2024-06-02T09:59:59+09:00")).toBe(0);
    expect(days("2024-06-02T10:00:00+09:00")).toBe(1);
    expect(days("2024-06-03T09:59:00+09:00")).toBe(1);
    expect(days("2024-06-03T10:00:00+09:00")).toBe(2);
    expect(days("2024-06-01T09:00:00+09:00")).toBe(0); // restored before known
  });

  it("puts a block in the Japan-time month it starts in, whatever offset the instant is written with", () => {
    // 2024-07-31T15:30Z is 2024-08-01 00:30 JST: the block is August's.
    expect(outageBlockDays("2024-07-31T15:30:00Z", "2024-08-01T15:30:00Z")).toEqual([
      { month: "2024-08", days: 1 },
    ]);
    // 2024-07-31T14:30Z is 2024-07-31 23:30 JST: the block is July's even though it ends in August.
    expect(outageBlockDays("2024-07-31T14:30:00Z", "2024-08-01T14:30:00Z")).toEqual([
      { month: "2024-07", days: 1 },
    ]);
  });

  it("gives no credit for a customer-caused outage or one not yet restored", () => {
    expect(
      outageDaysInMonth(
        outage("2024-06-01T10:00:00+09:00", "2024-06-03T12:00:00+09:00", ["gateway"], true),
        yearMonth("2024-06"),
      ),
    ).toBe(0);
    expect(
      outageCreditsForMonth(
        [outage("2024-06-01T10:00:00+09:00", null, ["gateway"])],
        yearMonth("2024-06"),
        {
          gateway: 11000,
        },
      ),
    ).toEqual([]);
  });

  it("divides by the days of the month, 29 in a leap February", () => {
    expect(dailyShareCredit(3000, 1, yearMonth("2024-02"))).toBe(103); // 3000 ÷ 29
    expect(dailyShareCredit(3000, 1, yearMonth("2025-02"))).toBe(107); // 3000 ÷ 28
    expect(dailyShareCredit(3000, 1, yearMonth("2024-06"))).toBe(100);
    expect(dailyShareCredit(3000, 1, yearMonth("2024-07"))).toBe(96);
    expect(dailyShareCredit(0, 5, yearMonth("2024-07"))).toBe(0);
  });

  it("credits a whole month's outage with the whole fee", () => {
    const o = outage("2024-06-01T00:00:00+09:00", "2024-07-01T00:00:00+09:00", ["gateway"]);
    expect(outageCreditsForMonth([o], yearMonth("2024-06"), { gateway: 11000 })).toEqual([
      { service: "gateway", days: 30, feeYen: 11000, creditYen: 11000 },
    ]);
  });

  it("computes each outage on its own, sums, and caps the sum at the service's fee", () => {
    const a = outage("2024-06-01T10:00:00+09:00", "2024-06-03T12:00:00+09:00", ["gateway"]); // 2 days → 733
    const b = outage("2024-06-10T10:00:00+09:00", "2024-06-11T11:00:00+09:00", ["gateway"]); // 1 day → 366
    expect(outageCreditsForMonth([a, b], yearMonth("2024-06"), { gateway: 11000 })).toEqual([
      { service: "gateway", days: 3, feeYen: 11000, creditYen: 1099 },
    ]);
    // one outage of 3 days would give floor(33000 ÷ 30) = 1100: flooring is per outage
    expect(dailyShareCredit(11000, 3, yearMonth("2024-06"))).toBe(1100);

    const first = outage("2024-02-01T00:00:00+09:00", "2024-02-21T00:00:00+09:00", ["base"]); // 20 days
    const second = outage("2024-02-05T00:00:00+09:00", "2024-02-25T00:00:00+09:00", ["base"]); // 20 days, overlapping
    expect(dailyShareCredit(2900, 20, yearMonth("2024-02"))).toBe(2000);
    expect(outageCreditsForMonth([first, second], yearMonth("2024-02"), { base: 2900 })).toEqual([
      { service: "base", days: 40, feeYen: 2900, creditYen: 2900 },
    ]);
  });

  it("credits nothing for a service without a fee in the month", () => {
    const o = outage("2024-06-01T10:00:00+09:00", "2024-06-03T12:00:00+09:00", [
      "gateway",
      "sandbox",
    ]);
    expect(
      outageCreditsForMonth([o], yearMonth("2024-06"), { gateway: 0, sandbox: 0, base: 3000 }),
    ).toEqual([]);
  });

  it("rejects an instant without offset", () => {
    expect(() => outageBlockDays("2024-06-01T10:00:00", "2024-06-03T12:00:00+09:00")).toThrow(
      RangeError,
    );
  });
});
