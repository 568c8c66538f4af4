// L-3 Cancelling with a refund (vendor store), docs/rules/licenses.md: the refund windows
// table, the Japanese day count, the exceptions, the main → add-on cascade, the uninstall
// acknowledgement and the refund workflow requested → approved → paid | refused.
import {
  addDays,
  addMonths,
  daysBetween,
  firstDayOf,
  isIsoDate,
  monthOf,
  type IsoDate,
} from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { truncDiv } from "../lib/yen";
import { invalidField, ok, type Result } from "../lib/result";
import {
  addOnsOf,
  currentTerm,
  firstCharge,
  isLiveOn,
  type License,
  type Region,
  type TermCharge,
} from "./license";
import { formatYen } from "../lib/format";

export const ANNUAL_WINDOW_DAYS = 60;
export const MONTHLY_WINDOW_DAYS = 14;
export const COOLING_OFF_DAYS = 14;
export const COOLING_OFF_REGIONS: readonly Region[] = ["EEA", "CH", "UK"];
export const PRO_RATA_REGIONS: readonly Region[] = ["UK", "NL"];

/** Which row of the L-3 table (or which exception) decided the refund. */
export type RefundRule =
  | "annual_purchase"
  | "annual_renewal"
  | "monthly_purchase"
  | "monthly_renewal"
  | "service"
  | "annual_trial_conversion"
  | "monthly_trial_conversion"
  | "uk_nl_pro_rata"
  | "cooling_off"
  | "no_charge"
  | "exception_channel"
  | "exception_third_party"
  | "exception_bundled"
  | "exception_nfr"
  | "exception_previously_refunded"
  | "exception_service_used";

export type RefundBasis = "full" | "pro_rata" | "none";

export interface RefundDecision {
  refundYen: Yen;
  basis: RefundBasis;
  rule: RefundRule;
  /** The charge the decision is about (the one that opened the current term, or the order for cooling-off). */
  charge: TermCharge | null;
  /** Last day (inclusive) of the window that applied, or null when the row has none. */
  windowEnd: IsoDate | null;
  /** For the UK/NL pro rata: the days refunded and the days of the renewed term. */
  proRata: { from: IsoDate; daysLeft: number; daysInTerm: number } | null;
  /** Japanese, for the screen. */
  explanation: string;
}

/**
 * L-3 day count (Japanese law: the day of the purchase or charge is not counted), so the
 * window's last day is the charge date plus `days`: 60 days from 2024-05-01 → 2024-06-30,
 * 14 days → 2024-05-15.
 */
export function windowEnd(chargeDate: IsoDate, days: number): IsoDate {
  return addDays(chargeDate, days);
}

/** Inside the window: from the charge day itself to `windowEnd` inclusive. */
export function withinWindow(chargeDate: IsoDate, days: number, on: IsoDate): boolean {
  return on >= chargeDate && on <= windowEnd(chargeDate, days);
}

/**
 * L-3 UK/NL pro rata after the 60-day window of an annual renewal: the days of the renewed
 * term left, counted from the first day of the month after the request to the term's last
 * day inclusive, as a share of the term's days:
 *   refund = floor(amountYen × daysLeft ÷ daysInTerm)  (fractions of a yen dropped, T-28)
 * with daysInTerm = days from the renewal charge to the next billing date (365 or 366).
 */
export function proRataRefund(
  amountYen: number,
  termStart: IsoDate,
  nextBillingDate: IsoDate,
  on: IsoDate,
): { refundYen: Yen; from: IsoDate; daysLeft: number; daysInTerm: number } {
  const from = firstDayOf(addMonths(monthOf(on), 1));
  const daysLeft = Math.max(0, daysBetween(from, nextBillingDate));
  const daysInTerm = daysBetween(termStart, nextBillingDate);
  const refundYen = toYen(truncDiv(amountYen * daysLeft, daysInTerm));
  return { refundYen, from, daysLeft, daysInTerm };
}

function none(
  rule: RefundRule,
  explanation: string,
  charge: TermCharge | null = null,
  end: IsoDate | null = null,
): RefundDecision {
  return {
    refundYen: toYen(0),
    basis: "none",
    rule,
    charge,
    windowEnd: end,
    proRata: null,
    explanation,
  };
}

const TYPE_LABEL: Record<TermCharge["type"], string> = {
  purchase: "購入日",
  renewal: "延長料金の請求日",
  trial_conversion: "体験版終了後の請求日",
};

/** Days of the window of a row, or null for a row without one (monthly renewal). */
function windowDays(
  license: License,
  charge: TermCharge,
): { rule: RefundRule; days: number | null } {
  const annual = license.term === "annual";
  if (license.kind === "service")
    return { rule: "service", days: annual ? ANNUAL_WINDOW_DAYS : MONTHLY_WINDOW_DAYS };
  switch (charge.type) {
    case "purchase":
      return annual
        ? { rule: "annual_purchase", days: ANNUAL_WINDOW_DAYS }
        : { rule: "monthly_purchase", days: MONTHLY_WINDOW_DAYS };
    case "trial_conversion":
      return annual
        ? { rule: "annual_trial_conversion", days: ANNUAL_WINDOW_DAYS }
        : { rule: "monthly_trial_conversion", days: MONTHLY_WINDOW_DAYS };
    case "renewal":
      return annual
        ? { rule: "annual_renewal", days: ANNUAL_WINDOW_DAYS }
        : { rule: "monthly_renewal", days: null };
  }
}

/** EEA / Switzerland / UK cooling-off: 14 days from the order confirmation (the first charge), any reason. */
function coolingOff(license: License, on: IsoDate): RefundDecision | null {
  if (!COOLING_OFF_REGIONS.includes(license.region)) return null;
  const order = firstCharge(license);
  if (!order || !withinWindow(order.date, COOLING_OFF_DAYS, on)) return null;
  const end = windowEnd(order.date, COOLING_OFF_DAYS);
  return {
    refundYen: toYen(order.amountYen),
    basis: "full",
    rule: "cooling_off",
    charge: { ...order, projected: false },
    windowEnd: end,
    proRata: null,
    explanation: `クーリングオフ期間（注文確定日 ${order.date} から14日以内、${end} まで）のため、理由を問わず全額 ${formatYen(order.amountYen)} を返金します。`,
  };
}

/**
 * L-3 What cancelling `license` alone on `on` refunds under the vendor's policy. Licences
 * not sold by the vendor itself get nothing here: the seller's own terms apply (the ISP and
 * carrier channels are quoted by isp-bundle.ts and carrier.ts).
 */
export function refundFor(license: License, on: IsoDate): RefundDecision {
  if (!isIsoDate(on)) throw new Error(`invalid date "${on}"`);
  if (license.channel !== "vendor_store") {
    return none(
      "exception_channel",
      "販売元（サービスプロバイダ、アプリストア、販売店など）から購入したライセンスのため、この返金ポリシーの対象外です。販売元の規約に従います。",
    );
  }
  if (license.soldVia === "nfr")
    return none("exception_nfr", "非売品（NFR）または無償のソフトウェアのため、返金の対象外です。");
  if (license.soldVia === "bundled")
    return none(
      "exception_bundled",
      "他のサードパーティ製品とともに販売されたライセンスのため、返金の対象外です。販売元の規約に従います。",
    );
  if (license.soldVia === "third_party")
    return none(
      "exception_third_party",
      "サードパーティから購入または延長したライセンスのため、返金の対象外です。販売元の規約に従います。",
    );

  const term = currentTerm(license, on);
  if (!term) return none("no_charge", `${on} の時点で請求がないため、返金はありません。`);

  // The statutory cooling-off is "for any reason": it survives the two policy exceptions below.
  const cooling = coolingOff(license, on);
  if (license.previouslyRefunded) {
    return (
      cooling ??
      none(
        "exception_previously_refunded",
        "以前に返金が行われた製品の再購入のため、返金の対象外です。",
        term.charge,
      )
    );
  }
  if (license.serviceUsed) {
    return (
      cooling ??
      none(
        "exception_service_used",
        "該当期間中にサービスを利用済みのため、返金の対象外です。",
        term.charge,
      )
    );
  }

  const { charge } = term;
  const { rule, days } = windowDays(license, charge);
  const label = TYPE_LABEL[charge.type];
  if (days === null) {
    return none(rule, "月次延長料金は払い戻しの対象になりません。", charge);
  }
  const end = windowEnd(charge.date, days);
  if (withinWindow(charge.date, days, on)) {
    return {
      refundYen: toYen(charge.amountYen),
      basis: "full",
      rule,
      charge,
      windowEnd: end,
      proRata: null,
      explanation: `${label}（${charge.date}）から${days}日以内（${end} まで）の申請のため、全額 ${formatYen(charge.amountYen)} を返金します。`,
    };
  }
  if (rule === "annual_renewal" && PRO_RATA_REGIONS.includes(license.region)) {
    const p = proRataRefund(charge.amountYen, term.start, term.nextBillingDate, on);
    return {
      refundYen: p.refundYen,
      basis: "pro_rata",
      rule: "uk_nl_pro_rata",
      charge,
      windowEnd: end,
      proRata: { from: p.from, daysLeft: p.daysLeft, daysInTerm: p.daysInTerm },
      explanation: `60日間の返金保証期間（${end} まで）の終了後のため、申請の翌月 ${p.from} から延長後の有効期間の残り ${p.daysLeft} 日分を日割りで返金します（${formatYen(charge.amountYen)} × ${p.daysLeft} ÷ ${p.daysInTerm} = ${formatYen(p.refundYen)}）。`,
    };
  }
  return (
    cooling ??
    none(
      rule,
      `${label}（${charge.date}）から${days}日（${end} まで）を過ぎているため、返金の対象外です。`,
      charge,
      end,
    )
  );
}

/** L-3 cascade: cancelling a main licence cancels its add-ons still live on `on`; an add-on goes alone. */
export function cancelledTogether(
  license: License,
  all: readonly License[],
  on: IsoDate,
): License[] {
  return addOnsOf(license, all).filter((a) => isLiveOn(a, on));
}

// ---- refund workflow ---------------------------------------------------------------------

export type RefundStatus = "requested" | "approved" | "paid" | "refused";

export interface RefundRequest {
  licenseRef: string;
  amountYen: Yen;
  rule: RefundRule;
  requestedOn: IsoDate;
  /** The day the customer confirmed every copy is uninstalled (required to cancel). */
  uninstallAcknowledgedOn: IsoDate;
  status: RefundStatus;
  approvedOn: IsoDate | null;
  paidOn: IsoDate | null;
  refusedOn: IsoDate | null;
  refusedReason: string | null;
}

export type RefundEvent =
  | { type: "approve"; on: IsoDate }
  | { type: "pay"; on: IsoDate }
  | { type: "refuse"; on: IsoDate; reason: string };

export class RefundTransitionError extends Error {}

/** L-3 refund workflow: requested → approved → paid, or requested → refused with a reason. */
export function advanceRefund(request: RefundRequest, event: RefundEvent): RefundRequest {
  const fail = (): never => {
    throw new RefundTransitionError(
      `refund of ${request.licenseRef}: cannot ${event.type} when ${request.status}`,
    );
  };
  switch (event.type) {
    case "approve":
      if (request.status !== "requested") fail();
      return { ...request, status: "approved", approvedOn: event.on };
    case "pay":
      if (request.status !== "approved") fail();
      return { ...request, status: "paid", paidOn: event.on };
    case "refuse":
      if (request.status !== "requested") fail();
      if (event.reason.trim() === "")
        throw new RefundTransitionError(
          `refund of ${request.licenseRef}: a refusal needs a reason`,
        );
      return {
        ...request,
        status: "refused",
        refusedOn: event.on,
        refusedReason: event.reason.trim(),
      };
  }
}

export const UNINSTALL_NOTICE =
  "ソフトウェアのライセンスをキャンセルする場合、そのソフトウェアのすべてのコピーをデバイスからアンインストールして削除する必要があります。";
export const REFUND_TIMING_NOTICE =
  "申請の処理には数日かかります。お客様と当社との間で相互に合意している場合を除き、登録されている支払い方法を使用して払い戻しが行われます。";

export type CancellationRequestResult = Result<
  {
    /** The licence and every add-on cancelled with it, each decided by its own rule. */
    decisions: { licenseRef: string; decision: RefundDecision }[];
    /** One open request per licence that has something to refund. */
    requests: RefundRequest[];
    notices: string[];
  },
  "uninstalled"
>;

/**
 * L-3 Cancel a licence (and, for a main licence, its add-ons) with a refund request. The
 * customer must acknowledge uninstalling every copy first (the form's `uninstalled` box); nothing
 * is created otherwise.
 */
export function requestCancellation(
  license: License,
  all: readonly License[],
  on: IsoDate,
  acknowledgement: { uninstalledFromAllDevices: boolean },
): CancellationRequestResult {
  if (!acknowledgement.uninstalledFromAllDevices) {
    return invalidField("uninstalled", `アンインストールの確認が必要です。${UNINSTALL_NOTICE}`);
  }
  const decisions = [license, ...cancelledTogether(license, all, on)].map((l) => ({
    licenseRef: l.ref,
    decision: refundFor(l, on),
  }));
  const requests: RefundRequest[] = decisions
    .filter((d) => d.decision.refundYen > 0)
    .map((d) => ({
      licenseRef: d.licenseRef,
      amountYen: d.decision.refundYen,
      rule: d.decision.rule,
      requestedOn: on,
      uninstallAcknowledgedOn: on,
      status: "requested",
      approvedOn: null,
      paidOn: null,
      refusedOn: null,
      refusedReason: null,
    }));
  return ok({
    decisions,
    requests,
    notices: requests.length > 0 ? [UNINSTALL_NOTICE, REFUND_TIMING_NOTICE] : [UNINSTALL_NOTICE],
  });
}
