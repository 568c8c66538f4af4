import { describe, expect, it } from "vitest";
import {
  basePlanForMonth,
  basePlanLabel,
  basePlanPriceForMonth,
  resolvePlanChanges,
} from "./base-plan";
import { tariffVersions } from "./tariff";
import { isoDate, yearMonth } from "../lib/jst";

const tariffs = tariffVersions([
  { effectiveFrom: isoDate("2025-04-01"), prices: { "base.standard": 3300, "base.lite": 2000 } },
]);

describe("base plan of a month (T-24-1: the new plan from the month of the change)", () => {
  const changes = [{ date: isoDate("2025-05-20"), basePlan: "base.lite" }];

  it("charges the old plan before the change month and the new one from it", () => {
    expect(basePlanForMonth("base.standard", changes, yearMonth("2025-04"))).toBe("base.standard");
    expect(basePlanForMonth("base.standard", changes, yearMonth("2025-05"))).toBe("base.lite");
    expect(basePlanForMonth("base.standard", changes, yearMonth("2025-06"))).toBe("base.lite");
  });

  it("takes the last change of a month, whatever the listed order", () => {
    const several = [
      { date: isoDate("2025-06-01"), basePlan: "base.standard" },
      { date: isoDate("2025-05-20"), basePlan: "base.lite" },
      { date: isoDate("2025-05-25"), basePlan: "base.pro" },
    ];
    expect(basePlanForMonth("base.standard", several, yearMonth("2025-05"))).toBe("base.pro");
    expect(resolvePlanChanges("base.standard", several)).toEqual([
      { date: "2025-05-20", fromPlan: "base.standard", toPlan: "base.lite" },
      { date: "2025-05-25", fromPlan: "base.lite", toPlan: "base.pro" },
      { date: "2025-06-01", fromPlan: "base.pro", toPlan: "base.standard" },
    ]);
  });

  it("drops changes to the plan already in force", () => {
    expect(
      resolvePlanChanges("base.standard", [
        { date: isoDate("2025-05-20"), basePlan: "base.standard" },
      ]),
    ).toEqual([]);
  });

  it("prices the plan with the tariff of the month", () => {
    expect(basePlanPriceForMonth("base.standard", changes, tariffs, yearMonth("2025-03"))).toEqual({
      plan: "base.standard",
      priceYen: 3000,
      tariffVersion: "2024-04-01",
    });
    expect(basePlanPriceForMonth("base.standard", changes, tariffs, yearMonth("2025-04"))).toEqual({
      plan: "base.standard",
      priceYen: 3300,
      tariffVersion: "2025-04-01",
    });
    expect(basePlanPriceForMonth("base.standard", changes, tariffs, yearMonth("2025-05"))).toEqual({
      plan: "base.lite",
      priceYen: 2000,
      tariffVersion: "2025-04-01",
    });
    expect(
      basePlanPriceForMonth("base.lite", [], tariffs, yearMonth("2024-10")).priceYen,
    ).toBeUndefined();
  });

  it("names plan ① in Japanese", () => {
    expect(basePlanLabel("base.standard")).toBe("プラン①");
    expect(basePlanLabel("base.lite")).toBe("lite");
  });
});
