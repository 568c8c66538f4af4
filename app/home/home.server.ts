// The figures on each role's home page, counted in SQL within the viewer's tenant.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";

export interface HomeFigures {
  customers: number;
  contractsByStatus: Record<string, number>;
  devicesByType: Record<string, number>;
  endpointSeats: { rental: number; purchased: number };
  gatewaysByModel: Record<string, number>;
  devicesNotSeen: number;
}

/** Devices not seen for this long count as "not seen" on the home page. */
export const NOT_SEEN_DAYS = 7;

export async function homeFigures(
  db: Kysely<Database>,
  tenant: Tenant,
  at: Date,
): Promise<HomeFigures> {
  const notSeenBefore = new Date(at.getTime() - NOT_SEEN_DAYS * 86_400_000).toISOString();
  const [customers, contracts, devices, items, notSeen] = await Promise.all([
    db
      .selectFrom("customers")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where(customerInTenant(tenant))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select((eb) => ["contracts.status", eb.fn.countAll<number>().as("n")])
      .where(customerInTenant(tenant))
      .groupBy("contracts.status")
      .execute(),
    db
      .selectFrom("devices")
      .innerJoin("contracts", "contracts.id", "devices.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select((eb) => ["devices.device_type", eb.fn.countAll<number>().as("n")])
      .where("contracts.status", "<>", "terminated")
      .where(customerInTenant(tenant))
      .groupBy("devices.device_type")
      .execute(),
    db
      .selectFrom("contract_items")
      .innerJoin("contracts", "contracts.id", "contract_items.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select((eb) => [
        "contract_items.code",
        "contract_items.ownership",
        eb.fn.sum<number>("contract_items.quantity").as("n"),
      ])
      .where("contract_items.to_date", "is", null)
      .where("contracts.status", "<>", "terminated")
      .where(customerInTenant(tenant))
      .groupBy(["contract_items.code", "contract_items.ownership"])
      .execute(),
    db
      .selectFrom("devices")
      .innerJoin("contracts", "contracts.id", "devices.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("contracts.status", "<>", "terminated")
      .where((eb) =>
        eb.or([
          eb("devices.last_seen_at", "is", null),
          eb("devices.last_seen_at", "<", notSeenBefore),
        ]),
      )
      .where(customerInTenant(tenant))
      .executeTakeFirstOrThrow(),
  ]);
  const endpointSeats = { rental: 0, purchased: 0 };
  const gatewaysByModel: Record<string, number> = {};
  for (const row of items) {
    if (row.code === "endpoint") endpointSeats[row.ownership] += Number(row.n);
    if (row.code.startsWith("gateway.")) {
      const model = row.code.slice("gateway.".length);
      gatewaysByModel[model] = (gatewaysByModel[model] ?? 0) + Number(row.n);
    }
  }
  return {
    customers: Number(customers.n),
    contractsByStatus: Object.fromEntries(contracts.map((r) => [r.status, Number(r.n)])),
    devicesByType: Object.fromEntries(devices.map((r) => [r.device_type, Number(r.n)])),
    endpointSeats,
    gatewaysByModel,
    devicesNotSeen: Number(notSeen.n),
  };
}
