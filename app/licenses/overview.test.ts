import { describe, expect, it } from "vitest";
import { makeLicense, makeMonthly } from "./license.fixture";
import {
  cancelQuoteFor,
  displayStateOf,
  licenseOverview,
  relatedLicenses,
  sellerOf,
  type FamilyMember,
} from "./overview";
import { isoDate } from "../lib/jst";

const active = { state: "active" as const, cancelledOn: null, effectiveEnd: null };
const main = makeLicense({
  ref: "L1",
  charges: [{ date: isoDate("2024-05-01"), amountYen: 7980, type: "purchase" }],
});
const addOn = makeLicense({
  ref: "A1",
  mainLicense: "L1",
  priceYen: 1980,
  orderNumber: null,
  charges: [{ date: isoDate("2024-05-10"), amountYen: 1980, type: "purchase" }],
});
const cancelledAddOn = makeLicense({
  ref: "A2",
  mainLicense: "L1",
  priceYen: 500,
  orderNumber: null,
  renewalState: "stopped",
  charges: [{ date: isoDate("2024-05-10"), amountYen: 500, type: "purchase" }],
});
const family: FamilyMember[] = [
  { license: main, status: active },
  { license: addOn, status: active },
  {
    license: cancelledAddOn,
    status: {
      state: "cancelled",
      cancelledOn: isoDate("2024-05-20"),
      effectiveEnd: isoDate("2024-05-20"),
    },
  },
];

describe("the licences a rule may reach", () => {
  it("leaves out the customer's cancelled licences, but never the target", () => {
    expect(relatedLicenses(main, family).map((l) => l.ref)).toEqual(["L1", "A1"]);
    expect(relatedLicenses(cancelledAddOn, family).map((l) => l.ref)).toEqual(["L1", "A1", "A2"]);
  });
});

describe("cancelQuoteFor: the quote of the CLI and the web", () => {
  it("an active main cascades to its live add-ons only (a cancelled add-on is not cancelled twice)", () => {
    const q = cancelQuoteFor(family[0], family, isoDate("2024-06-01"));
    expect([q.effectiveEnd, q.refundYen, q.cascades, q.path]).toEqual([
      "2024-06-01",
      7980 + 1980,
      ["A1"],
      "vendor_account",
    ]);
  });

  it("a cancelled licence: its recorded end, nothing more refunded, nothing cascades", () => {
    const q = cancelQuoteFor(family[2], family, isoDate("2024-06-01"));
    expect([q.effectiveEnd, q.refundYen, q.cascades, q.path, q.lines]).toEqual([
      "2024-05-20",
      0,
      [],
      "support_chat",
      [],
    ]);
  });
});

describe("display state", () => {
  it("follows the stored state, the renewal state and the term", () => {
    expect(displayStateOf(family[0], isoDate("2024-06-01"))).toBe("active");
    expect(
      displayStateOf(
        { license: { ...main, renewalState: "stop_requested" }, status: active },
        isoDate("2024-06-01"),
      ),
    ).toBe("stop_requested");
    expect(
      displayStateOf(
        { license: { ...main, renewalState: "stopped" }, status: active },
        isoDate("2025-04-30"),
      ),
    ).toBe("stopped_running");
    expect(
      displayStateOf(
        { license: { ...main, renewalState: "stopped" }, status: active },
        isoDate("2025-05-01"),
      ),
    ).toBe("ended");
    expect(displayStateOf(family[2], isoDate("2024-05-20"))).toBe("cancelled_running");
    expect(displayStateOf(family[2], isoDate("2024-05-21"))).toBe("ended");
    const isp = makeMonthly({ channel: "isp" });
    expect(
      displayStateOf(
        {
          license: isp,
          status: {
            state: "cancelled",
            cancelledOn: isoDate("2024-06-03"),
            effectiveEnd: isoDate("2024-06-30"),
          },
        },
        isoDate("2024-06-10"),
      ),
    ).toBe("isp_cancel_pending");
  });

  it("an ISP licence ended with the main services (expired) is usable through its last day, not revocable, then ended", () => {
    const isp = makeMonthly({ channel: "isp" });
    const expired = {
      state: "expired" as const,
      cancelledOn: null,
      effectiveEnd: isoDate("2024-06-15"),
    };
    expect(displayStateOf({ license: isp, status: expired }, isoDate("2024-06-15"))).toBe(
      "cancelled_running",
    );
    expect(displayStateOf({ license: isp, status: expired }, isoDate("2024-06-16"))).toBe("ended");
    expect(
      cancelQuoteFor(
        { license: isp, status: expired },
        [{ license: isp, status: expired }],
        isoDate("2024-06-20"),
      ).effectiveEnd,
    ).toBe("2024-06-15");
  });
});

describe("overview (L-6)", () => {
  it("names the seller of record", () => {
    expect(sellerOf(main)).toBe("メーカー公式ストア（このコンソールで停止・解約できます）");
    expect(
      sellerOf(makeMonthly({ channel: "carrier_provider", carrier: "au", provider: "appmes" })),
    ).toBe("株式会社アプメス「m-Pass!」（auショップで販売、電話料金と合算で請求）");
    expect(sellerOf(makeMonthly({ channel: "app_store" }))).toBe(
      "アプリストア（App Store／Google Play の規約が適用されます）",
    );
  });

  it("shows the next renewal with the renewing add-ons, the add-ons' states and whether the console acts", () => {
    const o = licenseOverview(family[0], family, isoDate("2024-06-01"));
    expect(o.nextRenewal).toEqual({ date: "2025-05-01", amountYen: 7980 + 1980 });
    expect(o.addOns.map((a) => [a.ref, a.displayState, a.endsOn])).toEqual([
      ["A1", "active", "2025-05-09"],
      ["A2", "ended", "2024-05-20"],
    ]);
    expect(o.consoleActs).toBe(true);
    expect(o.stop.ok && o.stop.value.stops.map((s) => s.ref)).toEqual(["L1", "A1"]);
    const app = licenseOverview(
      { license: makeMonthly({ channel: "app_store" }), status: active },
      [],
      isoDate("2024-05-10"),
    );
    expect([app.consoleActs, app.path.kind]).toEqual([false, "app_store"]);
  });
});
