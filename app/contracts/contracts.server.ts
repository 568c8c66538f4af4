// Contracts as each tenant may see them. The tenant is part of every `where`, so a foreign
// contract is simply not found.
import type { Kysely } from "kysely";
import type { ContractStatus, Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";

export interface ContractFilter {
  status?: ContractStatus;
  customerId?: number;
  search?: string;
}

export async function listContracts(db: Kysely<Database>, tenant: Tenant, filter: ContractFilter = {}) {
  let q = db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select((eb) => [
      "contracts.id", "contracts.ref", "contracts.line_id", "contracts.area", "contracts.base_plan",
      "contracts.service_start", "contracts.status", "contracts.termination_date",
      "customers.id as customer_id", "customers.name as customer_name", "customers.ref as customer_ref",
      "resellers.name as reseller_name",
      eb.selectFrom("devices").select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("devices.contract_id", "=", "contracts.id").as("device_count"),
    ])
    .where(customerInTenant(tenant))
    .orderBy("contracts.ref");
  if (filter.status) q = q.where("contracts.status", "=", filter.status);
  if (filter.customerId !== undefined) q = q.where("contracts.customer_id", "=", filter.customerId);
  if (filter.search) {
    const like = `%${filter.search}%`;
    q = q.where((eb) =>
      eb.or([eb("contracts.ref", "like", like), eb("contracts.line_id", "like", like), eb("customers.name", "like", like)]),
    );
  }
  return q.execute();
}

export async function getContract(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  const contract = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .selectAll("contracts")
    .select([
      "customers.name as customer_name", "customers.ref as customer_ref", "customers.address as customer_address",
      "resellers.name as reseller_name",
    ])
    .where("contracts.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!contract) return null;
  // The contract is already known to be in the tenant; its children hang off its id.
  const [items, devices] = await Promise.all([
    db.selectFrom("contract_items").selectAll().where("contract_id", "=", contract.id)
      .orderBy("from_date").orderBy("id").execute(),
    db.selectFrom("devices").selectAll().where("contract_id", "=", contract.id)
      .orderBy("device_type").orderBy("name").execute(),
  ]);
  return { contract, items, devices };
}
