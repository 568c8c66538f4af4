// The bulk-import file (docs/rules/import-format.md "The import file"): validation of a decoded JSON value
// against the rules of the file and the keys the database already holds. Pure: the database's
// keys come in as `ExistingKeys` (bank and branch codes are checked against the zengin-code
// dataset, a reference table shipped with the code, issue 20). Every problem is collected (nothing stops at the first), each
// with the path of the offending value (`contracts[2].items[0].code`) and a precise message.
//
// A valid file comes back normalized to the shape the billing run reads back from the database
// (`loadBillableContracts`): every optional field filled with its default, instants in UTC (the
// schema's convention), lists in the order the database returns them. So what is validated is
// exactly what is stored, and a stored contract reads back equal to its imported one.
import {
  ACCOUNT_FIELDS,
  checkDebitAccount,
  type DebitAccount,
} from "../collections/account-check.server";
import { toZenginKana, zenginKanaProblem } from "../collections/zengin";
import type {
  ContractHistory,
  ContractItem,
  ManualLineRecord,
  OutageRecord,
  PaymentRecord,
  PlanChange,
  TerminatedBy,
  TerminationRecord,
  VisitRecord,
} from "../billing/contract-history";
import {
  tariffVersions,
  validateTariffUpdates,
  type TariffVersion,
  type TariffVersionInput,
} from "../billing/tariff";
import type { VisitLineInput } from "../billing/visit-pricing";
import { TEXT_LIMITS } from "../lib/fields";
import { isoDate, type IsoDate } from "../lib/jst";
import type { Carrier, License, RenewalState } from "../licenses/license";
import { readContracts } from "./contracts-section";
import {
  EMAIL_RE,
  Fields,
  RefIndex,
  ROOT_PATH,
  isAbsent,
  isObject,
  mapObjects,
  shown,
  sortedBy,
  whenRead,
} from "./fields";
import { readLicenses } from "./licenses-section";
import { failureFields, invalid, invalidField, ok, type Failure, type Result } from "../lib/result";

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
 * A licence of the `licenses` section (docs/rules/licenses.md L-1): the pure `License` with every field
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

/**
 * The normalized file, or a validation failure with one message per path (`path: message`), in
 * the order they were found.
 */
export type ImportValidation = Result<ImportFile>;

/** The problems as the failure's fields; two at one path read as one line, joined with "; ". */
function invalidImport(problems: readonly ImportProblem[]): Failure {
  const fields: Record<string, string> = {};
  for (const { path, message } of problems)
    fields[path] = fields[path] === undefined ? message : `${fields[path]}; ${message}`;
  return invalid(fields);
}

const ROOT_FIELDS = ["tariffs", "resellers", "customers", "contracts", "licenses"] as const;
const TARIFF_FIELDS = ["effectiveFrom", "prices"] as const;
const RESELLER_FIELDS = ["ref", "name"] as const;
const CUSTOMER_FIELDS = [
  "ref",
  "name",
  "email",
  "phone",
  "address",
  "reseller",
  "kanaName",
  "directDebit",
] as const;
const UNSUPPORTED_SECTIONS: Readonly<Record<string, string>> = {};

function validTariffs(
  problems: ImportProblem[],
  root: Fields,
  existing: ExistingKeys,
): TariffVersion[] {
  // Shape first; then the tariff rules (dates after 2024-04-01, codes, prices) on the well-formed ones.
  const shaped: { index: number; version: TariffVersionInput }[] = [];
  mapObjects(problems, root.list("tariffs"), "tariffs", (o, path, index) => {
    const f = new Fields(problems, o, path, TARIFF_FIELDS);
    const effectiveFrom = o.effectiveFrom;
    if (isAbsent(effectiveFrom)) f.problem("effectiveFrom", "required");
    else if (typeof effectiveFrom !== "string")
      f.problem("effectiveFrom", `not a date (YYYY-MM-DD): ${shown(effectiveFrom)}`);
    const prices = f.object("prices", false);
    if (prices !== null && Object.keys(prices).length === 0)
      f.problem("prices", "must list at least one price");
    if (typeof effectiveFrom === "string") {
      shaped.push({
        index,
        version: { effectiveFrom, prices: (prices ?? {}) as Record<string, number> },
      });
    }
  });
  const marker = "\u0000";
  const ruleProblems = validateTariffUpdates(
    shaped.map((s) => s.version),
    marker,
  ).map((p) => ({
    ...p,
    path: p.path.replace(
      // NUL marks a placeholder path that cannot occur in a file.
      // eslint-disable-next-line no-control-regex
      /^\u0000\[(\d+)\]/,
      (_, k: string) => `tariffs[${shaped[Number(k)].index}]`,
    ),
  }));
  problems.push(...ruleProblems);
  const taken = new Set<string>(existing.tariffs.map((v) => v.effectiveFrom));
  for (const { index, version } of shaped) {
    if (taken.has(version.effectiveFrom)) {
      problems.push({
        path: `tariffs[${index}].effectiveFrom`,
        message: `a tariff version starting on ${version.effectiveFrom} is already stored`,
      });
    }
  }
  const bad = new Set<number>();
  for (const p of problems) {
    const at = /^tariffs\[(\d+)\]/.exec(p.path);
    if (at) bad.add(Number(at[1]));
  }
  // Only versions without problems are left, so each date has passed validateTariffUpdates.
  return shaped
    .filter((s) => !bad.has(s.index))
    .map((s) => ({ ...s.version, effectiveFrom: isoDate(s.version.effectiveFrom) }));
}

function readResellers(problems: ImportProblem[], root: Fields, refs: RefIndex): ImportReseller[] {
  return mapObjects(problems, root.list("resellers"), "resellers", (o, path) => {
    const f = new Fields(problems, o, path, RESELLER_FIELDS);
    const ref = f.text("ref");
    if (ref !== undefined) refs.add(ref, f.at("ref"));
    return whenRead<ImportReseller>({ ref, name: f.text("name", TEXT_LIMITS.name) });
  });
}

function readCustomers(
  problems: ImportProblem[],
  root: Fields,
  refs: RefIndex,
  resellers: RefIndex,
): ImportCustomer[] {
  return mapObjects(problems, root.list("customers"), "customers", (o, path) => {
    const f = new Fields(problems, o, path, CUSTOMER_FIELDS);
    const ref = f.text("ref");
    if (ref !== undefined) refs.add(ref, f.at("ref"));
    const name = f.text("name", TEXT_LIMITS.name);
    const email = f.text("email", TEXT_LIMITS.email);
    if (email !== undefined && !EMAIL_RE.test(email))
      f.problem("email", `not an e-mail address: ${shown(email)}`);
    const phone = f.text("phone");
    const address = f.text("address", TEXT_LIMITS.address);
    let reseller: string | null = null;
    if (!isAbsent(o.reseller)) {
      reseller = f.text("reseller") ?? null;
      if (reseller !== null && !resellers.has(reseller))
        f.problem("reseller", `unknown reseller "${reseller}"`);
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
      else
        for (const [key, message] of Object.entries(failureFields(checked)))
          d.problem(key, message ?? "");
    }
    return whenRead<ImportCustomer>({
      ref,
      name,
      email,
      phone,
      address,
      reseller,
      kanaName,
      directDebit,
    });
  });
}

/**
 * Validates a decoded import file against the format and the database's keys. Returns the
 * normalized file, or every problem found (`path: message`), section by section.
 */
export function validateImportFile(
  json: unknown,
  existing: ExistingKeys = NO_EXISTING_KEYS,
): ImportValidation {
  const problems: ImportProblem[] = [];
  if (!isObject(json)) {
    return invalidField(
      ROOT_PATH,
      `must be a JSON object with the sections ${ROOT_FIELDS.join(", ")}, got ${shown(json)}`,
    );
  }
  for (const [section, message] of Object.entries(UNSUPPORTED_SECTIONS)) {
    if (section in json) problems.push({ path: section, message });
  }
  const rootWithoutUnsupported = Object.fromEntries(
    Object.entries(json).filter(([key]) => !(key in UNSUPPORTED_SECTIONS)),
  );
  const root = new Fields(problems, rootWithoutUnsupported, ROOT_PATH, ROOT_FIELDS);

  const tariffs = validTariffs(problems, root, existing);
  const versions = tariffVersions([...existing.tariffs, ...tariffs]);

  const resellerRefs = new RefIndex(problems, "reseller", existing.resellerRefs);
  const customerRefs = new RefIndex(problems, "customer", existing.customerRefs);
  const contractRefs = new RefIndex(problems, "contract", existing.contractRefs);
  const resellers = readResellers(problems, root, resellerRefs);
  const customers = readCustomers(problems, root, customerRefs, resellerRefs);
  const contracts = readContracts(
    { problems, versions, existing },
    root,
    contractRefs,
    customerRefs,
  );
  const licenseRefs = new RefIndex(problems, "license", new Set(existing.licenseRefs.keys()));
  const licenses = readLicenses(problems, root, licenseRefs, customerRefs, existing);

  if (problems.length > 0) return invalidImport(problems);
  return ok({
    tariffs: sortedBy(tariffs, (t) => t.effectiveFrom).map((t) => ({
      effectiveFrom: t.effectiveFrom,
      prices: { ...t.prices },
    })),
    resellers,
    customers,
    contracts,
    licenses,
  });
}
