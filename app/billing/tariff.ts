// The tariff as dated data (docs/rules/tariff.md, S4/S5/S6; T-2: the provider may publish new versions).
// Every billing month is priced with the version in force on its first day; each version
// inherits every price of the one before it and changes or adds the ones it lists.
//
// Price codes (all yen, tax-exclusive, per the unit in docs/rules/tariff.md):
// - `base.*`            base plans (S4 ※1); `base.standard` is plan ①. A new plan is a new `base.` code.
// - `endpoint`          endpoint security, per rented device per month (S4 ※2).
// - `gateway.gwN`       gateway appliance, N-client model, per rented unit per month, WITH the
//                       24-hour repair option (the price printed in S4).
// - `discount.gateway_without_repair24h`  what a gateway costs less without the 24-hour repair
//                       option (S4 ※4: 3,000). Kept as one price rather than three "without" keys
//                       so that a version changing `gateway.gw50` moves both prices together.
// - `sandbox`           cloud sandbox option, per contract per month (S1-3; 0 until the provider sets it).
// - `device.gwN`        device price charged when a rented gateway is not returned or is damaged
//                       (S4 ※3; the seed gives no figure: 0 until the provider sets it).
// - `visit.*`           visit-support menu (S5), one price per unit; `visit.data_migration` has no
//                       single price: it is priced per PC from the `migration.*` codes (S6).
// - `migration.*`       the S6 data-migration table, per PC.
import { firstDayOf, isIsoDate, isoDate, type IsoDate, type YearMonth } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";

export interface TariffVersion {
  /** First day this version is in force. */
  effectiveFrom: IsoDate;
  /** Price per code in yen (tax-exclusive). A resolved version holds every inherited price. */
  prices: Readonly<Record<string, number>>;
}

/** A version as read from a file or form, before validateTariffUpdates has checked its date. */
export type TariffVersionInput = Omit<TariffVersion, "effectiveFrom"> & { effectiveFrom: string };

export const BUILT_IN_TARIFF_DATE: IsoDate = isoDate("2024-04-01");

/** The S6 rows of the 50 GB column: PC count → price code (docs/rules/tariff.md interpretation). */
export const MIGRATION_50GB_ROWS: readonly { minPcs: number; maxPcs: number; code: string }[] = [
  { minPcs: 1, maxPcs: 1, code: "migration.upto_50gb.pcs_1" },
  { minPcs: 2, maxPcs: 3, code: "migration.upto_50gb.pcs_2_3" },
  { minPcs: 4, maxPcs: 5, code: "migration.upto_50gb.pcs_4_5" },
  { minPcs: 6, maxPcs: 10, code: "migration.upto_50gb.pcs_6_10" },
  { minPcs: 11, maxPcs: 15, code: "migration.upto_50gb.pcs_11_15" },
  { minPcs: 16, maxPcs: 20, code: "migration.upto_50gb.pcs_16_20" },
];

export const GATEWAY_WITHOUT_REPAIR_DISCOUNT_CODE = "discount.gateway_without_repair24h";
export const DATA_MIGRATION_CODE = "visit.data_migration";

/** Tariff version 2024-04-01 (docs/rules/tariff.md). */
export const BUILT_IN_TARIFF: TariffVersion = Object.freeze({
  effectiveFrom: BUILT_IN_TARIFF_DATE,
  prices: Object.freeze({
    // S4 monthly fees
    "base.standard": 3000,
    endpoint: 600,
    "gateway.gw10": 9000,
    "gateway.gw50": 11000,
    "gateway.gw100": 19000,
    [GATEWAY_WITHOUT_REPAIR_DISCOUNT_CODE]: 3000,
    sandbox: 0,
    // S4 ※3 device prices for unreturned or damaged rental gateways: set by the provider.
    "device.gw10": 0,
    "device.gw50": 0,
    "device.gw100": 0,
    // S5 visit-support menu
    "visit.base": 4500,
    "visit.diagnosis": 1500,
    "visit.os_recovery": 10500,
    "visit.os_update": 7000,
    "visit.internet": 3000,
    "visit.wifi": 900,
    "visit.app": 3500,
    "visit.printer": 4400,
    "visit.gateway_install": 8500,
    // S6 data migration, per PC
    "migration.upto_4_7gb": 6000,
    "migration.upto_50gb.pcs_1": 30000,
    "migration.upto_50gb.pcs_2_3": 24000,
    "migration.upto_50gb.pcs_4_5": 23000,
    "migration.upto_50gb.pcs_6_10": 21000,
    "migration.upto_50gb.pcs_11_15": 20500,
    "migration.upto_50gb.pcs_16_20": 20000,
    "migration.upto_4tb": 75000,
    "migration.per_started_tb_over_4tb": 12000,
  }),
});

/** Thrown when no tariff version is in force for a month (before 2024-04-01). */
export class NoTariffError extends Error {
  constructor(readonly month: YearMonth) {
    super(`no tariff version is in force on ${firstDayOf(month)}`);
    this.name = "NoTariffError";
  }
}

/** Thrown when a price is asked for a code the version does not know. */
export class UnknownPriceError extends Error {
  constructor(
    readonly code: string,
    readonly effectiveFrom: IsoDate | "(none)",
  ) {
    super(`no price for "${code}" in tariff ${effectiveFrom}`);
    this.name = "UnknownPriceError";
  }
}

function byDate(a: TariffVersion, b: TariffVersion): number {
  return a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0;
}

/**
 * The full list of versions: the built-in one followed by the provider's later versions, each
 * resolved to every price it inherits (T-2, docs/rules/import-format.md `tariffs`).
 */
export function tariffVersions(updates: readonly TariffVersion[] = []): TariffVersion[] {
  const sorted = [
    BUILT_IN_TARIFF,
    ...updates.filter((v) => v.effectiveFrom !== BUILT_IN_TARIFF_DATE),
  ].sort(byDate);
  const resolved: TariffVersion[] = [];
  let prices: Record<string, number> = {};
  for (const version of sorted) {
    prices = { ...prices, ...version.prices };
    resolved.push({ effectiveFrom: version.effectiveFrom, prices: prices });
  }
  return resolved;
}

/**
 * The version in force on the first day of `month`, with every price it inherits; undefined
 * when none is. `versions` is the full list (`tariffVersions(updates)`); prices are merged in
 * date order, so a list of unresolved versions gives the same answer.
 */
export function findTariffForMonth(
  versions: readonly TariffVersion[],
  month: YearMonth,
): TariffVersion | undefined {
  // A billing run asks for the same month's tariff once per contract and line: merge once per
  // list of versions and month (the lists are never modified, and the result is frozen).
  let byMonth = tariffsInForce.get(versions);
  if (!byMonth) tariffsInForce.set(versions, (byMonth = new Map()));
  if (!byMonth.has(month)) byMonth.set(month, mergeVersionsInForce(versions, month));
  return byMonth.get(month);
}

const tariffsInForce = new WeakMap<
  readonly TariffVersion[],
  Map<YearMonth, TariffVersion | undefined>
>();

function mergeVersionsInForce(
  versions: readonly TariffVersion[],
  month: YearMonth,
): TariffVersion | undefined {
  const day = firstDayOf(month);
  const inForce = [...versions].filter((v) => v.effectiveFrom <= day).sort(byDate);
  if (inForce.length === 0) return undefined;
  const prices = Object.freeze(Object.assign({}, ...inForce.map((v) => v.prices))) as Record<
    string,
    number
  >;
  return Object.freeze({ effectiveFrom: inForce[inForce.length - 1].effectiveFrom, prices });
}

/** The version in force on the first day of `month` (T-2); throws NoTariffError before the first version. */
export function tariffForMonth(
  versions: readonly TariffVersion[],
  month: YearMonth,
): TariffVersion {
  const version = findTariffForMonth(versions, month);
  if (!version) throw new NoTariffError(month);
  return version;
}

/** The price of a code, or undefined when the version has none. */
export function lookupPrice(version: TariffVersion, code: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(version.prices, code)
    ? version.prices[code]
    : undefined;
}

/** The price of a code; throws UnknownPriceError when the version has none. */
export function priceOf(version: TariffVersion, code: string): number {
  const price = lookupPrice(version, code);
  if (price === undefined) throw new UnknownPriceError(code, version.effectiveFrom);
  return price;
}

// ---- code families ------------------------------------------------------------------------

const GATEWAY_MODEL_RE = /^gateway\.gw(\d+)$/;

export function isBasePlanCode(version: TariffVersion, code: string): boolean {
  return code.startsWith("base.") && lookupPrice(version, code) !== undefined;
}

export function isGatewayModelCode(version: TariffVersion, code: string): boolean {
  return GATEWAY_MODEL_RE.test(code) && lookupPrice(version, code) !== undefined;
}

/** Codes a contract item (`items[].code`) may carry: endpoint seats, gateway models, the sandbox option. */
export function isItemCode(version: TariffVersion, code: string): boolean {
  return code === "endpoint" || code === "sandbox" || isGatewayModelCode(version, code);
}

/** Codes a visit line (`visits[].lines[].code`) may carry (S5). */
export function isVisitCode(version: TariffVersion, code: string): boolean {
  return (
    code === DATA_MIGRATION_CODE ||
    (code.startsWith("visit.") && lookupPrice(version, code) !== undefined)
  );
}

/** Any code a contract may name: base plan, item or visit line. */
export function isKnownCode(version: TariffVersion, code: string): boolean {
  return isBasePlanCode(version, code) || isItemCode(version, code) || isVisitCode(version, code);
}

/**
 * Client cap of a gateway model (S5 free visit: gw10 → 10, gw50 → 50, gw100 → 100): the number
 * in the model code, so that a model a later tariff adds (`gateway.gw200`) gets its own cap.
 * null for a code that is not a gateway model.
 */
export function gatewayDeviceCap(code: string): number | null {
  const m = GATEWAY_MODEL_RE.exec(code);
  return m ? Number(m[1]) : null;
}

/** `gateway.gw50` → `gw50`. */
export function gatewayModelName(code: string): string | null {
  return GATEWAY_MODEL_RE.test(code) ? code.slice("gateway.".length) : null;
}

/**
 * Monthly price of one rented gateway (S4, ※4): the model's price with 24-hour repair, 3,000 less
 * (the `discount.gateway_without_repair24h` price) without it, never below 0.
 */
export function gatewayMonthlyPrice(
  version: TariffVersion,
  code: string,
  repair24h: boolean,
): number {
  const price = priceOf(version, code);
  if (repair24h) return price;
  return Math.max(0, price - (lookupPrice(version, GATEWAY_WITHOUT_REPAIR_DISCOUNT_CODE) ?? 0));
}

/** Device price of an unreturned or damaged rental gateway (S4 ※3), 0 until the provider sets it. */
export function gatewayDevicePrice(version: TariffVersion, code: string): Yen {
  const model = gatewayModelName(code);
  return toYen(model === null ? 0 : (lookupPrice(version, `device.${model}`) ?? 0));
}

/** A plan is cheaper than another by its price in the given version (S4 ※1 downgrade). */
export function isCheaperPlan(version: TariffVersion, plan: string, than: string): boolean {
  return priceOf(version, plan) < priceOf(version, than);
}

// ---- validation of provider-published versions ---------------------------------------------

export interface TariffProblem {
  path: string;
  message: string;
}

/** Codes a later version may add: a base plan, a gateway model, a gateway device price. */
export const NEW_CODE_RE = /^(base\.[a-z0-9_]+|gateway\.gw\d+|device\.gw\d+)$/;

/**
 * Problems in the provider's later versions (docs/rules/import-format.md `tariffs`): dates after 2024-04-01
 * and unique, prices non-negative integer yen, codes either already in the built-in tariff or a
 * new base plan (`base.…`), gateway model (`gateway.gwN`) or device price (`device.gwN`).
 * `pathPrefix` names the list in messages (`tariffs[0].prices.foo: …`).
 */
export function validateTariffUpdates(
  updates: readonly TariffVersionInput[],
  pathPrefix = "tariffs",
): TariffProblem[] {
  const problems: TariffProblem[] = [];
  const seen = new Set<string>();
  updates.forEach((version, i) => {
    const at = `${pathPrefix}[${i}]`;
    if (!isIsoDate(version.effectiveFrom)) {
      problems.push({
        path: `${at}.effectiveFrom`,
        message: `not a date (YYYY-MM-DD): "${version.effectiveFrom}"`,
      });
    } else if (version.effectiveFrom <= BUILT_IN_TARIFF_DATE) {
      problems.push({
        path: `${at}.effectiveFrom`,
        message: `must be later than ${BUILT_IN_TARIFF_DATE}`,
      });
    } else if (seen.has(version.effectiveFrom)) {
      problems.push({
        path: `${at}.effectiveFrom`,
        message: `another version starts on ${version.effectiveFrom}`,
      });
    }
    seen.add(version.effectiveFrom);
    for (const [code, price] of Object.entries(version.prices ?? {})) {
      if (!(code in BUILT_IN_TARIFF.prices) && !NEW_CODE_RE.test(code)) {
        problems.push({ path: `${at}.prices.${code}`, message: `unknown tariff code "${code}"` });
      }
      if (!Number.isSafeInteger(price) || price < 0) {
        problems.push({
          path: `${at}.prices.${code}`,
          message: `price must be a non-negative whole number of yen: ${price}`,
        });
      }
    }
  });
  return problems;
}
