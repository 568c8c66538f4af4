// Customers as each tenant may see them: the provider all, a reseller its own, a customer itself.
import { sql, type Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { pageInfo, type ListSort, type PageRequest } from "../lib/paging";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { now } from "../lib/clock";
import { instantOf } from "../lib/jst";

function filteredCustomers(db: Kysely<Database>, tenant: Tenant, search?: string) {
  let q = db
    .selectFrom("customers")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .where(customerInTenant(tenant));
  if (search) {
    const like = `%${search}%`;
    q = q.where((eb) =>
      eb.or([eb("customers.name", "like", like), eb("customers.ref", "like", like)]),
    );
  }
  return q;
}

function selectCustomers(q: ReturnType<typeof filteredCustomers>) {
  return q.select((eb) => [
    "customers.id",
    "customers.ref",
    "customers.name",
    "customers.email",
    "customers.phone",
    "customers.address",
    "resellers.name as reseller_name",
    "resellers.ref as reseller_ref",
    eb
      .selectFrom("contracts")
      .select((e) => e.fn.countAll<number>().as("n"))
      .whereRef("contracts.customer_id", "=", "customers.id")
      .where("contracts.status", "<>", "terminated")
      .as("live_contracts"),
  ]);
}

export async function listCustomers(db: Kysely<Database>, tenant: Tenant, search?: string) {
  return selectCustomers(filteredCustomers(db, tenant, search))
    .orderBy("customers.ref")
    .execute();
}

/** The customer list's sortable columns and the direction each starts in (issue 17 item 2). */
export type CustomerSortColumn = "ref" | "name";
export const CUSTOMER_SORT: ListSort<CustomerSortColumn> = {
  columns: { ref: "asc", name: "asc" },
  default: "ref",
};
const CUSTOMER_SORT_SQL: Record<CustomerSortColumn, string> = {
  ref: "customers.ref",
  name: "customers.name",
};

/** One page of the customer list with the count of the whole search, in SQL. */
export async function pageCustomers(
  db: Kysely<Database>,
  tenant: Tenant,
  search: string | undefined,
  request: PageRequest<CustomerSortColumn>,
) {
  const { count } = await filteredCustomers(db, tenant, search)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  const { offset, ...page } = pageInfo(request, Number(count));
  const customers = await selectCustomers(filteredCustomers(db, tenant, search))
    .orderBy(sql.ref(CUSTOMER_SORT_SQL[page.sort]), page.dir)
    .orderBy("customers.id", page.dir)
    .limit(page.size)
    .offset(offset)
    .execute();
  return { customers, page };
}

export async function getCustomer(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  return db
    .selectFrom("customers")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select([
      "customers.id",
      "customers.ref",
      "customers.name",
      "customers.email",
      "customers.phone",
      "customers.address",
      "customers.created_at",
      "customers.peppol_id",
      "resellers.name as reseller_name",
      "resellers.ref as reseller_ref",
    ])
    .where("customers.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
}

/** Sets the customer's Peppol participant id (decision 0018), within the tenant; false when not found. */
export async function setCustomerPeppolId(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; peppolId: string | null; actor: AuditActor; ip: string },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const customer = await trx
      .selectFrom("customers")
      .select(["customers.id", "customers.peppol_id"])
      .where("customers.id", "=", params.id)
      .where(customerInTenant(params.tenant))
      .executeTakeFirst();
    if (!customer) return false;
    await trx
      .updateTable("customers")
      .set({ peppol_id: params.peppolId, updated_at: instantOf(now()) })
      .where("id", "=", customer.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "customer.peppol_id",
      entity: "customer",
      entityId: customer.id,
      summary: `Peppol IDを変更: ${customer.peppol_id ?? "なし"}→${params.peppolId ?? "なし"}`,
      ip: params.ip,
    });
    return true;
  });
}
