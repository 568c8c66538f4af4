// Test fixtures only: the docs/rules/import-format.md example licence (L1), overridable field by field.
import type { License } from "./license";
import { isoDate } from "../lib/jst";

export function makeLicense(overrides: Partial<License> = {}): License {
  return {
    ref: "L1",
    customer: "C1",
    product: "マルチデバイスセキュリティ",
    channel: "vendor_store",
    term: "annual",
    kind: "standard",
    region: "JP",
    seats: 3,
    priceYen: 7980,
    orderNumber: "NP12345678",
    productKey: "ABCD-EFGH-IJKL",
    mainLicense: null,
    autoRenew: true,
    soldVia: "vendor",
    previouslyRefunded: false,
    serviceUsed: false,
    charges: [{ date: isoDate("2024-05-01"), amountYen: 7980, type: "purchase" }],
    ...overrides,
  };
}

/** A monthly licence bought on 2024-05-01 for 980 yen. */
export function makeMonthly(overrides: Partial<License> = {}): License {
  return makeLicense({
    ref: "M1",
    term: "monthly",
    priceYen: 980,
    orderNumber: "AP00000001",
    charges: [{ date: isoDate("2024-05-01"), amountYen: 980, type: "purchase" }],
    ...overrides,
  });
}
