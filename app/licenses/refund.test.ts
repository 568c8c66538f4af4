import { describe, expect, it } from "vitest";
import { failureMessage } from "../lib/result";
import type { Charge, License } from "./license";
import { makeLicense, makeMonthly } from "./license.fixture";
import {
  advanceRefund,
  cancelledTogether,
  proRataRefund,
  refundFor,
  requestCancellation,
  RefundTransitionError,
  windowEnd,
  withinWindow,
  type RefundRequest,
} from "./refund";
import { isoDate, type IsoDate } from "../lib/jst";
import { toYen } from "../lib/money";

const purchase = (date: IsoDate, amountYen = 7980): Charge => ({
  date,
  amountYen,
  type: "purchase",
});
const renewal = (date: IsoDate, amountYen = 7980): Charge => ({ date, amountYen, type: "renewal" });
const conversion = (date: IsoDate, amountYen = 7980): Charge => ({
  date,
  amountYen,
  type: "trial_conversion",
});

function expectFull(l: License, on: IsoDate, yen: number, rule: string) {
  const d = refundFor(l, on);
  expect({ refundYen: d.refundYen, basis: d.basis, rule: d.rule }).toEqual({
    refundYen: yen,
    basis: "full",
    rule,
  });
}
function expectNone(l: License, on: IsoDate, rule: string) {
  const d = refundFor(l, on);
  expect({ refundYen: d.refundYen, basis: d.basis, rule: d.rule }).toEqual({
    refundYen: 0,
    basis: "none",
    rule,
  });
}

describe("L-3 day count (the day of the charge is not counted)", () => {
  it("60 days from 2024-05-01 runs to 2024-06-30, 14 days to 2024-05-15", () => {
    expect(windowEnd(isoDate("2024-05-01"), 60)).toBe("2024-06-30");
    expect(windowEnd(isoDate("2024-05-01"), 14)).toBe("2024-05-15");
    expect(withinWindow(isoDate("2024-05-01"), 60, isoDate("2024-05-01"))).toBe(true);
    expect(withinWindow(isoDate("2024-05-01"), 60, isoDate("2024-06-30"))).toBe(true);
    expect(withinWindow(isoDate("2024-05-01"), 60, isoDate("2024-07-01"))).toBe(false);
    expect(withinWindow(isoDate("2024-05-01"), 14, isoDate("2024-04-30"))).toBe(false);
  });
});

describe("L-3 table rows", () => {
  it("annual licence, first purchase: 60 days from purchase, full", () => {
    const l = makeLicense();
    expectFull(l, isoDate("2024-05-01"), 7980, "annual_purchase");
    expectFull(l, isoDate("2024-06-30"), 7980, "annual_purchase");
    expectNone(l, isoDate("2024-07-01"), "annual_purchase");
    expect(refundFor(l, isoDate("2024-06-30")).explanation).toBe(
      "購入日（2024-05-01）から60日以内（2024-06-30 まで）の申請のため、全額 7,980円 を返金します。",
    );
    expect(refundFor(l, isoDate("2024-07-01")).explanation).toBe(
      "購入日（2024-05-01）から60日（2024-06-30 まで）を過ぎているため、返金の対象外です。",
    );
  });

  it("annual renewal charge: 60 days from that charge's date, full", () => {
    const l = makeLicense({
      charges: [purchase(isoDate("2024-05-01")), renewal(isoDate("2025-05-01"), 8480)],
    });
    expectFull(l, isoDate("2025-05-01"), 8480, "annual_renewal");
    expectFull(l, isoDate("2025-06-30"), 8480, "annual_renewal");
    expectNone(l, isoDate("2025-07-01"), "annual_renewal");
    expect(refundFor(l, isoDate("2025-07-01")).windowEnd).toBe("2025-06-30");
  });

  it("a projected renewal (auto-renewal on, not listed) follows the same window at the licence price", () => {
    const l = makeLicense();
    expectFull(l, isoDate("2025-06-30"), 7980, "annual_renewal");
    expectNone(l, isoDate("2025-07-01"), "annual_renewal");
  });

  it("monthly licence, first purchase: 14 days from purchase, full", () => {
    const l = makeMonthly();
    expectFull(l, isoDate("2024-05-15"), 980, "monthly_purchase");
    expectNone(l, isoDate("2024-05-16"), "monthly_purchase");
  });

  it("monthly renewal charge: no refund, even on the day of the charge", () => {
    const l = makeMonthly({
      charges: [purchase(isoDate("2024-05-01"), 980), renewal(isoDate("2024-06-01"), 980)],
    });
    expectNone(l, isoDate("2024-06-01"), "monthly_renewal");
    expectNone(l, isoDate("2024-06-02"), "monthly_renewal");
    expect(refundFor(l, isoDate("2024-06-02")).explanation).toBe(
      "月次延長料金は払い戻しの対象になりません。",
    );
  });

  describe("service-type licence: same windows, renewals included, only if unused", () => {
    it("annual purchase 60 days", () => {
      const l = makeLicense({
        kind: "service",
        priceYen: 5000,
        charges: [purchase(isoDate("2024-05-01"), 5000)],
      });
      expectFull(l, isoDate("2024-06-30"), 5000, "service");
      expectNone(l, isoDate("2024-07-01"), "service");
    });
    it("annual renewal 60 days from the renewal charge", () => {
      const l = makeLicense({
        kind: "service",
        charges: [purchase(isoDate("2024-05-01"), 5000), renewal(isoDate("2025-05-01"), 5000)],
      });
      expectFull(l, isoDate("2025-06-30"), 5000, "service");
      expectNone(l, isoDate("2025-07-01"), "service");
    });
    it("monthly purchase 14 days", () => {
      const l = makeMonthly({ kind: "service" });
      expectFull(l, isoDate("2024-05-15"), 980, "service");
      expectNone(l, isoDate("2024-05-16"), "service");
    });
    it("monthly renewal 14 days from the renewal charge (unlike a standard monthly licence)", () => {
      const l = makeMonthly({
        kind: "service",
        charges: [purchase(isoDate("2024-05-01"), 980), renewal(isoDate("2024-06-01"), 980)],
      });
      expectFull(l, isoDate("2024-06-15"), 980, "service");
      expectNone(l, isoDate("2024-06-16"), "service");
    });
    it("nothing once the service was used, even inside the window", () => {
      const l = makeLicense({ kind: "service", serviceUsed: true });
      expectNone(l, isoDate("2024-05-02"), "exception_service_used");
    });
  });

  describe("trials not cancelled before conversion", () => {
    it("annual: 60 days from the conversion charge", () => {
      const l = makeLicense({ kind: "trial", charges: [conversion(isoDate("2024-05-01"))] });
      expectFull(l, isoDate("2024-06-30"), 7980, "annual_trial_conversion");
      expectNone(l, isoDate("2024-07-01"), "annual_trial_conversion");
    });
    it("annual: later annual renewals too, 60 days from each", () => {
      const l = makeLicense({
        kind: "trial",
        charges: [conversion(isoDate("2024-05-01")), renewal(isoDate("2025-05-01"))],
      });
      expectFull(l, isoDate("2025-06-30"), 7980, "annual_renewal");
      expectNone(l, isoDate("2025-07-01"), "annual_renewal");
    });
    it("monthly: 14 days from the conversion charge, first month only", () => {
      const l = makeMonthly({ kind: "trial", charges: [conversion(isoDate("2024-05-01"), 980)] });
      expectFull(l, isoDate("2024-05-15"), 980, "monthly_trial_conversion");
      expectNone(l, isoDate("2024-05-16"), "monthly_trial_conversion");
    });
    it("monthly: later monthly renewals none", () => {
      const l = makeMonthly({
        kind: "trial",
        charges: [conversion(isoDate("2024-05-01"), 980), renewal(isoDate("2024-06-01"), 980)],
      });
      expectNone(l, isoDate("2024-06-01"), "monthly_renewal");
    });
    it("nothing before the conversion charge", () => {
      const l = makeMonthly({ kind: "trial", charges: [conversion(isoDate("2024-05-01"), 980)] });
      expectNone(l, isoDate("2024-04-30"), "no_charge");
    });
  });

  describe("UK / Netherlands, annual renewal after 60 days: pro rata from the month after the request", () => {
    const uk = makeLicense({
      region: "UK",
      charges: [purchase(isoDate("2024-05-01")), renewal(isoDate("2025-05-01"))],
    });

    it("inside 60 days it is still a full refund", () => {
      expectFull(uk, isoDate("2025-06-30"), 7980, "annual_renewal");
    });

    it("day 61: the days from 2025-08-01 to 2026-04-30 (273 of 365)", () => {
      const d = refundFor(uk, isoDate("2025-07-01"));
      expect(d).toMatchObject({
        refundYen: 5968, // floor(7980 × 273 ÷ 365) = floor(5968.6)
        basis: "pro_rata",
        rule: "uk_nl_pro_rata",
        proRata: { from: "2025-08-01", daysLeft: 273, daysInTerm: 365 },
      });
      expect(d.explanation).toBe(
        "60日間の返金保証期間（2025-06-30 まで）の終了後のため、申請の翌月 2025-08-01 から延長後の有効期間の残り 273 日分を日割りで返金します（7,980円 × 273 ÷ 365 = 5,968円）。",
      );
    });

    it("the Netherlands, mid-month request: from 2025-09-01, 242 days", () => {
      const nl = { ...uk, region: "NL" as const };
      expect(refundFor(nl, isoDate("2025-08-15"))).toMatchObject({
        refundYen: 5290,
        proRata: { daysLeft: 242 },
      });
      expect(refundFor(nl, isoDate("2025-08-31"))).toMatchObject({ refundYen: 5290 });
      expect(refundFor(nl, isoDate("2025-09-01"))).toMatchObject({
        refundYen: 4634,
        proRata: { from: "2025-10-01", daysLeft: 212 },
      }); // floor(7980 × 212 ÷ 365)
    });

    it("a request in the term's last month leaves nothing to refund", () => {
      expect(refundFor(uk, isoDate("2026-04-10"))).toMatchObject({
        refundYen: 0,
        basis: "pro_rata",
        proRata: { daysLeft: 0 },
      });
    });

    it("uses 366 days for a term that holds 29 February", () => {
      expect(
        proRataRefund(7980, isoDate("2023-05-01"), isoDate("2024-05-01"), isoDate("2023-07-20")),
      ).toEqual({
        refundYen: 5974, // floor(7980 × 274 ÷ 366)
        from: "2023-08-01",
        daysLeft: 274,
        daysInTerm: 366,
      });
    });

    it("not for a first purchase, nor for other regions", () => {
      expectNone(makeLicense({ region: "UK" }), isoDate("2024-07-01"), "annual_purchase");
      expectNone({ ...uk, region: "JP" }, isoDate("2025-07-01"), "annual_renewal");
      expectNone({ ...uk, region: "EEA" }, isoDate("2025-07-01"), "annual_renewal");
    });
  });

  describe("EEA, Switzerland, UK: cooling-off 14 days from the order, for any reason", () => {
    it("overrides the re-purchase exception within 14 days, not on day 15", () => {
      const l = makeLicense({ region: "EEA", previouslyRefunded: true });
      expectFull(l, isoDate("2024-05-15"), 7980, "cooling_off");
      expectNone(l, isoDate("2024-05-16"), "exception_previously_refunded");
      expect(refundFor(l, isoDate("2024-05-15")).explanation).toBe(
        "クーリングオフ期間（注文確定日 2024-05-01 から14日以内、2024-05-15 まで）のため、理由を問わず全額 7,980円 を返金します。",
      );
    });
    it("overrides the service-used exception in Switzerland and the UK", () => {
      const ch = makeMonthly({ kind: "service", serviceUsed: true, region: "CH" });
      expectFull(ch, isoDate("2024-05-15"), 980, "cooling_off");
      expectNone(ch, isoDate("2024-05-16"), "exception_service_used");
      expectFull({ ...ch, region: "UK" }, isoDate("2024-05-15"), 980, "cooling_off");
    });
    it("does not exist in Japan, the Netherlands (listed apart) or elsewhere", () => {
      for (const region of ["JP", "NL", "other"] as const) {
        expectNone(
          makeLicense({ region, previouslyRefunded: true }),
          isoDate("2024-05-10"),
          "exception_previously_refunded",
        );
      }
    });
    it("does not reach licences sold by third parties", () => {
      expectNone(
        makeLicense({ region: "EEA", soldVia: "third_party" }),
        isoDate("2024-05-10"),
        "exception_third_party",
      );
    });
  });
});

describe("L-3 exceptions: no refund under this policy", () => {
  it("not-for-resale / free, bundled, bought or renewed through a third party", () => {
    expectNone(makeLicense({ soldVia: "nfr" }), isoDate("2024-05-02"), "exception_nfr");
    expectNone(makeLicense({ soldVia: "bundled" }), isoDate("2024-05-02"), "exception_bundled");
    expectNone(
      makeLicense({ soldVia: "third_party" }),
      isoDate("2024-05-02"),
      "exception_third_party",
    );
  });
  it("any channel other than the vendor store", () => {
    for (const channel of ["isp", "carrier_provider", "reseller", "app_store"] as const) {
      expectNone(makeLicense({ channel }), isoDate("2024-05-02"), "exception_channel");
    }
  });
  it("re-purchase of a product already refunded once", () => {
    expectNone(
      makeLicense({ previouslyRefunded: true }),
      isoDate("2024-05-02"),
      "exception_previously_refunded",
    );
    expect(
      refundFor(makeLicense({ previouslyRefunded: true }), isoDate("2024-05-02")).explanation,
    ).toBe("以前に返金が行われた製品の再購入のため、返金の対象外です。");
  });
});

describe("L-3 cascade and cancellation request", () => {
  const main = makeLicense();
  const inWindow = makeLicense({
    ref: "A1",
    mainLicense: "L1",
    priceYen: 2000,
    charges: [purchase(isoDate("2024-06-01"), 2000)],
  });
  const outWindow = makeLicense({
    ref: "A2",
    mainLicense: "L1",
    priceYen: 1000,
    charges: [purchase(isoDate("2024-03-01"), 1000)],
  });
  const expired = makeLicense({
    ref: "A3",
    mainLicense: "L1",
    autoRenew: false,
    charges: [purchase(isoDate("2023-01-01"), 500)],
  });
  const all = [main, inWindow, outWindow, expired];

  it("cancelling a main licence takes its live add-ons; an add-on goes alone", () => {
    expect(cancelledTogether(main, all, isoDate("2024-06-20")).map((l) => l.ref)).toEqual([
      "A1",
      "A2",
    ]);
    expect(cancelledTogether(inWindow, all, isoDate("2024-06-20"))).toEqual([]);
  });

  it("needs the uninstall acknowledgement", () => {
    expect(
      requestCancellation(main, all, isoDate("2024-06-20"), { uninstalledFromAllDevices: false }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        uninstalled:
          "アンインストールの確認が必要です。ソフトウェアのライセンスをキャンセルする場合、そのソフトウェアのすべてのコピーをデバイスからアンインストールして削除する必要があります。",
      },
    });
  });

  it("applies each licence's own rule and opens one request per refund", () => {
    const result = requestCancellation(main, all, isoDate("2024-06-20"), {
      uninstalledFromAllDevices: true,
    });
    if (!result.ok) throw new Error(failureMessage(result));
    const r = result.value;
    expect(r.decisions.map((d) => [d.licenseRef, d.decision.refundYen, d.decision.rule])).toEqual([
      ["L1", 7980, "annual_purchase"],
      ["A1", 2000, "annual_purchase"],
      ["A2", 0, "annual_purchase"],
    ]);
    expect(
      r.requests.map((q) => [q.licenseRef, q.amountYen, q.status, q.uninstallAcknowledgedOn]),
    ).toEqual([
      ["L1", 7980, "requested", "2024-06-20"],
      ["A1", 2000, "requested", "2024-06-20"],
    ]);
    expect(r.notices).toHaveLength(2);
  });

  it("cancelling only an add-on refunds only that add-on", () => {
    const result = requestCancellation(inWindow, all, isoDate("2024-07-31"), {
      uninstalledFromAllDevices: true,
    });
    if (!result.ok) throw new Error(failureMessage(result));
    const r = result.value;
    expect(r.requests.map((q) => [q.licenseRef, q.amountYen])).toEqual([["A1", 2000]]);
    const late = requestCancellation(inWindow, all, isoDate("2024-08-01"), {
      uninstalledFromAllDevices: true,
    });
    if (!late.ok) throw new Error(failureMessage(late));
    expect(late.value.requests).toEqual([]);
  });
});

describe("L-3 refund workflow", () => {
  const requested: RefundRequest = {
    licenseRef: "L1",
    amountYen: toYen(7980),
    rule: "annual_purchase",
    requestedOn: isoDate("2024-06-20"),
    uninstallAcknowledgedOn: isoDate("2024-06-20"),
    status: "requested",
    approvedOn: null,
    paidOn: null,
    refusedOn: null,
    refusedReason: null,
  };

  it("requested → approved → paid", () => {
    const approved = advanceRefund(requested, { type: "approve", on: isoDate("2024-06-21") });
    expect(approved).toMatchObject({ status: "approved", approvedOn: "2024-06-21" });
    expect(advanceRefund(approved, { type: "pay", on: isoDate("2024-06-25") })).toMatchObject({
      status: "paid",
      paidOn: "2024-06-25",
    });
  });

  it("requested → refused with a reason", () => {
    expect(
      advanceRefund(requested, { type: "refuse", on: isoDate("2024-06-21"), reason: " 利用済み " }),
    ).toMatchObject({
      status: "refused",
      refusedReason: "利用済み",
    });
    expect(() =>
      advanceRefund(requested, { type: "refuse", on: isoDate("2024-06-21"), reason: " " }),
    ).toThrow(RefundTransitionError);
  });

  it("rejects every other transition", () => {
    expect(() => advanceRefund(requested, { type: "pay", on: isoDate("2024-06-21") })).toThrow(
      /cannot pay when requested/,
    );
    const paid = { ...requested, status: "paid" as const };
    expect(() => advanceRefund(paid, { type: "approve", on: isoDate("2024-06-21") })).toThrow(
      RefundTransitionError,
    );
    expect(() =>
      advanceRefund(paid, { type: "refuse", on: isoDate("2024-06-21"), reason: "x" }),
    ).toThrow(RefundTransitionError);
    const refused = { ...requested, status: "refused" as const };
    expect(() => advanceRefund(refused, { type: "approve", on: isoDate("2024-06-21") })).toThrow(
      RefundTransitionError,
    );
  });
});
