// L-5 Carrier-shop monthly licences (docs/rules/licenses.md, seed 001): sold in carrier
// shops, billed with the phone bill, provided by a third-party company that does the
// cancellation; same day by phone with the product key, 1–10 days with the carrier's payment
// number; usable to the end of the month of cancellation; refusing carrier billing in the
// shop cancels every other monthly service billed that way; an annual product refunded
// within 60 days keeps its instalments debited.
import { addDays, lastDayOf, monthOf, type IsoDate } from "../lib/jst";
import { firstCharge, type Carrier, type License } from "./license";
import { ANNUAL_WINDOW_DAYS, windowEnd, withinWindow } from "./refund";
import { formatYen } from "../lib/format";

export const CARRIER_BILLING: Record<
  Carrier,
  { carrierName: string; billing: string; paymentNumberLabel: string }
> = {
  docomo: { carrierName: "ドコモ", billing: "ドコモ払い", paymentNumberLabel: "決済番号" },
  au: { carrierName: "au", billing: "auかんたん決済", paymentNumberLabel: "決済情報番号" },
  softbank: {
    carrierName: "ソフトバンク",
    billing: "ソフトバンクまとめて支払い",
    paymentNumberLabel: "決済番号",
  },
};

export interface CarrierProvider {
  id: string;
  company: string;
  service: string;
  memberPage: string;
  phoneDesk: string;
}

/** The third-party providers named in seed 001. */
export const CARRIER_PROVIDERS: readonly CarrierProvider[] = [
  {
    id: "storefront",
    company: "株式会社ストアフロント",
    service: "MWノートンストア",
    memberPage: "https://mwsecuritystore.jp/loginmenu",
    phoneDesk: "MWノートンストア サポートセンター",
  },
  {
    id: "appmes",
    company: "株式会社アプメス",
    service: "m-Pass!",
    memberPage: "https://www.m-pass.jp/cancel.php",
    phoneDesk: "m-Pass!サポートセンター",
  },
];

export const PAYMENT_NUMBER_MIN_DAYS = 1;
export const PAYMENT_NUMBER_MAX_DAYS = 10;

export type CarrierCancelMethod =
  | { by: "member_page" }
  | { by: "phone_with_product_key" }
  | { by: "phone_with_payment_number"; carrier: Carrier };

export interface CarrierCancellationTiming {
  /** Range of days the provider completes the cancellation. */
  completedEarliest: IsoDate;
  completedLatest: IsoDate;
  /** The licence stays usable to the end of the month the cancellation completes in. */
  usableUntilEarliest: IsoDate;
  usableUntilLatest: IsoDate;
  notices: string[];
}

/**
 * L-5 When a cancellation asked on `on` completes and how long the licence stays usable:
 * member page or phone with the product key → the same day; phone with the carrier's
 * payment number → 1 to 10 days later. Usable to the end of the month of completion.
 */
export function carrierCancellationTiming(
  method: CarrierCancelMethod,
  on: IsoDate,
): CarrierCancellationTiming {
  const [earliest, latest] =
    method.by === "phone_with_payment_number"
      ? [addDays(on, PAYMENT_NUMBER_MIN_DAYS), addDays(on, PAYMENT_NUMBER_MAX_DAYS)]
      : [on, on];
  const usableUntilEarliest = lastDayOf(monthOf(earliest));
  const usableUntilLatest = lastDayOf(monthOf(latest));
  const notices =
    method.by === "phone_with_payment_number"
      ? [
          `${CARRIER_BILLING[method.carrier].paymentNumberLabel}での手続きは完了まで${PAYMENT_NUMBER_MIN_DAYS}〜${PAYMENT_NUMBER_MAX_DAYS}日かかります（${earliest}〜${latest} の見込み）。`,
          usableUntilEarliest === usableUntilLatest
            ? `解約月の月末（${usableUntilLatest}）まで利用できます。`
            : `完了した月の月末まで利用できます（${usableUntilEarliest}〜${usableUntilLatest}）。`,
        ]
      : [`本日中に解約が完了し、解約月の月末（${usableUntilLatest}）まで利用できます。`];
  return {
    completedEarliest: earliest,
    completedLatest: latest,
    usableUntilEarliest,
    usableUntilLatest,
    notices,
  };
}

/**
 * L-5 The warning shown before suggesting the shop route: refusing carrier billing cancels
 * every other monthly service billed with the phone bill. Lists the customer's known ones.
 */
export function carrierBillingRefusalWarning(license: License, all: readonly License[]): string {
  const others = all.filter(
    (l) =>
      l.ref !== license.ref &&
      l.customer === license.customer &&
      l.channel === "carrier_provider" &&
      l.term === "monthly" &&
      (license.carrier == null || l.carrier == null || l.carrier === license.carrier),
  );
  const known =
    others.length > 0
      ? `（登録済みの該当サービス: ${others.map((l) => l.product).join("、")}）`
      : "";
  return (
    "携帯ショップで「電話料金との一括支払いの拒否手続き」をすると、同じ方法で支払っている他の月額サービスもすべて一緒に解約されます" +
    `${known}。必要なサービスは再度契約し直す必要があります。`
  );
}

export interface CarrierAnnualRefund {
  refundYen: number;
  /** Last day (inclusive) of the 60-day window from the purchase, or null without a purchase. */
  windowEnd: IsoDate | null;
  notices: string[];
}

/**
 * L-5 An annual product bought through a carrier-shop provider is refunded within 60 days of
 * purchase (same day count as L-3): the whole annual price at once, while the monthly
 * instalments keep being debited. Monthly products are not refunded.
 */
export function carrierAnnualRefund(license: License, on: IsoDate): CarrierAnnualRefund {
  if (license.term !== "annual") {
    return {
      refundYen: 0,
      windowEnd: null,
      notices: ["月額製品は返金されません。解約月の月末まで利用できます。"],
    };
  }
  const purchase = firstCharge(license);
  if (!purchase) return { refundYen: 0, windowEnd: null, notices: [] };
  const end = windowEnd(purchase.date, ANNUAL_WINDOW_DAYS);
  if (!withinWindow(purchase.date, ANNUAL_WINDOW_DAYS, on)) {
    return {
      refundYen: 0,
      windowEnd: end,
      notices: [
        `購入日（${purchase.date}）から60日（${end} まで）を過ぎているため、年額製品は返金されません。`,
      ],
    };
  }
  return {
    refundYen: license.priceYen,
    windowEnd: end,
    notices: [
      `年額料金 ${formatYen(license.priceYen)} は一括で返金されますが、月々の引き落としは引き続き発生します。`,
      "これから先に支払う予定の料金を一括返金で先に受け取り、そこから月々支払う形になっているためで、解約できていないわけではありません。",
    ],
  };
}

export function providerOf(license: License): CarrierProvider | null {
  return CARRIER_PROVIDERS.find((p) => p.id === license.provider) ?? null;
}

/** L-5 The steps to cancel a carrier-shop licence, in the order the console suggests them (Japanese). */
export function carrierCancellationSteps(license: License, all: readonly License[]): string[] {
  const provider = providerOf(license);
  const billing = license.carrier ? CARRIER_BILLING[license.carrier] : null;
  const steps: string[] = [];
  steps.push(
    provider
      ? `このライセンスの提供元は${provider.company}「${provider.service}」です。販売したキャリアやメーカーではなく、提供元で解約します。`
      : `提供元（${CARRIER_PROVIDERS.map((p) => `${p.company}「${p.service}」`).join("または")}）で解約します。契約時の書類や支払い明細で提供元を確認してください。`,
  );
  steps.push(
    provider
      ? `提供元の会員ページ（${provider.memberPage}）にログインして解約します。`
      : `提供元の会員ページ（${CARRIER_PROVIDERS.map((p) => p.memberPage).join(" または ")}）にログインして解約します。`,
  );
  const desk = provider ? provider.phoneDesk : "提供元のサポートセンター";
  steps.push(
    `会員ページで解約できない場合は${desk}に電話します。プロダクトキー${license.productKey ? `（${license.productKey}）` : ""}を伝えれば、当日中に解約が完了します。`,
  );
  const numberLabel = billing
    ? `${billing.billing}の${billing.paymentNumberLabel}${license.carrierPaymentNumber ? `（${license.carrierPaymentNumber}）` : ""}`
    : "キャリア決済の決済番号（ドコモ払い: 決済番号／auかんたん決済: 決済情報番号／ソフトバンクまとめて支払い: 決済番号）";
  steps.push(
    `プロダクトキーがわからない場合は、${numberLabel}を伝えて解約できます。完了まで${PAYMENT_NUMBER_MIN_DAYS}〜${PAYMENT_NUMBER_MAX_DAYS}日かかります。`,
  );
  steps.push("解約月の月末まで利用できます。");
  steps.push(
    `【ご注意】${carrierBillingRefusalWarning(license, all)}それを理解したうえで、${billing ? `${billing.carrierName}ショップ` : "携帯ショップ"}で解約を申し出ることもできます（プロダクトキーは不要です）。`,
  );
  return steps;
}
