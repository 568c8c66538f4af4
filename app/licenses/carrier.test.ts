import { describe, expect, it } from "vitest";
import {
  CARRIER_BILLING,
  carrierAnnualRefund,
  carrierBillingRefusalWarning,
  carrierCancellationSteps,
  carrierCancellationTiming,
} from "./carrier";
import { makeLicense, makeMonthly } from "./license.fixture";
import { isoDate } from "../lib/jst";

const monthly = makeMonthly({
  ref: "K1",
  channel: "carrier_provider",
  soldVia: "third_party",
  product: "セキュリティ with ダークウェブモニタリング",
  orderNumber: null,
  productKey: "PK12-3456-7890",
  carrier: "au",
  carrierPaymentNumber: "A123456789",
  provider: "appmes",
});
const video = makeMonthly({
  ref: "K2",
  channel: "carrier_provider",
  product: "動画見放題",
  carrier: "au",
});
const docomoOnly = makeMonthly({
  ref: "K3",
  channel: "carrier_provider",
  product: "雑誌読み放題",
  carrier: "docomo",
});
const otherCustomer = makeMonthly({
  ref: "K4",
  customer: "C2",
  channel: "carrier_provider",
  product: "音楽",
  carrier: "au",
});

describe("L-5 carrier payment numbers", () => {
  it("names each carrier's number as the carrier does", () => {
    expect(CARRIER_BILLING.docomo.paymentNumberLabel).toBe("決済番号");
    expect(CARRIER_BILLING.au.paymentNumberLabel).toBe("決済情報番号");
    expect(CARRIER_BILLING.softbank.paymentNumberLabel).toBe("決済番号");
  });
});

describe("L-5 cancellation timing", () => {
  it("by phone with the product key: done the same day, usable to the end of that month", () => {
    expect(
      carrierCancellationTiming({ by: "phone_with_product_key" }, isoDate("2024-05-31")),
    ).toEqual({
      completedEarliest: "2024-05-31",
      completedLatest: "2024-05-31",
      usableUntilEarliest: "2024-05-31",
      usableUntilLatest: "2024-05-31",
      notices: ["本日中に解約が完了し、解約月の月末（2024-05-31）まで利用できます。"],
    });
    expect(
      carrierCancellationTiming({ by: "member_page" }, isoDate("2024-06-01")).usableUntilLatest,
    ).toBe("2024-06-30");
  });

  it("with the payment number: 1 to 10 days; the month may roll over", () => {
    const early = carrierCancellationTiming(
      { by: "phone_with_payment_number", carrier: "docomo" },
      isoDate("2024-05-10"),
    );
    expect(early).toMatchObject({
      completedEarliest: "2024-05-11",
      completedLatest: "2024-05-20",
      usableUntilEarliest: "2024-05-31",
      usableUntilLatest: "2024-05-31",
    });
    expect(early.notices).toEqual([
      "決済番号での手続きは完了まで1〜10日かかります（2024-05-11〜2024-05-20 の見込み）。",
      "解約月の月末（2024-05-31）まで利用できます。",
    ]);
    const late = carrierCancellationTiming(
      { by: "phone_with_payment_number", carrier: "au" },
      isoDate("2024-05-22"),
    );
    expect(late).toMatchObject({
      completedLatest: "2024-06-01",
      usableUntilEarliest: "2024-05-31",
      usableUntilLatest: "2024-06-30",
    });
    expect(late.notices[1]).toBe("完了した月の月末まで利用できます（2024-05-31〜2024-06-30）。");
    // Day 10 from 2024-05-21 is still May, from 2024-05-22 it is June.
    expect(
      carrierCancellationTiming(
        { by: "phone_with_payment_number", carrier: "au" },
        isoDate("2024-05-21"),
      ).usableUntilLatest,
    ).toBe("2024-05-31");
  });
});

describe("L-5 refusing carrier billing in the shop", () => {
  it("warns that every other monthly service billed that way is cancelled too, naming the known ones", () => {
    expect(carrierBillingRefusalWarning(monthly, [monthly, video, docomoOnly, otherCustomer])).toBe(
      "携帯ショップで「電話料金との一括支払いの拒否手続き」をすると、同じ方法で支払っている他の月額サービスもすべて一緒に解約されます（登録済みの該当サービス: 動画見放題）。必要なサービスは再度契約し直す必要があります。",
    );
    expect(carrierBillingRefusalWarning(monthly, [monthly])).toBe(
      "携帯ショップで「電話料金との一括支払いの拒否手続き」をすると、同じ方法で支払っている他の月額サービスもすべて一緒に解約されます。必要なサービスは再度契約し直す必要があります。",
    );
  });

  it("is given before the shop route is suggested, after the provider's own routes", () => {
    const steps = carrierCancellationSteps(monthly, [monthly, video]);
    expect(steps[0]).toBe(
      "このライセンスの提供元は株式会社アプメス「m-Pass!」です。販売したキャリアやメーカーではなく、提供元で解約します。",
    );
    expect(steps[1]).toBe(
      "提供元の会員ページ（https://www.m-pass.jp/cancel.php）にログインして解約します。",
    );
    expect(steps[2]).toBe(
      "会員ページで解約できない場合はm-Pass!サポートセンターに電話します。プロダクトキー（PK12-3456-7890）を伝えれば、当日中に解約が完了します。",
    );
    expect(steps[3]).toBe(
      "プロダクトキーがわからない場合は、auかんたん決済の決済情報番号（A123456789）を伝えて解約できます。完了まで1〜10日かかります。",
    );
    expect(steps[4]).toBe("解約月の月末まで利用できます。");
    expect(steps[5]).toMatch(
      /^【ご注意】携帯ショップで「電話料金との一括支払いの拒否手続き」をすると.*auショップで解約を申し出ることもできます（プロダクトキーは不要です）。$/,
    );
  });

  it("without a known provider or carrier it names both providers and every carrier's number", () => {
    const unknown = {
      ...monthly,
      provider: null,
      carrier: null,
      carrierPaymentNumber: null,
      productKey: null,
    };
    const steps = carrierCancellationSteps(unknown, [unknown]);
    expect(steps[0]).toContain(
      "株式会社ストアフロント「MWノートンストア」または株式会社アプメス「m-Pass!」",
    );
    expect(steps[1]).toContain(
      "https://mwsecuritystore.jp/loginmenu または https://www.m-pass.jp/cancel.php",
    );
    expect(steps[3]).toContain(
      "ドコモ払い: 決済番号／auかんたん決済: 決済情報番号／ソフトバンクまとめて支払い: 決済番号",
    );
  });
});

describe("L-5 annual product refunded while instalments continue", () => {
  const annual = makeLicense({
    channel: "carrier_provider",
    soldVia: "third_party",
    priceYen: 12000,
    charges: [{ date: isoDate("2024-05-01"), amountYen: 1000, type: "purchase" }],
  });

  it("day 60: the whole annual price at once, with the instalment notice", () => {
    expect(carrierAnnualRefund(annual, isoDate("2024-06-30"))).toEqual({
      refundYen: 12000,
      windowEnd: "2024-06-30",
      notices: [
        "年額料金 12,000円 は一括で返金されますが、月々の引き落としは引き続き発生します。",
        "これから先に支払う予定の料金を一括返金で先に受け取り、そこから月々支払う形になっているためで、解約できていないわけではありません。",
      ],
    });
  });

  it("day 61: nothing", () => {
    expect(carrierAnnualRefund(annual, isoDate("2024-07-01"))).toEqual({
      refundYen: 0,
      windowEnd: "2024-06-30",
      notices: [
        "購入日（2024-05-01）から60日（2024-06-30 まで）を過ぎているため、年額製品は返金されません。",
      ],
    });
  });

  it("monthly products are never refunded", () => {
    expect(carrierAnnualRefund(monthly, isoDate("2024-05-02")).refundYen).toBe(0);
  });
});
