// L-2 Stopping auto-renewal (docs/rules/licenses.md): allowed any time before the next
// billing date; active → stop_requested → stopped (the vendor processes it in a few hours);
// the licence stays valid to the end of its current term; a main licence takes its add-ons
// along, an add-on leaves its main alone and lowers the main's next renewal amount.
import { compareDates, type IsoDate } from "../lib/jst";
import {
  addOnsOf,
  currentTerm,
  renewalStateOf,
  sortedCharges,
  type License,
  type RenewalState,
} from "./license";
import { formatYen } from "../lib/format";
import { conflict, ok, type Result } from "../lib/result";

// Texts from the vendor's policy (seed 002).
export const BENEFITS_MAY_END_WARNING =
  "ライセンス自動延長サービスを停止すると、そのライセンスに付属する特典が無効になる場合があります。";
export const PROCESSING_NOTICE =
  "通常、キャンセル処理を実行してから実際にキャンセルが確定するまでに数時間かかります。";

export type RenewalEvent = "request_stop" | "stop_processed";

export class RenewalTransitionError extends Error {}

/** L-2 state machine: active → stop_requested (request) → stopped (vendor processed it). */
export function advanceRenewal(state: RenewalState, event: RenewalEvent): RenewalState {
  if (event === "request_stop" && state === "active") return "stop_requested";
  if (event === "stop_processed" && state === "stop_requested") return "stopped";
  throw new RenewalTransitionError(`auto-renewal: cannot ${event} when ${state}`);
}

/**
 * L-2 What the main licence's next renewal charges: its own price plus every linked add-on
 * whose auto-renewal is still active (the add-ons renew on the main's bill).
 */
export function nextRenewalAmountYen(main: License, all: readonly License[]): number {
  return addOnsOf(main, all)
    .filter((a) => renewalStateOf(a) === "active")
    .reduce((sum, a) => sum + a.priceYen, main.priceYen);
}

export interface RenewalStop {
  ref: string;
  state: "stop_requested";
  /** Last day the licence stays valid (end of the current term); null for a trial not yet converted. */
  validUntil: IsoDate | null;
  /** The billing date that will no longer be charged; null when unknown (trial without a listed conversion). */
  avoidsChargeOn: IsoDate | null;
}

export interface StopAutoRenewal {
  /** The licence asked for first, then each add-on stopped with it. */
  stops: RenewalStop[];
  /** When an add-on is stopped: the main's next renewal amount before and after. */
  mainRenewal: {
    ref: string;
    nextBillingDate: IsoDate | null;
    beforeYen: number;
    afterYen: number;
  } | null;
  /** Japanese texts to show before the stop is confirmed. */
  warnings: string[];
}

/** Refusals (another channel, a stop already asked for or done) are conflicts. */
export type StopAutoRenewalResult = Result<StopAutoRenewal>;

function stopOf(license: License, on: IsoDate): RenewalStop {
  const term = currentTerm(license, on);
  if (term)
    return {
      ref: license.ref,
      state: "stop_requested",
      validUntil: term.end,
      avoidsChargeOn: term.nextBillingDate,
    };
  // Trial before conversion: stopping now prevents the conversion charge, when the record lists it.
  const upcoming = sortedCharges(license).find((c) => compareDates(c.date, on) > 0) ?? null;
  return {
    ref: license.ref,
    state: "stop_requested",
    validUntil: null,
    avoidsChargeOn: upcoming?.date ?? null,
  };
}

/**
 * L-2 Ask to stop auto-renewal on `on`. Only vendor-store licences renew automatically here;
 * the other channels are stopped through their seller (lookup.ts `cancellationPath`).
 */
export function requestStopAutoRenewal(
  license: License,
  all: readonly License[],
  on: IsoDate,
): StopAutoRenewalResult {
  if (license.channel !== "vendor_store") {
    return conflict(
      "このライセンスは販売元での解約手続きになります。表示される手順に従ってください。",
    );
  }
  const state = renewalStateOf(license);
  if (state !== "active") {
    return conflict(
      state === "stop_requested"
        ? "自動延長サービスの停止を処理中です。"
        : "自動延長サービスはすでに停止しています。",
    );
  }
  const own = stopOf(license, on);
  const addOns = addOnsOf(license, all).filter((a) => renewalStateOf(a) === "active");
  const stops = [own, ...addOns.map((a) => stopOf(a, on))];

  const warnings: string[] = [];
  const term = currentTerm(license, on);
  if (term && term.start === on && term.charge.type === "renewal") {
    warnings.push(
      `本日（${on}）は延長料金の請求日のため、本日の請求は停止の対象になりません。返金の条件をご確認ください。`,
    );
  }
  warnings.push(
    own.validUntil
      ? `ライセンスは、現在の有効期間が終了する ${own.validUntil} まで継続します。有効期間が終了するとライセンスが失効し、その後は自動的に延長されることはありません。`
      : "体験期間の終了後に料金は請求されず、ライセンスは失効します。",
  );
  warnings.push(BENEFITS_MAY_END_WARNING);
  if (addOns.length > 0) {
    warnings.push(
      `リンクされているアドオンライセンス（${addOns.map((a) => a.product).join("、")}）の自動延長サービスもキャンセルされます。`,
    );
  }

  let mainRenewal: StopAutoRenewal["mainRenewal"] = null;
  const main =
    license.mainLicense === null ? undefined : all.find((l) => l.ref === license.mainLicense);
  if (main && renewalStateOf(main) === "active") {
    const beforeYen = nextRenewalAmountYen(main, all);
    const afterYen = beforeYen - license.priceYen;
    const nextBillingDate = currentTerm(main, on)?.nextBillingDate ?? null;
    mainRenewal = { ref: main.ref, nextBillingDate, beforeYen, afterYen };
    warnings.push(
      `メインライセンス（${main.product}）の自動延長サービスはキャンセルされません。` +
        `${nextBillingDate ? `次回（${nextBillingDate}）の` : "次回の"}延長料金は ${formatYen(beforeYen)} から ${formatYen(afterYen)} に調整されます。`,
    );
  }
  warnings.push(PROCESSING_NOTICE);
  return ok({ stops, mainRenewal, warnings });
}
