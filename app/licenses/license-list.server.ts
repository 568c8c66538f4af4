// The licence list (/licenses) a page at a time (issue 17 item 2): the state each row shows, the
// last day of use and the next renewal are derived in SQL from the stored status, the renewal
// state and the charges, with today's JST date as a parameter, so the state filter, the count and
// the sort run over the whole filter in the database and only one page of rows is read. The SQL
// says what displayStateOf and currentTerm (overview.ts, license.ts) say; test/licenses-list-paging
// checks both against each other on both engines. Decision 0043.
import { sql, type Kysely, type RawBuilder, type SqlBool, type Transaction } from "kysely";
import { dateSqlOf } from "../../db/date-sql";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { IsoDate } from "../lib/jst";
import type { ListSort, PageInfo, PageRequest, SortDirection } from "../lib/paging";
import { countOf, fetchPage } from "../lib/paging.server";
import type { Channel, LicenseTerm, RenewalState } from "./license";
import type { DisplayState } from "./overview";

type Db = Kysely<Database> | Transaction<Database>;

export interface LicenseFilter {
  state?: DisplayState;
  channel?: Channel;
  /** Part of the licence number, the product, or the customer's name or number. */
  search?: string;
}

/** The licence list's sortable columns (issue 17 item 2); `customer` keeps each family together. */
export type LicenseSortColumn = "customer" | "product" | "ends" | "next";

export const LICENSE_SORT: ListSort<LicenseSortColumn> = {
  columns: { customer: "asc", product: "asc", ends: "asc", next: "asc" },
  default: "customer",
};

export interface LicenseListRow {
  id: number;
  ref: string;
  product: string;
  customerName: string;
  channel: Channel;
  term: LicenseTerm;
  seats: number;
  priceYen: number;
  mainRef: string | null;
  displayState: DisplayState;
  renewalState: RenewalState;
  endsOn: IsoDate | null;
  nextRenewalOn: IsoDate | null;
}

/** The tenant's licences matching the channel and the search, with what the list shows as stored. */
function scopedLicenses(db: Db, tenant: Tenant, filter: LicenseFilter) {
  let q = db
    .selectFrom("licenses")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .leftJoin("licenses as main", "main.id", "licenses.main_license_id")
    .where(customerInTenant(tenant));
  if (filter.channel) q = q.where("licenses.channel", "=", filter.channel);
  if (filter.search) {
    const like = `%${filter.search}%`;
    q = q.where((eb) =>
      eb.or([
        eb("licenses.ref", "like", like),
        eb("licenses.product", "like", like),
        eb("customers.name", "like", like),
        eb("customers.ref", "like", like),
      ]),
    );
  }
  return q.select([
    "licenses.id",
    "licenses.ref",
    "licenses.product",
    "licenses.channel",
    "licenses.term",
    "licenses.seats",
    "licenses.price_yen",
    "licenses.state",
    "licenses.renewal_state",
    "licenses.effective_end",
    "licenses.customer_id",
    "customers.name as customer_name",
    "main.ref as main_ref",
    // The family: a main licence, its add-ons and theirs (L-1), listed together under the main.
    sql<number>`coalesce(${sql.ref("main.main_license_id")}, ${sql.ref("licenses.main_license_id")}, ${sql.ref("licenses.id")})`.as(
      "family_root",
    ),
    sql<number>`case when ${sql.ref("licenses.main_license_id")} is null then 0 when ${sql.ref("main.main_license_id")} is null then 1 else 2 end`.as(
      "family_depth",
    ),
  ]);
}

/** The same as rows of a subquery `p`, which a page of them keeps (ordered, limited). */
function listedLicenses(db: Db, tenant: Tenant, filter: LicenseFilter) {
  return db.selectFrom(scopedLicenses(db, tenant, filter).as("p")).selectAll("p");
}

type Listed = ReturnType<typeof listedLicenses>;

/**
 * The licences of `rows` with what the list shows of each on `on`, derived in SQL (see the
 * module comment) from the last charge on or before `on`: the charge that opened the current
 * term, before any projected renewal.
 */
function derivedLicenses(db: Db, rows: Listed, on: IsoDate) {
  const dates = dateSqlOf(db);
  const today = dates.day(on);
  const col = (name: string) => sql.ref(`l.${name}`);
  const last = col("last_charge");
  const months = sql`(case ${col("term")} when 'annual' then 12 else 1 end)`;
  // Whole terms from the last charge to today's month; auto-renewal projects the renewals from
  // the last charge (license.ts currentTerm), so the next billing day is the first term boundary
  // after today: `terms` terms after the last charge, or one more.
  const onMonth = sql.lit(Number(on.slice(0, 4)) * 12 + Number(on.slice(5, 7)));
  const terms = sql`((${onMonth} - ${dates.monthIndex(last)}) / ${months})`;
  const boundary = dates.addMonths(last, sql`${months} * ${terms}`);
  const renewingNext = sql<IsoDate>`(case when ${boundary} > ${today} then ${boundary} else ${dates.addMonths(last, sql`${months} * (${terms} + 1)`)} end)`;
  // Without auto-renewal nothing is projected: the term is the one the last charge opened.
  const firstNext = dates.addMonths(last, months);
  const active = sql`${col("state")} = 'active'`;
  const renewing = sql`${col("renewal_state")} = 'active'`;
  const effectiveEnd = col("effective_end");
  const displayState = sql<DisplayState>`(case
    when ${col("state")} = 'expired' then
      case when ${effectiveEnd} is not null and ${effectiveEnd} >= ${today} then 'cancelled_running' else 'ended' end
    when ${col("state")} = 'cancelled' then
      case when ${effectiveEnd} is not null and ${effectiveEnd} < ${today} then 'ended'
           when ${col("channel")} = 'isp' then 'isp_cancel_pending' else 'cancelled_running' end
    when ${renewing} then 'active'
    when ${col("renewal_state")} = 'stop_requested' then 'stop_requested'
    when ${last} is not null and ${firstNext} > ${today} then 'stopped_running'
    else 'ended' end)`;
  // The overview shows no term for an ISP licence (L-4: it ends with the main services).
  const endsOn = sql<IsoDate | null>`(case
    when not (${active}) then ${effectiveEnd}
    when ${col("channel")} = 'isp' or ${last} is null then null
    when ${renewing} then ${dates.dayBefore(renewingNext)}
    else ${dates.dayBefore(firstNext)} end)`;
  const nextRenewalOn = sql<IsoDate | null>`(case
    when ${active} and ${renewing} and ${col("channel")} <> 'isp' and ${last} is not null
    then ${renewingNext} else null end)`;
  // Materialized: the last charge is read once per licence and is then a plain column. Inlined
  // (as both engines would), each mention of it above ran its subquery again (10× slower).
  const withLastCharge = db
    .selectFrom(rows.as("s"))
    .selectAll("s")
    .select((eb) =>
      eb
        .selectFrom("license_charges")
        .select((c) => c.fn.max("license_charges.charge_date").as("d"))
        .whereRef("license_charges.license_id", "=", "s.id")
        .where(sql<SqlBool>`${sql.ref("license_charges.charge_date")} <= ${today}`)
        .as("last_charge"),
    );
  const derived = db
    .with(
      (cte) => cte("l").materialized(),
      () => withLastCharge,
    )
    .selectFrom("l")
    .selectAll("l")
    .select([
      displayState.as("display_state"),
      endsOn.as("ends_on"),
      nextRenewalOn.as("next_renewal_on"),
    ]);
  return db.selectFrom(derived.as("v"));
}

/** The list's order in the columns of the subquery `from`: the sort asked for, then each family together. */
function inOrder<Q extends { orderBy(expression: RawBuilder<unknown>, dir: SortDirection): Q }>(
  query: Q,
  from: "p" | "v",
  sort: LicenseSortColumn,
  dir: SortDirection,
): Q {
  const ref = (column: string) => sql`${sql.ref(`${from}.${column}`)}`;
  let q = query;
  if (sort === "customer")
    q = q.orderBy(ref("customer_name"), dir).orderBy(ref("customer_id"), dir);
  else if (sort === "product") q = q.orderBy(ref("product"), dir);
  else {
    // A date column sorts its empty cells last whichever way it runs (both engines alike).
    const column = ref(sort === "ends" ? "ends_on" : "next_renewal_on");
    q = q.orderBy(sql`case when ${column} is null then 1 else 0 end`, "asc").orderBy(column, dir);
  }
  // The main licence first and its add-ons under it (decision 0043).
  for (const c of ["customer_name", "customer_id", "family_root", "family_depth", "id"])
    q = q.orderBy(ref(c), "asc");
  return q;
}

/** One page of the tenant's licences with the count of the whole filter, all in SQL. */
export async function pageLicenses(
  db: Db,
  tenant: Tenant,
  filter: LicenseFilter,
  request: PageRequest<LicenseSortColumn>,
  on: IsoDate,
): Promise<{ licenses: LicenseListRow[]; page: PageInfo<LicenseSortColumn> }> {
  const listed = () => listedLicenses(db, tenant, filter);
  const { rows, page } = await fetchPage(
    request,
    // Without a state filter the count needs no dates.
    () =>
      filter.state
        ? countOf(derivedLicenses(db, listed(), on).where("v.display_state", "=", filter.state))
        : countOf(db.selectFrom(scopedLicenses(db, tenant, filter).as("p"))),
    ({ sort, dir, offset, size }) => {
      const window = <Q extends { limit(n: number): Q; offset(n: number): Q }>(q: Q) =>
        q.limit(size).offset(offset);
      if (filter.state || sort === "ends" || sort === "next") {
        // The state or the date decides the page: derived for every licence of the filter.
        let q = derivedLicenses(db, listed(), on).selectAll("v");
        if (filter.state) q = q.where("v.display_state", "=", filter.state);
        return window(inOrder(q, "v", sort, dir)).execute();
      }
      // Stored columns decide the page: the page's 50 rows are chosen first, then derived.
      const pageRows = window(inOrder(listed(), "p", sort, dir));
      return inOrder(derivedLicenses(db, pageRows, on).selectAll("v"), "v", sort, dir).execute();
    },
  );
  return {
    page,
    licenses: rows.map((r) => ({
      id: r.id,
      ref: r.ref,
      product: r.product,
      customerName: r.customer_name,
      channel: r.channel,
      term: r.term,
      seats: r.seats,
      priceYen: r.price_yen,
      mainRef: r.main_ref,
      displayState: r.display_state,
      renewalState: r.renewal_state,
      endsOn: r.ends_on,
      nextRenewalOn: r.next_renewal_on,
    })),
  };
}
