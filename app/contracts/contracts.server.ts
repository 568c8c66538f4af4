// Contracts as each tenant may see them. The tenant is part of every `where`, so a foreign
// contract is simply not found.
import { sql, type Kysely } from "kysely";
import type { ContractStatus, Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { pageInfo, type ListSort, type PageRequest } from "../lib/paging";
import { countOf, fetchPage } from "../lib/paging.server";

/** 契約中: active or suspended, the home page's 契約中の回線 (issue 17 item 10). */
export const LIVE_STATUS = "live";

/** The equipment the home page counts (issue 17 item 10): endpoint seats and gateway devices. */
export const CONTRACT_ITEM_FILTERS = ["endpoint", "gateway"] as const;
export type ContractItemFilter = (typeof CONTRACT_ITEM_FILTERS)[number];

export interface ContractFilter {
  status?: ContractStatus | typeof LIVE_STATUS;
  customerId?: number;
  search?: string;
  /** Contracts not terminated holding this equipment now: the list behind the home page's cards. */
  item?: ContractItemFilter;
}

/** The item codes of the equipment, as the home page counts them (`gateway.<model>`). */
const ITEM_CODE: Record<ContractItemFilter, [op: "=" | "like", code: string]> = {
  endpoint: ["=", "endpoint"],
  gateway: ["like", "gateway.%"],
};

function filteredContracts(db: Kysely<Database>, tenant: Tenant, filter: ContractFilter) {
  let q = db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .where(customerInTenant(tenant));
  if (filter.status === LIVE_STATUS) q = q.where("contracts.status", "in", ["active", "suspended"]);
  else if (filter.status) q = q.where("contracts.status", "=", filter.status);
  if (filter.customerId !== undefined) q = q.where("contracts.customer_id", "=", filter.customerId);
  if (filter.item) {
    const [op, code] = ITEM_CODE[filter.item];
    q = q
      .where("contracts.status", "<>", "terminated")
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom("contract_items")
            .select("contract_items.id")
            .whereRef("contract_items.contract_id", "=", "contracts.id")
            .where("contract_items.to_date", "is", null)
            .where("contract_items.code", op, code),
        ),
      );
  }
  if (filter.search) {
    const like = `%${filter.search}%`;
    q = q.where((eb) =>
      eb.or([
        eb("contracts.ref", "like", like),
        eb("contracts.line_id", "like", like),
        eb("customers.name", "like", like),
      ]),
    );
  }
  return q;
}

function selectContracts(q: ReturnType<typeof filteredContracts>) {
  return q.select((eb) => [
    "contracts.id",
    "contracts.ref",
    "contracts.line_id",
    "contracts.area",
    "contracts.base_plan",
    "contracts.service_start",
    "contracts.status",
    "contracts.termination_date",
    "customers.id as customer_id",
    "customers.name as customer_name",
    "customers.ref as customer_ref",
    "resellers.name as reseller_name",
    eb
      .selectFrom("devices")
      .select((e) => e.fn.countAll<number>().as("n"))
      .whereRef("devices.contract_id", "=", "contracts.id")
      .as("device_count"),
  ]);
}

/**
 * An active contract of the tenant by its number: forms name a contract by 契約番号 rather than
 * offering every contract in a list (a provider has thousands; issue 17 item 2).
 */
export async function activeContractByRef(db: Kysely<Database>, tenant: Tenant, ref: string) {
  return filteredContracts(db, tenant, { status: "active" })
    .select(["contracts.id", "contracts.ref", "customers.name as customer_name"])
    .where("contracts.ref", "=", ref)
    .executeTakeFirst();
}

/** The contract list's sortable columns and the direction each starts in (issue 17 item 2). */
export type ContractSortColumn = "ref" | "customer" | "start";
export const CONTRACT_SORT: ListSort<ContractSortColumn> = {
  columns: { ref: "asc", customer: "asc", start: "desc" },
  default: "ref",
};
const CONTRACT_SORT_SQL: Record<ContractSortColumn, string> = {
  ref: "contracts.ref",
  customer: "customers.name",
  start: "contracts.service_start",
};

/** One page of the contract list with the count of the whole filter, in SQL. */
export async function pageContracts(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: ContractFilter,
  request: PageRequest<ContractSortColumn>,
) {
  const { count } = await filteredContracts(db, tenant, filter)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  const { offset, ...page } = pageInfo(request, Number(count));
  const contracts = await selectContracts(filteredContracts(db, tenant, filter))
    .orderBy(sql.ref(CONTRACT_SORT_SQL[page.sort]), page.dir)
    .orderBy("contracts.id", page.dir)
    .limit(page.size)
    .offset(offset)
    .execute();
  return { contracts, page, units: filter.item ? await itemUnits(db, tenant, filter) : null };
}

/** The units of the filtered equipment over the whole filter (the home card's figure), in SQL. */
async function itemUnits(db: Kysely<Database>, tenant: Tenant, filter: ContractFilter) {
  const [op, code] = ITEM_CODE[filter.item!];
  const row = await filteredContracts(db, tenant, filter)
    .innerJoin("contract_items", "contract_items.contract_id", "contracts.id")
    .where("contract_items.to_date", "is", null)
    .where("contract_items.code", op, code)
    .select((eb) =>
      eb.fn.coalesce(eb.fn.sum<number>("contract_items.quantity"), sql<number>`0`).as("units"),
    )
    .executeTakeFirstOrThrow();
  return Number(row.units);
}

export async function getContract(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  const contract = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .selectAll("contracts")
    .select([
      "customers.name as customer_name",
      "customers.ref as customer_ref",
      "customers.address as customer_address",
      "resellers.name as reseller_name",
    ])
    .where("contracts.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!contract) return null;
  // The contract is already known to be in the tenant; its children hang off its id. Its devices
  // are a list of their own (pageContractDevices): a large office has hundreds.
  const items = await db
    .selectFrom("contract_items")
    .selectAll()
    .where("contract_id", "=", contract.id)
    .orderBy("from_date")
    .orderBy("id")
    .execute();
  return { contract, items };
}

/** The contract page's device list's sortable columns (issue 17 item 2). */
export type DeviceSortColumn = "type" | "name" | "seen";
export const DEVICE_SORT: ListSort<DeviceSortColumn> = {
  columns: { type: "asc", name: "asc", seen: "desc" },
  default: "type",
};
const DEVICE_SORT_SQL: Record<DeviceSortColumn, "device_type" | "name" | "last_seen_at"> = {
  type: "device_type",
  name: "name",
  seen: "last_seen_at",
};

/**
 * One page of a contract's devices, counted over all of them in SQL. The contract must already
 * have been found in the viewer's tenant (getContract): its id is the scope.
 */
export async function pageContractDevices(
  db: Kysely<Database>,
  contractId: number,
  request: PageRequest<DeviceSortColumn>,
) {
  const scoped = () => db.selectFrom("devices").where("contract_id", "=", contractId);
  const { rows, page } = await fetchPage(
    request,
    () => countOf(scoped()),
    (w) =>
      scoped()
        .selectAll()
        .orderBy(DEVICE_SORT_SQL[w.sort], w.dir)
        // The name, then the id, break ties so pages never overlap or skip a device.
        .orderBy("name", w.dir)
        .orderBy("id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { devices: rows, page };
}
