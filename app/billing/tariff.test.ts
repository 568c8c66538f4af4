import { describe, expect, it } from "vitest";
import {
  BUILT_IN_TARIFF,
  NoTariffError,
  UnknownPriceError,
  findTariffForMonth,
  gatewayDeviceCap,
  gatewayDevicePrice,
  gatewayMonthlyPrice,
  isBasePlanCode,
  isCheaperPlan,
  isItemCode,
  isKnownCode,
  isVisitCode,
  priceOf,
  tariffForMonth,
  tariffVersions,
  validateTariffUpdates,
} from "./tariff";
import { isoDate, yearMonth } from "../lib/jst";

const update2025 = {
  effectiveFrom: isoDate("2025-04-01"),
  prices: { "base.standard": 3300, "base.lite": 2000 },
};

describe("built-in tariff 2024-04-01 (docs/rules/tariff.md S4/S5/S6)", () => {
  it("holds the S4 monthly fees", () => {
    expect(BUILT_IN_TARIFF.effectiveFrom).toBe("2024-04-01");
    expect(priceOf(BUILT_IN_TARIFF, "base.standard")).toBe(3000);
    expect(priceOf(BUILT_IN_TARIFF, "endpoint")).toBe(600);
    expect(priceOf(BUILT_IN_TARIFF, "sandbox")).toBe(0);
  });

  it("prices gateways with 24-hour repair as listed and 3,000 less without (S4 ※4)", () => {
    expect(gatewayMonthlyPrice(BUILT_IN_TARIFF, "gateway.gw10", true)).toBe(9000);
    expect(gatewayMonthlyPrice(BUILT_IN_TARIFF, "gateway.gw50", true)).toBe(11000);
    expect(gatewayMonthlyPrice(BUILT_IN_TARIFF, "gateway.gw100", true)).toBe(19000);
    expect(gatewayMonthlyPrice(BUILT_IN_TARIFF, "gateway.gw10", false)).toBe(6000);
    expect(gatewayMonthlyPrice(BUILT_IN_TARIFF, "gateway.gw50", false)).toBe(8000);
    expect(gatewayMonthlyPrice(BUILT_IN_TARIFF, "gateway.gw100", false)).toBe(16000);
  });

  it("holds the S5 visit menu", () => {
    expect(
      [
        "base",
        "diagnosis",
        "os_recovery",
        "os_update",
        "internet",
        "wifi",
        "app",
        "printer",
        "gateway_install",
      ].map((c) => priceOf(BUILT_IN_TARIFF, `visit.${c}`)),
    ).toEqual([4500, 1500, 10500, 7000, 3000, 900, 3500, 4400, 8500]);
  });

  it("holds the S6 data-migration table", () => {
    expect(priceOf(BUILT_IN_TARIFF, "migration.upto_4_7gb")).toBe(6000);
    expect(
      ["1", "2_3", "4_5", "6_10", "11_15", "16_20"].map((row) =>
        priceOf(BUILT_IN_TARIFF, `migration.upto_50gb.pcs_${row}`),
      ),
    ).toEqual([30000, 24000, 23000, 21000, 20500, 20000]);
    expect(priceOf(BUILT_IN_TARIFF, "migration.upto_4tb")).toBe(75000);
    expect(priceOf(BUILT_IN_TARIFF, "migration.per_started_tb_over_4tb")).toBe(12000);
  });

  it("has device prices for unreturned gateways at 0 until the provider sets them (S4 ※3)", () => {
    expect(gatewayDevicePrice(BUILT_IN_TARIFF, "gateway.gw50")).toBe(0);
    const versions = tariffVersions([
      { effectiveFrom: isoDate("2024-10-01"), prices: { "device.gw50": 50000 } },
    ]);
    expect(gatewayDevicePrice(tariffForMonth(versions, yearMonth("2024-10")), "gateway.gw50")).toBe(
      50000,
    );
    expect(gatewayDevicePrice(tariffForMonth(versions, yearMonth("2024-09")), "gateway.gw50")).toBe(
      0,
    );
    expect(gatewayDevicePrice(BUILT_IN_TARIFF, "endpoint")).toBe(0);
  });

  it("gives each gateway model its device cap (S2 free visit)", () => {
    expect(gatewayDeviceCap("gateway.gw10")).toBe(10);
    expect(gatewayDeviceCap("gateway.gw50")).toBe(50);
    expect(gatewayDeviceCap("gateway.gw100")).toBe(100);
    expect(gatewayDeviceCap("endpoint")).toBeNull();
  });

  it("throws a named error for a code without price", () => {
    expect(() => priceOf(BUILT_IN_TARIFF, "gateway.gw20")).toThrow(UnknownPriceError);
    expect(() => priceOf(BUILT_IN_TARIFF, "gateway.gw20")).toThrow(
      'no price for "gateway.gw20" in tariff 2024-04-01',
    );
  });
});

describe("tariff versions (T-2: version in force on the month's first day, inheriting prices)", () => {
  const versions = tariffVersions([
    update2025,
    { effectiveFrom: isoDate("2025-10-01"), prices: { endpoint: 700 } },
  ]);

  it("uses the built-in version before the first update and the update from its month on", () => {
    expect(tariffForMonth(versions, yearMonth("2025-03")).effectiveFrom).toBe("2024-04-01");
    expect(priceOf(tariffForMonth(versions, yearMonth("2025-03")), "base.standard")).toBe(3000);
    expect(tariffForMonth(versions, yearMonth("2025-04")).effectiveFrom).toBe("2025-04-01");
    expect(priceOf(tariffForMonth(versions, yearMonth("2025-04")), "base.standard")).toBe(3300);
  });

  it("inherits every price the new version does not list", () => {
    const v = tariffForMonth(versions, yearMonth("2025-10"));
    expect(v.effectiveFrom).toBe("2025-10-01");
    expect(priceOf(v, "endpoint")).toBe(700);
    expect(priceOf(v, "base.lite")).toBe(2000);
    expect(priceOf(v, "base.standard")).toBe(3300);
    expect(priceOf(v, "gateway.gw50")).toBe(11000);
    expect(priceOf(tariffForMonth(versions, yearMonth("2025-09")), "endpoint")).toBe(600);
  });

  it("bills a whole month with the version in force on its first day (mid-month versions start next month)", () => {
    const mid = tariffVersions([
      { effectiveFrom: isoDate("2025-04-15"), prices: { "base.standard": 3300 } },
    ]);
    expect(priceOf(tariffForMonth(mid, yearMonth("2025-04")), "base.standard")).toBe(3000);
    expect(priceOf(tariffForMonth(mid, yearMonth("2025-05")), "base.standard")).toBe(3300);
  });

  it("moves the without-repair gateway price with the model price", () => {
    const v = tariffForMonth(
      tariffVersions([{ effectiveFrom: isoDate("2025-04-01"), prices: { "gateway.gw50": 12000 } }]),
      yearMonth("2025-04"),
    );
    expect(gatewayMonthlyPrice(v, "gateway.gw50", false)).toBe(9000);
  });

  it("has no version before 2024-04", () => {
    expect(findTariffForMonth(versions, yearMonth("2024-03"))).toBeUndefined();
    expect(() => tariffForMonth(versions, yearMonth("2024-03"))).toThrow(NoTariffError);
    expect(tariffForMonth(versions, yearMonth("2024-04")).effectiveFrom).toBe("2024-04-01");
  });
});

describe("code validation", () => {
  const v2025 = tariffForMonth(tariffVersions([update2025]), yearMonth("2025-04"));

  it("knows base plans by the `base.` prefix and a price", () => {
    expect(isBasePlanCode(BUILT_IN_TARIFF, "base.standard")).toBe(true);
    expect(isBasePlanCode(BUILT_IN_TARIFF, "base.lite")).toBe(false);
    expect(isBasePlanCode(v2025, "base.lite")).toBe(true);
    expect(isBasePlanCode(BUILT_IN_TARIFF, "endpoint")).toBe(false);
  });

  it("separates item codes, visit codes and price-only codes", () => {
    expect(isItemCode(BUILT_IN_TARIFF, "endpoint")).toBe(true);
    expect(isItemCode(BUILT_IN_TARIFF, "sandbox")).toBe(true);
    expect(isItemCode(BUILT_IN_TARIFF, "gateway.gw100")).toBe(true);
    expect(isItemCode(BUILT_IN_TARIFF, "gateway.gw20")).toBe(false);
    expect(isItemCode(BUILT_IN_TARIFF, "base.standard")).toBe(false);
    expect(isVisitCode(BUILT_IN_TARIFF, "visit.data_migration")).toBe(true);
    expect(isVisitCode(BUILT_IN_TARIFF, "visit.os_recovery")).toBe(true);
    expect(isVisitCode(BUILT_IN_TARIFF, "visit.cleaning")).toBe(false);
    expect(isKnownCode(BUILT_IN_TARIFF, "gateway.gw20")).toBe(false);
    expect(isKnownCode(BUILT_IN_TARIFF, "device.gw10")).toBe(false);
    expect(isKnownCode(BUILT_IN_TARIFF, "migration.upto_4tb")).toBe(false);
    expect(isKnownCode(BUILT_IN_TARIFF, "visit.wifi")).toBe(true);
  });

  it("calls a plan cheaper by its price", () => {
    expect(isCheaperPlan(v2025, "base.lite", "base.standard")).toBe(true);
    expect(isCheaperPlan(v2025, "base.standard", "base.lite")).toBe(false);
    expect(isCheaperPlan(v2025, "base.standard", "base.standard")).toBe(false);
  });

  it("lists every problem of provider-published versions", () => {
    expect(validateTariffUpdates([update2025])).toEqual([]);
    expect(
      validateTariffUpdates([
        { effectiveFrom: isoDate("2024-04-01"), prices: { foo: 1 } },
        { effectiveFrom: "2025-02-30", prices: { endpoint: -1 } },
        {
          effectiveFrom: isoDate("2025-04-01"),
          prices: { "gateway.gw200": 25000, "device.gw200": 80000 },
        },
        { effectiveFrom: isoDate("2025-04-01"), prices: { "base.lite": 1999.5 } },
      ]),
    ).toEqual([
      { path: "tariffs[0].effectiveFrom", message: "must be later than 2024-04-01" },
      { path: "tariffs[0].prices.foo", message: 'unknown tariff code "foo"' },
      { path: "tariffs[1].effectiveFrom", message: 'not a date (YYYY-MM-DD): "2025-02-30"' },
      {
        path: "tariffs[1].prices.endpoint",
        message: "price must be a non-negative whole number of yen: -1",
      },
      { path: "tariffs[3].effectiveFrom", message: "another version starts on 2025-04-01" },
      {
        path: "tariffs[3].prices.base.lite",
        message: "price must be a non-negative whole number of yen: 1999.5",
      },
    ]);
  });
});
