// What the console shows about one licence before anything is confirmed (L-6): who sold it,
// the exact way to stop it, the day it really ends, the refund due, its linked add-ons and the
// warnings of stopping (L-2) or cancelling (L-3 … L-5). Pure: the stored state of every licence
// of the customer and "today" come in as parameters, so the CLI and the web compute alike.
import type { IsoDate } from "../lib/jst";
import { conflict } from "../lib/result";
import {
  requestStopAutoRenewal,
  nextRenewalAmountYen,
  type StopAutoRenewalResult,
} from "./auto-renewal";
import { CARRIER_BILLING, CARRIER_PROVIDERS, providerOf } from "./carrier";
import { AUTO_END_NOTICE, ISP_PRODUCTS, type IspContract, type IspStatus } from "./isp-bundle";
import {
  addOnsOf,
  currentTerm,
  renewalStateOf,
  type CurrentTerm,
  type License,
  type RenewalState,
} from "./license";
import { cancellationPath, type CancellationPath } from "./lookup";
import { quoteCancelDetail, type CancelQuoteDetail } from "./quote-cancel";

/** What the database records about a licence beyond the pure `License` (licenses.state …). */
export interface LicenseStatus {
  state: "active" | "cancelled" | "expired";
  cancelledOn: IsoDate | null;
  /** The last day of use recorded when it was cancelled. */
  effectiveEnd: IsoDate | null;
}

/** One licence of a customer with its stored status. */
export interface FamilyMember {
  license: License;
  status: LicenseStatus;
}

/**
 * The licences the rules may cascade to or count with `target`: every licence of the customer
 * still active (a cancelled add-on is not cancelled again, a cancelled carrier licence is not an
 * "other service billed that way"), and the target itself whatever its state.
 */
export function relatedLicenses(target: License, family: readonly FamilyMember[]): License[] {
  return family
    .filter((m) => m.license.ref === target.ref || m.status.state === "active")
    .map((m) => m.license);
}

/**
 * What cancelling `target` on `on` does — the one quote behind `licenses quote-cancel` and the
 * web flow. A licence already cancelled (or expired) has nothing left to cancel: it ends on the
 * day recorded, nothing more is refunded and nothing cascades.
 */
export function cancelQuoteFor(
  target: FamilyMember,
  family: readonly FamilyMember[],
  on: IsoDate,
): CancelQuoteDetail {
  const related = relatedLicenses(target.license, family);
  if (target.status.state !== "active") {
    const pathDetail = cancellationPath(target.license, related);
    const effectiveEnd = target.status.effectiveEnd ?? currentTerm(target.license, on)?.end ?? on;
    return {
      effectiveEnd,
      refundYen: 0,
      cascades: [],
      path: pathDetail.kind,
      lines: [],
      pathDetail,
    };
  }
  return quoteCancelDetail(target.license, related, on);
}

/** How a licence stands on a day, for the screens. */
export type DisplayState =
  | "active" // renewing automatically
  | "stop_requested" // L-2 stop asked, the vendor is processing it
  | "stopped_running" // not renewing, usable to the end of its term
  | "cancelled_running" // cancelled, usable to its effective end
  | "isp_cancel_pending" // L-4 cancellation booked for the end of the month, revocable
  | "ended"; // cancelled or expired, no longer usable

export function displayStateOf(member: FamilyMember, on: IsoDate): DisplayState {
  const { license, status } = member;
  // An ISP licence ended with the main services (L-4) is usable through its last day.
  if (status.state === "expired")
    return status.effectiveEnd !== null && status.effectiveEnd >= on
      ? "cancelled_running"
      : "ended";
  if (status.state === "cancelled") {
    if (status.effectiveEnd !== null && status.effectiveEnd < on) return "ended";
    return license.channel === "isp" ? "isp_cancel_pending" : "cancelled_running";
  }
  const renewal = renewalStateOf(license);
  if (renewal === "active") return "active";
  if (renewal === "stop_requested") return "stop_requested";
  const term = currentTerm(license, on);
  return term !== null && term.end >= on ? "stopped_running" : "ended";
}

/** L-6 "who sold it", in Japanese: the seller of record, whose terms govern stop and refund. */
export function sellerOf(license: License): string {
  switch (license.channel) {
    case "vendor_store":
      switch (license.soldVia) {
        case "vendor":
          return "メーカー公式ストア（このコンソールで停止・解約できます）";
        case "third_party":
          return "サードパーティ経由でメーカー公式ストアのライセンスを購入（販売元の規約が適用されます）";
        case "bundled":
          return "他社製品とのセット販売（販売元の規約が適用されます）";
        case "nfr":
          return "非売品（NFR）・無償提供";
      }
      break;
    case "isp":
      return "インターネットサービスプロバイダ（ISP）のセキュリティサービス";
    case "carrier_provider": {
      const provider = providerOf(license);
      const carrier = license.carrier
        ? `${CARRIER_BILLING[license.carrier].carrierName}ショップで販売、`
        : "携帯ショップで販売、";
      return provider
        ? `${provider.company}「${provider.service}」（${carrier}電話料金と合算で請求）`
        : `サービス提供会社（${CARRIER_PROVIDERS.map((p) => p.company).join("または")}、${carrier}電話料金と合算で請求）`;
    }
    case "reseller":
      return "販売店（販売店の規約が適用されます）";
    case "app_store":
      return "アプリストア（App Store／Google Play の規約が適用されます）";
  }
  return "不明";
}

export interface AddOnSummary {
  ref: string;
  product: string;
  priceYen: number;
  renewalState: RenewalState;
  displayState: DisplayState;
  /** Last day of its current term (or of use, when cancelled). */
  endsOn: IsoDate | null;
}

export interface IspSummary {
  contractNumber: string;
  pin: string;
  product: string;
  devices: number;
  monthlyYenTaxIncluded: number;
  appliedOn: IsoDate;
  status: IspStatus;
  cancellation: { requestedOn: IsoDate; effectiveEnd: IsoDate } | null;
  /** L-4 The last day, when the contract ended with the customer's main services. */
  endedOn: IsoDate | null;
  endReason: IspContract["endReason"];
}

export interface LicenseOverview {
  license: License;
  status: LicenseStatus;
  displayState: DisplayState;
  seller: string;
  term: CurrentTerm | null;
  path: CancellationPath;
  /** Cancelling today: the day it really ends, the refund (with the add-ons cascaded), each line's rule. */
  quote: CancelQuoteDetail;
  /** Stopping auto-renewal today: what stops, until when, and the warnings (L-2). */
  stop: StopAutoRenewalResult;
  main: { ref: string; product: string } | null;
  addOns: AddOnSummary[];
  /** The next automatic renewal: the date and the amount (the main's price with its renewing add-ons). */
  nextRenewal: { date: IsoDate; amountYen: number } | null;
  /** The console is the seller of record (vendor store): stop and cancellation are carried out here. */
  consoleActs: boolean;
  isp: IspSummary | null;
  /** Notices that hold whatever is chosen. */
  notices: string[];
}

function endOf(member: FamilyMember, on: IsoDate): IsoDate | null {
  if (member.status.state !== "active") return member.status.effectiveEnd;
  return currentTerm(member.license, on)?.end ?? null;
}

/** The L-6 overview of `target` on `on`; `isp` is the L-4 contract when the console issued it. */
export function licenseOverview(
  target: FamilyMember,
  family: readonly FamilyMember[],
  on: IsoDate,
  isp: (IspContract & { status: IspStatus }) | null = null,
): LicenseOverview {
  const { license, status } = target;
  const related = relatedLicenses(license, family);
  const all = family.map((m) => m.license);
  const byRef = new Map(family.map((m) => [m.license.ref, m]));
  const mainMember = license.mainLicense === null ? undefined : byRef.get(license.mainLicense);
  const term = license.channel === "isp" ? null : currentTerm(license, on);
  const renewing = status.state === "active" && renewalStateOf(license) === "active";
  const notices: string[] = [];
  if (license.channel === "isp") notices.push(AUTO_END_NOTICE);
  return {
    license,
    status,
    displayState: displayStateOf(target, on),
    seller: sellerOf(license),
    term,
    path: cancellationPath(license, related),
    quote: cancelQuoteFor(target, family, on),
    stop:
      status.state === "active"
        ? requestStopAutoRenewal(license, related, on)
        : conflict("このライセンスは解約済みのため、自動延長はありません。"),
    main: mainMember ? { ref: mainMember.license.ref, product: mainMember.license.product } : null,
    addOns: addOnsOf(license, all).map((a) => {
      const member = byRef.get(a.ref)!;
      return {
        ref: a.ref,
        product: a.product,
        priceYen: a.priceYen,
        renewalState: renewalStateOf(a),
        displayState: displayStateOf(member, on),
        endsOn: endOf(member, on),
      };
    }),
    nextRenewal:
      renewing && term && license.mainLicense === null
        ? { date: term.nextBillingDate, amountYen: nextRenewalAmountYen(license, related) }
        : renewing && term
          ? { date: term.nextBillingDate, amountYen: license.priceYen }
          : null,
    consoleActs: license.channel === "vendor_store" && status.state === "active",
    isp: isp
      ? {
          contractNumber: isp.contractNumber,
          pin: isp.pin,
          product: ISP_PRODUCTS[isp.product].name,
          devices: isp.devices,
          monthlyYenTaxIncluded: isp.monthlyYenTaxIncluded,
          appliedOn: isp.appliedOn,
          status: isp.status,
          cancellation: isp.cancellation,
          endedOn: isp.endedOn,
          endReason: isp.endReason,
        }
      : null,
    notices,
  };
}
