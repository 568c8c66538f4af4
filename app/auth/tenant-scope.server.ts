// The tenant condition every repository query puts in its `where`. Contracts, devices and
// everything below them reach the tenant through the customers table, so each such query
// joins `customers` and applies this condition to it.
import { sql, type RawBuilder, type SqlBool } from "kysely";
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
