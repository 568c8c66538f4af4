import type { Result } from "../lib/result";
import { describe, expect, it } from "vitest";
import {
  advanceRenewal,
  BENEFITS_MAY_END_WARNING,
  nextRenewalAmountYen,
  PROCESSING_NOTICE,
  RenewalTransitionError,
  requestStopAutoRenewal,
} from "./auto-renewal";
import { makeLicense, makeMonthly } from "./license.fixture";
import { isoDate } from "../lib/jst";

const main = makeLicense();
const vpn = makeLicense({
  ref: "A1",
  product: "セキュアVPN",
  mainLicense: "L1",
  priceYen: 2000,
  charges: [{ date: isoDate("2024-06-01"), amountYen: 2000, type: "purchase" }],
});
const backup = makeLicense({
  ref: "A2",
  product: "クラウドバックアップ",
  mainLicense: "L1",
  priceYen: 1000,
});
const stoppedAddOn = makeLicense({ ref: "A3", mainLicense: "L1", priceYen: 500, autoRenew: false });
const all = [main, vpn, backup, stoppedAddOn];

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value;
}

describe("L-2 state machine", () => {
  it("active → stop_requested → stopped, nothing else", () => {
    expect(advanceRenewal("active", "request_stop")).toBe("stop_requested");
    expect(advanceRenewal("stop_requested", "stop_processed")).toBe("stopped");
    expect(() => advanceRenewal("active", "stop_processed")).toThrow(RenewalTransitionError);
    expect(() => advanceRenewal("stopped", "request_stop")).toThrow(
      /cannot request_stop when stopped/,
    );
    expect(() => advanceRenewal("stop_requested", "request_stop")).toThrow(RenewalTransitionError);
  });
});

describe("L-2 stopping before the next billing date", () => {
  it("the day before the billing date avoids that charge; valid to the end of the current term", () => {
    const r = ok(requestStopAutoRenewal(main, [main], isoDate("2025-04-30")));
    expect(r.stops).toEqual([
      {
        ref: "L1",
        state: "stop_requested",
        validUntil: "2025-04-30",
        avoidsChargeOn: "2025-05-01",
      },
    ]);
    expect(r.warnings).toEqual([
      "ライセンスは、現在の有効期間が終了する 2025-04-30 まで継続します。有効期間が終了するとライセンスが失効し、その後は自動的に延長されることはありません。",
      BENEFITS_MAY_END_WARNING,
      PROCESSING_NOTICE,
    ]);
  });

  it("on the billing date itself that day's renewal is charged; the stop applies from the next one", () => {
    const r = ok(requestStopAutoRenewal(main, [main], isoDate("2025-05-01")));
    expect(r.stops[0]).toMatchObject({ validUntil: "2026-04-30", avoidsChargeOn: "2026-05-01" });
    expect(r.warnings[0]).toBe(
      "本日（2025-05-01）は延長料金の請求日のため、本日の請求は停止の対象になりません。返金の条件をご確認ください。",
    );
  });

  it("monthly: valid to the day before the next monthly charge", () => {
    const m = makeMonthly();
    expect(ok(requestStopAutoRenewal(m, [m], isoDate("2024-05-31"))).stops[0]).toMatchObject({
      validUntil: "2024-05-31",
      avoidsChargeOn: "2024-06-01",
    });
    expect(ok(requestStopAutoRenewal(m, [m], isoDate("2024-06-01"))).stops[0]).toMatchObject({
      validUntil: "2024-06-30",
      avoidsChargeOn: "2024-07-01",
    });
  });

  it("a trial before conversion: stopping avoids the listed conversion charge", () => {
    const trial = makeLicense({
      kind: "trial",
      charges: [{ date: isoDate("2024-06-01"), amountYen: 7980, type: "trial_conversion" }],
    });
    const r = ok(requestStopAutoRenewal(trial, [trial], isoDate("2024-05-31")));
    expect(r.stops[0]).toEqual({
      ref: "L1",
      state: "stop_requested",
      validUntil: null,
      avoidsChargeOn: "2024-06-01",
    });
    expect(r.warnings[0]).toBe("体験期間の終了後に料金は請求されず、ライセンスは失効します。");
  });

  it("refuses a second request, a stopped licence and other channels", () => {
    expect(
      requestStopAutoRenewal(
        makeLicense({ renewalState: "stop_requested" }),
        [],
        isoDate("2024-06-01"),
      ),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "自動延長サービスの停止を処理中です。",
    });
    expect(
      requestStopAutoRenewal(makeLicense({ autoRenew: false }), [], isoDate("2024-06-01")),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "自動延長サービスはすでに停止しています。",
    });
    expect(
      requestStopAutoRenewal(
        makeLicense({ channel: "carrier_provider" }),
        [],
        isoDate("2024-06-01"),
      ).ok,
    ).toBe(false);
  });
});

describe("L-2 add-ons", () => {
  it("the main's next renewal carries every add-on still renewing", () => {
    expect(nextRenewalAmountYen(main, all)).toBe(7980 + 2000 + 1000);
  });

  it("stopping a main licence stops every linked add-on still renewing, each to its own term end", () => {
    const r = ok(requestStopAutoRenewal(main, all, isoDate("2024-07-01")));
    expect(r.stops).toEqual([
      {
        ref: "L1",
        state: "stop_requested",
        validUntil: "2025-04-30",
        avoidsChargeOn: "2025-05-01",
      },
      {
        ref: "A1",
        state: "stop_requested",
        validUntil: "2025-05-31",
        avoidsChargeOn: "2025-06-01",
      },
      {
        ref: "A2",
        state: "stop_requested",
        validUntil: "2025-04-30",
        avoidsChargeOn: "2025-05-01",
      },
    ]);
    expect(r.mainRenewal).toBeNull();
    expect(r.warnings).toContain(
      "リンクされているアドオンライセンス（セキュアVPN、クラウドバックアップ）の自動延長サービスもキャンセルされます。",
    );
  });

  it("stopping an add-on leaves the main alone and lowers its next renewal by the add-on's price", () => {
    const r = ok(requestStopAutoRenewal(vpn, all, isoDate("2024-07-01")));
    expect(r.stops.map((s) => s.ref)).toEqual(["A1"]);
    expect(r.mainRenewal).toEqual({
      ref: "L1",
      nextBillingDate: "2025-05-01",
      beforeYen: 10980,
      afterYen: 8980,
    });
    expect(r.warnings).toContain(
      "メインライセンス（マルチデバイスセキュリティ）の自動延長サービスはキャンセルされません。次回（2025-05-01）の延長料金は 10,980円 から 8,980円 に調整されます。",
    );
    expect(r.warnings).toContain(BENEFITS_MAY_END_WARNING);
  });

  it("no adjustment to quote when the main itself no longer renews", () => {
    const stoppedMain = makeLicense({ autoRenew: false });
    expect(
      ok(requestStopAutoRenewal(vpn, [stoppedMain, vpn], isoDate("2024-07-01"))).mainRenewal,
    ).toBeNull();
  });
});
