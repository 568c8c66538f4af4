import { describe, expect, it } from "vitest";
import type { ContractHistory } from "../billing/contract-history";
import { tariffVersions } from "../billing/tariff";
import { applyChange, changeImpact } from "./contract-change";
import { isoDate } from "../lib/jst";

const tariffs = tariffVersions([
  { effectiveFrom: isoDate("2024-10-01"), prices: { "base.lite": 2000 } },
]);
const contract: ContractHistory = {
  area: "west",
  basePlan: "base.standard",
  serviceStart: isoDate("2024-04-10"),
  items: [
    { code: "endpoint", quantity: 10, ownership: "rental", from: isoDate("2024-04-10") },
    {
      code: "gateway.gw50",
      quantity: 1,
      ownership: "rental",
      repair24h: true,
      from: isoDate("2024-04-10"),
    },
  ],
};

describe("contract changes", () => {
  it("adds more seats as a new line of the extra seats, the old line going on (item rule)", () => {
    const after = applyChange(
      contract,
      { kind: "endpoint_seats", quantity: 12 },
      isoDate("2024-11-15"),
    );
    expect(after.items).toEqual([
      ...contract.items!,
      { code: "endpoint", quantity: 2, ownership: "rental", from: "2024-11-15", to: null },
    ]);
    // November: 3,000 + 11,000 + 10 × 600 + 2 × 600.
    expect(
      changeImpact(
        contract,
        { kind: "endpoint_seats", quantity: 12 },
        isoDate("2024-11-15"),
        tariffs,
      ),
    ).toMatchObject({
      monthlyBeforeYen: 20000,
      monthlyAfterYen: 21200,
      nextMonthlyAfterYen: 21200,
      etfYen: 0,
    });
  });

  it("charges 12 seats, not 22, when seats are added in the month service started", () => {
    // Start 2024-04-10 with 10 seats, 12 from 04-20: April = 3,000 + 11,000 + 12 × 600 (the 10-seat line was not ended).
    expect(
      changeImpact(
        contract,
        { kind: "endpoint_seats", quantity: 12 },
        isoDate("2024-04-20"),
        tariffs,
      ),
    ).toMatchObject({
      month: "2024-04",
      monthlyBeforeYen: 20000,
      monthlyAfterYen: 21200,
      nextMonthlyAfterYen: 21200,
    });
  });

  it("ends the line on fewer seats and starts one of the seats that stay, each line charged on its own", () => {
    const after = applyChange(
      contract,
      { kind: "endpoint_seats", quantity: 8 },
      isoDate("2024-11-15"),
    );
    expect(after.items).toEqual([
      { code: "endpoint", quantity: 10, ownership: "rental", from: "2024-04-10", to: "2024-11-15" },
      contract.items![1],
      { code: "endpoint", quantity: 8, ownership: "rental", from: "2024-11-15", to: null },
    ]);
    // November: the 10-seat line is removed in November (not charged), the 8-seat line starts in it.
    expect(
      changeImpact(
        contract,
        { kind: "endpoint_seats", quantity: 8 },
        isoDate("2024-11-15"),
        tariffs,
      ),
    ).toMatchObject({
      monthlyBeforeYen: 20000,
      monthlyAfterYen: 18800,
      nextMonthlyAfterYen: 18800,
    });
    // In the start month both lines are charged (added and removed in April → one month; the new line → April): 10 + 8 seats.
    expect(
      changeImpact(
        contract,
        { kind: "endpoint_seats", quantity: 8 },
        isoDate("2024-04-20"),
        tariffs,
      ),
    ).toMatchObject({
      monthlyAfterYen: 3000 + 11000 + 18 * 600,
      nextMonthlyAfterYen: 18800,
    });
  });

  it("more seats after fewer: the extra seats are one more line", () => {
    const fewer = applyChange(
      contract,
      { kind: "endpoint_seats", quantity: 8 },
      isoDate("2024-11-15"),
    );
    const more = applyChange(
      fewer,
      { kind: "endpoint_seats", quantity: 11 },
      isoDate("2025-01-10"),
    );
    expect(more.items?.filter((i) => i.code === "endpoint" && i.to === null)).toEqual([
      { code: "endpoint", quantity: 8, ownership: "rental", from: "2024-11-15", to: null },
      { code: "endpoint", quantity: 3, ownership: "rental", from: "2025-01-10", to: null },
    ]);
  });

  it("shows the ETF of a downgrade before it is confirmed (S4 ※1: old plan × remaining months)", () => {
    // B = April–October 2024 = 7 months before the change month → remaining 5 → 5 × 3,000.
    const impact = changeImpact(
      contract,
      { kind: "base_plan", basePlan: "base.lite" },
      isoDate("2024-11-05"),
      tariffs,
    );
    expect(impact).toMatchObject({
      month: "2024-11",
      monthlyBeforeYen: 20000,
      monthlyAfterYen: 19000,
      etfYen: 15000,
    });
    expect(impact.etfDescription).toContain("残5か月");
  });

  it("removing a gateway costs no fee and stops its charge from that month", () => {
    expect(
      changeImpact(
        contract,
        { kind: "gateway_remove", model: "gateway.gw50" },
        isoDate("2024-11-20"),
        tariffs,
      ),
    ).toMatchObject({
      monthlyBeforeYen: 20000,
      monthlyAfterYen: 9000,
      etfYen: 0,
    });
  });
});
