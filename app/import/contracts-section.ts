// The `contracts` section of the import file (docs/rules/import-format.md): each contract with its items,
// plan changes, outages, visits, manual lines, termination and payments, checked against the
// tariff versions in force (T-2), the visit hours (S2), the visit prices (S5, S6) and the line
// ids already held (T-6).
import type {
  Area,
  Ownership,
  OutageRecord,
  PaymentRecord,
  PlanChange,
  TerminationRecord,
} from "../billing/contract-history";
import { terminationDate } from "../billing/early-termination";
import { OUTAGE_SERVICES, type OutageService } from "../billing/outage-credit";
import {
  DATA_MIGRATION_CODE,
  findTariffForMonth,
  gatewayDeviceCap,
  isBasePlanCode,
  isItemCode,
  isVisitCode,
  lookupPrice,
  type TariffVersion,
} from "../billing/tariff";
import { pcsAt50gbOf, priceVisit, WHOLE_VISIT } from "../billing/visit-pricing";
import { checkVisitSlot } from "../contracts/visit-slots";
import { failureFields, failureMessage } from "../lib/result";
import { isIsoDate, monthOf, type IsoDate, type YearMonth } from "../lib/jst";
import {
  Fields,
  isAbsent,
  isObject,
  mapObjects,
  shown,
  sortedBy,
  whenRead,
  type RefIndex,
} from "./fields";
import type {
  ExistingKeys,
  ImportContract,
  ImportProblem,
  ImportVisit,
  ImportVisitLine,
} from "./import-file";

// ---- tariff codes --------------------------------------------------------------------------------

type CodeFamily = "item" | "basePlan" | "visit";

const FAMILY: Record<
  CodeFamily,
  { fits: (v: TariffVersion, code: string) => boolean; label: string }
> = {
  item: {
    fits: isItemCode,
    label: "an item code (endpoint, sandbox or a gateway model gateway.gwN)",
  },
  basePlan: { fits: isBasePlanCode, label: "a base plan (base.…)" },
  visit: { fits: isVisitCode, label: "a visit menu code (visit.…)" },
};

/**
 * Why `code` cannot be used as a `family` code on `date`, or null when it can: unknown to every
 * tariff version, a code of another kind, or not yet priced in the version in force on the first
 * day of the date's month (T-2: each month is billed with that version).
 */
export function codeProblem(
  versions: readonly TariffVersion[],
  code: string,
  family: CodeFamily,
  date: IsoDate | undefined,
): string | null {
  const { fits, label } = FAMILY[family];
  // Versions are resolved (each inherits every earlier price), so the last one knows every code.
  const latest = versions[versions.length - 1];
  if (!fits(latest, code)) {
    const known = lookupPrice(latest, code) !== undefined || code === DATA_MIGRATION_CODE;
    return known ? `"${code}" is not ${label}` : `unknown tariff code "${code}"`;
  }
  if (date === undefined) return null;
  const inForce = findTariffForMonth(versions, monthOf(date)) ?? versions[0];
  if (fits(inForce, code)) return null;
  // The latest version prices it, so some version is the first to.
  const firstPriced = versions.find((v) => fits(v, code))?.effectiveFrom ?? latest.effectiveFrom;
  return `tariff code "${code}" has no price in ${monthOf(date)} (tariff ${inForce.effectiveFrom}); it is priced from ${firstPriced}`;
}

function tariffInForce(versions: readonly TariffVersion[], date: IsoDate): TariffVersion {
  return findTariffForMonth(versions, monthOf(date)) ?? versions[0];
}

const CONTRACT_FIELDS = [
  "ref",
  "customer",
  "lineId",
  "area",
  "basePlan",
  "serviceStart",
  "items",
  "planChanges",
  "outages",
  "visits",
  "manualLines",
  "termination",
  "payments",
] as const;
const ITEM_FIELDS = ["code", "quantity", "ownership", "repair24h", "from", "to"] as const;
const PLAN_CHANGE_FIELDS = ["date", "basePlan"] as const;
const OUTAGE_FIELDS = ["services", "knownAt", "restoredAt", "customerFault"] as const;
const VISIT_FIELDS = ["date", "start", "withLineApplication", "backupAvailable", "lines"] as const;
const VISIT_LINE_FIELDS = ["code", "quantity", "endpointReinstall", "pcs"] as const;
const PC_FIELDS = ["gb"] as const;
// `code` and `rule` (optional) name what produced the line, e.g. `device.gw10` / `S4※3`, `surcharge` / `T-25`.
const MANUAL_LINE_FIELDS = ["date", "description", "amountYen", "taxable", "code", "rule"] as const;
const TERMINATION_FIELDS = ["requestedOn", "wishedDate", "confirmedOn"] as const;
const PAYMENT_FIELDS = ["billingMonth", "paidOn", "amountYen"] as const;

const AREAS: readonly Area[] = ["east", "west"];
const OWNERSHIPS: readonly Ownership[] = ["rental", "purchased"];
/** S5 items charged once per visit (「1工事」). */
const PER_VISIT_CODES = new Set(["visit.base", "visit.diagnosis"]);

/** Sections the format documents that this importer cannot store yet: refused, never dropped. */
export interface ContractContext {
  problems: ImportProblem[];
  versions: readonly TariffVersion[];
  existing: ExistingKeys;
}

/** The contract's first day and the first month it is no longer charged (its termination month), as far as they are valid. */
interface ContractSpan {
  serviceStart: IsoDate | undefined;
  unbilledFrom: YearMonth | undefined;
}

/**
 * T-27-2(2): nothing is charged from the month of the termination date, so an item or a plan
 * change dated from then on needs a known code but no price (decision 0012). Read ahead of the
 * termination's own checks, which report its problems in file order; only a confirmed
 * termination with valid dates has a date.
 */
function unbilledFrom(termination: unknown): YearMonth | undefined {
  if (!isObject(termination)) return undefined;
  const { wishedDate, confirmedOn } = termination;
  if (
    typeof wishedDate !== "string" ||
    typeof confirmedOn !== "string" ||
    !isIsoDate(wishedDate) ||
    !isIsoDate(confirmedOn)
  )
    return undefined;
  return monthOf(terminationDate(wishedDate, confirmedOn));
}

/** `date` when a price must exist on it; undefined when it falls in or after the termination month (never billed). */
function billedDate(span: ContractSpan, date: IsoDate | undefined): IsoDate | undefined {
  return date !== undefined && span.unbilledFrom !== undefined && monthOf(date) >= span.unbilledFrom
    ? undefined
    : date;
}

function readItems(ctx: ContractContext, k: Fields, span: ContractSpan): ImportContract["items"] {
  const { serviceStart } = span;
  const { problems, versions } = ctx;
  return mapObjects(problems, k.list("items"), k.at("items"), (o, path) => {
    const f = new Fields(problems, o, path, ITEM_FIELDS);
    const code = f.text("code");
    const quantity = f.count("quantity", 1);
    const ownership = f.oneOf("ownership", OWNERSHIPS);
    const from = f.date("from");
    const to = f.optionalDate("to");
    if (code !== undefined) {
      const problem = codeProblem(versions, code, "item", billedDate(span, from));
      if (problem) f.problem("code", problem);
    }
    const isGateway = code !== undefined && gatewayDeviceCap(code) !== null;
    const repair24h = f.optionalBool("repair24h", isGateway);
    if (code !== undefined && !isGateway && repair24h === true)
      f.problem("repair24h", "applies to gateways only");
    if (code === "sandbox" && quantity !== undefined && quantity !== 1)
      f.problem("quantity", `sandbox is one option per contract: must be 1, got ${quantity}`);
    if (from !== undefined && serviceStart !== undefined && from < serviceStart)
      f.problem("from", `${from} is before serviceStart (${serviceStart})`);
    if (from !== undefined && typeof to === "string" && to < from)
      f.problem("to", `${to} is before from (${from})`);
    return whenRead<ImportContract["items"][number]>({
      code,
      quantity,
      ownership,
      repair24h: isGateway && repair24h !== false,
      from,
      to: to ?? null,
    });
  });
}

function readPlanChanges(ctx: ContractContext, k: Fields, span: ContractSpan): PlanChange[] {
  const { serviceStart } = span;
  const { problems, versions } = ctx;
  return mapObjects(problems, k.list("planChanges"), k.at("planChanges"), (o, path) => {
    const f = new Fields(problems, o, path, PLAN_CHANGE_FIELDS);
    const date = f.date("date");
    const basePlan = f.text("basePlan");
    if (basePlan !== undefined) {
      const problem = codeProblem(versions, basePlan, "basePlan", billedDate(span, date));
      if (problem) f.problem("basePlan", problem);
    }
    if (date !== undefined && serviceStart !== undefined && date < serviceStart)
      f.problem("date", `${date} is before serviceStart (${serviceStart})`);
    return whenRead<PlanChange>({ date, basePlan });
  });
}

function readOutages(ctx: ContractContext, k: Fields): OutageRecord[] {
  const { problems } = ctx;
  return mapObjects(problems, k.list("outages"), k.at("outages"), (o, path) => {
    const f = new Fields(problems, o, path, OUTAGE_FIELDS);
    const services: OutageService[] = [];
    if (isAbsent(o.services)) f.problem("services", "required");
    else if (!Array.isArray(o.services))
      f.problem("services", `must be a list, got ${shown(o.services)}`);
    else if (o.services.length === 0) f.problem("services", "must name at least one service");
    else {
      o.services.forEach((s: unknown, m: number) => {
        const at = `${f.at("services")}[${m}]`;
        if (typeof s !== "string" || !(OUTAGE_SERVICES as readonly string[]).includes(s)) {
          problems.push({
            path: at,
            message: `unknown service ${shown(s)} (base, endpoint, gateway or sandbox)`,
          });
        } else if (services.includes(s as OutageService)) {
          problems.push({ path: at, message: `service "${s}" is listed twice` });
        } else services.push(s as OutageService);
      });
    }
    const knownAt = f.instant("knownAt");
    const restoredAt = f.optionalInstant("restoredAt");
    if (knownAt !== undefined && typeof restoredAt === "string" && restoredAt < knownAt) {
      f.problem("restoredAt", `${shown(o.restoredAt)} is before knownAt (${shown(o.knownAt)})`);
    }
    return whenRead<OutageRecord>({
      services,
      knownAt,
      restoredAt: restoredAt ?? null,
      customerFault: f.bool("customerFault"),
    });
  });
}

function readVisitLines(
  ctx: ContractContext,
  v: Fields,
  date: IsoDate | undefined,
): { lines: ImportVisitLine[]; ok: boolean } {
  const { problems, versions } = ctx;
  const before = problems.length;
  const list = v.list("lines");
  if (isAbsent(v.o.lines)) v.problem("lines", "required");
  else if (Array.isArray(v.o.lines) && list.length === 0)
    v.problem("lines", "must list at least one visit menu item");
  const lines = mapObjects(problems, list, v.at("lines"), (o, path) => {
    const f = new Fields(problems, o, path, VISIT_LINE_FIELDS);
    const code = f.text("code");
    if (code !== undefined) {
      const problem = codeProblem(versions, code, "visit", date);
      if (problem) f.problem("code", problem);
    }
    const quantity = f.optionalCount("quantity", 1);
    if (
      code !== undefined &&
      PER_VISIT_CODES.has(code) &&
      typeof quantity === "number" &&
      quantity !== 1
    ) {
      f.problem("quantity", `${code} is charged once per visit: must be 1, got ${quantity}`);
    }
    const endpointReinstall = f.optionalCount("endpointReinstall", 0);
    if (typeof endpointReinstall === "number") {
      if (code !== undefined && code !== "visit.app")
        f.problem("endpointReinstall", "belongs to visit.app lines only");
      else if (endpointReinstall > (quantity ?? 1))
        f.problem(
          "endpointReinstall",
          `${endpointReinstall} is more than the quantity (${quantity ?? 1})`,
        );
    }
    let pcs: { gb: number }[] | null = null;
    // The PCs listed (objects), read or not: the quantity must match them all.
    const pcsListed = Array.isArray(o.pcs) ? o.pcs.filter(isObject).length : 0;
    if (!isAbsent(o.pcs)) {
      if (code !== undefined && code !== DATA_MIGRATION_CODE)
        f.problem("pcs", `belongs to ${DATA_MIGRATION_CODE} lines only`);
      pcs = mapObjects(problems, f.list("pcs"), f.at("pcs"), (pc, pcPath) => {
        const p = new Fields(problems, pc, pcPath, PC_FIELDS);
        const gb = pc.gb;
        if (isAbsent(gb)) return p.problem("gb", "required");
        if (typeof gb !== "number" || !(gb > 0))
          return p.problem("gb", `must be a volume in GB greater than 0, got ${shown(gb)}`);
        return { gb };
      });
      if (Array.isArray(o.pcs) && o.pcs.length === 0)
        f.problem("pcs", 'must list at least one PC ({ "gb": … })');
    } else if (code === DATA_MIGRATION_CODE) {
      f.problem("pcs", 'required: one { "gb": … } per PC migrated');
    }
    if (
      code === DATA_MIGRATION_CODE &&
      pcs !== null &&
      typeof quantity === "number" &&
      quantity !== pcsListed
    ) {
      f.problem("quantity", `${quantity} differs from the number of pcs (${pcsListed})`);
    }
    return whenRead<ImportVisitLine>({
      code,
      quantity: quantity ?? null,
      endpointReinstall: endpointReinstall ?? null,
      pcs,
    });
  });
  return { lines, ok: problems.length === before };
}

function readVisits(ctx: ContractContext, k: Fields, area: Area | undefined): ImportVisit[] {
  const { problems, versions } = ctx;
  return mapObjects(problems, k.list("visits"), k.at("visits"), (o, path) => {
    const f = new Fields(problems, o, path, VISIT_FIELDS);
    const date = f.date("date");
    const start = f.time("start");
    // S2: visit days and hours; the refusal (Japanese, as the console shows it) names the next slot.
    if (area !== undefined && date !== undefined && start !== undefined) {
      const check = checkVisitSlot({ area, date, start });
      if (!check.ok) {
        f.problem(
          check.kind === "validation" && check.fields.start !== undefined ? "start" : "date",
          `visit slot ${date} ${start} refused (S2): ${failureMessage(check)}; next possible slot ${check.next.date} ${check.next.start}`,
        );
      }
    }
    const withLineApplication = f.optionalBool("withLineApplication", false);
    const backupAvailable = f.optionalBool("backupAvailable", false);
    const { lines, ok } = readVisitLines(ctx, f, date);
    if (
      ok &&
      date !== undefined &&
      withLineApplication !== undefined &&
      backupAvailable !== undefined
    ) {
      // S6 through the pricing rule itself: more than 20 PCs at the 50 GB tier has no price.
      const priced = priceVisit(
        { withLineApplication, backupAvailable, lines },
        {
          tariff: tariffInForce(versions, date),
          freeVisit: false,
          deviceCap: 0,
          hasEndpointService: false,
        },
      );
      if (!priced.ok) {
        for (const [field, message] of Object.entries(failureFields(priced))) {
          if (field === WHOLE_VISIT) {
            const k = lines.findIndex((l) => l.code === DATA_MIGRATION_CODE);
            problems.push({
              path: `${f.at("lines")}[${k}].pcs`,
              message:
                `${pcsAt50gbOf(lines)} PCs at the 50 GB data-migration tier: the S6 table stops at 20 PCs, so ` +
                `this migration needs a quoted manual line (manualLines) instead (${message})`,
            });
          } else {
            // `lines[i]`: the line's problems.
            problems.push({
              path: `${f.at("lines")}${field.slice("lines".length)}`,
              message: message ?? "",
            });
          }
        }
      }
    }
    return whenRead<ImportVisit>({ date, start, withLineApplication, backupAvailable, lines });
  });
}

function readManualLines(ctx: ContractContext, k: Fields): ImportContract["manualLines"] {
  const { problems } = ctx;
  return mapObjects(problems, k.list("manualLines"), k.at("manualLines"), (o, path) => {
    const f = new Fields(problems, o, path, MANUAL_LINE_FIELDS);
    return whenRead<ImportContract["manualLines"][number]>({
      date: f.date("date"),
      description: f.text("description"),
      amountYen: f.yen("amountYen"),
      taxable: f.bool("taxable"),
      code: f.optionalText("code", /^[a-z][a-z0-9_.]{0,40}$/) ?? null,
      rule: f.optionalText("rule", /^(T-\d+(-\d+)?(\(\d+\))?|S\d+(※\d+)?|manual)$/) ?? null,
    });
  });
}

/** The termination; null when there is none, undefined when it is given but could not be read. */
function readTermination(
  ctx: ContractContext,
  k: Fields,
  serviceStart: IsoDate | undefined,
): TerminationRecord | null | undefined {
  const o = k.object("termination", true);
  if (o === null) return null;
  const f = new Fields(ctx.problems, o, k.at("termination"), TERMINATION_FIELDS);
  const requestedOn = f.date("requestedOn");
  const wishedDate = f.date("wishedDate");
  const confirmedOn = f.optionalDate("confirmedOn");
  if (requestedOn !== undefined) {
    if (wishedDate !== undefined && wishedDate < requestedOn)
      f.problem("wishedDate", `${wishedDate} is before requestedOn (${requestedOn})`);
    if (typeof confirmedOn === "string" && confirmedOn < requestedOn)
      f.problem("confirmedOn", `${confirmedOn} is before requestedOn (${requestedOn})`);
  }
  if (wishedDate !== undefined && typeof confirmedOn === "string" && serviceStart !== undefined) {
    const date = terminationDate(wishedDate, confirmedOn);
    if (date < serviceStart) {
      ctx.problems.push({
        path: k.at("termination"),
        message: `termination date ${date} (T-20: the later of wishedDate and confirmedOn) is before serviceStart (${serviceStart})`,
      });
    }
  }
  return whenRead<TerminationRecord>({ requestedOn, wishedDate, confirmedOn: confirmedOn ?? null });
}

function readPayments(ctx: ContractContext, k: Fields): PaymentRecord[] {
  const { problems } = ctx;
  return mapObjects(problems, k.list("payments"), k.at("payments"), (o, path) => {
    const f = new Fields(problems, o, path, PAYMENT_FIELDS);
    const billingMonth = f.month("billingMonth");
    const paidOn = f.date("paidOn");
    const amountYen = f.optionalCount("amountYen", 1);
    return whenRead<PaymentRecord>({ billingMonth, paidOn, amountYen: amountYen ?? null });
  });
}

export function readContracts(
  ctx: ContractContext,
  root: Fields,
  refs: RefIndex,
  customers: RefIndex,
): ImportContract[] {
  const { problems, versions, existing } = ctx;
  const liveLines = new Map<string, { ref: string | undefined; path: string }>();
  return mapObjects(problems, root.list("contracts"), "contracts", (o, path) => {
    const k = new Fields(problems, o, path, CONTRACT_FIELDS);
    const ref = k.text("ref");
    if (ref !== undefined) refs.add(ref, k.at("ref"));
    const customer = k.text("customer");
    if (customer !== undefined && !customers.has(customer))
      k.problem("customer", `unknown customer "${customer}"`);
    const lineId = k.text("lineId");
    const area = k.oneOf("area", AREAS);
    const basePlan = k.text("basePlan");
    const serviceStart = k.date("serviceStart");
    if (basePlan !== undefined) {
      const problem = codeProblem(versions, basePlan, "basePlan", serviceStart);
      if (problem) k.problem("basePlan", problem);
    }
    const span = { serviceStart, unbilledFrom: unbilledFrom(o.termination) };
    const items = readItems(ctx, k, span);
    const planChanges = readPlanChanges(ctx, k, span);
    const outages = readOutages(ctx, k);
    const visits = readVisits(ctx, k, area);
    const manualLines = readManualLines(ctx, k);
    const termination = readTermination(ctx, k, serviceStart);
    const payments = readPayments(ctx, k);

    // T-6: two contracts that are not terminated never share a line id (a confirmed termination
    // makes the contract terminated on import, see import.server.ts).
    const live = !isObject(o.termination) || isAbsent(o.termination.confirmedOn);
    if (lineId !== undefined && live) {
      const other = liveLines.get(lineId);
      const holder = existing.liveLineIds.get(lineId);
      if (other !== undefined) {
        k.problem(
          "lineId",
          `line id "${lineId}" is also used by contract ${other.ref ? `"${other.ref}" ` : ""}at ${other.path}, which is not terminated (T-6)`,
        );
      } else {
        liveLines.set(lineId, { ref, path });
        if (holder !== undefined)
          k.problem(
            "lineId",
            `line id "${lineId}" is held by contract "${holder}" in the database, which is not terminated (T-6)`,
          );
      }
    }

    const contract = whenRead<ImportContract>({
      ref,
      customer,
      lineId,
      area,
      basePlan,
      serviceStart,
      items,
      planChanges,
      outages,
      visits,
      manualLines,
      termination,
      terminatedBy: "customer",
      payments,
    });
    return contract && normalizeOrder(contract);
  });
}

/** Lists in the order the billing run reads them back (loadBillableContracts), ties in file order. */
function normalizeOrder(contract: ImportContract): ImportContract {
  return {
    ...contract,
    planChanges: sortedBy(contract.planChanges, (p) => p.date),
    visits: sortedBy(contract.visits, (v) => `${v.date} ${v.start}`),
    manualLines: sortedBy(contract.manualLines, (m) => m.date),
    payments: sortedBy(contract.payments, (p) => p.paidOn),
  };
}
