// Licences as pages show them: one licence's overview (L-1 … L-4 state, warnings, the cancel
// quote), the tenant's list, the lookup by order number or key, and the result page after a change.
import type { Database } from "../../db/schema";
import type { Kysely, Transaction } from "kysely";
import type { RefundStateColumn } from "../../db/schema";
import type { Tenant } from "../auth/tenancy";
import { type IsoDate } from "../lib/jst";
import { ispStatusOn } from "./isp-bundle";
import { renewalStateOf, type RenewalState } from "./license";
import { findLicenses, type LicenseMatch, type MatchField } from "./lookup";
import { licenseOverview, type LicenseOverview } from "./overview";
import { ispContractOf } from "./isp.server";
import {
  addOnRecords,
  getLicense,
  type LicenseFamily,
  loadTenantLicenses,
  memberOf,
  members,
} from "./licenses.server";
import { type MainServiceView, mainServicesOfCustomer } from "./main-service-views.server";

type Db = Kysely<Database> | Transaction<Database>;

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
