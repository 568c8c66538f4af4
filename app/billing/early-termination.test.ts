import { describe, expect, it } from "vitest";
import {
  chargesEarlyTerminationFee,
  downgradeFee,
  earlyTerminationFee,
  remainingMonths,
  terminationDate,
} from "./early-termination";
import { isoDate, type IsoDate } from "../lib/jst";

const start = isoDate("2024-04-10");

describe("termination date (T-20)", () => {
  it("worked example: asked 2024-09-15 for 2024-09-16, confirmed 2024-09-20 → 2024-09-20", () => {
    expect(terminationDate(isoDate("2024-09-16"), isoDate("2024-09-20"))).toBe("2024-09-20");
  });
  it("keeps the wished date when confirmed before it, or on it", () => {
    expect(terminationDate(isoDate("2024-09-30"), isoDate("2024-09-17"))).toBe("2024-09-30");
    expect(terminationDate(isoDate("2024-09-30"), isoDate("2024-09-30"))).toBe("2024-09-30");
  });
});

describe("remaining months of the minimum term", () => {
  it("is 12·ceil(B/12) − B with B at least 1", () => {
    expect([0, 1, 5, 11, 12, 13, 14, 23, 24, 25].map(remainingMonths)).toEqual([
      11, 11, 7, 1, 0, 11, 10, 1, 0, 11,
    ]);
  });
});

describe("early-termination fee (S4 ※1)", () => {
  const etf = (
    termination: IsoDate,
    terminatedBy: "customer" | "provider_fault" | "provider_service_end" = "customer",
  ) =>
    earlyTerminationFee({
      serviceStart: start,
      terminationDate: termination,
      basePlanPriceYen: 3000,
      terminatedBy,
    });

  it("worked example: termination 2024-09-30 → B = 5, remaining 7, ETF 21,000", () => {
    expect(etf(isoDate("2024-09-30"))).toEqual({
      terminationDate: "2024-09-30",
      chargedMonths: 5,
      remainingMonths: 7,
      lastChargedMonth: "2024-08",
      etfYen: 21000,
    });
  });

  it("worked example: termination 2025-04-01 → B = 12, no fee (renewal month)", () => {
    expect(etf(isoDate("2025-04-01"))).toMatchObject({
      chargedMonths: 12,
      remainingMonths: 0,
      etfYen: 0,
    });
    expect(etf(isoDate("2025-04-30"))).toMatchObject({
      chargedMonths: 12,
      remainingMonths: 0,
      etfYen: 0,
    });
  });

  it("worked example: termination 2025-06-15 → B = 14, remaining 10", () => {
    expect(etf(isoDate("2025-06-15"))).toMatchObject({
      chargedMonths: 14,
      remainingMonths: 10,
      lastChargedMonth: "2025-05",
      etfYen: 30000,
    });
  });

  it("charges on both sides of the renewal month", () => {
    expect(etf(isoDate("2025-03-31"))).toMatchObject({
      chargedMonths: 11,
      remainingMonths: 1,
      etfYen: 3000,
    });
    expect(etf(isoDate("2025-05-01"))).toMatchObject({
      chargedMonths: 13,
      remainingMonths: 11,
      etfYen: 33000,
    });
    expect(etf(isoDate("2026-04-01"))).toMatchObject({
      chargedMonths: 24,
      remainingMonths: 0,
      etfYen: 0,
    });
  });

  it("charges 11 months when start and termination are in the same month (B = 1)", () => {
    expect(etf(isoDate("2024-04-25"))).toMatchObject({
      chargedMonths: 1,
      remainingMonths: 11,
      lastChargedMonth: "2024-04",
      etfYen: 33000,
    });
  });

  it("charges when the provider terminates for the customer's fault, not when it ends the service (T-19, T-21(2))", () => {
    expect(etf(isoDate("2024-09-30"), "provider_fault").etfYen).toBe(21000);
    expect(etf(isoDate("2024-09-30"), "provider_service_end")).toMatchObject({
      remainingMonths: 7,
      etfYen: 0,
    });
    expect(chargesEarlyTerminationFee("customer")).toBe(true);
    expect(chargesEarlyTerminationFee("provider_service_end")).toBe(false);
  });
});

describe("downgrade of the base plan (S4 ※1)", () => {
  const fee = (changeDate: IsoDate) =>
    downgradeFee({ serviceStart: start, changeDate, oldPlanPriceYen: 3000 });

  it("leaves 12 months for a change in the start month (B = 0)", () => {
    expect(fee(isoDate("2024-04-20"))).toEqual({
      chargedMonths: 0,
      remainingMonths: 12,
      etfYen: 36000,
    });
  });

  it("counts the months charged up to the month before the change", () => {
    expect(fee(isoDate("2024-05-01"))).toEqual({
      chargedMonths: 1,
      remainingMonths: 11,
      etfYen: 33000,
    });
    expect(fee(isoDate("2024-09-05"))).toEqual({
      chargedMonths: 5,
      remainingMonths: 7,
      etfYen: 21000,
    });
    expect(fee(isoDate("2025-03-31"))).toEqual({
      chargedMonths: 11,
      remainingMonths: 1,
      etfYen: 3000,
    });
  });

  it("costs nothing in a renewal month and 11 months right after it", () => {
    expect(fee(isoDate("2025-04-10"))).toEqual({
      chargedMonths: 12,
      remainingMonths: 0,
      etfYen: 0,
    });
    expect(fee(isoDate("2025-05-10"))).toEqual({
      chargedMonths: 13,
      remainingMonths: 11,
      etfYen: 33000,
    });
  });
});
