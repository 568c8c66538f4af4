// The operators' schedule of visit bookings across all contracts (issue 17 item 9): by day and
// area, filtered by a date range and an area, paged with the count of the whole filter in SQL.
// Visit days and hours differ by area (S2, docs/rules/terms.md "Visit support"), which is why the
// schedule is read per area.
import type { Kysely } from "kysely";
import type { Area, Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { IsoDate } from "../lib/jst";
import type { ListSort, PageRequest } from "../lib/paging";
import { fetchPage } from "../lib/paging.server";

export interface VisitScheduleFilter {
  from: IsoDate;
  to: IsoDate; // inclusive
  area?: Area;
  /** Cancelled bookings are left out unless asked for. */
  includeCancelled?: boolean;
}

export const VISIT_SCHEDULE_SORT: ListSort<"date"> = {
  columns: { date: "asc" },
  default: "date",
};

function scheduleQuery(db: Kysely<Database>, tenant: Tenant, filter: VisitScheduleFilter) {
  let q = db
    .selectFrom("visit_bookings")
    .innerJoin("contracts", "contracts.id", "visit_bookings.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where(customerInTenant(tenant))
    .where("visit_bookings.visit_date", ">=", filter.from)
    .where("visit_bookings.visit_date", "<=", filter.to);
  if (filter.area) q = q.where("contracts.area", "=", filter.area);
  if (!filter.includeCancelled) q = q.where("visit_bookings.status", "!=", "cancelled");
  return q;
}

/** One page of the bookings in the range, by day, area and start time, with the count of all. */
export async function pageVisitSchedule(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: VisitScheduleFilter,
  request: PageRequest<"date">,
) {
  const { rows, page } = await fetchPage(
    request,
    () =>
      scheduleQuery(db, tenant, filter)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    (w) =>
      scheduleQuery(db, tenant, filter)
        .select([
          "visit_bookings.id",
          "visit_bookings.visit_date",
          "visit_bookings.start_time",
          "visit_bookings.status",
          "visit_bookings.estimate_yen",
          "contracts.id as contract_id",
          "contracts.ref as contract_ref",
          "contracts.area",
          "customers.name as customer_name",
        ])
        .orderBy("visit_bookings.visit_date", w.dir)
        .orderBy("contracts.area")
        .orderBy("visit_bookings.start_time")
        .orderBy("visit_bookings.id")
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { bookings: rows, page };
}
