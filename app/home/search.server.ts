// One search box for staff (issue 17 item 10): a contract ref, a line id, a customer name or ref,
// an invoice number or a licence order number finds its record, within the viewer's tenant (a
// reseller finds only its own customers' records; the tenant is part of every `where`).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";

/** Hits per kind: enough to pick from; a broader word is narrowed on the list pages. */
export const SEARCH_LIMIT = 20;
export const SEARCH_MAX_LENGTH = 100;

export interface SearchResults {
  customers: { id: number; ref: string; name: string }[];
  contracts: { id: number; ref: string; lineId: string; customerName: string }[];
  invoices: { id: number; number: string; billingMonth: string; customerName: string }[];
  licenses: { id: number; ref: string; orderNumber: string; customerName: string }[];
}

/**
 * A LIKE pattern for "contains": the wildcards % and _ (and the backslash, the escape character of
 * one engine but not the other) are dropped, as no searched code contains them.
 */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, "")}%`;
}

export function normalizeQuery(raw: string | null): string {
  return (raw ?? "").normalize("NFKC").trim().slice(0, SEARCH_MAX_LENGTH);
}

export async function searchConsole(
  db: Kysely<Database>,
  tenant: Tenant,
  query: string,
): Promise<SearchResults> {
  const like = containing(query);
  const upper = containing(query.toUpperCase());
  const [customers, contracts, invoices, licenses] = await Promise.all([
    db
      .selectFrom("customers")
      .select(["customers.id", "customers.ref", "customers.name"])
      .where(customerInTenant(tenant))
      .where((eb) =>
        eb.or([
          eb("customers.name", "like", like),
          eb(eb.fn("upper", ["customers.ref"]), "=", query.toUpperCase()),
        ]),
      )
      .orderBy("customers.name")
      .limit(SEARCH_LIMIT)
      .execute(),
    db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "contracts.id",
        "contracts.ref",
        "contracts.line_id as lineId",
        "customers.name as customerName",
      ])
      .where(customerInTenant(tenant))
      .where((eb) =>
        eb.or([
          eb(eb.fn("upper", ["contracts.ref"]), "like", upper),
          eb(eb.fn("upper", ["contracts.line_id"]), "like", upper),
        ]),
      )
      .orderBy("contracts.ref")
      .limit(SEARCH_LIMIT)
      .execute(),
    db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "invoices.id",
        "invoices.invoice_number as number",
        "invoices.billing_month as billingMonth",
        "customers.name as customerName",
      ])
      .where(customerInTenant(tenant))
      .where((eb) => eb(eb.fn("upper", ["invoices.invoice_number"]), "like", upper))
      .orderBy("invoices.seq", "desc")
      .limit(SEARCH_LIMIT)
      .execute(),
    db
      .selectFrom("licenses")
      .innerJoin("customers", "customers.id", "licenses.customer_id")
      .select([
        "licenses.id",
        "licenses.ref",
        "licenses.order_number as orderNumber",
        "customers.name as customerName",
      ])
      .where(customerInTenant(tenant))
      .where("licenses.order_number", "is not", null)
      .where((eb) => eb(eb.fn("upper", ["licenses.order_number"]), "like", upper))
      .orderBy("licenses.ref")
      .limit(SEARCH_LIMIT)
      .execute(),
  ]);
  return {
    customers,
    contracts,
    invoices,
    licenses: licenses.map((l) => ({ ...l, orderNumber: l.orderNumber ?? "" })),
  };
}
