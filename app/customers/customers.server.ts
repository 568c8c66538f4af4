// Customers as each tenant may see them: the provider all, a reseller its own, a customer itself.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";

export async function listCustomers(db: Kysely<Database>, tenant: Tenant, search?: string) {
  let q = db
    .selectFrom("customers")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select((eb) => [
      "customers.id", "customers.ref", "customers.name", "customers.email", "customers.phone", "customers.address",
      "resellers.name as reseller_name", "resellers.ref as reseller_ref",
      eb.selectFrom("contracts").select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("contracts.customer_id", "=", "customers.id").where("contracts.status", "<>", "terminated")
        .as("live_contracts"),
    ])
    .where(customerInTenant(tenant))
    .orderBy("customers.ref");
  if (search) {
    const like = `%${search}%`;
    q = q.where((eb) => eb.or([eb("customers.name", "like", like), eb("customers.ref", "like", like)]));
  }
  return q.execute();
}

export async function getCustomer(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  return db
    .selectFrom("customers")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select([
      "customers.id", "customers.ref", "customers.name", "customers.email", "customers.phone", "customers.address",
      "customers.created_at", "resellers.name as reseller_name", "resellers.ref as reseller_ref",
    ])
    .where("customers.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
}
