// Licences as each tenant may see them, and the changes the console carries out: stopping
// auto-renewal (L-2), cancelling with a refund request (L-3), the refund workflow, and the ISP
// bundle (L-4: idempotent application, cancellation, revocation). Every query joins `customers`
// and puts the tenant in its `where`; every change writes its rows and its audit row in one
// transaction. The rules themselves are the pure modules next to this one.
import { randomInt as cryptoRandomInt } from "node:crypto";
import { inTransaction } from "../lib/transaction.server";
import type { Kysely, Transaction } from "kysely";
import type {
  Database,
  IspMainServiceKind,
  IspMainServiceStatus,
  RefundStateColumn,
  Role,
} from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { jstDate, type IsoDate } from "../lib/jst";
import { advanceRenewal, requestStopAutoRenewal, type RenewalStop } from "./auto-renewal";
import {
  applyForIspSecurity,
  ISP_PRODUCTS,
  ispStatusOn,
  requestIspCancellation,
  revokeIspCancellation,
  type IspContract,
  type IspProductCode,
  type IspStatus,
  type RandomInt,
} from "./isp-bundle";
import {
  addOnsOf,
  renewalStateOf,
  sameDayMonthsLater,
  sortedCharges,
  termMonths,
  type Charge,
  type License,
  type RenewalState,
} from "./license";
import { findLicenses, type LicenseMatch, type MatchField } from "./lookup";
import {
  cancelQuoteFor,
  licenseOverview,
  relatedLicenses,
  type FamilyMember,
  type LicenseOverview,
  type LicenseStatus,
} from "./overview";
import {
  advanceRefund,
  requestCancellation,
  RefundTransitionError,
  type RefundRequest,
} from "./refund";
import type { CancelQuoteDetail } from "./quote-cancel";
import { recordWebhookEvent } from "../webhooks/events.server";
import { formatYen } from "../lib/format";

type Db = Kysely<Database> | Transaction<Database>;

/** Who marks a requested L-2 stop as processed by the vendor: the provider's operations. */
export const LICENSE_OPERATION_ROLES: readonly Role[] = ["provider_admin", "operator"];

/** Who stops, cancels and applies on a customer's behalf (finance only decides refunds). */
export const LICENSE_ACTION_ROLES: readonly Role[] = [
  "customer_admin",
  "reseller_manager",
  "operator",
  "provider_admin",
];

/** A licence row as the console keeps it, next to the pure `License` built from it. */
export interface LicenseRecord {
  id: number;
  ref: string;
  customerId: number;
  customerRef: string;
  customerName: string;
  customerEmail: string;
  mainLicenseId: number | null;
  status: LicenseStatus;
  uninstallAcknowledgedOn: IsoDate | null;
}

export interface LoadedLicense {
  record: LicenseRecord;
  license: License;
}

/** One licence with every licence of its customer (for cascades, add-on amounts and warnings). */
export interface LicenseFamily {
  target: LoadedLicense;
  family: LoadedLicense[];
}

// ---- reading ---------------------------------------------------------------------------------

type LicenseRow = Awaited<ReturnType<typeof licenseRows>>[number];

function licenseRows(db: Db, tenant: Tenant, scope: { customerId?: number } = {}) {
  let q = db
    .selectFrom("licenses")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .leftJoin("licenses as main", "main.id", "licenses.main_license_id")
    .selectAll("licenses")
    .select([
      "customers.ref as customer_ref",
      "customers.name as customer_name",
      "customers.email as customer_email",
      "main.ref as main_ref",
    ])
    .where(customerInTenant(tenant));
  if (scope.customerId !== undefined) q = q.where("licenses.customer_id", "=", scope.customerId);
  return q.orderBy("licenses.customer_id").orderBy("licenses.id").execute();
}

async function chargesByLicense(
  db: Db,
  tenant: Tenant,
  scope: { customerId?: number } = {},
): Promise<Map<number, Charge[]>> {
  let q = db
    .selectFrom("license_charges")
    .innerJoin("licenses", "licenses.id", "license_charges.license_id")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .select([
      "license_charges.license_id",
      "license_charges.charge_date",
      "license_charges.amount_yen",
      "license_charges.type",
    ])
    .where(customerInTenant(tenant));
  if (scope.customerId !== undefined) q = q.where("licenses.customer_id", "=", scope.customerId);
  const rows = await q
    .orderBy("license_charges.charge_date")
    .orderBy("license_charges.id")
    .execute();
  const map = new Map<number, Charge[]>();
  for (const r of rows) {
    const list = map.get(r.license_id) ?? [];
    list.push({ date: r.charge_date, amountYen: r.amount_yen, type: r.type });
    map.set(r.license_id, list);
  }
  return map;
}

/** The pure licence (L-1) of a row: the import fields, the console's state and channel numbers. */
function toLicense(row: LicenseRow, charges: Charge[]): License {
  return {
    ref: row.ref,
    customer: row.customer_ref,
    product: row.product,
    channel: row.channel,
    term: row.term,
    kind: row.kind,
    region: row.region,
    seats: row.seats,
    priceYen: row.price_yen,
    orderNumber: row.order_number,
    // The ISP's PIN / serial id is the product key of an ISP licence (L-6 searches both).
    productKey: row.product_key ?? row.pin,
    mainLicense: row.main_ref,
    autoRenew: row.auto_renew === 1,
    soldVia: row.sold_via,
    previouslyRefunded: row.previously_refunded === 1,
    serviceUsed: row.service_used === 1,
    charges,
    renewalState: row.renewal_state,
    contractNumber: row.contract_number,
    carrier: row.carrier,
    carrierPaymentNumber: row.carrier_payment_number,
    provider: row.provider,
    orderEmail: row.email,
  };
}

function toLoaded(row: LicenseRow, charges: Map<number, Charge[]>): LoadedLicense {
  return {
    license: toLicense(row, charges.get(row.id) ?? []),
    record: {
      id: row.id,
      ref: row.ref,
      customerId: row.customer_id,
      customerRef: row.customer_ref,
      customerName: row.customer_name,
      customerEmail: row.customer_email,
      mainLicenseId: row.main_license_id,
      status: { state: row.state, cancelledOn: row.cancelled_on, effectiveEnd: row.effective_end },
      uninstallAcknowledgedOn: row.uninstall_acknowledged_on,
    },
  };
}

/** Every licence the tenant may see, with its charges, in customer then creation order. */
export async function loadTenantLicenses(db: Db, tenant: Tenant): Promise<LoadedLicense[]> {
  const [rows, charges] = await Promise.all([
    licenseRows(db, tenant),
    chargesByLicense(db, tenant),
  ]);
  return rows.map((row) => toLoaded(row, charges));
}

async function loadCustomerLicenses(
  db: Db,
  tenant: Tenant,
  customerId: number,
): Promise<LoadedLicense[]> {
  const [rows, charges] = await Promise.all([
    licenseRows(db, tenant, { customerId }),
    chargesByLicense(db, tenant, { customerId }),
  ]);
  return rows.map((row) => toLoaded(row, charges));
}

async function familyOf(
  db: Db,
  tenant: Tenant,
  where: { id: number } | { ref: string },
): Promise<LicenseFamily | null> {
  let q = db
    .selectFrom("licenses")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .select(["licenses.id", "licenses.customer_id"])
    .where(customerInTenant(tenant));
  q =
    "id" in where ? q.where("licenses.id", "=", where.id) : q.where("licenses.ref", "=", where.ref);
  const found = await q.executeTakeFirst();
  if (!found) return null;
  const family = await loadCustomerLicenses(db, tenant, found.customer_id);
  return { target: family.find((l) => l.record.id === found.id)!, family };
}

/** A licence with its add-ons, charges and customer's other licences, or null (missing or foreign alike). */
export async function getLicense(
  db: Db,
  params: { id: number; tenant: Tenant },
): Promise<LicenseFamily | null> {
  return familyOf(db, params.tenant, { id: params.id });
}

export async function getLicenseByRef(
  db: Db,
  params: { ref: string; tenant: Tenant },
): Promise<LicenseFamily | null> {
  return familyOf(db, params.tenant, { ref: params.ref });
}

function members(family: readonly LoadedLicense[]): FamilyMember[] {
  return family.map((l) => ({ license: l.license, status: l.record.status }));
}

function memberOf(l: LoadedLicense): FamilyMember {
  return { license: l.license, status: l.record.status };
}

/** Add-ons of the target as loaded records (L-1: directly or through another add-on). */
export function addOnRecords(found: LicenseFamily): LoadedLicense[] {
  const refs = new Set(
    addOnsOf(
      found.target.license,
      found.family.map((l) => l.license),
    ).map((a) => a.ref),
  );
  return found.family.filter((l) => refs.has(l.license.ref));
}

/**
 * What cancelling the licence on `on` does — exactly what `licenses quote-cancel` prints and
 * what `cancelLicense` records (same loading, same pure quote).
 */
export async function quoteCancelLicense(
  db: Db,
  params: ({ id: number } | { ref: string }) & { tenant: Tenant },
  on: IsoDate,
): Promise<CancelQuoteDetail | null> {
  const found = await familyOf(
    db,
    params.tenant,
    "id" in params ? { id: params.id } : { ref: params.ref },
  );
  if (!found) return null;
  return cancelQuoteFor(memberOf(found.target), members(found.family), on);
}

// ---- ISP contracts (L-4) --------------------------------------------------------------------

type IspRow = Awaited<ReturnType<typeof ispRowsOf>>[number];

/** The ISP contracts of customers already scoped to a tenant by the caller. */
export function ispRowsOf(db: Db, customerIds: readonly number[]) {
  return db
    .selectFrom("isp_applications")
    .innerJoin("customers", "customers.id", "isp_applications.customer_id")
    .selectAll("isp_applications")
    .select("customers.ref as customer_ref")
    .where("isp_applications.customer_id", "in", [...customerIds])
    .orderBy("isp_applications.id")
    .execute();
}

export function toIspContract(row: IspRow): IspContract {
  return {
    idempotencyKey: row.idempotency_key,
    customer: row.customer_ref,
    product: row.product,
    devices: row.devices,
    appliedOn: row.applied_on,
    contractNumber: row.contract_number,
    pin: row.pin,
    monthlyYenTaxIncluded: row.monthly_yen,
    cancellation:
      row.cancel_requested_on && row.cancel_effective_on
        ? { requestedOn: row.cancel_requested_on, effectiveEnd: row.cancel_effective_on }
        : null,
    endedOn: row.ended_on,
    endReason: row.ended_on ? "main_services_ended" : null,
  };
}

/** The console-issued ISP contract behind an ISP licence (same customer, same contract number). */
async function ispContractOf(
  db: Db,
  loaded: LoadedLicense,
): Promise<(IspContract & { id: number }) | null> {
  if (loaded.license.channel !== "isp" || !loaded.license.contractNumber) return null;
  const row = await db
    .selectFrom("isp_applications")
    .innerJoin("customers", "customers.id", "isp_applications.customer_id")
    .selectAll("isp_applications")
    .select("customers.ref as customer_ref")
    .where("isp_applications.customer_id", "=", loaded.record.customerId)
    .where("isp_applications.contract_number", "=", loaded.license.contractNumber)
    .executeTakeFirst();
  return row ? { ...toIspContract(row), id: row.id } : null;
}

// ---- main ISP services (L-4) ------------------------------------------------------------------

export interface MainServiceView {
  id: number;
  customerId: number;
  customerRef: string;
  customerName: string;
  serviceRef: string;
  kind: IspMainServiceKind;
  name: string | null;
  status: IspMainServiceStatus;
  lastDay: IsoDate | null;
  recordedAt: string;
  recordedBy: string | null;
}

function mainServiceQuery(db: Db) {
  return db
    .selectFrom("isp_main_services")
    .innerJoin("customers", "customers.id", "isp_main_services.customer_id")
    .select([
      "isp_main_services.id",
      "isp_main_services.customer_id",
      "customers.ref as customer_ref",
      "customers.name as customer_name",
      "isp_main_services.service_ref",
      "isp_main_services.kind",
      "isp_main_services.name",
      "isp_main_services.status",
      "isp_main_services.last_day",
      "isp_main_services.recorded_at",
      "isp_main_services.recorded_by",
    ])
    .orderBy("customers.ref")
    .orderBy("isp_main_services.service_ref");
}

function toMainServiceView(
  r: Awaited<ReturnType<ReturnType<typeof mainServiceQuery>["execute"]>>[number],
): MainServiceView {
  return {
    id: r.id,
    customerId: r.customer_id,
    customerRef: r.customer_ref,
    customerName: r.customer_name,
    serviceRef: r.service_ref,
    kind: r.kind,
    name: r.name,
    status: r.status,
    lastDay: r.last_day,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
  };
}

/** The main ISP services of the customers in the tenant (optionally one of them), by customer and number. */
export async function listMainServices(
  db: Db,
  tenant: Tenant,
  scope: { customerId?: number } = {},
): Promise<MainServiceView[]> {
  let q = mainServiceQuery(db).where(customerInTenant(tenant));
  if (scope.customerId !== undefined)
    q = q.where("isp_main_services.customer_id", "=", scope.customerId);
  return (await q.execute()).map(toMainServiceView);
}

/** The main services of one customer the caller has already read within its tenant. */
async function mainServicesOfCustomer(db: Db, customerId: number): Promise<MainServiceView[]> {
  return (
    await mainServiceQuery(db).where("isp_main_services.customer_id", "=", customerId).execute()
  ).map(toMainServiceView);
}

// ---- overviews, list, lookup ------------------------------------------------------------------

export interface LicenseView {
  id: number;
  customerName: string;
  customerRef: string;
  overview: LicenseOverview;
  refund: { id: number; amountYen: number; state: RefundStateColumn; reason: string | null } | null;
  /** Ids of the customer's licences by ref, to link the main licence and the add-ons. */
  idsByRef: Record<string, number>;
  /** L-4 The customer's main ISP services, for an ISP licence (empty otherwise). */
  mainServices: MainServiceView[];
}

async function viewOf(db: Db, found: LicenseFamily, on: IsoDate): Promise<LicenseView> {
  const isp = await ispContractOf(db, found.target);
  const refund = await db
    .selectFrom("refunds")
    .select(["id", "amount_yen", "state", "reason"])
    .where("license_id", "=", found.target.record.id)
    .executeTakeFirst();
  return {
    id: found.target.record.id,
    customerName: found.target.record.customerName,
    customerRef: found.target.record.customerRef,
    overview: licenseOverview(
      memberOf(found.target),
      members(found.family),
      on,
      isp ? { ...isp, status: ispStatusOn(isp, on) } : null,
    ),
    refund: refund
      ? { id: refund.id, amountYen: refund.amount_yen, state: refund.state, reason: refund.reason }
      : null,
    idsByRef: Object.fromEntries(found.family.map((l) => [l.license.ref, l.record.id])),
    mainServices:
      found.target.license.channel === "isp"
        ? await mainServicesOfCustomer(db, found.target.record.customerId)
        : [],
  };
}

/** The L-6 overview of one licence in the tenant, or null. */
export async function getLicenseView(
  db: Db,
  params: { id: number; tenant: Tenant },
  on: IsoDate,
): Promise<LicenseView | null> {
  const found = await getLicense(db, params);
  return found ? viewOf(db, found, on) : null;
}

export interface LicenseListRow {
  id: number;
  ref: string;
  product: string;
  customerName: string;
  channel: License["channel"];
  term: License["term"];
  seats: number;
  priceYen: number;
  mainRef: string | null;
  displayState: LicenseOverview["displayState"];
  renewalState: RenewalState;
  endsOn: IsoDate | null;
  nextRenewalOn: IsoDate | null;
}

/** Every licence of the tenant, mains before their add-ons within a customer. */
export async function listLicenses(db: Db, tenant: Tenant, on: IsoDate): Promise<LicenseListRow[]> {
  const all = await loadTenantLicenses(db, tenant);
  const byCustomer = new Map<number, LoadedLicense[]>();
  for (const l of all)
    byCustomer.set(l.record.customerId, [...(byCustomer.get(l.record.customerId) ?? []), l]);
  const rows: LicenseListRow[] = [];
  for (const family of byCustomer.values()) {
    const ordered = [
      ...family
        .filter((l) => l.license.mainLicense === null)
        .flatMap((main) => [main, ...addOnRecords({ target: main, family })]),
    ];
    const seen = new Set(ordered.map((l) => l.record.id));
    for (const l of [...ordered, ...family.filter((f) => !seen.has(f.record.id))]) {
      const o = licenseOverview(memberOf(l), members(family), on);
      rows.push({
        id: l.record.id,
        ref: l.license.ref,
        product: l.license.product,
        customerName: l.record.customerName,
        channel: l.license.channel,
        term: l.license.term,
        seats: l.license.seats,
        priceYen: l.license.priceYen,
        mainRef: l.license.mainLicense,
        displayState: o.displayState,
        renewalState: renewalStateOf(l.license),
        endsOn:
          l.record.status.state !== "active" ? l.record.status.effectiveEnd : (o.term?.end ?? null),
        nextRenewalOn: o.nextRenewal?.date ?? null,
      });
    }
  }
  return rows;
}

export interface LicenseFindResult {
  matchedBy: MatchField;
  view: LicenseView;
}

/**
 * L-6 "Find my subscription": the licences of the tenant a query identifies (order number,
 * product key / PIN, contract number, carrier payment number or e-mail), each with its
 * overview. Matching is the pure `findLicenses` on the tenant's licences only.
 */
export async function findLicensesFor(
  db: Db,
  tenant: Tenant,
  query: string,
  on: IsoDate,
): Promise<LicenseFindResult[]> {
  if (query.trim() === "") return [];
  const all = await loadTenantLicenses(db, tenant);
  const customers = new Map(
    all.map((l) => [
      l.license.customer,
      { ref: l.license.customer, email: l.record.customerEmail },
    ]),
  );
  const matches: LicenseMatch[] = findLicenses(
    query,
    all.map((l) => l.license),
    [...customers.values()],
  );
  const results: LicenseFindResult[] = [];
  for (const m of matches) {
    const target = all.find((l) => l.license.ref === m.license.ref)!;
    const family = all.filter((l) => l.record.customerId === target.record.customerId);
    results.push({ matchedBy: m.matchedBy, view: await viewOf(db, { target, family }, on) });
  }
  return results;
}

export interface LicenseResultRow {
  id: number;
  ref: string;
  product: string;
  renewalState: RenewalState;
  displayState: LicenseOverview["displayState"];
  cancelledOn: IsoDate | null;
  /** The last day of use: the recorded end when cancelled, else the end of the current term. */
  endsOn: IsoDate | null;
  refund: { amountYen: number; state: RefundStateColumn } | null;
}

/** The licence and its add-ons as they stand now, for the page that confirms a change. */
export async function licenseResult(
  db: Db,
  params: { id: number; tenant: Tenant },
  on: IsoDate,
): Promise<{ view: LicenseView; rows: LicenseResultRow[] } | null> {
  const found = await getLicense(db, params);
  if (!found) return null;
  const view = await viewOf(db, found, on);
  const loaded = [found.target, ...addOnRecords(found)];
  const refunds = await db
    .selectFrom("refunds")
    .select(["license_id", "amount_yen", "state"])
    .where(
      "license_id",
      "in",
      loaded.map((l) => l.record.id),
    )
    .execute();
  const rows = loaded.map((l) => {
    const o = licenseOverview(memberOf(l), members(found.family), on);
    const refund = refunds.find((r) => r.license_id === l.record.id);
    return {
      id: l.record.id,
      ref: l.license.ref,
      product: l.license.product,
      renewalState: renewalStateOf(l.license),
      displayState: o.displayState,
      cancelledOn: l.record.status.cancelledOn,
      endsOn:
        l.record.status.state !== "active" ? l.record.status.effectiveEnd : (o.term?.end ?? null),
      refund: refund ? { amountYen: refund.amount_yen, state: refund.state } : null,
    };
  });
  return { view, rows };
}

// ---- changes -----------------------------------------------------------------------------------

export type ChangeResult<T = object> =
  ({ ok: true } & T) | { ok: false; error: string; field?: string };

/** A guarded update found the row changed by someone else: the transaction is rolled back. */
class ConcurrentChange extends Error {}
const CONCURRENT_MESSAGE =
  "同時に別の操作が行われました。画面を開き直して、もう一度お試しください。";

async function guarded<T>(fn: () => Promise<T>): Promise<T | { ok: false; error: string }> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConcurrentChange) return { ok: false, error: CONCURRENT_MESSAGE };
    throw error;
  }
}

function assertOneRow(result: { numUpdatedRows: bigint }): void {
  if (result.numUpdatedRows !== 1n) throw new ConcurrentChange();
}

/**
 * The renewals auto-renewal must have made up to `on` that the record does not list (license.ts
 * projects them at `priceYen`). They are written down before renewal stops, so the licence keeps
 * the same current term once it no longer projects.
 */
function projectedRenewals(license: License, on: IsoDate): Charge[] {
  if (renewalStateOf(license) !== "active") return [];
  const past = sortedCharges(license).filter((c) => c.date <= on);
  const last = past[past.length - 1];
  if (!last) return [];
  const renewals: Charge[] = [];
  for (let k = 1; ; k++) {
    const date = sameDayMonthsLater(last.date, termMonths(license.term) * k);
    if (date > on) break;
    renewals.push({ date, amountYen: license.priceYen, type: "renewal" });
  }
  return renewals;
}

async function recordProjectedRenewals(
  trx: Transaction<Database>,
  id: number,
  license: License,
  on: IsoDate,
): Promise<void> {
  const renewals = projectedRenewals(license, on);
  if (renewals.length === 0) return;
  await trx
    .insertInto("license_charges")
    .values(
      renewals.map((c) => ({
        license_id: id,
        charge_date: c.date,
        amount_yen: c.amountYen,
        type: c.type,
      })),
    )
    .onConflict((oc) => oc.columns(["license_id", "charge_date"]).doNothing())
    .execute();
}

function idOf(found: LicenseFamily, ref: string): LoadedLicense {
  const l = found.family.find((f) => f.license.ref === ref);
  if (!l) throw new Error(`licence ${ref} is not in the family of ${found.target.license.ref}`);
  return l;
}

/**
 * L-2 Stop auto-renewal on `on`: the licence and, for a main licence, every add-on still
 * renewing go to `stop_requested` (the vendor processes it in a few hours). One transaction,
 * audited. Null when the licence is not in the tenant.
 */
export async function stopAutoRenewal(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
): Promise<ChangeResult<{ stops: RenewalStop[]; warnings: string[] }> | null> {
  const found = await getLicense(db, params);
  if (!found) return null;
  if (found.target.record.status.state !== "active")
    return { ok: false, error: "このライセンスは解約済みです。" };
  const related = relatedLicenses(found.target.license, members(found.family));
  const result = requestStopAutoRenewal(found.target.license, related, params.on);
  if (!result.ok) return result;
  return guarded(async () => {
    await inTransaction(db, async (trx) => {
      for (const stop of result.stops) {
        const l = idOf(found, stop.ref);
        await recordProjectedRenewals(trx, l.record.id, l.license, params.on);
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              renewal_state: advanceRenewal("active", "request_stop"),
              auto_renew: 0,
              updated_at: now().toISOString(),
            })
            .where("id", "=", l.record.id)
            .where("renewal_state", "=", "active")
            .where("state", "=", "active")
            .executeTakeFirst(),
        );
      }
      const addOns = result.stops.slice(1).map((s) => s.ref);
      await recordAudit(trx, {
        actor: params.actor,
        action: "license.stop_auto_renewal",
        entity: "license",
        entityId: found.target.license.ref,
        summary:
          `自動延長の停止を受付（L-2）: ${found.target.license.ref}${addOns.length > 0 ? `、アドオン ${addOns.join("、")}` : ""}` +
          `（${result.stops[0].validUntil ? `${result.stops[0].validUntil} まで有効` : "体験期間終了で失効"}）`,
        ip: params.ip,
      });
    });
    return { ok: true as const, stops: result.stops, warnings: result.warnings };
  });
}

/**
 * L-2 The vendor processed the stop: `stop_requested` → `stopped` for the licence and its add-ons
 * stopped with it. For the provider's operations (LICENSE_OPERATION_ROLES).
 */
export async function completeAutoRenewalStop(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; actor: AuditActor; ip: string | null },
): Promise<ChangeResult<{ refs: string[] }> | null> {
  const found = await getLicense(db, params);
  if (!found) return null;
  const pending = [found.target, ...addOnRecords(found)].filter(
    (l) => renewalStateOf(l.license) === "stop_requested",
  );
  if (pending.length === 0) return { ok: false, error: "停止手続き中の自動延長はありません。" };
  return guarded(async () => {
    await inTransaction(db, async (trx) => {
      for (const l of pending) {
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              renewal_state: advanceRenewal("stop_requested", "stop_processed"),
              updated_at: now().toISOString(),
            })
            .where("id", "=", l.record.id)
            .where("renewal_state", "=", "stop_requested")
            .executeTakeFirst(),
        );
      }
      await recordAudit(trx, {
        actor: params.actor,
        action: "license.stop_processed",
        entity: "license",
        entityId: found.target.license.ref,
        summary: `自動延長の停止処理が完了（L-2）: ${pending.map((l) => l.license.ref).join("、")}`,
        ip: params.ip,
      });
    });
    return { ok: true as const, refs: pending.map((l) => l.license.ref) };
  });
}

/**
 * L-3 Cancel on `on` with a refund request: the customer must acknowledge uninstalling every
 * copy; a main licence takes its live add-ons along, each refunded by its own rule. Writes the
 * cancellation (state, effective end, acknowledgement) of each licence and one `requested`
 * refund per licence that has something to refund, in one transaction. Only the vendor store's
 * licences are cancelled here; the others go through their seller (the path says how).
 */
export async function cancelLicense(
  db: Kysely<Database>,
  params: {
    id: number;
    tenant: Tenant;
    on: IsoDate;
    uninstallAcknowledged: boolean;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<ChangeResult<{ quote: CancelQuoteDetail; refunds: RefundRequest[] }> | null> {
  const found = await getLicense(db, params);
  if (!found) return null;
  const { license, record } = found.target;
  if (record.status.state !== "active")
    return { ok: false, error: "このライセンスはすでに解約されています。" };
  if (license.channel !== "vendor_store") {
    return {
      ok: false,
      error: "このライセンスは販売元での解約手続きになります。表示される手順に従ってください。",
    };
  }
  const related = relatedLicenses(license, members(found.family));
  const request = requestCancellation(license, related, params.on, {
    uninstalledFromAllDevices: params.uninstallAcknowledged,
  });
  if (!request.ok) return { ok: false, error: request.error, field: "uninstalled" };
  const quote = cancelQuoteFor(memberOf(found.target), members(found.family), params.on);
  // The quote and the refund requests come from the same rules: they must name the same licences.
  if (quote.lines.map((l) => l.ref).join() !== request.decisions.map((d) => d.licenseRef).join()) {
    throw new Error(`cancellation of ${license.ref}: quote and refund decisions disagree`);
  }
  const at = now().toISOString();
  return guarded(async () => {
    await inTransaction(db, async (trx) => {
      for (const line of quote.lines) {
        const l = idOf(found, line.ref);
        await recordProjectedRenewals(trx, l.record.id, l.license, params.on);
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              state: "cancelled",
              cancelled_on: params.on,
              effective_end: line.effectiveEnd,
              renewal_state: "stopped",
              auto_renew: 0,
              uninstall_acknowledged_on: params.on,
              updated_at: at,
            })
            .where("id", "=", l.record.id)
            .where("state", "=", "active")
            .executeTakeFirst(),
        );
        await recordWebhookEvent(
          trx,
          "license.ended",
          {
            customerId: l.record.customerId,
            data: {
              license: {
                ref: l.license.ref,
                customer: l.record.customerRef,
                product: l.license.product,
                channel: license.channel,
                lastDay: line.effectiveEnd,
                reason: "cancelled",
              },
            },
          },
          new Date(at),
        );
      }
      for (const r of request.requests) {
        await trx
          .insertInto("refunds")
          .values({
            license_id: idOf(found, r.licenseRef).record.id,
            amount_yen: r.amountYen,
            rule: r.rule,
            state: "requested",
            reason: null,
            requested_at: at,
            requested_by: params.actor.email,
            decided_at: null,
            decided_by: null,
            paid_at: null,
            paid_by: null,
            uninstall_acknowledged: 1,
          })
          .execute();
      }
      await recordAudit(trx, {
        actor: params.actor,
        action: "license.cancel",
        entity: "license",
        entityId: license.ref,
        summary:
          `ライセンスを解約（L-3）: ${quote.lines.map((l) => `${l.ref} ${l.effectiveEnd} まで`).join("、")}` +
          `／返金申請 ${formatYen(quote.refundYen)}／アンインストール確認済み`,
        ip: params.ip,
      });
    });
    return { ok: true as const, quote, refunds: request.requests };
  });
}

// ---- refunds (L-3 workflow) --------------------------------------------------------------------

export interface RefundListRow {
  id: number;
  licenseId: number;
  licenseRef: string;
  product: string;
  customerName: string;
  amountYen: number;
  rule: string;
  state: RefundStateColumn;
  reason: string | null;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  paidAt: string | null;
}

export async function listRefunds(
  db: Db,
  tenant: Tenant,
  filter: { state?: RefundStateColumn } = {},
): Promise<RefundListRow[]> {
  let q = db
    .selectFrom("refunds")
    .innerJoin("licenses", "licenses.id", "refunds.license_id")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .leftJoin("users as decider", "decider.email", "refunds.decided_by")
    .select([
      "refunds.id",
      "refunds.license_id",
      "licenses.ref",
      "licenses.product",
      "customers.name",
      "refunds.amount_yen",
      "refunds.rule",
      "refunds.state",
      "refunds.reason",
      "refunds.requested_at",
      "refunds.decided_at",
      "refunds.decided_by",
      "decider.display_name as decided_by_name",
      "refunds.paid_at",
    ])
    .where(customerInTenant(tenant))
    .orderBy("refunds.id", "desc");
  if (filter.state) q = q.where("refunds.state", "=", filter.state);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    licenseId: r.license_id,
    licenseRef: r.ref,
    product: r.product,
    customerName: r.name,
    amountYen: r.amount_yen,
    rule: r.rule,
    state: r.state,
    reason: r.reason,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    // By display name: customers see this list, and staff addresses stay inside (issue 17 item 6).
    decidedBy: r.decided_by === null ? null : (r.decided_by_name ?? "担当者"),
    paidAt: r.paid_at,
  }));
}

export type RefundDecisionInput =
  { type: "approve" } | { type: "pay" } | { type: "refuse"; reason: string };

const REFUND_STATE_JA: Record<RefundStateColumn, string> = {
  requested: "申請中",
  approved: "承認済み",
  paid: "返金済み",
  refused: "返金不可",
};
const REFUND_EVENT_JA = { approve: "承認", pay: "返金済みに", refuse: "返金不可に" } as const;

/**
 * L-3 refund workflow: requested → approved → paid, or requested → refused with a reason. The
 * update is guarded by the state it read, so two finance users cannot both decide.
 */
export async function decideRefund(
  db: Kysely<Database>,
  params: {
    refundId: number;
    tenant: Tenant;
    decision: RefundDecisionInput;
    on: IsoDate;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<ChangeResult | null> {
  const row = await db
    .selectFrom("refunds")
    .innerJoin("licenses", "licenses.id", "refunds.license_id")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .select([
      "refunds.id",
      "refunds.amount_yen",
      "refunds.rule",
      "refunds.state",
      "refunds.requested_at",
      "licenses.ref",
      "licenses.uninstall_acknowledged_on",
    ])
    .where("refunds.id", "=", params.refundId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!row) return null;
  const before: RefundRequest = {
    licenseRef: row.ref,
    amountYen: row.amount_yen,
    rule: row.rule as RefundRequest["rule"],
    requestedOn: jstDate(new Date(row.requested_at)),
    uninstallAcknowledgedOn: row.uninstall_acknowledged_on ?? jstDate(new Date(row.requested_at)),
    status: row.state,
    approvedOn: null,
    paidOn: null,
    refusedOn: null,
    refusedReason: null,
  };
  const { decision } = params;
  let after: RefundRequest;
  try {
    after = advanceRefund(
      before,
      decision.type === "refuse"
        ? { type: "refuse", on: params.on, reason: decision.reason }
        : { type: decision.type, on: params.on },
    );
  } catch (error) {
    if (!(error instanceof RefundTransitionError)) throw error;
    if (decision.type === "refuse" && decision.reason.trim() === "")
      return { ok: false, error: "返金しない理由を入力してください。", field: "reason" };
    return {
      ok: false,
      error: `この返金は「${REFUND_STATE_JA[row.state]}」のため、${REFUND_EVENT_JA[decision.type]}できません。`,
    };
  }
  const at = now().toISOString();
  return guarded(async () => {
    await inTransaction(db, async (trx) => {
      const set =
        decision.type === "pay"
          ? { state: after.status, paid_at: at, paid_by: params.actor.email }
          : {
              state: after.status,
              decided_at: at,
              decided_by: params.actor.email,
              reason: after.refusedReason,
            };
      assertOneRow(
        await trx
          .updateTable("refunds")
          .set(set)
          .where("id", "=", row.id)
          .where("state", "=", row.state)
          .executeTakeFirst(),
      );
      await recordAudit(trx, {
        actor: params.actor,
        action: `refund.${decision.type}`,
        entity: "refund",
        entityId: row.id,
        summary:
          `${row.ref} の返金 ${formatYen(row.amount_yen)} を${REFUND_STATE_JA[after.status]}に` +
          (after.refusedReason ? `（理由: ${after.refusedReason}）` : ""),
        ip: params.ip,
      });
    });
    return { ok: true as const };
  });
}

// ---- ISP bundle (L-4) ------------------------------------------------------------------------

export interface IspApplicationInput {
  idempotencyKey: string;
  customerId: number;
  product: IspProductCode;
  devices: number;
}

export type IspApplyResult = ChangeResult<{
  created: boolean;
  licenseId: number;
  contractNumber: string;
  pin: string;
  warnings: string[];
}>;

const secureRandom: RandomInt = (maxExclusive) => cryptoRandomInt(maxExclusive);

/**
 * L-4 Apply for the ISP security service. Creates the application and its licence (channel
 * `isp`, the application month free) in one transaction. Null when the customer is not in the
 * tenant. Once per form (decision 0027): the route runs this inside the transaction that uses
 * the form's one-time token, which answers a double submission with the first contract;
 * `idempotencyKey` is that token, kept on the row as the form that created it (its unique index
 * is the last guard, never the answer).
 */
export async function applyIspSecurity(
  db: Kysely<Database>,
  params: {
    input: IspApplicationInput;
    tenant: Tenant;
    on: IsoDate;
    actor: AuditActor;
    ip: string | null;
    random?: RandomInt;
  },
): Promise<IspApplyResult | null> {
  const { input } = params;
  const customer = await db
    .selectFrom("customers")
    .select(["customers.id", "customers.ref"])
    .where("customers.id", "=", input.customerId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!customer) return null;
  const at = now().toISOString();
  return inTransaction(db, async (trx): Promise<IspApplyResult> => {
    const own = (await ispRowsOf(trx, [customer.id])).map(toIspContract);
    const application = {
      idempotencyKey: input.idempotencyKey,
      customer: customer.ref,
      product: input.product,
      devices: input.devices,
      appliedOn: params.on,
    };
    // Numbers never repeat another customer's either (the pure rule sees this customer's only): redraw while one is taken.
    let drawn: Extract<ReturnType<typeof applyForIspSecurity>, { ok: true }> | null = null;
    for (let attempt = 0; drawn === null; attempt++) {
      if (attempt === 10) throw new Error("could not draw an unused ISP contract number and PIN");
      const applied = applyForIspSecurity(own, application, params.random ?? secureRandom);
      if (!applied.ok) {
        const max = ISP_PRODUCTS[input.product]?.maxDevices ?? 0;
        const badDevices =
          !Number.isInteger(input.devices) || input.devices < 1 || input.devices > max;
        return { ok: false, error: applied.error, field: badDevices ? "devices" : undefined };
      }
      if (!applied.created)
        throw new Error(
          "an ISP application key used twice: the form token answers a repeat before this",
        );
      const taken = await trx
        .selectFrom("isp_applications")
        .select("id")
        .where((eb) =>
          eb.or([
            eb("contract_number", "=", applied.contract.contractNumber),
            eb("pin", "=", applied.contract.pin),
          ]),
        )
        .executeTakeFirst();
      if (!taken) drawn = applied;
    }
    const { contract, warnings } = drawn;
    await trx
      .insertInto("isp_applications")
      .values({
        idempotency_key: contract.idempotencyKey,
        customer_id: customer.id,
        product: contract.product,
        devices: contract.devices,
        monthly_yen: contract.monthlyYenTaxIncluded,
        contract_number: contract.contractNumber,
        pin: contract.pin,
        applied_on: contract.appliedOn,
        created_at: at,
        created_by: params.actor.email,
        cancel_requested_on: null,
        cancel_effective_on: null,
        revoked_at: null,
        ended_on: null,
      })
      .execute();
    const product = ISP_PRODUCTS[contract.product];
    const { id: licenseId } = await trx
      .insertInto("licenses")
      .values({
        ref: `ISP-${contract.contractNumber}`,
        customer_id: customer.id,
        product: product.name,
        channel: "isp",
        term: "monthly",
        kind: "standard",
        region: "JP",
        seats: contract.devices,
        price_yen: contract.monthlyYenTaxIncluded,
        order_number: null,
        product_key: null,
        contract_number: contract.contractNumber,
        pin: contract.pin,
        carrier: null,
        carrier_payment_number: null,
        provider: null,
        email: null,
        main_license_id: null,
        auto_renew: 1,
        renewal_state: "active",
        sold_via: "third_party",
        previously_refunded: 0,
        service_used: 0,
        state: "active",
        cancelled_on: null,
        effective_end: null,
        uninstall_acknowledged_on: null,
        created_at: at,
        updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    // L-4: the application month is free; the record starts with a 0-yen purchase on the application day.
    await trx
      .insertInto("license_charges")
      .values({
        license_id: licenseId,
        charge_date: contract.appliedOn,
        amount_yen: 0,
        type: "purchase",
      })
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "isp.apply",
      entity: "license",
      entityId: `ISP-${contract.contractNumber}`,
      summary: `ISPセキュリティ申込み（L-4）: ${product.name} ${contract.devices}台、契約番号 ${contract.contractNumber}、月額 ${formatYen(contract.monthlyYenTaxIncluded)}（税込）`,
      ip: params.ip,
    });
    return {
      ok: true,
      created: true,
      licenseId,
      contractNumber: contract.contractNumber,
      pin: contract.pin,
      warnings,
    };
  });
}

async function ispChange(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
  kind: "cancel" | "revoke",
): Promise<ChangeResult<{ notices: string[] }> | null> {
  const found = await getLicense(db, params);
  if (!found) return null;
  const contract = await ispContractOf(db, found.target);
  if (!contract)
    return {
      ok: false,
      error:
        "このライセンスはこのコンソールで申し込まれたISP契約ではありません。表示される手順に従ってください。",
    };
  const change =
    kind === "cancel"
      ? requestIspCancellation(contract, params.on)
      : revokeIspCancellation(contract, params.on);
  if (!change.ok) return change;
  const cancellation = change.contract.cancellation;
  const at = now().toISOString();
  return guarded(async () => {
    await inTransaction(db, async (trx) => {
      if (kind === "cancel") {
        assertOneRow(
          await trx
            .updateTable("isp_applications")
            .set({
              cancel_requested_on: cancellation!.requestedOn,
              cancel_effective_on: cancellation!.effectiveEnd,
            })
            .where("id", "=", contract.id)
            .where("cancel_requested_on", "is", null)
            .executeTakeFirst(),
        );
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              state: "cancelled",
              cancelled_on: params.on,
              effective_end: cancellation!.effectiveEnd,
              updated_at: at,
            })
            .where("id", "=", found.target.record.id)
            .where("state", "=", "active")
            .executeTakeFirst(),
        );
      } else {
        assertOneRow(
          await trx
            .updateTable("isp_applications")
            .set({ cancel_requested_on: null, cancel_effective_on: null, revoked_at: at })
            .where("id", "=", contract.id)
            .where("cancel_requested_on", "=", contract.cancellation!.requestedOn)
            .executeTakeFirst(),
        );
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({ state: "active", cancelled_on: null, effective_end: null, updated_at: at })
            .where("id", "=", found.target.record.id)
            .where("state", "=", "cancelled")
            .executeTakeFirst(),
        );
      }
      await recordAudit(trx, {
        actor: params.actor,
        action: kind === "cancel" ? "isp.cancel" : "isp.revoke",
        entity: "license",
        entityId: found.target.license.ref,
        summary:
          kind === "cancel"
            ? `ISPセキュリティ解約申込み（L-4）: 契約番号 ${contract.contractNumber}、解約日 ${cancellation!.effectiveEnd}`
            : `ISPセキュリティ解約予約の取消（L-4）: 契約番号 ${contract.contractNumber}`,
        ip: params.ip,
      });
    });
    return { ok: true as const, notices: change.notices };
  });
}

/** L-4 Cancel the ISP contract on `on`: effective on the last day of that month, revocable until then. */
export function cancelIspContract(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
) {
  return ispChange(db, params, "cancel");
}

/** L-4 Revoke a pending ISP cancellation (up to and including its effective day). */
export function revokeIspCancellationOf(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
) {
  return ispChange(db, params, "revoke");
}

/** The customers the viewer may apply for (a customer: itself). */
export async function applicableCustomers(
  db: Db,
  tenant: Tenant,
): Promise<{ id: number; ref: string; name: string }[]> {
  return db
    .selectFrom("customers")
    .select(["customers.id", "customers.ref", "customers.name"])
    .where(customerInTenant(tenant))
    .orderBy("customers.ref")
    .execute();
}

/** The ISP contracts of the customers in the tenant (to show the switching warning and the list). */
export async function listIspContracts(
  db: Db,
  tenant: Tenant,
  on: IsoDate,
): Promise<(IspContract & { id: number; status: IspStatus; customerName: string })[]> {
  const rows = await db
    .selectFrom("isp_applications")
    .innerJoin("customers", "customers.id", "isp_applications.customer_id")
    .selectAll("isp_applications")
    .select(["customers.ref as customer_ref", "customers.name as customer_name"])
    .where(customerInTenant(tenant))
    .orderBy("isp_applications.id", "desc")
    .execute();
  return rows.map((r) => {
    const c = toIspContract(r);
    return { ...c, id: r.id, status: ispStatusOn(c, on), customerName: r.customer_name };
  });
}
