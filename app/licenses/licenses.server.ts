// Licences as each tenant may see them: loading a tenant's or a customer's licences with their
// charges, one licence with its family (main licence and add-ons), and the cancel quote. Every
// query joins `customers` and puts the tenant in its `where`. Next to this module, per operation:
// license-views.server.ts (pages), license-changes.server.ts (L-2 stop, L-3 cancellation),
// refunds.server.ts (the L-3 refund workflow), isp.server.ts (the L-4 ISP bundle),
// main-service-views.server.ts and main-services.server.ts (L-4 main ISP services). The rules
// themselves are the pure modules (license.ts, overview.ts, refund.ts, isp-bundle.ts …).
import type { Kysely, Transaction } from "kysely";
import type { Database, Role } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { type IsoDate } from "../lib/jst";
import { addOnsOf, type Charge, type License } from "./license";
import { cancelQuoteFor, type FamilyMember, type LicenseStatus } from "./overview";
import type { CancelQuoteDetail } from "./quote-cancel";

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

export function members(family: readonly LoadedLicense[]): FamilyMember[] {
  return family.map((l) => ({ license: l.license, status: l.record.status }));
}

export function memberOf(l: LoadedLicense): FamilyMember {
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
