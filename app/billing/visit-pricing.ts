// Pricing of one on-site visit: the S5 visit-support menu and the S6 data-migration table
// (docs/rules/tariff.md), with S2's yearly free visit for gateway customers as read in docs/rules/terms.md:
// - ● basic work fee, diagnosis fee, OS recovery, data migration (only when backup data exists)
//   are free in the free visit; per-device items up to the gateway model's device cap;
// - ▲ application setup: only re-installs of the endpoint agent on PCs recovered in the same
//   visit are free, only with the endpoint service, within the cap;
// - the diagnosis fee is never charged when the visit comes with a line application or plan
//   change (S2);
// - data migration is priced per PC by volume; the 50 GB row is set by every PC migrated at the
//   50 GB tier in the visit, free or not; more than 20 such PCs has no price (an error result).
// Whether a visit is the free one is decided by `isFreeVisit` (first visit of the contract year
// that has a ● or ▲ item, the contract having the gateway service on the visit date).
//
// Free units are returned as their own lines with unit price 0 and amount 0, `freeReason` set and
// the tariff price kept in `listUnitPriceYen`, so a visit screen can show what was waived; the
// invoice drops them like every zero-amount line (T-27-1).
import type { IsoDate } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { invalid, invalidField, ok, type FieldErrors, type Result } from "../lib/result";
import { sumYen, yenTimes } from "../lib/yen";
import { isItemPresentOn } from "./charged-months";
import {
  DATA_MIGRATION_CODE,
  MIGRATION_50GB_ROWS,
  gatewayDeviceCap,
  isVisitCode,
  priceOf,
  type TariffVersion,
} from "./tariff";

export interface VisitLineInput {
  code: string;
  /** Units (PCs, devices, apps, printers); absent = 1. Not used by data migration (see `pcs`). */
  quantity?: number | null;
  /** `visit.app` only: how many of its units re-install the endpoint agent on PCs recovered in this visit. */
  endpointReinstall?: number | null;
  /** `visit.data_migration` only: one entry per PC with its volume in GB (1 TB = 1,000 GB). */
  pcs?: readonly { gb: number }[] | null;
}

export interface VisitInput {
  withLineApplication: boolean;
  backupAvailable: boolean;
  lines: readonly VisitLineInput[];
}

export interface VisitPricingContext {
  /** The version in force on the first day of the visit's month. */
  tariff: TariffVersion;
  /** This visit is the contract year's free visit (decide with `isFreeVisit`). */
  freeVisit: boolean;
  /** Device cap of the largest gateway model on the contract on the visit date (0 without one). */
  deviceCap: number;
  /** The contract has the endpoint service on the visit date. */
  hasEndpointService: boolean;
}

export type FreeReason = "free_visit" | "line_application";

export interface PricedVisitLine {
  code: string;
  rule: "S5" | "S6";
  /** Japanese, e.g. `OSリカバリ 2台`. */
  description: string;
  quantity: number;
  unitPriceYen: Yen;
  amountYen: Yen;
  /** The tariff price of one unit, also on free lines. */
  listUnitPriceYen: Yen;
  freeReason: FreeReason | null;
}

export interface PricedVisit {
  lines: PricedVisitLine[];
  totalYen: Yen;
}

/** The field of a visit the S6 table cannot price (more than 20 PCs at 50 GB): the visit as a whole. */
export const WHOLE_VISIT = "_form";

/**
 * The priced visit, or a validation failure with one message per wrong line (`lines[i]`, a
 * line's problems joined with "; ") or for the visit as a whole (`_form`: the S6 table's limit).
 */
export type VisitPricingResult = Result<PricedVisit>;

/** The PCs of the visit at the 50 GB migration tier (S6: the table's row, at most 20). */
export function pcsAt50gbOf(lines: readonly VisitLineInput[]): number {
  return lines
    .filter((l) => l.code === DATA_MIGRATION_CODE)
    .flatMap((l) => l.pcs ?? [])
    .filter((pc) => migrationTier(pc.gb) === "upto_50gb").length;
}

const VISIT_LABELS: Readonly<Record<string, string>> = {
  "visit.base": "基本作業費",
  "visit.diagnosis": "状況診断費",
  "visit.os_recovery": "OSリカバリ",
  "visit.os_update": "OSアップデート",
  "visit.internet": "インターネット接続設定",
  "visit.wifi": "Wi-Fi機器設定",
  "visit.app": "各種アプリケーション設定",
  "visit.printer": "プリンター設定",
  "visit.data_migration": "データ移行",
  "visit.gateway_install": "ゲートウェイセキュリティ装置設置・設定",
};

/** Items charged once per visit (S5 unit 「1工事」). */
const PER_VISIT_CODES = new Set(["visit.base", "visit.diagnosis"]);
const UNIT_SUFFIX: Readonly<Record<string, string>> = { "visit.app": "アプリ" };

const FREE_NOTE: Record<FreeReason, string> = {
  free_visit: "（年1回の無償訪問）",
  line_application: "（回線申込同時のため無償）",
};

export function visitItemLabel(code: string): string {
  return VISIT_LABELS[code] ?? code;
}

function unitText(code: string, quantity: number): string {
  return PER_VISIT_CODES.has(code) ? "" : ` ${quantity}${UNIT_SUFFIX[code] ?? "台"}`;
}

// ---- S6 data migration ---------------------------------------------------------------------

export type MigrationTier = "upto_4_7gb" | "upto_50gb" | "upto_4tb" | "over_4tb";

/** S6 volume tier of one PC: ≤ 4.7 GB, ≤ 50 GB, ≤ 4 TB (4,000 GB), more. */
export function migrationTier(gb: number): MigrationTier {
  if (gb <= 4.7) return "upto_4_7gb";
  if (gb <= 50) return "upto_50gb";
  if (gb <= 4000) return "upto_4tb";
  return "over_4tb";
}

/** S6: every started TB beyond 4 TB (1 TB = 1,000 GB): 4,200 GB → 1; 5,000 → 1; 5,100 → 2. */
export function startedTerabytesOver4tb(gb: number): number {
  return gb <= 4000 ? 0 : Math.ceil((gb - 4000) / 1000);
}

/** The S6 price code of the 50 GB column for a PC count (1–20), or null beyond the table. */
export function migration50gbRowCode(pcsAt50gb: number): string | null {
  return (
    MIGRATION_50GB_ROWS.find((row) => pcsAt50gb >= row.minPcs && pcsAt50gb <= row.maxPcs)?.code ??
    null
  );
}

/** S6 price of one PC; `pcsAt50gb` is the number of PCs of the visit at the 50 GB tier (1–20). */
export function migrationUnitPrice(tariff: TariffVersion, gb: number, pcsAt50gb: number): number {
  switch (migrationTier(gb)) {
    case "upto_4_7gb":
      return priceOf(tariff, "migration.upto_4_7gb");
    case "upto_50gb": {
      const code = migration50gbRowCode(pcsAt50gb);
      if (code === null) throw new RangeError(`S6 has no 50 GB price for ${pcsAt50gb} PCs`);
      return priceOf(tariff, code);
    }
    case "upto_4tb":
      return priceOf(tariff, "migration.upto_4tb");
    case "over_4tb":
      return (
        priceOf(tariff, "migration.upto_4tb") +
        startedTerabytesOver4tb(gb) * priceOf(tariff, "migration.per_started_tb_over_4tb")
      );
  }
}

function migrationDescription(gb: number, pcsAt50gb: number): string {
  switch (migrationTier(gb)) {
    case "upto_4_7gb":
      return "データ移行（4.7GBまで）";
    case "upto_50gb":
      return `データ移行（50GBまで・${pcsAt50gb}台の料金）`;
    case "upto_4tb":
      return "データ移行（4TBまで）";
    case "over_4tb":
      return `データ移行（4TB超・追加${startedTerabytesOver4tb(gb)}TB）`;
  }
}

// ---- validation ------------------------------------------------------------------------------

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function lineErrors(tariff: TariffVersion, line: VisitLineInput): string[] {
  if (!isVisitCode(tariff, line.code)) return [`unknown visit menu code "${line.code}"`];
  const errors: string[] = [];
  const bad = (message: string) => errors.push(message);
  const quantity = line.quantity ?? 1;
  if (!isCount(quantity)) bad(`quantity must be a whole number ≥ 0: ${line.quantity}`);
  // Interpretation: a per-visit item (「1工事」) cannot be ordered twice in one visit.
  else if (PER_VISIT_CODES.has(line.code) && quantity > 1)
    bad(`${line.code} is charged once per visit`);
  if (line.endpointReinstall !== undefined && line.endpointReinstall !== null) {
    if (line.code !== "visit.app") bad("endpointReinstall belongs to visit.app lines only");
    else if (!isCount(line.endpointReinstall))
      bad(`endpointReinstall must be a whole number ≥ 0: ${line.endpointReinstall}`);
    else if (isCount(quantity) && line.endpointReinstall > quantity)
      bad(`endpointReinstall (${line.endpointReinstall}) exceeds quantity (${quantity})`);
  }
  if (line.code === DATA_MIGRATION_CODE) {
    if (!line.pcs || line.pcs.length === 0) bad("data migration needs pcs: one { gb } per PC");
    else {
      line.pcs.forEach((pc, k) => {
        if (typeof pc.gb !== "number" || !Number.isFinite(pc.gb) || pc.gb < 0)
          bad(`pcs[${k}].gb must be a volume ≥ 0 in GB: ${pc.gb}`);
      });
      // Interpretation: `pcs` is the count; a `quantity` that disagrees is an error, not a guess.
      if (
        line.quantity !== undefined &&
        line.quantity !== null &&
        line.quantity !== line.pcs.length
      ) {
        bad(`quantity (${line.quantity}) differs from the number of pcs (${line.pcs.length})`);
      }
    }
  } else if (line.pcs) {
    bad("pcs belongs to visit.data_migration lines only");
  }
  return errors;
}

// ---- pricing -----------------------------------------------------------------------------------

/** S5/S6 price of one visit, free units split out (see the module comment). */
export function priceVisit(visit: VisitInput, context: VisitPricingContext): VisitPricingResult {
  const { tariff, freeVisit, hasEndpointService } = context;
  const cap = Math.max(0, context.deviceCap);

  const errors: FieldErrors = {};
  visit.lines.forEach((line, i) => {
    const problems = lineErrors(tariff, line);
    if (problems.length > 0) errors[`lines[${i}]`] = problems.join("; ");
  });
  if (Object.keys(errors).length > 0) return invalid(errors);

  const allPcs = visit.lines
    .filter((l) => l.code === DATA_MIGRATION_CODE)
    .flatMap((l) => l.pcs ?? []);
  const pcsAt50gb = pcsAt50gbOf(visit.lines);
  if (pcsAt50gb > 20) {
    return invalidField(
      WHOLE_VISIT,
      `50GBまでのデータ移行が${pcsAt50gb}台あります。料金表（別紙6）は20台までのため、見積りによる手動明細で登録してください。`,
    );
  }

  // Interpretation: the cap holds per item across every line of that item in the visit; free
  // re-installs are also bounded by the PCs recovered in the visit (free or charged).
  const recoveredPcs = visit.lines
    .filter((l) => l.code === "visit.os_recovery")
    .reduce((n, l) => n + (l.quantity ?? 1), 0);
  let osRecoveryFreeLeft = freeVisit ? cap : 0;
  let reinstallFreeLeft = freeVisit && hasEndpointService ? Math.min(cap, recoveredPcs) : 0;

  const lines: PricedVisitLine[] = [];
  // An S5 line (S6 lines come from priceMigration); no line for 0 units.
  const push = (
    code: string,
    description: string,
    quantity: number,
    price: number,
    freeReason: FreeReason | null,
  ) => {
    if (quantity <= 0) return;
    const unitPriceYen = toYen(freeReason ? 0 : price);
    lines.push({
      code,
      rule: "S5",
      description: freeReason ? description + FREE_NOTE[freeReason] : description,
      quantity,
      unitPriceYen,
      amountYen: yenTimes(unitPriceYen, quantity),
      listUnitPriceYen: toYen(price),
      freeReason,
    });
  };

  let migrationDone = false;
  for (const line of visit.lines) {
    const quantity = line.quantity ?? 1;
    const label = visitItemLabel(line.code);
    if (line.code === DATA_MIGRATION_CODE) {
      // All PCs of the visit are priced together (the 50 GB row counts them all), once.
      if (!migrationDone)
        lines.push(
          ...priceMigration(
            tariff,
            allPcs,
            pcsAt50gb,
            freeVisit && visit.backupAvailable ? cap : 0,
          ),
        );
      migrationDone = true;
      continue;
    }
    const price = priceOf(tariff, line.code);
    const describe = (q: number, extra = "") => `${label}${extra}${unitText(line.code, q)}`;
    if (line.code === "visit.diagnosis" && visit.withLineApplication) {
      push(line.code, describe(quantity), quantity, price, "line_application");
    } else if (PER_VISIT_CODES.has(line.code)) {
      push(line.code, describe(quantity), quantity, price, freeVisit ? "free_visit" : null);
    } else if (line.code === "visit.os_recovery") {
      const free = Math.min(quantity, osRecoveryFreeLeft);
      osRecoveryFreeLeft -= free;
      push(line.code, describe(free), free, price, "free_visit");
      push(line.code, describe(quantity - free), quantity - free, price, null);
    } else if (line.code === "visit.app") {
      const free = Math.min(line.endpointReinstall ?? 0, reinstallFreeLeft);
      reinstallFreeLeft -= free;
      push(
        line.code,
        describe(free, "（エンドポイント再インストール）"),
        free,
        price,
        "free_visit",
      );
      push(line.code, describe(quantity - free), quantity - free, price, null);
    } else {
      push(line.code, describe(quantity), quantity, price, null);
    }
  }
  return ok({ lines, totalYen: sumYen(lines.map((l) => l.amountYen)) });
}

/**
 * S6 lines for every PC of the visit. The `freeCount` free PCs are the most expensive ones
 * (interpretation: the cap waives the highest prices first); lines group PCs of the same
 * tier, price and free status, most expensive first.
 */
function priceMigration(
  tariff: TariffVersion,
  pcs: readonly { gb: number }[],
  pcsAt50gb: number,
  freeCount: number,
): PricedVisitLine[] {
  const priced = pcs
    .map((pc) => ({
      tier: migrationDescription(pc.gb, pcsAt50gb),
      price: migrationUnitPrice(tariff, pc.gb, pcsAt50gb),
    }))
    .sort((a, b) => b.price - a.price);
  const groups: { tier: string; price: number; freeReason: FreeReason | null; quantity: number }[] =
    [];
  priced.forEach((pc, k) => {
    const freeReason: FreeReason | null = k < freeCount ? "free_visit" : null;
    const group = groups.find(
      (g) => g.tier === pc.tier && g.price === pc.price && g.freeReason === freeReason,
    );
    if (group) group.quantity += 1;
    else groups.push({ ...pc, freeReason, quantity: 1 });
  });
  return groups.map((g) => {
    const unitPriceYen = toYen(g.freeReason ? 0 : g.price);
    return {
      code: DATA_MIGRATION_CODE,
      rule: "S6",
      description: `${g.tier} ${g.quantity}台${g.freeReason ? FREE_NOTE[g.freeReason] : ""}`,
      quantity: g.quantity,
      unitPriceYen,
      amountYen: yenTimes(unitPriceYen, g.quantity),
      listUnitPriceYen: toYen(g.price),
      freeReason: g.freeReason,
    };
  });
}

// ---- the yearly free visit (S2) ---------------------------------------------------------------

/**
 * Whether a visit has an item that the free visit waives: a ● item (basic work, diagnosis, OS
 * recovery, data migration with backup data) or a ▲ endpoint re-install with the endpoint service.
 */
export function hasFreeVisitItem(visit: VisitInput, hasEndpointService: boolean): boolean {
  return visit.lines.some((line) => {
    const quantity =
      line.code === DATA_MIGRATION_CODE ? (line.pcs?.length ?? 0) : (line.quantity ?? 1);
    if (quantity <= 0) return false;
    if (PER_VISIT_CODES.has(line.code) || line.code === "visit.os_recovery") return true;
    if (line.code === DATA_MIGRATION_CODE) return visit.backupAvailable;
    if (line.code === "visit.app") return hasEndpointService && (line.endpointReinstall ?? 0) > 0;
    return false;
  });
}

export interface FreeVisitCandidate {
  visit: VisitInput;
  /** The contract has the gateway service (rented or purchased) on the visit date. */
  hasGateway: boolean;
  hasEndpointService: boolean;
}

/** A visit that would be the free one if no earlier visit of its contract year was. */
export function qualifiesForFreeVisit(candidate: FreeVisitCandidate): boolean {
  return candidate.hasGateway && hasFreeVisitItem(candidate.visit, candidate.hasEndpointService);
}

/**
 * S2 (interpretation): the free visit is the first visit of the contract year that qualifies —
 * gateway service on its date and at least one ● or ▲ item. An earlier visit of the year that
 * did not qualify (no gateway then, or nothing free in it) does not use up the free visit.
 * `earlierInSameContractYear`: the contract's visits before this one (date, then start time)
 * in the same contract year.
 */
export function isFreeVisit(
  candidate: FreeVisitCandidate,
  earlierInSameContractYear: readonly FreeVisitCandidate[],
): boolean {
  return qualifiesForFreeVisit(candidate) && !earlierInSameContractYear.some(qualifiesForFreeVisit);
}

/** Device cap of the largest gateway model among the codes (gw10 → 10, …); 0 without a gateway. */
export function largestGatewayCap(codes: readonly string[]): number {
  return Math.max(0, ...codes.map((code) => gatewayDeviceCap(code) ?? 0));
}

export interface VisitServices {
  hasGateway: boolean;
  hasEndpointService: boolean;
  deviceCap: number;
}

/**
 * The services a contract has on a visit date, rented or purchased (S2): gateways and endpoint
 * seats on the contract that day (an item is on from its `from` day up to, not including, its
 * `to` day), while the contract runs (from the service start up to, not including, the
 * termination date).
 */
export function visitServicesOn(
  items: readonly { code: string; from: IsoDate; to?: IsoDate | null }[],
  date: IsoDate,
  serviceStart: IsoDate,
  terminationDate: IsoDate | null,
): VisitServices {
  const running = serviceStart <= date && (terminationDate === null || date < terminationDate);
  const present = running ? items.filter((item) => isItemPresentOn(item, date)) : [];
  const gatewayCodes = present
    .map((item) => item.code)
    .filter((code) => gatewayDeviceCap(code) !== null);
  return {
    hasGateway: gatewayCodes.length > 0,
    hasEndpointService: present.some((item) => item.code === "endpoint"),
    deviceCap: largestGatewayCap(gatewayCodes),
  };
}
