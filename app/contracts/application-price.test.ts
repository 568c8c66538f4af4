import { describe, expect, it } from "vitest";
import { BUILT_IN_TARIFF, tariffVersions } from "../billing/tariff";
import { applicationMonthlyPrice, priceInputOfForm } from "./application-price";
import { isoDate } from "../lib/jst";

describe("applicationMonthlyPrice (issue 17 item 11)", () => {
  it("prices plan ①, 5 rented seats and a rented gw10 with 24-hour repair from the tariff", () => {
    const price = applicationMonthlyPrice(BUILT_IN_TARIFF, {
      endpointSeats: 5,
      endpointOwnership: "rental",
      gatewayModel: "gateway.gw10",
      gatewayOwnership: "rental",
      gatewayRepair24h: true,
    });
    // 3,000 + 5 × 600 + 9,000 = 15,000; tax 1,500.
    expect(price.lines.map((l) => [l.code, l.quantity, l.amountYen])).toEqual([
      ["base.standard", 1, 3000],
      ["endpoint", 5, 3000],
      ["gateway.gw10", 1, 9000],
    ]);
    expect(price).toMatchObject({ subtotalYen: 15000, taxYen: 1500, totalYen: 16500 });
  });

  it("leaves out what is bought, takes 3,000 off without 24-hour repair, and follows a later tariff", () => {
    const later = tariffVersions([
      { effectiveFrom: isoDate("2026-10-01"), prices: { endpoint: 650 } },
    ]).at(-1)!;
    const input = priceInputOfForm({
      endpointSeats: "３",
      endpointOwnership: "rental",
      gatewayModel: "gateway.gw50",
      gatewayOwnership: "rental",
    });
    expect(applicationMonthlyPrice(later, input)).toMatchObject({
      subtotalYen: 3000 + 3 * 650 + 8000,
      taxYen: 1295,
      totalYen: 14245,
    });
    expect(
      applicationMonthlyPrice(BUILT_IN_TARIFF, {
        ...input,
        endpointOwnership: "purchased",
        gatewayOwnership: "purchased",
      }),
    ).toMatchObject({ subtotalYen: 3000, totalYen: 3300 });
  });
});
