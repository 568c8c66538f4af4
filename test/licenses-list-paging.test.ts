// Issue 17 item 2: the licence list (/licenses) pages on the server. The state each row shows,
// its last day of use and its next renewal are derived in SQL from today's JST date (decision
// 0043); here they are checked against the pure rules (displayStateOf, currentTerm through
// licenseOverview, as the list computed them in memory before) for licences of every kind on
// several days, month ends and 29 February included. The count is the whole filter's, the pages
// hold 50 rows, the sorts and the filters hold over every page, and each tenant sees its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import type { Channel } from "../app/licenses/license";
import {
  LICENSE_SORT,
  pageLicenses,
  type LicenseFilter,
  type LicenseListRow,
} from "../app/licenses/license-list.server";
import { loadTenantLicenses, memberOf, members } from "../app/licenses/licenses.server";
import { licenseOverview, type DisplayState } from "../app/licenses/overview";
import { isoDate, type IsoDate } from "../app/lib/jst";
import { toYen } from "../app/lib/money";
import { PAGE_SIZE, pageRequest } from "../app/lib/paging";
import type { Database } from "../db/schema";
import type { Insertable } from "kysely";
import { createCustomer, createReseller } from "./support/factories";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
const ids = { r1: 0, r2: 0, big: 0, small: 0, other: 0, direct: 0 };
const TODAY = isoDate("2026-12-07");
const CHARGE_DAYS = [
  "2024-02-29",
  "2025-01-31",
  "2026-01-31",
  "2026-03-31",
  "2026-11-30",
  "2026-12-07",
  "2026-12-31",
  "2025-12-08",
  "2026-06-15",
  "2027-01-15",
  "2026-02-28",
].map(isoDate);
const ENDS = [null, "2026-12-06", "2026-12-07", "2026-12-31", "2027-03-31"] as const;
const CHANNELS: Channel[] = ["vendor_store", "vendor_store", "isp", "reseller", "app_store"];
const STATES = ["active", "active", "active", "cancelled", "expired"] as const;

/** A licence per combination of term, renewal, state, channel, charges and end; every 9th an add-on. */
async function addLicences(customerId: number, count: number, prefix: string) {
  const created: number[] = [];
  for (let i = 0; i < count; i++) {
    const state = STATES[Math.floor(i / 3) % STATES.length];
    const end = ENDS[i % ENDS.length];
    // An add-on of the licence before it, every ninth one of an add-on (a second level).
    const main = i % 9 === 4 || i % 9 === 5 ? created[i - 1] : null;
    const row: Insertable<Database["licenses"]> = {
      ref: `${prefix}-${String(i).padStart(4, "0")}`,
      customer_id: customerId,
      product: `製品${String.fromCharCode(65 + ((i * 7) % 26))}`,
      channel: CHANNELS[(i * 3) % CHANNELS.length],
      term: i % 2 === 0 ? "annual" : "monthly",
      kind: "standard",
      region: "JP",
      seats: 1 + (i % 5),
      price_yen: toYen(1000 + i),
      main_license_id: main,
      auto_renew: 1,
      renewal_state: (["active", "stop_requested", "stopped"] as const)[i % 3],
      sold_via: "vendor",
      state,
      cancelled_on: state === "cancelled" ? isoDate("2026-11-01") : null,
      effective_end:
        state === "cancelled" ? isoDate(end ?? "2026-12-31") : end === null ? null : isoDate(end),
      created_at: "2026-01-01T00:00:00.000Z" as Insertable<Database["licenses"]>["created_at"],
    };
    const { id } = await t.db
      .insertInto("licenses")
      .values(row)
      .returning("id")
      .executeTakeFirstOrThrow();
    created.push(id);
    const days = i % 11 === 0 ? [] : [CHARGE_DAYS[i % 11], CHARGE_DAYS[(i * 3) % 11]];
    for (const day of new Set(days))
      await t.db
        .insertInto("license_charges")
        .values({ license_id: id, charge_date: day, amount_yen: toYen(1000), type: "purchase" })
        .execute();
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  ids.r1 = (await createReseller(t.db, { name: "販売店一" })).resellerId;
  ids.r2 = (await createReseller(t.db, { name: "販売店二" })).resellerId;
  ids.big = (await createCustomer(t.db, { reseller_id: ids.r1, name: "大口商事" })).customerId;
  ids.small = (await createCustomer(t.db, { reseller_id: ids.r1, name: "小口工業" })).customerId;
  ids.other = (await createCustomer(t.db, { reseller_id: ids.r2, name: "他社物産" })).customerId;
  ids.direct = (await createCustomer(t.db, { name: "直販電機" })).customerId;
  await addLicences(ids.big, 120, "BIG");
  await addLicences(ids.small, 15, "SML");
  await addLicences(ids.other, 12, "OTH");
  await addLicences(ids.direct, 4, "DIR");
}, 120_000);
afterAll(() => t.dispose());

const provider: Tenant = { kind: "provider" };
const reseller = (id: number): Tenant => ({ kind: "reseller", resellerId: id });
const customer = (id: number): Tenant => ({ kind: "customer", customerId: id });

async function page(
  tenant: Tenant,
  filter: LicenseFilter = {},
  query = "",
  on: IsoDate = TODAY,
): Promise<{ rows: LicenseListRow[]; total: number; page: number }> {
  const { licenses, page } = await pageLicenses(
    t.db,
    tenant,
    filter,
    pageRequest(new URLSearchParams(query), LICENSE_SORT),
    on,
  );
  return { rows: licenses, total: page.total, page: page.page };
}

/** Every page of a filter, one after the other. */
async function allPages(tenant: Tenant, filter: LicenseFilter = {}, query = "", on = TODAY) {
  const first = await page(tenant, filter, query, on);
  const rows = [...first.rows];
  for (let p = 2; (p - 1) * PAGE_SIZE < first.total; p++)
    rows.push(...(await page(tenant, filter, `${query}&page=${p}`, on)).rows);
  return { rows, total: first.total };
}

/** What the list showed when it computed each licence in memory (the pure rules). */
async function expectedRows(tenant: Tenant, on: IsoDate) {
  const all = await loadTenantLicenses(t.db, tenant);
  return new Map(
    all.map((l) => {
      const family = all.filter((f) => f.record.customerId === l.record.customerId);
      const o = licenseOverview(memberOf(l), members(family), on);
      return [
        l.license.ref,
        {
          displayState: o.displayState,
          endsOn:
            l.record.status.state !== "active"
              ? l.record.status.effectiveEnd
              : (o.term?.end ?? null),
          nextRenewalOn: o.nextRenewal?.date ?? null,
          channel: l.license.channel,
          customerName: l.record.customerName,
        },
      ];
    }),
  );
}

describe("the licence list derives each row in SQL as the rules do", () => {
  it.each(["2026-12-07", "2026-12-31", "2027-01-31", "2027-02-28", "2028-02-29", "2026-03-01"])(
    "on %s: state, last day and next renewal of every licence",
    async (day) => {
      const on = isoDate(day);
      const expected = await expectedRows(provider, on);
      const { rows, total } = await allPages(provider, {}, "", on);
      expect(total).toBe(151);
      expect(rows).toHaveLength(151);
      const got = new Map(
        rows.map((r) => [
          r.ref,
          {
            displayState: r.displayState,
            endsOn: r.endsOn,
            nextRenewalOn: r.nextRenewalOn,
            channel: r.channel,
            customerName: r.customerName,
          },
        ]),
      );
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    },
  );
});

describe("pages, count and sort", () => {
  it("50 rows a page over 135 of a reseller's licences, the count of the whole filter", async () => {
    const first = await page(reseller(ids.r1));
    expect(first.total).toBe(135);
    expect(first.rows).toHaveLength(PAGE_SIZE);
    expect((await page(reseller(ids.r1), {}, "page=2")).rows).toHaveLength(PAGE_SIZE);
    const last = await page(reseller(ids.r1), {}, "page=3");
    expect(last.rows).toHaveLength(35);
    // A page past the end shows the last one.
    expect(await page(reseller(ids.r1), {}, "page=9")).toMatchObject({ page: 3 });
    const { rows } = await allPages(reseller(ids.r1));
    expect(new Set(rows.map((r) => r.ref)).size).toBe(135);
  });

  it("by customer (the default), each main licence with its add-ons right under it", async () => {
    const { rows } = await allPages(reseller(ids.r1));
    // 小口工業 sorts before 大口商事 by name? The database's order of the names, either way grouped.
    const names = rows.map((r) => r.customerName);
    expect(names.indexOf("大口商事")).toBe(names.lastIndexOf("大口商事") - 119);
    for (const [i, r] of rows.entries())
      if (r.mainRef !== null) {
        const above = rows.slice(0, i).reverse();
        const main = above.findIndex((a) => a.ref === r.mainRef);
        // Between the main and its add-on only other add-ons of the same family.
        expect(main).toBeGreaterThanOrEqual(0);
        expect(above.slice(0, main).every((a) => a.mainRef !== null)).toBe(true);
      }
    expect(rows.filter((r) => r.mainRef !== null).length).toBeGreaterThan(20);
  });

  it("by product, last day and next renewal, either way, over every page", async () => {
    const products = (await allPages(provider, {}, "sort=product&dir=desc")).rows.map(
      (r) => r.product,
    );
    expect(products).toEqual([...products].sort().reverse());
    expect(products[0]).toBe("製品Z");
    for (const [sort, key] of [
      ["ends", "endsOn"],
      ["next", "nextRenewalOn"],
    ] as const)
      for (const dir of ["asc", "desc"] as const) {
        const { rows } = await allPages(provider, {}, `sort=${sort}&dir=${dir}`);
        const dates = rows.map((r) => r[key]);
        const filled = dates.filter((d) => d !== null);
        // Empty cells last whichever way.
        expect(dates.slice(0, filled.length)).toEqual(filled);
        const sorted = [...filled].sort();
        expect(filled).toEqual(dir === "asc" ? sorted : sorted.reverse());
        expect(filled.length).toBeGreaterThan(10);
      }
  });
});

describe("filters", () => {
  it("each displayed state: the count is the rows of that state, on every page", async () => {
    const expected = await expectedRows(reseller(ids.r1), TODAY);
    const states: DisplayState[] = [
      "active",
      "stop_requested",
      "stopped_running",
      "cancelled_running",
      "isp_cancel_pending",
      "ended",
    ];
    let sum = 0;
    for (const state of states) {
      const want = [...expected].filter(([, v]) => v.displayState === state).map(([ref]) => ref);
      const { rows, total } = await allPages(reseller(ids.r1), { state });
      expect({ state, total }).toEqual({ state, total: want.length });
      // The data reaches every state the list can show, so each branch of the SQL is compared.
      expect(total).toBeGreaterThan(0);
      expect(rows.map((r) => r.ref).sort()).toEqual(want.sort());
      sum += total;
    }
    expect(sum).toBe(135);
  });

  it("販売経路 and the search (licence number, product, customer name)", async () => {
    const isp = await allPages(reseller(ids.r1), { channel: "isp" });
    expect(isp.total).toBe(24 + 3);
    expect(isp.rows.every((r) => r.channel === "isp")).toBe(true);
    const combined = await page(reseller(ids.r1), { channel: "isp", state: "isp_cancel_pending" });
    expect(combined.rows.every((r) => r.displayState === "isp_cancel_pending")).toBe(true);
    expect(combined.total).toBeGreaterThan(0);
    expect((await page(reseller(ids.r1), { search: "SML-000" })).total).toBe(10);
    expect((await page(reseller(ids.r1), { search: "小口" })).total).toBe(15);
    expect((await page(reseller(ids.r1), { search: "製品A" })).rows.map((r) => r.product)).toEqual(
      Array(6).fill("製品A"),
    );
  });
});

describe("tenancy stays in the where", () => {
  it("a reseller sees its customers' licences, a customer its own, a foreign filter nothing", async () => {
    const refsOf = async (tenant: Tenant, filter: LicenseFilter = {}) =>
      (await allPages(tenant, filter)).rows.map((r) => r.ref.slice(0, 3));
    expect(new Set(await refsOf(reseller(ids.r1)))).toEqual(new Set(["BIG", "SML"]));
    expect(await refsOf(reseller(ids.r2))).toEqual(Array(12).fill("OTH"));
    expect(await refsOf(customer(ids.small))).toEqual(Array(15).fill("SML"));
    expect(await refsOf(customer(ids.direct))).toEqual(Array(4).fill("DIR"));
    expect((await allPages(provider)).total).toBe(151);
    // Another tenant's customer or licence named in the search finds nothing.
    expect((await page(reseller(ids.r2), { search: "大口" })).total).toBe(0);
    expect((await page(customer(ids.small), { search: "BIG-0001" })).total).toBe(0);
    expect((await page(customer(ids.direct), { search: "他社" })).rows).toEqual([]);
  });
});
