import { describe, expect, it } from "vitest";
import type { ContractHistory } from "../billing/contract-history";
import { tariffVersions } from "../billing/tariff";
import { applyChange, changeImpact } from "./contract-change";

const tariffs = tariffVersions([{ effectiveFrom: "2024-10-01", prices: { "base.lite": 2000 } }]);
const contract: ContractHistory = {
  area: "west", basePlan: "base.standard", serviceStart: "2024-04-10",
  items: [
    { code: "endpoint", quantity: 10, ownership: "rental", from: "2024-04-10" },
    { code: "gateway.gw50", quantity: 1, ownership: "rental", repair24h: true, from: "2024-04-10" },
  ],
};

describe("contract changes", () => {
  it("ends the rented seat line and starts a new one the same day (item rule)", () => {
    const after = applyChange(contract, { kind: "endpoint_seats", quantity: 12 }, "2024-11-15");
    expect(after.items).toEqual([
      { code: "endpoint", quantity: 10, ownership: "rental", from: "2024-04-10", to: "2024-11-15" },
      contract.items![1],
      { code: "endpoint", quantity: 12, ownership: "rental", from: "2024-11-15", to: null },
    ]);
    // November: the old line is not charged (removed in November), the new one is: 3,000 + 11,000 + 12 × 600.
    expect(changeImpact(contract, { kind: "endpoint_seats", quantity: 12 }, "2024-11-15", tariffs)).toMatchObject({
      monthlyBeforeYen: 20000, monthlyAfterYen: 21200, nextMonthlyAfterYen: 21200, etfYen: 0,
    });
  });

  it("shows the ETF of a downgrade before it is confirmed (S4 ※1: old plan × remaining months)", () => {
    // B = April–October 2024 = 7 months before the change month → remaining 5 → 5 × 3,000.
    const impact = changeImpact(contract, { kind: "base_plan", basePlan: "base.lite" }, "2024-11-05", tariffs);
    expect(impact).toMatchObject({ month: "2024-11", monthlyBeforeYen: 20000, monthlyAfterYen: 19000, etfYen: 15000 });
    expect(impact.etfDescription).toContain("残5か月");
  });

  it("removing a gateway costs no fee and stops its charge from that month", () => {
    expect(changeImpact(contract, { kind: "gateway_remove", model: "gateway.gw50" }, "2024-11-20", tariffs)).toMatchObject({
      monthlyBeforeYen: 20000, monthlyAfterYen: 9000, etfYen: 0,
    });
  });
});
