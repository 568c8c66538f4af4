// The bulk-import file (import-format.md "The import file"): validation of a decoded JSON value
// against the rules of the file and the keys the database already holds. Pure: the database's
// keys come in as `ExistingKeys` (bank and branch codes are checked against the zengin-code
// dataset, a reference table shipped with the code, issue 20). Every problem is collected (nothing stops at the first), each
// with the path of the offending value (`contracts[2].items[0].code`) and a precise message.
//
// A valid file comes back normalized to the shape the billing run reads back from the database
// (`loadBillableContracts`): every optional field filled with its default, instants in UTC (the
// schema's convention), lists in the order the database returns them. So what is validated is
// exactly what is stored, and a stored contract reads back equal to its imported one.
import { ACCOUNT_FIELDS, checkDebitAccount, type DebitAccount } from "../collections/account-check.server";
import { toZenginKana, zenginKanaProblem } from "../collections/zengin";
import { TEXT_LIMITS } from "../lib/fields";
import {
  type Area,
  type ContractHistory,
  type ContractItem,
  type ManualLineRecord,
  type OutageRecord,
  type Ownership,
  type PaymentRecord,
  type PlanChange,
  type TerminatedBy,
  type TerminationRecord,
  type VisitRecord,
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
  tariffVersions,
  validateTariffUpdates,
  type TariffVersion,
} from "../billing/tariff";
import { priceVisit, type VisitLineInput } from "../billing/visit-pricing";
import { checkVisitSlot, visitDayRefusal } from "../contracts/visit-slots";
import { isIsoDate, isTimeOfDay, isYearMonth, monthOf, parseInstant, type IsoDate, type YearMonth } from "../lib/jst";
import { CARRIER_PROVIDERS } from "../licenses/carrier";
import {
  CHANNELS,
  REGIONS,
  type Carrier,
  type Charge,
  type ChargeType,
  type License,
  type LicenseKind,
  type LicenseTerm,
  type RenewalState,
  type SoldVia,
} from "../licenses/license";

// ---- the file, normalized ----------------------------------------------------------------------

export interface ImportReseller {
  ref: string;
  name: string;
}

export interface ImportCustomer {
  ref: string;
  name: string;
  email: string;
  phone: string;
  address: string;
  /** The reseller's ref (in the file or the database); null = a direct customer of the provider. */
  reseller: string | null;
  /** The name in half-width kana as bank statements show it (issue 20); null = not given. */
  kanaName: string | null;
  /** 口座振替 account (issue 20); null = pays by transfer. */
  directDebit: DebitAccount | null;
}

export interface ImportVisitLine extends VisitLineInput {
  quantity: number | null;
  endpointReinstall: number | null;
  pcs: { gb: number }[] | null;
}

export interface ImportVisit extends VisitRecord {
  lines: ImportVisitLine[];
}

/** A contract of the file: a ContractHistory with every field present (defaults applied). */
export interface ImportContract extends ContractHistory {
  ref: string;
  customer: string;
  lineId: string;
  items: (ContractItem & { repair24h: boolean; to: IsoDate | null })[];
  planChanges: PlanChange[];
  outages: OutageRecord[];
  visits: ImportVisit[];
  manualLines: (ManualLineRecord & { code: string | null; rule: string | null })[];
  termination: TerminationRecord | null;
  /** Always `customer`: the file records the customer's T-20 requests. */
  terminatedBy: TerminatedBy;
  payments: PaymentRecord[];
}

/**
 * A licence of the `licenses` section (licenses.md L-1): the pure `License` with every field
 * present (absent = null / false), its charges in date order, and its renewal state derived
 * from `autoRenew`, so a stored licence reads back equal to its imported one.
 */
export interface ImportLicense extends License {
  renewalState: RenewalState;
  contractNumber: string | null;
  carrier: Carrier | null;
  carrierPaymentNumber: string | null;
  provider: string | null;
  orderEmail: string | null;
}

export interface ImportFile {
  tariffs: TariffVersion[];
  resellers: ImportReseller[];
  customers: ImportCustomer[];
  contracts: ImportContract[];
  licenses: ImportLicense[];
}

/** What the database already holds, for refs, line ids and tariff versions. */
export interface ExistingKeys {
  resellerRefs: ReadonlySet<string>;
  customerRefs: ReadonlySet<string>;
  contractRefs: ReadonlySet<string>;
  /** Line id → ref of the contract that is not terminated and holds it (T-6). */
  liveLineIds: ReadonlyMap<string, string>;
  /** The provider's stored versions after the built-in one (their dates are taken). */
  tariffs: readonly TariffVersion[];
  /** Licence ref → the ref of its customer (a file's add-on may name a stored main licence). */
  licenseRefs: ReadonlyMap<string, string>;
}

export const NO_EXISTING_KEYS: ExistingKeys = Object.freeze({
  resellerRefs: new Set<string>(),
  customerRefs: new Set<string>(),
  contractRefs: new Set<string>(),
  liveLineIds: new Map<string, string>(),
  tariffs: [],
  licenseRefs: new Map<string, string>(),
});

export interface ImportProblem {
  path: string;
  message: string;
}

export type ImportValidation = { ok: true; file: ImportFile } | { ok: false; problems: ImportProblem[] };

// ---- field readers -----------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

const ROOT_PATH = "(top level)";

/** How a value is shown in a message: JSON for scalars, its kind for containers. */
function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  return JSON.stringify(value);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknownFieldMessage(key: string, allowed: readonly string[]): string {
  const near = allowed
    .map((name) => ({ name, distance: editDistance(key, name) }))
    .filter((c) => c.distance <= Math.max(1, Math.floor(c.name.length / 4)))
    .sort((x, y) => x.distance - y.distance)[0];
  return near
    ? `unknown field (did you mean "${near.name}"?)`
    : `unknown field; expected one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
}

/**
 * Reads the fields of one object. Required readers return undefined when the value is missing
 * or invalid (the problem is recorded); optional readers return null when absent.
 */
class Fields {
  constructor(
    private readonly problems: ImportProblem[],
    readonly o: JsonObject,
    readonly path: string,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) problems.push({ path: this.at(key), message: unknownFieldMessage(key, allowed) });
    }
  }

  at(key: string): string {
    return this.path === ROOT_PATH ? key : `${this.path}.${key}`;
  }

  problem(key: string, message: string): undefined {
    this.problems.push({ path: this.at(key), message });
    return undefined;
  }

  private required(key: string): unknown {
    const v = this.o[key];
    if (isAbsent(v)) this.problem(key, "required");
    return v;
  }

  /** `max`: the stored length limit of the kind of text (app/lib/fields.ts), free text's by default. */
  text(key: string, max: number = TEXT_LIMITS.note): string | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    if (typeof v !== "string") return this.problem(key, `must be a string, got ${shown(v)}`);
    if (v.trim() === "") return this.problem(key, "must not be empty");
    if (v.length > max) return this.problem(key, `must be at most ${max} characters, got ${v.length}`);
    return v;
  }

  optionalText(key: string, pattern?: RegExp, max: number = TEXT_LIMITS.note): string | null | undefined {
    const v = this.o[key];
    if (isAbsent(v)) return null;
    if (typeof v !== "string" || v.trim() === "") return this.problem(key, `must be a non-empty string, got ${shown(v)}`);
    if (v.length > max) return this.problem(key, `must be at most ${max} characters, got ${v.length}`);
    if (pattern && !pattern.test(v)) return this.problem(key, `not a valid value: ${shown(v)}`);
    return v;
  }

  date(key: string): IsoDate | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return isIsoDate(v) ? v : this.problem(key, `not a date (YYYY-MM-DD): ${shown(v)}`);
  }

  optionalDate(key: string): IsoDate | null | undefined {
    const v = this.o[key];
    if (isAbsent(v)) return null;
    return isIsoDate(v) ? v : this.problem(key, `not a date (YYYY-MM-DD): ${shown(v)}`);
  }

  month(key: string): YearMonth | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return isYearMonth(v) ? v : this.problem(key, `not a month (YYYY-MM): ${shown(v)}`);
  }

  time(key: string): string | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return isTimeOfDay(v) ? v : this.problem(key, `not a time of day (HH:MM): ${shown(v)}`);
  }

  /** An ISO 8601 instant with offset, returned as UTC ISO text (the schema's convention). */
  instant(key: string): string | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    const t = parseInstant(v);
    return t ? t.toISOString() : this.problem(key, `not an ISO 8601 instant with offset: ${shown(v)}`);
  }

  optionalInstant(key: string): string | null | undefined {
    if (isAbsent(this.o[key])) return null;
    return this.instant(key);
  }

  bool(key: string): boolean | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return typeof v === "boolean" ? v : this.problem(key, `must be true or false, got ${shown(v)}`);
  }

  optionalBool(key: string, absent: boolean): boolean | undefined {
    if (isAbsent(this.o[key])) return absent;
    return this.bool(key);
  }

  /** A whole number ≥ `min` (quantities: min 1). */
  count(key: string, min: number): number | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return this.checkCount(key, v, min);
  }

  optionalCount(key: string, min: number): number | null | undefined {
    const v = this.o[key];
    if (isAbsent(v)) return null;
    return this.checkCount(key, v, min);
  }

  private checkCount(key: string, v: unknown, min: number): number | undefined {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= min) return v;
    const bound = min === 1 ? "greater than 0" : `of at least ${min}`;
    return this.problem(key, `must be a whole number ${bound}, got ${shown(v)}`);
  }

  /** Signed integer yen. */
  yen(key: string): number | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return typeof v === "number" && Number.isSafeInteger(v) ? v : this.problem(key, `must be a whole number of yen, got ${shown(v)}`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
    return this.problem(key, `must be ${allowed.map((a) => `"${a}"`).join(" or ")}, got ${shown(v)}`);
  }

  /** A list: absent/null = empty. */
  list(key: string): unknown[] {
    const v = this.o[key];
    if (isAbsent(v)) return [];
    if (Array.isArray(v)) return v;
    this.problem(key, `must be a list, got ${shown(v)}`);
    return [];
  }

  /** A nested object; null when absent (and `optional`) or invalid. */
  object(key: string, optional: boolean): JsonObject | null {
    const v = this.o[key];
    if (isAbsent(v)) {
      if (!optional) this.problem(key, "required");
      return null;
    }
    if (isObject(v)) return v;
    this.problem(key, `must be an object, got ${shown(v)}`);
    return null;
  }
}

/** Maps each element of a list that is an object (with its path); other elements are problems, in order. */
function mapObjects<T>(
  problems: ImportProblem[],
  list: unknown[],
  path: string,
  fn: (o: JsonObject, path: string, index: number) => T,
): T[] {
  const result: T[] = [];
  list.forEach((value, index) => {
    const at = `${path}[${index}]`;
    if (isObject(value)) result.push(fn(value, at, index));
    else problems.push({ path: at, message: `must be an object, got ${shown(value)}` });
  });
  return result;
}

// ---- tariff codes --------------------------------------------------------------------------------

type CodeFamily = "item" | "basePlan" | "visit";

const FAMILY: Record<CodeFamily, { fits: (v: TariffVersion, code: string) => boolean; label: string }> = {
  item: { fits: isItemCode, label: "an item code (endpoint, sandbox or a gateway model gateway.gwN)" },
  basePlan: { fits: isBasePlanCode, label: "a base plan (base.…)" },
  visit: { fits: isVisitCode, label: "a visit menu code (visit.…)" },
};

/**
 * Why `code` cannot be used as a `family` code on `date`, or null when it can: unknown to every
 * tariff version, a code of another kind, or not yet priced in the version in force on the first
 * day of the date's month (T-2: each month is billed with that version).
 */
function codeProblem(versions: readonly TariffVersion[], code: string, family: CodeFamily, date: IsoDate | undefined): string | null {
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
  const firstPriced = versions.find((v) => fits(v, code))!.effectiveFrom;
  return `tariff code "${code}" has no price in ${monthOf(date)} (tariff ${inForce.effectiveFrom}); it is priced from ${firstPriced}`;
}

function tariffInForce(versions: readonly TariffVersion[], date: IsoDate): TariffVersion {
  return findTariffForMonth(versions, monthOf(date)) ?? versions[0];
}

// ---- sections ------------------------------------------------------------------------------------

const ROOT_FIELDS = ["tariffs", "resellers", "customers", "contracts", "licenses"] as const;
const TARIFF_FIELDS = ["effectiveFrom", "prices"] as const;
const RESELLER_FIELDS = ["ref", "name"] as const;
const CUSTOMER_FIELDS = ["ref", "name", "email", "phone", "address", "reseller", "kanaName", "directDebit"] as const;
const CONTRACT_FIELDS = [
  "ref", "customer", "lineId", "area", "basePlan", "serviceStart", "items", "planChanges", "outages", "visits",
  "manualLines", "termination", "payments",
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
const UNSUPPORTED_SECTIONS: Readonly<Record<string, string>> = {};

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** First path at which each ref was seen in the file, to name the original of a duplicate. */
class RefIndex {
  private readonly firstAt = new Map<string, string>();

  constructor(
    private readonly problems: ImportProblem[],
    private readonly kind: string,
    private readonly inDatabase: ReadonlySet<string>,
  ) {}

  /** Registers a ref; a duplicate in the file or the database is a problem. */
  add(ref: string, path: string): void {
    const first = this.firstAt.get(ref);
    if (first !== undefined) {
      this.problems.push({ path, message: `duplicate ${this.kind} ref "${ref}" (already used at ${first})` });
      return;
    }
    this.firstAt.set(ref, path);
    if (this.inDatabase.has(ref)) {
      this.problems.push({ path, message: `${this.kind} ref "${ref}" already exists in the database` });
    }
  }

  has(ref: string): boolean {
    return this.firstAt.has(ref) || this.inDatabase.has(ref);
  }
}

function validTariffs(problems: ImportProblem[], root: Fields, existing: ExistingKeys): TariffVersion[] {
  // Shape first; then the tariff rules (dates after 2024-04-01, codes, prices) on the well-formed ones.
  const shaped: { index: number; version: TariffVersion }[] = [];
  mapObjects(problems, root.list("tariffs"), "tariffs", (o, path, index) => {
    const f = new Fields(problems, o, path, TARIFF_FIELDS);
    const effectiveFrom = o.effectiveFrom;
    if (isAbsent(effectiveFrom)) f.problem("effectiveFrom", "required");
    else if (typeof effectiveFrom !== "string") f.problem("effectiveFrom", `not a date (YYYY-MM-DD): ${shown(effectiveFrom)}`);
    const prices = f.object("prices", false);
    if (prices !== null && Object.keys(prices).length === 0) f.problem("prices", "must list at least one price");
    if (typeof effectiveFrom === "string") {
      shaped.push({ index, version: { effectiveFrom, prices: (prices ?? {}) as Record<string, number> } });
    }
  });
  const marker = "\u0000";
  const ruleProblems = validateTariffUpdates(shaped.map((s) => s.version), marker).map((p) => ({
    ...p,
    path: p.path.replace(/^\u0000\[(\d+)\]/, (_, k: string) => `tariffs[${shaped[Number(k)].index}]`),
  }));
  problems.push(...ruleProblems);
  const taken = new Set(existing.tariffs.map((v) => v.effectiveFrom));
  for (const { index, version } of shaped) {
    if (taken.has(version.effectiveFrom)) {
      problems.push({ path: `tariffs[${index}].effectiveFrom`, message: `a tariff version starting on ${version.effectiveFrom} is already stored` });
    }
  }
  const bad = new Set(problems.filter((p) => p.path.startsWith("tariffs[")).map((p) => Number(/^tariffs\[(\d+)\]/.exec(p.path)![1])));
  return shaped.filter((s) => !bad.has(s.index)).map((s) => s.version);
}

function readResellers(problems: ImportProblem[], root: Fields, refs: RefIndex): ImportReseller[] {
  return mapObjects(problems, root.list("resellers"), "resellers", (o, path) => {
    const f = new Fields(problems, o, path, RESELLER_FIELDS);
    const ref = f.text("ref");
    if (ref !== undefined) refs.add(ref, f.at("ref"));
    return { ref: ref!, name: f.text("name", TEXT_LIMITS.name)! };
  });
}

function readCustomers(problems: ImportProblem[], root: Fields, refs: RefIndex, resellers: RefIndex): ImportCustomer[] {
  return mapObjects(problems, root.list("customers"), "customers", (o, path) => {
    const f = new Fields(problems, o, path, CUSTOMER_FIELDS);
    const ref = f.text("ref");
    if (ref !== undefined) refs.add(ref, f.at("ref"));
    const name = f.text("name", TEXT_LIMITS.name);
    const email = f.text("email", TEXT_LIMITS.email);
    if (email !== undefined && !EMAIL_RE.test(email)) f.problem("email", `not an e-mail address: ${shown(email)}`);
    const phone = f.text("phone");
    const address = f.text("address", TEXT_LIMITS.address);
    let reseller: string | null = null;
    if (!isAbsent(o.reseller)) {
      reseller = f.text("reseller") ?? null;
      if (reseller !== null && !resellers.has(reseller)) f.problem("reseller", `unknown reseller "${reseller}"`);
    }
    let kanaName: string | null = null;
    if (!isAbsent(o.kanaName)) {
      const given = f.text("kanaName", TEXT_LIMITS.name);
      const problem = given === undefined ? null : zenginKanaProblem("カナ名", given, 40);
      if (problem) f.problem("kanaName", problem);
      else if (given !== undefined) kanaName = toZenginKana(given);
    }
    let directDebit: DebitAccount | null = null;
    const debit = f.object("directDebit", true);
    if (debit) {
      const d = new Fields(problems, debit, f.at("directDebit"), ACCOUNT_FIELDS);
      const checked = checkDebitAccount(debit);
      if (checked.ok) directDebit = checked.value;
      else for (const [key, message] of Object.entries(checked.errors)) d.problem(key, message);
    }
    return { ref: ref!, name: name!, email: email!, phone: phone!, address: address!, reseller, kanaName, directDebit };
  });
}

interface ContractContext {
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
  if (typeof wishedDate !== "string" || typeof confirmedOn !== "string" || !isIsoDate(wishedDate) || !isIsoDate(confirmedOn)) return undefined;
  return monthOf(terminationDate(wishedDate, confirmedOn));
}

/** `date` when a price must exist on it; undefined when it falls in or after the termination month (never billed). */
function billedDate(span: ContractSpan, date: IsoDate | undefined): IsoDate | undefined {
  return date !== undefined && span.unbilledFrom !== undefined && monthOf(date) >= span.unbilledFrom ? undefined : date;
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
    if (code !== undefined && !isGateway && repair24h === true) f.problem("repair24h", "applies to gateways only");
    if (code === "sandbox" && quantity !== undefined && quantity !== 1) f.problem("quantity", `sandbox is one option per contract: must be 1, got ${quantity}`);
    if (from !== undefined && serviceStart !== undefined && from < serviceStart) f.problem("from", `${from} is before serviceStart (${serviceStart})`);
    if (from !== undefined && typeof to === "string" && to < from) f.problem("to", `${to} is before from (${from})`);
    return { code: code!, quantity: quantity!, ownership: ownership!, repair24h: isGateway && repair24h !== false, from: from!, to: to ?? null };
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
    if (date !== undefined && serviceStart !== undefined && date < serviceStart) f.problem("date", `${date} is before serviceStart (${serviceStart})`);
    return { date: date!, basePlan: basePlan! };
  });
}

function readOutages(ctx: ContractContext, k: Fields): OutageRecord[] {
  const { problems } = ctx;
  return mapObjects(problems, k.list("outages"), k.at("outages"), (o, path) => {
    const f = new Fields(problems, o, path, OUTAGE_FIELDS);
    const services: OutageService[] = [];
    if (isAbsent(o.services)) f.problem("services", "required");
    else if (!Array.isArray(o.services)) f.problem("services", `must be a list, got ${shown(o.services)}`);
    else if (o.services.length === 0) f.problem("services", "must name at least one service");
    else {
      o.services.forEach((s: unknown, m: number) => {
        const at = `${f.at("services")}[${m}]`;
        if (typeof s !== "string" || !(OUTAGE_SERVICES as readonly string[]).includes(s)) {
          problems.push({ path: at, message: `unknown service ${shown(s)} (base, endpoint, gateway or sandbox)` });
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
    return { services, knownAt: knownAt!, restoredAt: restoredAt ?? null, customerFault: f.bool("customerFault")! };
  });
}

function readVisitLines(ctx: ContractContext, v: Fields, date: IsoDate | undefined): { lines: ImportVisitLine[]; ok: boolean } {
  const { problems, versions } = ctx;
  const before = problems.length;
  const list = v.list("lines");
  if (isAbsent(v.o.lines)) v.problem("lines", "required");
  else if (Array.isArray(v.o.lines) && list.length === 0) v.problem("lines", "must list at least one visit menu item");
  const lines = mapObjects(problems, list, v.at("lines"), (o, path) => {
    const f = new Fields(problems, o, path, VISIT_LINE_FIELDS);
    const code = f.text("code");
    if (code !== undefined) {
      const problem = codeProblem(versions, code, "visit", date);
      if (problem) f.problem("code", problem);
    }
    const quantity = f.optionalCount("quantity", 1);
    if (code !== undefined && PER_VISIT_CODES.has(code) && typeof quantity === "number" && quantity !== 1) {
      f.problem("quantity", `${code} is charged once per visit: must be 1, got ${quantity}`);
    }
    const endpointReinstall = f.optionalCount("endpointReinstall", 0);
    if (typeof endpointReinstall === "number") {
      if (code !== undefined && code !== "visit.app") f.problem("endpointReinstall", "belongs to visit.app lines only");
      else if (endpointReinstall > (quantity ?? 1)) f.problem("endpointReinstall", `${endpointReinstall} is more than the quantity (${quantity ?? 1})`);
    }
    let pcs: { gb: number }[] | null = null;
    if (!isAbsent(o.pcs)) {
      if (code !== undefined && code !== DATA_MIGRATION_CODE) f.problem("pcs", `belongs to ${DATA_MIGRATION_CODE} lines only`);
      pcs = mapObjects(problems, f.list("pcs"), f.at("pcs"), (pc, pcPath) => {
        const p = new Fields(problems, pc, pcPath, PC_FIELDS);
        const gb = pc.gb;
        if (isAbsent(gb)) p.problem("gb", "required");
        else if (typeof gb !== "number" || !(gb > 0)) p.problem("gb", `must be a volume in GB greater than 0, got ${shown(gb)}`);
        return { gb: gb as number };
      });
      if (Array.isArray(o.pcs) && o.pcs.length === 0) f.problem("pcs", "must list at least one PC ({ \"gb\": … })");
    } else if (code === DATA_MIGRATION_CODE) {
      f.problem("pcs", "required: one { \"gb\": … } per PC migrated");
    }
    if (code === DATA_MIGRATION_CODE && pcs !== null && typeof quantity === "number" && quantity !== pcs.length) {
      f.problem("quantity", `${quantity} differs from the number of pcs (${pcs.length})`);
    }
    return { code: code!, quantity: quantity ?? null, endpointReinstall: endpointReinstall ?? null, pcs };
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
        const key = visitDayRefusal(area, date) !== null ? "date" : "start";
        f.problem(key, `visit slot ${date} ${start} refused (S2): ${check.reason}; next possible slot ${check.next.date} ${check.next.start}`);
      }
    }
    const withLineApplication = f.optionalBool("withLineApplication", false);
    const backupAvailable = f.optionalBool("backupAvailable", false);
    const { lines, ok } = readVisitLines(ctx, f, date);
    if (ok && date !== undefined && withLineApplication !== undefined && backupAvailable !== undefined) {
      // S6 through the pricing rule itself: more than 20 PCs at the 50 GB tier has no price.
      const priced = priceVisit(
        { withLineApplication, backupAvailable, lines },
        { tariff: tariffInForce(versions, date), freeVisit: false, deviceCap: 0, hasEndpointService: false },
      );
      if (!priced.ok) {
        for (const error of priced.errors) {
          if (error.kind === "migration_over_20_pcs") {
            const k = lines.findIndex((l) => l.code === DATA_MIGRATION_CODE);
            problems.push({
              path: `${f.at("lines")}[${k}].pcs`,
              message: `${error.pcsAt50gb} PCs at the 50 GB data-migration tier: the S6 table stops at 20 PCs, so ` +
                `this migration needs a quoted manual line (manualLines) instead (${error.message})`,
            });
          } else {
            problems.push({ path: `${f.at("lines")}[${error.lineIndex}]`, message: error.message });
          }
        }
      }
    }
    return {
      date: date!, start: start!, withLineApplication: withLineApplication!, backupAvailable: backupAvailable!, lines,
    };
  });
}

function readManualLines(ctx: ContractContext, k: Fields): ImportContract["manualLines"] {
  const { problems } = ctx;
  return mapObjects(problems, k.list("manualLines"), k.at("manualLines"), (o, path) => {
    const f = new Fields(problems, o, path, MANUAL_LINE_FIELDS);
    return {
      date: f.date("date")!, description: f.text("description")!, amountYen: f.yen("amountYen")!, taxable: f.bool("taxable")!,
      code: f.optionalText("code", /^[a-z][a-z0-9_.]{0,40}$/) ?? null,
      rule: f.optionalText("rule", /^(T-\d+(-\d+)?(\(\d+\))?|S\d+(※\d+)?|manual)$/) ?? null,
    };
  });
}

function readTermination(ctx: ContractContext, k: Fields, serviceStart: IsoDate | undefined): TerminationRecord | null {
  const o = k.object("termination", true);
  if (o === null) return null;
  const f = new Fields(ctx.problems, o, k.at("termination"), TERMINATION_FIELDS);
  const requestedOn = f.date("requestedOn");
  const wishedDate = f.date("wishedDate");
  const confirmedOn = f.optionalDate("confirmedOn");
  if (requestedOn !== undefined) {
    if (wishedDate !== undefined && wishedDate < requestedOn) f.problem("wishedDate", `${wishedDate} is before requestedOn (${requestedOn})`);
    if (typeof confirmedOn === "string" && confirmedOn < requestedOn) f.problem("confirmedOn", `${confirmedOn} is before requestedOn (${requestedOn})`);
  }
  const termination: TerminationRecord = { requestedOn: requestedOn!, wishedDate: wishedDate!, confirmedOn: confirmedOn ?? null };
  if (wishedDate !== undefined && typeof confirmedOn === "string" && serviceStart !== undefined) {
    const date = terminationDate(wishedDate, confirmedOn);
    if (date < serviceStart) {
      ctx.problems.push({ path: k.at("termination"), message: `termination date ${date} (T-20: the later of wishedDate and confirmedOn) is before serviceStart (${serviceStart})` });
    }
  }
  return termination;
}

function readPayments(ctx: ContractContext, k: Fields): PaymentRecord[] {
  const { problems } = ctx;
  return mapObjects(problems, k.list("payments"), k.at("payments"), (o, path) => {
    const f = new Fields(problems, o, path, PAYMENT_FIELDS);
    const billingMonth = f.month("billingMonth");
    const paidOn = f.date("paidOn");
    const amountYen = f.optionalCount("amountYen", 1);
    return { billingMonth: billingMonth!, paidOn: paidOn!, amountYen: amountYen ?? null };
  });
}

function readContracts(ctx: ContractContext, root: Fields, refs: RefIndex, customers: RefIndex): ImportContract[] {
  const { problems, versions, existing } = ctx;
  const liveLines = new Map<string, { ref: string | undefined; path: string }>();
  return mapObjects(problems, root.list("contracts"), "contracts", (o, path) => {
    const k = new Fields(problems, o, path, CONTRACT_FIELDS);
    const ref = k.text("ref");
    if (ref !== undefined) refs.add(ref, k.at("ref"));
    const customer = k.text("customer");
    if (customer !== undefined && !customers.has(customer)) k.problem("customer", `unknown customer "${customer}"`);
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
    const live = termination === null || termination.confirmedOn === null;
    if (lineId !== undefined && live) {
      const other = liveLines.get(lineId);
      const holder = existing.liveLineIds.get(lineId);
      if (other !== undefined) {
        k.problem("lineId", `line id "${lineId}" is also used by contract ${other.ref ? `"${other.ref}" ` : ""}at ${other.path}, which is not terminated (T-6)`);
      } else {
        liveLines.set(lineId, { ref, path });
        if (holder !== undefined) k.problem("lineId", `line id "${lineId}" is held by contract "${holder}" in the database, which is not terminated (T-6)`);
      }
    }

    const contract: ImportContract = {
      ref: ref!, customer: customer!, lineId: lineId!, area: area!, basePlan: basePlan!, serviceStart: serviceStart!,
      items, planChanges, outages, visits, manualLines, termination, terminatedBy: "customer", payments,
    };
    return normalizeOrder(contract);
  });
}

// ---- licences (licenses.md L-1, import-format.md "Licenses") --------------------------------------

const LICENSE_FIELDS = [
  "ref", "customer", "product", "channel", "term", "kind", "region", "seats", "priceYen", "orderNumber", "productKey",
  "mainLicense", "autoRenew", "soldVia", "previouslyRefunded", "serviceUsed", "charges",
  // Optional, for the L-4 … L-6 lookups: what a reseller's spreadsheet knows about the channel.
  "contractNumber", "carrier", "carrierPaymentNumber", "provider", "orderEmail",
] as const;
const CHARGE_FIELDS = ["date", "amountYen", "type"] as const;
const TERMS: readonly LicenseTerm[] = ["annual", "monthly"];
const KINDS: readonly LicenseKind[] = ["standard", "service", "trial"];
const SOLD_VIA: readonly SoldVia[] = ["vendor", "third_party", "bundled", "nfr"];
const CHARGE_TYPES: readonly ChargeType[] = ["purchase", "renewal", "trial_conversion"];
const CARRIERS: readonly Carrier[] = ["docomo", "au", "softbank"];

/** The charges of one licence: each well formed, then their order (L-1: a purchase or trial conversion first, renewals after). */
function readCharges(problems: ImportProblem[], f: Fields, kind: LicenseKind | undefined): Charge[] {
  const read = mapObjects(problems, f.list("charges"), f.at("charges"), (o, path, index) => {
    const c = new Fields(problems, o, path, CHARGE_FIELDS);
    const charge = { date: c.date("date"), amountYen: c.count("amountYen", 0), type: c.oneOf("type", CHARGE_TYPES) };
    return { index, path, charge };
  });
  const complete = read.filter((r) => r.charge.date !== undefined && r.charge.amountYen !== undefined && r.charge.type !== undefined);
  const dated = sortedBy(complete, (r) => r.charge.date!);
  const seen = new Map<string, string>();
  dated.forEach(({ path, charge }, position) => {
    const other = seen.get(charge.date!);
    if (other !== undefined) problems.push({ path: `${path}.date`, message: `${charge.date} is also the date of ${other}: a licence is charged once a day` });
    seen.set(charge.date!, path);
    if (kind === undefined) return;
    const first: ChargeType = kind === "trial" ? "trial_conversion" : "purchase";
    if (position === 0 && charge.type !== first) {
      problems.push({
        path: `${path}.type`,
        message: `the first charge of a ${kind} licence must be "${first}", got "${charge.type}"`,
      });
    } else if (position > 0 && charge.type !== "renewal") {
      problems.push({ path: `${path}.type`, message: `only the first charge is a "${first}"; a later one must be "renewal", got "${charge.type}"` });
    }
  });
  if (kind !== undefined && kind !== "trial" && isAbsent(f.o.charges)) {
    f.problem("charges", 'required: at least the purchase ({ "date", "amountYen", "type": "purchase" })');
  } else if (kind !== undefined && kind !== "trial" && Array.isArray(f.o.charges) && f.o.charges.length === 0) {
    f.problem("charges", 'must list at least the purchase ({ "date", "amountYen", "type": "purchase" })');
  }
  return dated.map(({ charge }) => ({ date: charge.date!, amountYen: charge.amountYen!, type: charge.type! }));
}

function readLicenses(problems: ImportProblem[], root: Fields, refs: RefIndex, customers: RefIndex, existing: ExistingKeys): ImportLicense[] {
  const mains: { path: string; ref: string | undefined; customer: string | undefined; main: string }[] = [];
  const licenses = mapObjects(problems, root.list("licenses"), "licenses", (o, path) => {
    const f = new Fields(problems, o, path, LICENSE_FIELDS);
    const ref = f.text("ref");
    if (ref !== undefined) refs.add(ref, f.at("ref"));
    const customer = f.text("customer");
    if (customer !== undefined && !customers.has(customer)) f.problem("customer", `unknown customer "${customer}"`);
    const product = f.text("product");
    const channel = f.oneOf("channel", CHANNELS);
    const term = f.oneOf("term", TERMS);
    const kind = f.oneOf("kind", KINDS);
    const region = f.oneOf("region", REGIONS);
    const seats = f.count("seats", 1);
    const priceYen = f.count("priceYen", 0);
    const orderNumber = f.optionalText("orderNumber");
    const productKey = f.optionalText("productKey");
    const mainLicense = f.optionalText("mainLicense");
    const autoRenew = f.bool("autoRenew");
    const soldVia = f.oneOf("soldVia", SOLD_VIA);
    const previouslyRefunded = f.optionalBool("previouslyRefunded", false);
    const serviceUsed = f.optionalBool("serviceUsed", false);
    const charges = readCharges(problems, f, kind);

    // The channel's own numbers belong to that channel only (L-4 ISP, L-5 carrier shops).
    const contractNumber = f.optionalText("contractNumber");
    if (typeof contractNumber === "string" && channel !== undefined && channel !== "isp") f.problem("contractNumber", "belongs to isp licences only");
    const carrier = isAbsent(o.carrier) ? null : f.oneOf("carrier", CARRIERS);
    const carrierPaymentNumber = f.optionalText("carrierPaymentNumber");
    const provider = isAbsent(o.provider) ? null : f.oneOf("provider", CARRIER_PROVIDERS.map((p) => p.id));
    for (const [key, value] of [["carrier", carrier], ["carrierPaymentNumber", carrierPaymentNumber], ["provider", provider]] as const) {
      if (typeof value === "string" && channel !== undefined && channel !== "carrier_provider") f.problem(key, "belongs to carrier_provider licences only");
    }
    const orderEmail = f.optionalText("orderEmail", undefined, TEXT_LIMITS.email);
    if (typeof orderEmail === "string" && !EMAIL_RE.test(orderEmail)) f.problem("orderEmail", `not an e-mail address: ${shown(orderEmail)}`);

    if (typeof mainLicense === "string") mains.push({ path: f.at("mainLicense"), ref, customer, main: mainLicense });
    const license: ImportLicense = {
      ref: ref!, customer: customer!, product: product!, channel: channel!, term: term!, kind: kind!, region: region!,
      seats: seats!, priceYen: priceYen!, orderNumber: orderNumber ?? null, productKey: productKey ?? null,
      mainLicense: mainLicense ?? null, autoRenew: autoRenew!, soldVia: soldVia!, previouslyRefunded: previouslyRefunded!,
      serviceUsed: serviceUsed!, charges, renewalState: autoRenew ? "active" : "stopped",
      contractNumber: contractNumber ?? null, carrier: carrier ?? null, carrierPaymentNumber: carrierPaymentNumber ?? null,
      provider: provider ?? null, orderEmail: orderEmail ?? null,
    };
    return license;
  });

  // Add-ons (L-1): the main licence exists (file or database), is another licence of the same
  // customer, and following mains never comes back to where it started.
  const customerOf = new Map(existing.licenseRefs);
  for (const l of licenses) if (l.ref !== undefined && l.customer !== undefined) customerOf.set(l.ref, l.customer);
  const mainOf = new Map(licenses.filter((l) => l.ref !== undefined && l.mainLicense !== null).map((l) => [l.ref, l.mainLicense!]));
  for (const { path, ref, customer, main } of mains) {
    if (main === ref) {
      problems.push({ path, message: "a licence cannot be its own main licence" });
      continue;
    }
    if (!customerOf.has(main)) {
      problems.push({ path, message: `unknown main license "${main}"` });
      continue;
    }
    const mainCustomer = customerOf.get(main)!;
    if (customer !== undefined && mainCustomer !== customer) {
      problems.push({ path, message: `main license "${main}" belongs to customer "${mainCustomer}", not "${customer}"` });
      continue;
    }
    const chain = [ref!, main];
    let next = mainOf.get(main);
    while (next !== undefined && !chain.includes(next)) {
      chain.push(next);
      next = mainOf.get(next);
    }
    if (next !== undefined && ref !== undefined && next === ref) {
      problems.push({ path, message: `main licences form a cycle: ${[...chain, next].join(" → ")}` });
    }
  }
  return licenses;
}

/** Stable sort by a text key. */
function sortedBy<T>(list: readonly T[], key: (t: T) => string): T[] {
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
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

/**
 * Validates a decoded import file against the format and the database's keys. Returns the
 * normalized file, or every problem found (`path: message`), section by section.
 */
export function validateImportFile(json: unknown, existing: ExistingKeys = NO_EXISTING_KEYS): ImportValidation {
  const problems: ImportProblem[] = [];
  if (!isObject(json)) {
    return { ok: false, problems: [{ path: ROOT_PATH, message: `must be a JSON object with the sections ${ROOT_FIELDS.join(", ")}, got ${shown(json)}` }] };
  }
  for (const [section, message] of Object.entries(UNSUPPORTED_SECTIONS)) {
    if (section in json) problems.push({ path: section, message });
  }
  const rootWithoutUnsupported = Object.fromEntries(Object.entries(json).filter(([key]) => !(key in UNSUPPORTED_SECTIONS)));
  const root = new Fields(problems, rootWithoutUnsupported, ROOT_PATH, ROOT_FIELDS);

  const tariffs = validTariffs(problems, root, existing);
  const versions = tariffVersions([...existing.tariffs, ...tariffs]);

  const resellerRefs = new RefIndex(problems, "reseller", existing.resellerRefs);
  const customerRefs = new RefIndex(problems, "customer", existing.customerRefs);
  const contractRefs = new RefIndex(problems, "contract", existing.contractRefs);
  const resellers = readResellers(problems, root, resellerRefs);
  const customers = readCustomers(problems, root, customerRefs, resellerRefs);
  const contracts = readContracts({ problems, versions, existing }, root, contractRefs, customerRefs);
  const licenseRefs = new RefIndex(problems, "license", new Set(existing.licenseRefs.keys()));
  const licenses = readLicenses(problems, root, licenseRefs, customerRefs, existing);

  if (problems.length > 0) return { ok: false, problems: problems.map(({ path, message }) => ({ path, message })) };
  return {
    ok: true,
    file: {
      tariffs: sortedBy(tariffs, (t) => t.effectiveFrom).map((t) => ({ effectiveFrom: t.effectiveFrom, prices: { ...t.prices } })),
      resellers,
      customers,
      contracts,
      licenses,
    },
  };
}
