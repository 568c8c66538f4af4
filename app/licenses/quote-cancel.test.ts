import { describe, expect, it } from "vitest";
import { makeLicense, makeMonthly } from "./license.fixture";
import { quoteCancel, quoteCancelDetail } from "./quote-cancel";
import { isoDate, type IsoDate } from "../lib/jst";

// The docs/rules/import-format.md example: bought 2024-05-01, renewed 2025-05-01, order NP…
const l1 = makeLicense({
  charges: [
    { date: isoDate("2024-05-01"), amountYen: 7980, type: "purchase" },
    { date: isoDate("2025-05-01"), amountYen: 7980, type: "renewal" },
  ],
});

describe("quote-cancel: the CLI JSON", () => {
  it("has exactly the four fields", () => {
    expect(Object.keys(quoteCancel(l1, [l1], isoDate("2024-06-30")))).toEqual([
      "effectiveEnd",
      "refundYen",
      "cascades",
      "path",
    ]);
  });

  it("import example, day 60 after purchase: full refund, ends that day", () => {
    expect(quoteCancel(l1, [l1], isoDate("2024-06-30"))).toEqual({
      effectiveEnd: "2024-06-30",
      refundYen: 7980,
      cascades: [],
      path: "vendor_account",
    });
  });

  it("day 61: nothing back, runs to the end of the term (2025-04-30)", () => {
    expect(quoteCancel(l1, [l1], isoDate("2024-07-01"))).toEqual({
      effectiveEnd: "2025-04-30",
      refundYen: 0,
      cascades: [],
      path: "vendor_account",
    });
  });

  it("after the renewal: 60 days from the renewal charge, then to the end of the renewed term", () => {
    expect(quoteCancel(l1, [l1], isoDate("2025-06-30"))).toEqual({
      effectiveEnd: "2025-06-30",
      refundYen: 7980,
      cascades: [],
      path: "vendor_account",
    });
    expect(quoteCancel(l1, [l1], isoDate("2025-07-01"))).toEqual({
      effectiveEnd: "2026-04-30",
      refundYen: 0,
      cascades: [],
      path: "vendor_account",
    });
  });

  it("monthly vendor licence: 2024-05-15 refunded, 2024-05-16 runs to the end of the month term", () => {
    const m = makeMonthly({ orderNumber: "SY1" });
    expect(quoteCancel(m, [m], isoDate("2024-05-15"))).toEqual({
      effectiveEnd: "2024-05-15",
      refundYen: 980,
      cascades: [],
      path: "store_order_status",
    });
    expect(quoteCancel(m, [m], isoDate("2024-05-16"))).toEqual({
      effectiveEnd: "2024-05-31",
      refundYen: 0,
      cascades: [],
      path: "store_order_status",
    });
  });

  it("a main licence cascades to its live add-ons, each refunded by its own rule", () => {
    const a1 = makeLicense({
      ref: "A1",
      mainLicense: "L1",
      priceYen: 2000,
      charges: [{ date: isoDate("2024-06-01"), amountYen: 2000, type: "purchase" }],
    });
    const a2 = makeLicense({
      ref: "A2",
      mainLicense: "L1",
      priceYen: 1000,
      charges: [{ date: isoDate("2024-04-01"), amountYen: 1000, type: "purchase" }],
    });
    const gone = makeLicense({
      ref: "A3",
      mainLicense: "L1",
      autoRenew: false,
      charges: [{ date: isoDate("2023-01-01"), amountYen: 500, type: "purchase" }],
    });
    const all = [l1, a1, a2, gone];
    // On 2024-05-31 A1 is not bought yet, so only A2 goes along (its day 60: refunded too).
    expect(quoteCancel(l1, all, isoDate("2024-05-31"))).toEqual({
      effectiveEnd: "2024-05-31",
      refundYen: 7980 + 1000,
      cascades: ["A2"],
      path: "vendor_account",
    });
    expect(quoteCancel(l1, all, isoDate("2024-07-31"))).toEqual({
      effectiveEnd: "2025-04-30",
      refundYen: 2000,
      cascades: ["A1", "A2"],
      path: "vendor_account",
    });
    expect(quoteCancel(a1, all, isoDate("2024-07-31"))).toEqual({
      effectiveEnd: "2024-07-31",
      refundYen: 2000,
      cascades: [],
      path: "vendor_account",
    });
    const d = quoteCancelDetail(l1, all, isoDate("2024-07-31"));
    expect(d.lines.map((l) => [l.ref, l.effectiveEnd, l.refundYen, l.rule])).toEqual([
      ["L1", "2025-04-30", 0, "L-3 annual_purchase"],
      ["A1", "2024-07-31", 2000, "L-3 annual_purchase"],
      ["A2", "2025-03-31", 0, "L-3 annual_purchase"],
    ]);
  });

  it("UK pro rata: ends with the request month", () => {
    const uk = { ...l1, region: "UK" as const };
    expect(quoteCancel(uk, [uk], isoDate("2025-07-01"))).toEqual({
      effectiveEnd: "2025-07-31",
      refundYen: 5968,
      cascades: [],
      path: "vendor_account",
    });
  });

  it("a trial cancelled before its conversion: nothing charged, ends now", () => {
    const t = makeLicense({
      kind: "trial",
      orderNumber: null,
      charges: [{ date: isoDate("2024-06-01"), amountYen: 7980, type: "trial_conversion" }],
    });
    expect(quoteCancel(t, [t], isoDate("2024-05-20"))).toEqual({
      effectiveEnd: "2024-05-20",
      refundYen: 0,
      cascades: [],
      path: "support_chat",
    });
  });

  it("ISP: last day of the request month, no refund", () => {
    const isp = makeMonthly({
      channel: "isp",
      priceYen: 627,
      orderNumber: null,
      contractNumber: "8123456789",
    });
    expect(quoteCancel(isp, [isp], isoDate("2024-07-05"))).toEqual({
      effectiveEnd: "2024-07-31",
      refundYen: 0,
      cascades: [],
      path: "isp_mypage",
    });
    expect(quoteCancel(isp, [isp], isoDate("2024-08-01"))).toEqual({
      effectiveEnd: "2024-08-31",
      refundYen: 0,
      cascades: [],
      path: "isp_mypage",
    });
  });

  it("carrier-shop monthly: usable to the end of the month of cancellation", () => {
    const k = makeMonthly({
      channel: "carrier_provider",
      soldVia: "third_party",
      orderNumber: null,
    });
    expect(quoteCancel(k, [k], isoDate("2024-05-31"))).toEqual({
      effectiveEnd: "2024-05-31",
      refundYen: 0,
      cascades: [],
      path: "carrier_provider",
    });
    expect(quoteCancel(k, [k], isoDate("2024-06-01"))).toEqual({
      effectiveEnd: "2024-06-30",
      refundYen: 0,
      cascades: [],
      path: "carrier_provider",
    });
  });

  it("carrier-shop annual: refunded at once within 60 days (instalments continue), not after", () => {
    const k = makeLicense({
      channel: "carrier_provider",
      soldVia: "third_party",
      priceYen: 12000,
      charges: [{ date: isoDate("2024-05-01"), amountYen: 1000, type: "purchase" }],
    });
    expect(quoteCancel(k, [k], isoDate("2024-06-30"))).toEqual({
      effectiveEnd: "2024-06-30",
      refundYen: 12000,
      cascades: [],
      path: "carrier_provider",
    });
    expect(quoteCancelDetail(k, [k], isoDate("2024-06-30")).lines[0].notices[0]).toBe(
      "年額料金 12,000円 は一括で返金されますが、月々の引き落としは引き続き発生します。",
    );
    expect(quoteCancel(k, [k], isoDate("2024-07-01"))).toEqual({
      effectiveEnd: "2025-04-30",
      refundYen: 0,
      cascades: [],
      path: "carrier_provider",
    });
  });

  it("app store and reseller: the seller's terms, no refund here, runs to the end of the term", () => {
    const app = makeLicense({ channel: "app_store", soldVia: "third_party" });
    expect(quoteCancel(app, [app], isoDate("2024-05-02"))).toEqual({
      effectiveEnd: "2025-04-30",
      refundYen: 0,
      cascades: [],
      path: "app_store",
    });
    const res = makeLicense({ channel: "reseller", soldVia: "third_party" });
    expect(quoteCancel(res, [res], isoDate("2024-05-02"))).toEqual({
      effectiveEnd: "2025-04-30",
      refundYen: 0,
      cascades: [],
      path: "reseller",
    });
  });

  it("rejects a malformed date", () => {
    expect(() => quoteCancel(l1, [l1], "2024-13-01" as IsoDate)).toThrow(/invalid date/);
  });
});

describe("quote-cancel around month ends (L-2, L-3)", () => {
  it("a monthly add-on bought on 01-31 is cancelled with its main licence on 03-29 and 03-30 too", () => {
    const main = makeLicense({
      ref: "M",
      charges: [{ date: isoDate("2024-01-31"), amountYen: 7980, type: "purchase" }],
    });
    const addOn = makeMonthly({
      ref: "A",
      mainLicense: "M",
      charges: [{ date: isoDate("2024-01-31"), amountYen: 980, type: "purchase" }],
    });
    for (const on of ["2024-03-28", "2024-03-29", "2024-03-30", "2024-03-31"]) {
      expect(quoteCancel(main, [main, addOn], isoDate(on)).cascades).toEqual(["A"]);
    }
    expect(quoteCancel(addOn, [main, addOn], isoDate("2024-03-29")).effectiveEnd).toBe(
      "2024-03-30",
    );
  });
});
