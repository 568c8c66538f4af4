// The tenant condition every repository query puts in its `where`. Contracts, devices and
// everything below them reach the tenant through the customers table, so each such query
// joins `customers` and applies this condition to it.
import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { Database } from "../../db/schema";
import type { Tenant } from "./tenancy";

export function customerInTenant(tenant: Tenant): RawBuilder<SqlBool> {
  switch (tenant.kind) {
    case "provider":
      return sql<SqlBool>`1 = 1`;
    case "reseller":
      return sql<SqlBool>`${sql.ref("customers.reseller_id")} = ${tenant.resellerId}`;
    case "customer":
      return sql<SqlBool>`${sql.ref("customers.id")} = ${tenant.customerId}`;
  }
}

/*
 * T-10: after a transfer the contract's security records from before the approval belong to the
 * previous holder. A customer sees those of its own holding only (contracts.holder_since /
 * holder_first_day, null when held since the start); the provider and the reseller — the same
 * reseller on both sides of a transfer — see the line's whole history. A successor (T-12)
 * steps into the holder's place and keeps the history, so succession sets neither column.
 */

/** The tenant condition for security records stamped with the instant `at` (a column of a query that joins `contracts`). */
export function securityRecordInTenant(tenant: Tenant, at: string): RawBuilder<SqlBool> {
  if (tenant.kind !== "customer") return customerInTenant(tenant);
  return sql<SqlBool>`(${customerInTenant(tenant)} and ${heldAt(at)})`;
}

/** Whether the instant column `at` falls in the current holder's holding of the joined contract. */
export function heldAt(at: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref("contracts.holder_since")} is null or ${sql.ref(at)} >= ${sql.ref("contracts.holder_since")})`;
}

/** Whether the JST day column `day` is a whole day of the current holder's holding of the joined contract. */
export function heldOnDay(day: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.ref("contracts.holder_first_day")} is null or ${sql.ref(day)} >= ${sql.ref("contracts.holder_first_day")})`;
}

/** The tenant's own name (the provider's, the reseller's or the customer's), "" when it has none. */
export async function tenantName(db: Kysely<Database>, tenant: Tenant): Promise<string> {
  const row =
    tenant.kind === "reseller"
      ? await db
          .selectFrom("resellers")
          .select("name")
          .where("id", "=", tenant.resellerId)
          .executeTakeFirst()
      : tenant.kind === "customer"
        ? await db
            .selectFrom("customers")
            .select("name")
            .where("id", "=", tenant.customerId)
            .executeTakeFirst()
        : await db.selectFrom("provider").select("name").executeTakeFirst();
  return row?.name ?? "";
}
