// L-1 Licenses (docs/rules/licenses.md): the licence record as the import file carries it
// (docs/rules/import-format.md, section `licenses`) and the current term derived from its charges.
// Pure: every "today" comes in as a parameter.
import {
  addDays,
  addMonths,
  compareDates,
  daysInMonth,
  isIsoDate,
  isoDate,
  type IsoDate,
  monthOf,
} from "../lib/jst";

export type Channel = "vendor_store" | "isp" | "carrier_provider" | "reseller" | "app_store";
export type LicenseTerm = "annual" | "monthly";
export type LicenseKind = "standard" | "service" | "trial";
export type Region = "JP" | "UK" | "NL" | "EEA" | "CH" | "other";
export type SoldVia = "vendor" | "third_party" | "bundled" | "nfr";
export type ChargeType = "purchase" | "renewal" | "trial_conversion";
export type Carrier = "docomo" | "au" | "softbank";

/** L-2: auto-renewal state. A stop takes a few hours to be processed by the vendor. */
export type RenewalState = "active" | "stop_requested" | "stopped";

export interface Charge {
  date: IsoDate;
  amountYen: number;
  type: ChargeType;
}

/** A charge of the current term; `projected` when auto-renewal must have made it but the record does not list it. */
export interface TermCharge extends Charge {
  projected: boolean;
}

export const CHANNELS: readonly Channel[] = [
  "vendor_store",
  "isp",
  "carrier_provider",
  "reseller",
  "app_store",
];
export const REGIONS: readonly Region[] = ["JP", "UK", "NL", "EEA", "CH", "other"];

/**
 * One licence, mirroring one entry of the import file's `licenses` section. The fields after
 * `charges` are kept by the console (not in the import file); absent means unknown.
 */
export interface License {
  ref: string;
  customer: string;
  product: string;
  channel: Channel;
  term: LicenseTerm;
  kind: LicenseKind;
  region: Region;
  seats: number;
  priceYen: number;
  orderNumber: string | null;
  productKey: string | null;
  /** The ref of the main licence when this one is an add-on. */
  mainLicense: string | null;
  autoRenew: boolean;
  soldVia: SoldVia;
  previouslyRefunded: boolean;
  serviceUsed: boolean;
  charges: Charge[];
  /** L-2 state once a stop was asked for in the console; absent = derived from `autoRenew`. */
  renewalState?: RenewalState;
  /** L-4: ISP contract number (契約番号). */
  contractNumber?: string | null;
  /** L-5: the carrier whose phone bill carries the licence, and its payment number. */
  carrier?: Carrier | null;
  carrierPaymentNumber?: string | null;
  /** L-5: the third-party provider id (see carrier.ts `CARRIER_PROVIDERS`). */
  provider?: string | null;
  /** L-6: the e-mail address used for the order, when it differs from the customer's. */
  orderEmail?: string | null;
}

/** Term length in months: annual = 12 (the import file does not carry multi-year terms), monthly = 1. */
export function termMonths(term: LicenseTerm): number {
  return term === "annual" ? 12 : 1;
}

/**
 * The same day `months` calendar months later; when that month is shorter the last day of it
 * (2024-01-31 + 1 month = 2024-02-29, 2024-02-29 + 12 months = 2025-02-28). Built on the
 * shared month arithmetic of lib/jst.
 */
export function sameDayMonthsLater(date: IsoDate, months: number): IsoDate {
  const month = addMonths(monthOf(date), months);
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(month));
  return isoDate(`${month}-${String(day).padStart(2, "0")}`);
}

/** Charges sorted by date (stable), without mutating the record. */
export function sortedCharges(license: License): Charge[] {
  return [...license.charges].sort((a, b) => compareDates(a.date, b.date));
}

export function renewalStateOf(license: License): RenewalState {
  return license.renewalState ?? (license.autoRenew ? "active" : "stopped");
}

/** The first charge of the licence (the order: purchase or trial conversion), or null. */
export function firstCharge(license: License): Charge | null {
  return sortedCharges(license)[0] ?? null;
}

export interface CurrentTerm {
  /** The charge that opened the term (its date is the first day of the term). */
  charge: TermCharge;
  start: IsoDate;
  /** Last day the licence is valid in this term, inclusive. */
  end: IsoDate;
  /** The day the next renewal would be charged: the day after `end`. */
  nextBillingDate: IsoDate;
}

/**
 * L-1 The term in force on `on`. A charge on D opens a term D … (D + 1 year or month) − 1 day
 * inclusive; the next renewal is charged on the anniversary itself (2024-05-01 → valid to
 * 2025-04-30, renewal charged 2025-05-01), so terms neither overlap nor leave a gap.
 * Charges dated after `on` are ignored. When auto-renewal is still active and the listed
 * charges stop before `on`, the renewals it must have made are projected at `priceYen`.
 * With auto-renewal stopped the last term is returned even if it has ended (end < on).
 * Null when nothing was charged yet on `on` (e.g. a trial before conversion).
 */
export function currentTerm(license: License, on: IsoDate): CurrentTerm | null {
  if (!isIsoDate(on)) throw new Error(`invalid date "${on}"`);
  const months = termMonths(license.term);
  const past = sortedCharges(license).filter((c) => c.date <= on);
  const last = past[past.length - 1];
  if (!last) return null;
  // Projected renewals and the next billing date all count whole periods from the last listed
  // charge, so month-end days do not drift (bought 01-31: renewals 02-29, 03-31, …; counting from
  // the projected 02-29 would end the term on 03-28 and charge 03-29).
  let periods = 0;
  if (renewalStateOf(license) === "active") {
    while (sameDayMonthsLater(last.date, months * (periods + 1)) <= on) periods++;
  }
  const charge: TermCharge =
    periods === 0
      ? { ...last, projected: false }
      : {
          date: sameDayMonthsLater(last.date, months * periods),
          amountYen: license.priceYen,
          type: "renewal",
          projected: true,
        };
  const nextBillingDate = sameDayMonthsLater(last.date, months * (periods + 1));
  return { charge, start: charge.date, end: addDays(nextBillingDate, -1), nextBillingDate };
}

/** L-1 The last day of the current term (see `currentTerm`), or null before the first charge. */
export function termEnd(license: License, on: IsoDate): IsoDate | null {
  return currentTerm(license, on)?.end ?? null;
}

/** Still usable on `on`: charged at least once and the current term has not ended. */
export function isLiveOn(license: License, on: IsoDate): boolean {
  const term = currentTerm(license, on);
  return term !== null && term.end >= on;
}

/** The add-ons linked to a main licence (L-1), directly or through another add-on, in input order. */
export function addOnsOf(main: License, all: readonly License[]): License[] {
  const found: License[] = [];
  const seen = new Set<string>([main.ref]);
  let frontier = [main.ref];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const l of all) {
      if (l.mainLicense !== null && frontier.includes(l.mainLicense) && !seen.has(l.ref)) {
        seen.add(l.ref);
        found.push(l);
        next.push(l.ref);
      }
    }
    frontier = next;
  }
  return found;
}

export function isAddOn(license: License): boolean {
  return license.mainLicense !== null;
}
