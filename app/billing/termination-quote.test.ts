import { describe, expect, it } from "vitest";
import type { ContractHistory } from "./contract-history";
import { UnknownPriceError, tariffVersions } from "./tariff";
import { quoteTermination } from "./termination-quote";
import { isoDate } from "../lib/jst";

const contract: ContractHistory = {
  area: "west",
  basePlan: "base.standard",
  serviceStart: isoDate("2024-04-10"),
};
const builtIn = tariffVersions();
const with2025 = tariffVersions([
  { effectiveFrom: isoDate("2025-04-01"), prices: { "base.standard": 3300, "base.lite": 2000 } },
]);

describe("cancellation quote (T-20, S4 ※1)", () => {
  it("quotes the worked example: wished 2024-09-30, confirmed 2024-09-17", () => {
    expect(
      quoteTermination(contract, builtIn, isoDate("2024-09-30"), isoDate("2024-09-17")),
    ).toEqual({
      terminationDate: "2024-09-30",
      chargedMonths: 5,
      remainingMonths: 7,
      etfYen: 21000,
      feeFreeDate: "2025-04-01",
    });
  });

  it("moves the termination to the confirmation day when that is later (T-20)", () => {
    expect(
      quoteTermination(contract, builtIn, isoDate("2024-09-16"), isoDate("2024-09-20")),
    ).toMatchObject({
      terminationDate: "2024-09-20",
      chargedMonths: 5,
      etfYen: 21000,
    });
  });

  it("quotes no fee in the renewal month", () => {
    expect(
      quoteTermination(contract, builtIn, isoDate("2025-04-01"), isoDate("2025-03-20")),
    ).toEqual({
      terminationDate: "2025-04-01",
      chargedMonths: 12,
      remainingMonths: 0,
      etfYen: 0,
      feeFreeDate: "2025-04-01",
    });
  });

  it("uses the base-plan price of the last charged month (tariff and plan of that month)", () => {
    expect(
      quoteTermination(contract, with2025, isoDate("2025-06-15"), isoDate("2025-06-01")),
    ).toEqual({
      terminationDate: "2025-06-15",
      chargedMonths: 14,
      remainingMonths: 10,
      etfYen: 33000, // 3,300 (May 2025 tariff) × 10
      feeFreeDate: "2026-04-01",
    });
    const downgraded = {
      ...contract,
      planChanges: [{ date: isoDate("2025-05-10"), basePlan: "base.lite" }],
    };
    expect(
      quoteTermination(downgraded, with2025, isoDate("2025-06-15"), isoDate("2025-06-01")).etfYen,
    ).toBe(20000); // 2,000 × 10
  });

  it("quotes no fee when the provider ends the service itself", () => {
    expect(
      quoteTermination(
        contract,
        builtIn,
        isoDate("2024-09-30"),
        isoDate("2024-09-17"),
        "provider_service_end",
      ),
    ).toMatchObject({ remainingMonths: 7, etfYen: 0 });
  });

  it("refuses a plan without price", () => {
    expect(() =>
      quoteTermination(
        { ...contract, basePlan: "base.lite" },
        builtIn,
        isoDate("2024-09-30"),
        isoDate("2024-09-17"),
      ),
    ).toThrow(UnknownPriceError);
  });
});
