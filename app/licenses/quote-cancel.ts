// What cancelling a licence on a given day does (L-2 … L-6 together): the day it really
// ends, the refund due, the add-ons cancelled with it and the path to take. The one function
// behind both `npm run licenses -- quote-cancel --json` (docs/rules/import-format.md) and the web flow.
import { isIsoDate, lastDayOf, monthOf, type IsoDate } from "../lib/jst";
import { carrierAnnualRefund, carrierCancellationTiming } from "./carrier";
import { ispCancellationEffectiveEnd } from "./isp-bundle";
import { currentTerm, type License } from "./license";
import { cancellationPath, type CancellationPath, type CancellationPathKind } from "./lookup";
import {
  cancelledTogether,
  refundFor,
  REFUND_TIMING_NOTICE,
  UNINSTALL_NOTICE,
  type RefundBasis,
} from "./refund";

/** Exactly the JSON printed by `licenses quote-cancel`. */
export interface CancelQuote {
  effectiveEnd: IsoDate;
  refundYen: number;
  cascades: string[];
  path: CancellationPathKind;
}

export interface CancelQuoteLine {
  ref: string;
  /** Last day the licence can be used. */
  effectiveEnd: IsoDate;
  refundYen: number;
  basis: RefundBasis;
  /** The rule that decided it, e.g. `L-3 annual_purchase`, `L-4`, `L-5 annual_refund`. */
  rule: string;
  /** Japanese, for the screen. */
  explanation: string;
  notices: string[];
}

export interface CancelQuoteDetail extends CancelQuote {
  /** The licence first, then every add-on cancelled with it. */
  lines: CancelQuoteLine[];
  pathDetail: CancellationPath;
}

/** The outcome for one licence cancelled on `on`, by its own channel's rule. */
export function cancelLine(license: License, on: IsoDate): CancelQuoteLine {
  const base = { ref: license.ref, notices: [] as string[] };
  switch (license.channel) {
    case "isp": {
      // L-4: ends on the last day of the request month, charged in full, no refund.
      const end = ispCancellationEffectiveEnd(on);
      return {
        ...base,
        effectiveEnd: end,
        refundYen: 0,
        basis: "none",
        rule: "L-4",
        explanation: `解約日は解約申込み日の月末日（${end}）となります。解約月の料金は日割りされません。`,
        notices: [`当月中（${end} まで）は解約予約の取消ができます。`],
      };
    }
    case "carrier_provider": {
      if (license.term === "monthly") {
        // L-5: the best path (member page or phone with the product key) completes the same day.
        const timing = carrierCancellationTiming({ by: "phone_with_product_key" }, on);
        return {
          ...base,
          effectiveEnd: timing.usableUntilLatest,
          refundYen: 0,
          basis: "none",
          rule: "L-5",
          explanation: `提供元での解約後、解約月の月末（${timing.usableUntilLatest}）まで利用できます。月額料金は返金されません。`,
          notices: [
            "決済番号で手続きする場合は完了まで1〜10日かかり、完了した月の月末まで利用できます。",
          ],
        };
      }
      const refund = carrierAnnualRefund(license, on);
      const end = refund.refundYen > 0 ? on : (currentTerm(license, on)?.end ?? on);
      return {
        ...base,
        effectiveEnd: end,
        refundYen: refund.refundYen,
        basis: refund.refundYen > 0 ? "full" : "none",
        rule: "L-5 annual_refund",
        explanation:
          refund.refundYen > 0
            ? "購入から60日以内のため、年額料金が一括で返金されます。"
            : (refund.notices[0] ?? "返金はありません。"),
        notices: refund.refundYen > 0 ? [...refund.notices, UNINSTALL_NOTICE] : [],
      };
    }
    case "vendor_store":
    case "app_store":
    case "reseller": {
      // L-3 (the other channels fall into its exceptions: no refund, the seller's terms).
      const d = refundFor(license, on);
      const term = currentTerm(license, on);
      let effectiveEnd: IsoDate;
      let notices: string[];
      if (d.basis === "full") {
        effectiveEnd = on; // refunded in full: cancelled now, to be uninstalled
        notices = [UNINSTALL_NOTICE, REFUND_TIMING_NOTICE];
      } else if (d.basis === "pro_rata") {
        effectiveEnd = lastDayOf(monthOf(on)); // the refund starts with the next month
        notices = [UNINSTALL_NOTICE, REFUND_TIMING_NOTICE];
      } else {
        effectiveEnd = term?.end ?? on; // nothing back: it stops renewing and runs to the end of its term
        notices = term
          ? [
              `返金はありませんが、現在の有効期間の終了日（${term.end}）まで利用できます。以降は延長されません。`,
            ]
          : [];
      }
      return {
        ...base,
        effectiveEnd,
        refundYen: d.refundYen,
        basis: d.basis,
        rule: `L-3 ${d.rule}`,
        explanation: d.explanation,
        notices,
      };
    }
  }
}

/** The quote with a line per licence and the path's steps, for the web flow's confirmation page. */
export function quoteCancelDetail(
  license: License,
  allLicenses: readonly License[],
  on: IsoDate,
): CancelQuoteDetail {
  if (!isIsoDate(on)) throw new Error(`invalid date "${on}"`);
  const addOns = cancelledTogether(license, allLicenses, on);
  const lines = [cancelLine(license, on), ...addOns.map((a) => cancelLine(a, on))];
  const pathDetail = cancellationPath(license, allLicenses);
  return {
    effectiveEnd: lines[0].effectiveEnd,
    refundYen: lines.reduce((sum, l) => sum + l.refundYen, 0),
    cascades: addOns.map((a) => a.ref),
    path: pathDetail.kind,
    lines,
    pathDetail,
  };
}

/**
 * What cancelling `license` on `on` does: the day it really ends (`effectiveEnd`, the main
 * licence's), the total refund of it and its cascaded add-ons (each by its own rule), the
 * add-ons cancelled with it, and the cancellation path (L-6).
 */
export function quoteCancel(
  license: License,
  allLicenses: readonly License[],
  on: IsoDate,
): CancelQuote {
  const { effectiveEnd, refundYen, cascades, path } = quoteCancelDetail(license, allLicenses, on);
  return { effectiveEnd, refundYen, cascades, path };
}
