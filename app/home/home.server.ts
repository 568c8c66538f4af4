// The figures on each role's home page, counted in SQL within the viewer's tenant.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { listInvoices } from "../billing/invoices.server";
import { instantOf, jstDate, jstTime } from "../lib/jst";
import type { ListSort, PageRequest } from "../lib/paging";
import { fetchPage } from "../lib/paging.server";

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
  const notSeenBefore = instantOf(new Date(at.getTime() - NOT_SEEN_DAYS * 86_400_000));
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

/**
 * What a customer's home shows besides the figures (issue 17 item 10): the invoices not yet paid
 * in full (the same filter as the invoice list's 未払い) and the next booked visit.
 */
export async function customerAgenda(db: Kysely<Database>, tenant: Tenant, at: Date) {
  const today = jstDate(at);
  const unpaid = await listInvoices(db, tenant, { status: "unpaid" }, today);
  const nowTime = jstTime(at);
  const nextVisit = await db
    .selectFrom("visit_bookings")
    .innerJoin("contracts", "contracts.id", "visit_bookings.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "visit_bookings.visit_date",
      "visit_bookings.start_time",
      "contracts.id as contract_id",
      "contracts.ref as contract_ref",
    ])
    .where(customerInTenant(tenant))
    .where("visit_bookings.status", "=", "booked")
    .where((eb) =>
      eb.or([
        eb("visit_bookings.visit_date", ">", today),
        eb.and([
          eb("visit_bookings.visit_date", "=", today),
          eb("visit_bookings.start_time", ">=", nowTime),
        ]),
      ]),
    )
    .orderBy("visit_bookings.visit_date")
    .orderBy("visit_bookings.start_time")
    .limit(1)
    .executeTakeFirst();
  return {
    unpaid: unpaid.map((i) => ({
      id: i.id,
      number: i.invoice_number,
      billingMonth: i.billing_month,
      dueDate: i.due_date,
      owedYen: i.owedYen - i.paidYen,
      overdue: i.overdue,
    })),
    nextVisit: nextVisit ?? null,
  };
}

export const DEVICE_SORT: ListSort<"name"> = { columns: { name: "asc" }, default: "name" };

/**
 * The devices behind the home page's device cards (issue 17 item 10): those of contracts not
 * terminated, optionally only the ones not seen for NOT_SEEN_DAYS — the same conditions as
 * `homeFigures`, so the list counts what the card counts.
 */
export async function pageDevices(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: { notSeen: boolean; at: Date },
  request: PageRequest<"name">,
) {
  const notSeenBefore = instantOf(new Date(filter.at.getTime() - NOT_SEEN_DAYS * 86_400_000));
  const base = () => {
    let q = db
      .selectFrom("devices")
      .innerJoin("contracts", "contracts.id", "devices.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .where("contracts.status", "<>", "terminated")
      .where(customerInTenant(tenant));
    if (filter.notSeen)
      q = q.where((eb) =>
        eb.or([
          eb("devices.last_seen_at", "is", null),
          eb("devices.last_seen_at", "<", notSeenBefore),
        ]),
      );
    return q;
  };
  const { rows, page } = await fetchPage(
    request,
    () =>
      base()
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    (w) =>
      base()
        .select([
          "devices.id",
          "devices.name",
          "devices.device_type",
          "devices.last_seen_at",
          "contracts.id as contract_id",
          "contracts.ref as contract_ref",
          "customers.name as customer_name",
        ])
        .orderBy("devices.name", w.dir)
        .orderBy("devices.id")
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { devices: rows, page };
}
