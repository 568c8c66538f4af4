// Writing a validated import file (docs/rules/import-format.md) and reading the keys its validation needs.
// Everything is written in one transaction: a file is imported whole or not at all. Rows are
// written in the shape `loadBillableContracts` reads back, so an imported contract bills exactly
// as its file describes it. Every multi-row insert and `in (…)` list goes in chunks (db/chunks.ts):
// a file may hold tens of thousands of customers, more values than one statement can carry.
import type { Insertable, Kysely, Transaction } from "kysely";
import { chunks } from "../../db/chunks";
import type { Database } from "../../db/schema";
import { terminationDate } from "../billing/early-termination";
import { gatewayDeviceCap } from "../billing/tariff";
import type { ExistingKeys, ImportContract, ImportFile, ImportLicense } from "./import-file";
import { instant, instantOf, type Instant, type IsoDate } from "../lib/jst";
import { toYen } from "../lib/money";

type Db = Kysely<Database> | Transaction<Database>;

/** Who recorded the payments and manual lines written by the import. */
export const IMPORT_ACTOR = "import";

export interface ImportCounts {
  tariffs: number;
  resellers: number;
  customers: number;
  contracts: number;
  items: number;
  planChanges: number;
  outages: number;
  visits: number;
  visitLines: number;
  manualLines: number;
  terminations: number;
  payments: number;
  licenses: number;
  licenseCharges: number;
}

/** The refs, live line ids and tariff versions already stored (for `validateImportFile`). */
export async function readExistingKeys(db: Db): Promise<ExistingKeys> {
  const [resellers, customers, contracts, prices, licenses] = await Promise.all([
    db.selectFrom("resellers").select("ref").execute(),
    db.selectFrom("customers").select("ref").execute(),
    db.selectFrom("contracts").select(["ref", "line_id", "status"]).execute(),
    db
      .selectFrom("tariff_versions")
      .leftJoin("tariff_prices", "tariff_prices.version_id", "tariff_versions.id")
      .select(["tariff_versions.effective_from", "tariff_prices.code", "tariff_prices.price_yen"])
      .execute(),
    db
      .selectFrom("licenses")
      .innerJoin("customers", "customers.id", "licenses.customer_id")
      .select(["licenses.ref", "customers.ref as customer_ref"])
      .execute(),
  ]);
  // The versions as stored (each with the prices it lists), not resolved: validation merges them
  // with the file's own versions in date order.
  const tariffs = new Map<IsoDate, Record<string, number>>();
  for (const row of prices) {
    const version = tariffs.get(row.effective_from) ?? {};
    if (row.code !== null && row.price_yen !== null) version[row.code] = row.price_yen;
    tariffs.set(row.effective_from, version);
  }
  return {
    resellerRefs: new Set(resellers.map((r) => r.ref)),
    customerRefs: new Set(customers.map((c) => c.ref)),
    contractRefs: new Set(contracts.map((c) => c.ref)),
    liveLineIds: new Map(
      contracts.filter((c) => c.status !== "terminated").map((c) => [c.line_id, c.ref]),
    ),
    tariffs: [...tariffs].map(([effectiveFrom, versionPrices]) => ({
      effectiveFrom,
      prices: versionPrices,
    })),
    licenseRefs: new Map(licenses.map((l) => [l.ref, l.customer_ref])),
  };
}

async function idsByRef(
  db: Db,
  table: "resellers" | "customers",
  refs: readonly string[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks([...new Set(refs)])) {
    const rows = await db
      .selectFrom(table)
      .select(["id", "ref"])
      .where("ref", "in", part)
      .execute();
    for (const r of rows) ids.set(r.ref, r.id);
  }
  return ids;
}

/** Inserts the rows in chunks of SQL_CHUNK, one statement each (none for no rows). */
async function insertRows<T extends keyof Database & string>(
  trx: Transaction<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<void> {
  for (const part of chunks(rows)) await trx.insertInto(table).values(part).execute();
}

/** Inserts rows that carry a unique `ref` in chunks and returns each one's new id by ref. */
async function insertByRef(
  trx: Transaction<Database>,
  table: "customers" | "contracts" | "licenses",
  rows: readonly (Insertable<Database["customers" | "contracts" | "licenses"]> & { ref: string })[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(rows)) {
    const written = await trx
      .insertInto(table)
      .values(part as Insertable<Database[typeof table]>[])
      .returning(["id", "ref"])
      .execute();
    for (const row of written) ids.set(row.ref, Number(row.id));
  }
  return ids;
}

/**
 * Inserts rows without a key of their own (visits) in chunks and returns their new ids in the
 * rows' order. One multi-row insert takes its ids in the order of its rows on both engines (SQLite
 * appends rowids one by one; PostgreSQL draws the sequence row by row, others' draws can fall only
 * between them, never reorder them), so the ascending ids map to the rows one to one.
 */
async function insertReturningIds(
  trx: Transaction<Database>,
  table: "visits",
  rows: readonly Insertable<Database["visits"]>[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const part of chunks(rows)) {
    const written = await trx.insertInto(table).values(part).returning("id").execute();
    if (written.length !== part.length)
      throw new Error(`${table}: ${written.length} ids for ${part.length} rows`);
    ids.push(...written.map((row) => Number(row.id)).sort((a, b) => a - b));
  }
  return ids;
}

/** A contract's status on import: `terminated` once its termination is confirmed (T-20), else `active`. */
function contractStatus(contract: ImportContract): {
  status: "active" | "terminated";
  terminationDate: IsoDate | null;
} {
  const t = contract.termination;
  if (t === null || t.confirmedOn === null) return { status: "active", terminationDate: null };
  return { status: "terminated", terminationDate: terminationDate(t.wishedDate, t.confirmedOn) };
}

/**
 * Writes a file that `validateImportFile` accepted, in one transaction, and returns how many rows
 * of each kind it wrote. `at` is "now" (created_at of the rows). A constraint the database
 * enforces (unique refs, T-6 live line ids) still rolls the whole file back if another writer
 * got there between the validation and this call.
 */
export async function importFile(
  db: Kysely<Database>,
  file: ImportFile,
  at: Date,
): Promise<ImportCounts> {
  const createdAt = instantOf(at);
  const counts: ImportCounts = {
    tariffs: 0,
    resellers: 0,
    customers: 0,
    contracts: 0,
    items: 0,
    planChanges: 0,
    outages: 0,
    visits: 0,
    visitLines: 0,
    manualLines: 0,
    terminations: 0,
    payments: 0,
    licenses: 0,
    licenseCharges: 0,
  };

  await db.transaction().execute(async (trx) => {
    for (const version of file.tariffs) {
      const { id } = await trx
        .insertInto("tariff_versions")
        .values({ effective_from: version.effectiveFrom, created_at: createdAt })
        .returning("id")
        .executeTakeFirstOrThrow();
      await insertRows(
        trx,
        "tariff_prices",
        Object.entries(version.prices).map(([code, price]) => ({
          version_id: id,
          code,
          price_yen: toYen(price),
        })),
      );
      counts.tariffs += 1;
    }

    const resellerIds = await idsByRef(
      trx,
      "resellers",
      file.customers.flatMap((c) => (c.reseller === null ? [] : [c.reseller])),
    );
    for (const r of file.resellers) {
      const { id } = await trx
        .insertInto("resellers")
        .values({ ref: r.ref, name: r.name, created_at: createdAt })
        .returning("id")
        .executeTakeFirstOrThrow();
      resellerIds.set(r.ref, id);
      counts.resellers += 1;
    }

    // The contract's administrator contacts are the customer's (file or database).
    const customerIds = await idsByRef(
      trx,
      "customers",
      [...file.contracts, ...file.licenses].map((k) => k.customer),
    );
    const contacts = new Map<string, { email: string; phone: string }>();
    for (const part of chunks([...customerIds.keys()])) {
      const rows = await trx
        .selectFrom("customers")
        .select(["ref", "email", "phone"])
        .where("ref", "in", part)
        .execute();
      for (const row of rows) contacts.set(row.ref, { email: row.email, phone: row.phone });
    }
    // A statement per chunk of rows, not per row: a round trip per row made a 32,800-customer
    // file take 45 s on PostgreSQL (decision 0034).
    const newCustomers = await insertByRef(
      trx,
      "customers",
      file.customers.map((c) => ({
        ref: c.ref,
        reseller_id: c.reseller === null ? null : resellerIds.get(c.reseller)!,
        name: c.name,
        email: c.email,
        phone: c.phone,
        address: c.address,
        created_at: createdAt,
        updated_at: createdAt,
        kana_name: c.kanaName,
      })),
    );
    for (const [ref, id] of newCustomers) customerIds.set(ref, id);
    for (const c of file.customers) contacts.set(c.ref, { email: c.email, phone: c.phone });
    counts.customers += file.customers.length;
    await insertRows(
      trx,
      "customer_direct_debits",
      file.customers.flatMap(({ ref, directDebit: d }) =>
        d === null
          ? []
          : [
              {
                customer_id: customerIds.get(ref)!,
                bank_code: d.bankCode,
                branch_code: d.branchCode,
                account_type: d.accountType,
                account_number: d.accountNumber,
                holder_kana: d.holderKana,
                updated_at: createdAt,
                updated_by: null,
              },
            ],
      ),
    );

    await insertContracts(trx, file.contracts, customerIds, contacts, createdAt, counts);
    await insertLicenses(trx, file.licenses, customerIds, createdAt, counts);
  });
  return counts;
}

/** The file's contracts and everything hanging off them, a statement per chunk of rows per table. */
async function insertContracts(
  trx: Transaction<Database>,
  contracts: readonly ImportContract[],
  customerIds: ReadonlyMap<string, number>,
  contacts: ReadonlyMap<string, { email: string; phone: string }>,
  createdAt: Instant,
  counts: ImportCounts,
): Promise<void> {
  const contractIds = await insertByRef(
    trx,
    "contracts",
    contracts.map((k) => {
      const { status, terminationDate } = contractStatus(k);
      const contact = contacts.get(k.customer)!;
      return {
        ref: k.ref,
        customer_id: customerIds.get(k.customer)!,
        line_id: k.lineId,
        area: k.area,
        base_plan: k.basePlan,
        service_start: k.serviceStart,
        status,
        termination_date: terminationDate,
        offline_threshold_minutes: 60, // S1-4①: 60 minutes unless the provider sets it
        admin_email: contact.email,
        admin_phone: contact.phone,
        created_at: createdAt,
        updated_at: createdAt,
      };
    }),
  );
  counts.contracts += contracts.length;
  const each = <R>(rows: (k: ImportContract, contractId: number) => R[]): R[] =>
    contracts.flatMap((k) => rows(k, contractIds.get(k.ref)!));

  const items = each((k, contractId) =>
    k.items.map((item) => ({
      contract_id: contractId,
      code: item.code,
      quantity: item.quantity,
      ownership: item.ownership,
      // The 24-hour repair option exists for gateways only (S4 ※4); other lines store 0.
      repair24h: gatewayDeviceCap(item.code) !== null && item.repair24h !== false ? 1 : 0,
      from_date: item.from,
      to_date: item.to ?? null,
    })),
  );
  await insertRows(trx, "contract_items", items);
  counts.items += items.length;

  const planChanges = each((k, contractId) =>
    k.planChanges.map((p) => ({
      contract_id: contractId,
      change_date: p.date,
      base_plan: p.basePlan,
    })),
  );
  await insertRows(trx, "plan_changes", planChanges);
  counts.planChanges += planChanges.length;

  const outages = each((k, contractId) =>
    k.outages.map((o) => ({
      contract_id: contractId,
      services: o.services.join(","),
      // The file's instants were read as UTC text (import/fields.ts), as the column stores them.
      known_at: instant(o.knownAt),
      restored_at: o.restoredAt === null ? null : instant(o.restoredAt),
      customer_fault: o.customerFault ? 1 : 0,
    })),
  );
  await insertRows(trx, "outages", outages);
  counts.outages += outages.length;

  const visits = each((k, contractId) => k.visits.map((visit) => ({ contractId, visit })));
  const visitIds = await insertReturningIds(
    trx,
    "visits",
    visits.map(({ contractId, visit }) => ({
      contract_id: contractId,
      visit_date: visit.date,
      start_time: visit.start,
      with_line_application: visit.withLineApplication ? 1 : 0,
      backup_available: visit.backupAvailable ? 1 : 0,
    })),
  );
  const visitLines = visits.flatMap(({ visit }, i) =>
    visit.lines.map((line) => ({
      visit_id: visitIds[i]!,
      code: line.code,
      quantity: line.quantity,
      endpoint_reinstall: line.endpointReinstall,
      pcs_gb: line.pcs === null ? null : JSON.stringify(line.pcs.map((pc) => pc.gb)),
    })),
  );
  await insertRows(trx, "visit_lines", visitLines);
  counts.visits += visits.length;
  counts.visitLines += visitLines.length;

  const manualLines = each((k, contractId) =>
    k.manualLines.map((m) => ({
      contract_id: contractId,
      line_date: m.date,
      description: m.description,
      amount_yen: toYen(m.amountYen),
      taxable: m.taxable ? 1 : 0,
      code: m.code ?? null,
      rule: m.rule ?? null,
      created_by: IMPORT_ACTOR,
      created_at: createdAt,
    })),
  );
  await insertRows(trx, "manual_lines", manualLines);
  counts.manualLines += manualLines.length;

  const terminations = each((k, contractId) =>
    k.termination === null
      ? []
      : [
          {
            contract_id: contractId,
            requested_on: k.termination.requestedOn,
            wished_date: k.termination.wishedDate,
            confirmed_on: k.termination.confirmedOn,
            terminated_by: "customer" as const, // T-20: the file records the customer's requests
            withdrawn_at: null,
          },
        ],
  );
  await insertRows(trx, "terminations", terminations);
  counts.terminations += terminations.length;

  const payments = each((k, contractId) =>
    k.payments.map((p) => ({
      contract_id: contractId,
      billing_month: p.billingMonth,
      paid_on: p.paidOn,
      amount_yen: p.amountYen === null ? null : toYen(p.amountYen),
      recorded_by: IMPORT_ACTOR,
      created_at: createdAt,
    })),
  );
  await insertRows(trx, "payments", payments);
  counts.payments += payments.length;
}

/**
 * The `licenses` section (docs/rules/licenses.md L-1): every licence first, then the links of the add-ons
 * to their main licence (in the file or already stored), so the file's order does not matter.
 */
async function insertLicenses(
  trx: Transaction<Database>,
  licenses: readonly ImportLicense[],
  customerIds: ReadonlyMap<string, number>,
  createdAt: Instant,
  counts: ImportCounts,
): Promise<void> {
  if (licenses.length === 0) return;
  const ids = await insertByRef(
    trx,
    "licenses",
    licenses.map((l) => ({
      ref: l.ref,
      customer_id: customerIds.get(l.customer)!,
      product: l.product,
      channel: l.channel,
      term: l.term,
      kind: l.kind,
      region: l.region,
      seats: l.seats,
      price_yen: toYen(l.priceYen),
      order_number: l.orderNumber,
      product_key: l.productKey,
      contract_number: l.contractNumber,
      pin: null,
      carrier: l.carrier,
      carrier_payment_number: l.carrierPaymentNumber,
      provider: l.provider,
      email: l.orderEmail,
      main_license_id: null,
      auto_renew: l.autoRenew ? 1 : 0,
      renewal_state: l.renewalState,
      sold_via: l.soldVia,
      previously_refunded: l.previouslyRefunded ? 1 : 0,
      service_used: l.serviceUsed ? 1 : 0,
      state: "active",
      cancelled_on: null,
      effective_end: null,
      uninstall_acknowledged_on: null,
      created_at: createdAt,
      updated_at: createdAt,
    })),
  );
  counts.licenses += licenses.length;
  const charges = licenses.flatMap((l) =>
    l.charges.map((c) => ({
      license_id: ids.get(l.ref)!,
      charge_date: c.date,
      amount_yen: toYen(c.amountYen),
      type: c.type,
    })),
  );
  await insertRows(trx, "license_charges", charges);
  counts.licenseCharges += charges.length;
  const storedMains = licenses
    .map((l) => l.mainLicense)
    .filter((ref): ref is string => ref !== null && !ids.has(ref));
  for (const part of chunks([...new Set(storedMains)])) {
    const rows = await trx
      .selectFrom("licenses")
      .select(["id", "ref"])
      .where("ref", "in", part)
      .execute();
    for (const row of rows) ids.set(row.ref, row.id);
  }
  for (const l of licenses) {
    if (l.mainLicense === null) continue;
    await trx
      .updateTable("licenses")
      .set({ main_license_id: ids.get(l.mainLicense)!, updated_at: createdAt })
      .where("id", "=", ids.get(l.ref)!)
      .execute();
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `imported: 1 reseller, 2 customers, …` for the command's output. */
export function formatImportCounts(c: ImportCounts): string {
  return (
    "imported: " +
    [
      plural(c.resellers, "reseller"),
      plural(c.customers, "customer"),
      plural(c.contracts, "contract"),
      plural(c.items, "item"),
      plural(c.planChanges, "plan change"),
      plural(c.outages, "outage"),
      plural(c.visits, "visit") + ` (${plural(c.visitLines, "line")})`,
      plural(c.manualLines, "manual line"),
      plural(c.terminations, "termination"),
      plural(c.payments, "payment"),
      plural(c.tariffs, "tariff version"),
      // Files without licences print what they always printed.
      ...(c.licenses > 0
        ? [plural(c.licenses, "license") + ` (${plural(c.licenseCharges, "charge")})`]
        : []),
    ].join(", ")
  );
}
