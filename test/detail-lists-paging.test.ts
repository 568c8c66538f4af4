// Issue 17 item 2 on the pages that still read every row: the notice page, the customer page (its
// contracts and its invoices, paged apart, with 請求額の合計 and 未払い of all the customer's
// invoices), the contract page (its devices) and the visit page (its bookings). Each test builds
// more rows than a page through direct inserts and the factories, and checks the pages against
// SQL over all of them; a foreign customer or contract is still a 404.
import type { LoaderFunctionArgs } from "@remix-run/node";
import type { Area } from "../db/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loader as contractPage } from "../app/routes/_console.contracts.$contractId";
import { loader as visitsPage } from "../app/routes/_console.contracts.$contractId_.visits";
import { loader as customerPage } from "../app/routes/_console.customers.$customerId";
import { loader as noticesPage } from "../app/routes/_console.notices";
import { instant, isoDate, yearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { createContract, createCustomer } from "./support/factories";
import { BASE, getAs, signInAll } from "./support/route-calls";
import { responseOf } from "./support/request";

let t: TestDatabase;
let sessions: Record<string, string>;

beforeEach(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true, events: false });
  sessions = await signInAll([
    "operator@demo.example",
    "reseller@demo.example",
    "reseller2@demo.example",
    "customer2@demo.example",
  ]);
});
afterEach(() => t.dispose());

// The loaders return plain objects here (no data() wrapper).
async function load<T>(
  loader: (args: LoaderFunctionArgs) => Promise<T>,
  path: string,
  as: string,
  params: Record<string, string> = {},
): Promise<T> {
  return loader({ request: getAs(sessions, path, as), params, context: {} });
}

async function statusOf(
  loader: (args: LoaderFunctionArgs) => Promise<unknown>,
  path: string,
  as: string,
  params: Record<string, string>,
) {
  const answer: unknown = await responseOf(() => load(loader, path, as, params));
  return answer instanceof Response ? answer.status : 200;
}

const r1 = async () =>
  (
    await t.db
      .selectFrom("resellers")
      .select("id")
      .where("ref", "=", "R1")
      .executeTakeFirstOrThrow()
  ).id;

/** A customer of R1 with `contracts` contracts, the first `invoices` of them with an invoice each. */
async function customerWithInvoices(contracts: number, invoices: number) {
  const { customerId } = await createCustomer(t.db, { reseller_id: await r1() });
  const ids: number[] = [];
  for (let i = 0; i < contracts; i++)
    ids.push(
      (
        await createContract(t.db, {
          customerId,
          ref: `TP-${String(i).padStart(3, "0")}`,
          serviceStart: `2025-${String((i % 12) + 1).padStart(2, "0")}-01`,
        })
      ).contractId,
    );
  const rows = Array.from({ length: invoices }, (_, i) => ({
    seq: 800_000 + i,
    invoice_number: `INV-P${String(i).padStart(4, "0")}`,
    contract_id: ids[i],
    billing_month: yearMonth("2026-09"),
    issue_date: isoDate("2026-10-01"),
    due_date: isoDate(i % 2 === 0 ? "2026-10-31" : "2026-12-31"),
    taxable_10_yen: toYen(0),
    tax_10_yen: toYen(0),
    non_taxable_yen: toYen(0),
    interest_yen: toYen(0),
    total_yen: toYen(10_000 + i * 37),
    line_count: 1,
    recipient_name: "ページ顧客",
    recipient_address: "東京都",
    issued_at: instant("2026-10-01T00:00:00.000Z"),
  }));
  await t.db.insertInto("invoices").values(rows).execute();
  // Every third invoice paid in full, every third partly (3,000円), the rest not at all.
  const payments = rows.flatMap((r, i) =>
    i % 3 === 2
      ? []
      : [
          {
            contract_id: r.contract_id,
            billing_month: r.billing_month,
            paid_on: isoDate("2026-10-20"),
            amount_yen: i % 3 === 0 ? null : toYen(3000),
            recorded_by: "test",
            created_at: instant("2026-10-20T00:00:00.000Z"),
          },
        ],
  );
  await t.db.insertInto("payments").values(payments).execute();
  const unpaidYen = rows.reduce(
    (sum, r, i) => sum + (i % 3 === 0 ? 0 : i % 3 === 1 ? r.total_yen - 3000 : r.total_yen),
    0,
  );
  return { customerId, contractIds: ids, unpaidYen };
}

describe("the customer page's two lists", () => {
  it("pages the contracts and the invoices apart, with the sums of all the invoices", async () => {
    const { customerId, unpaidYen } = await customerWithInvoices(45, 30);
    const sums = await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .where("contracts.customer_id", "=", customerId)
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("total_yen").as("s")])
      .executeTakeFirstOrThrow();
    expect(Number(sums.n)).toBe(30);
    const path = (q = "") => `/customers/${customerId}${q}`;
    const params = { customerId: String(customerId) };

    const first = await load(customerPage, path(), "reseller@demo.example", params);
    expect(first.contracts.map((c) => c.ref)).toEqual(
      Array.from({ length: 20 }, (_, i) => `TP-${String(i).padStart(3, "0")}`),
    );
    expect(first.contractsPage).toMatchObject({ page: 1, size: 20, total: 45 });
    expect(first.invoices).toHaveLength(24);
    expect(first.invoicesPage).toMatchObject({ page: 1, size: 24, total: 30 });
    // Newest number first, and the sums are of all 30 invoices, not of the 24 shown.
    expect(first.invoices[0].invoice_number).toBe("INV-P0029");
    expect(first.invoiceTotals).toEqual({
      count: 30,
      totalYen: Number(sums.s),
      unpaidYen,
    });
    expect(unpaidYen).toBeLessThan(Number(sums.s));

    // The invoices' second page does not move the contracts, and the other way round.
    const invoices2 = await load(
      customerPage,
      path("?invoicesPage=2"),
      "reseller@demo.example",
      params,
    );
    expect(invoices2.invoices.map((i) => i.invoice_number)).toEqual([
      "INV-P0005",
      "INV-P0004",
      "INV-P0003",
      "INV-P0002",
      "INV-P0001",
      "INV-P0000",
    ]);
    expect(invoices2.contractsPage.page).toBe(1);
    expect(invoices2.contracts[0].ref).toBe("TP-000");
    expect(invoices2.invoiceTotals).toEqual(first.invoiceTotals);
    const contracts3 = await load(
      customerPage,
      path("?contractsPage=3&invoicesPage=2"),
      "reseller@demo.example",
      params,
    );
    expect(contracts3.contracts.map((c) => c.ref)).toEqual(
      Array.from({ length: 5 }, (_, i) => `TP-0${40 + i}`),
    );
    expect(contracts3.invoicesPage.page).toBe(2);

    // Each list sorts by its own columns: the invoices by amount, the contracts stay by number.
    const byAmount = await load(
      customerPage,
      path("?invoicesSort=total&invoicesDir=asc&sort=start"),
      "reseller@demo.example",
      params,
    );
    expect(byAmount.invoices.map((i) => i.total_yen).slice(0, 3)).toEqual([10_000, 10_037, 10_074]);
    expect(byAmount.contractsPage.sort).toBe("ref");
    const byStart = await load(
      customerPage,
      path("?contractsSort=start&contractsDir=desc"),
      "reseller@demo.example",
      params,
    );
    // Contracts 11, 23 and 35 start in December, then 10, 22, 34 and 44 in November.
    expect(byStart.contracts.slice(0, 4).map((c) => [c.ref, c.service_start])).toEqual([
      ["TP-035", "2025-12-01"],
      ["TP-023", "2025-12-01"],
      ["TP-011", "2025-12-01"],
      ["TP-034", "2025-11-01"],
    ]);
    expect(byStart.invoicesPage.sort).toBe("number");
  });

  it("is a 404 for another reseller's customer, as before", async () => {
    const { customerId } = await customerWithInvoices(1, 1);
    const params = { customerId: String(customerId) };
    expect(
      await statusOf(customerPage, `/customers/${customerId}`, "reseller2@demo.example", params),
    ).toBe(404);
    expect(
      await statusOf(
        customerPage,
        `/customers/${customerId}?invoicesPage=2`,
        "reseller@demo.example",
        params,
      ),
    ).toBe(200);
  });
});

describe("the contract page's devices and the visit page's bookings", () => {
  async function contractWith(devices: number, bookings: number) {
    const { customerId } = await createCustomer(t.db, { reseller_id: await r1() });
    const { contractId } = await createContract(t.db, { customerId });
    if (devices > 0)
      await t.db
        .insertInto("devices")
        .values(
          Array.from({ length: devices }, (_, i) => ({
            contract_id: contractId,
            name: `PC-${String(i).padStart(3, "0")}`,
            device_type: "pc" as const,
            os: "Windows 11",
            ip: `10.0.${Math.floor(i / 200)}.${i % 200}`,
            location: "本社",
            agent_version: null,
            pattern_version: null,
            last_seen_at: instant(new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString()),
          })),
        )
        .execute();
    if (bookings > 0)
      await t.db
        .insertInto("visit_bookings")
        .values(
          Array.from({ length: bookings }, (_, i) => ({
            contract_id: contractId,
            visit_date: isoDate(
              `2026-${String(Math.floor(i / 28) + 1).padStart(2, "0")}-${String((i % 28) + 1).padStart(2, "0")}`,
            ),
            start_time: "10:00",
            lines: "[]",
            with_line_application: 0,
            backup_available: 0,
            estimate_yen: toYen(5000 + i),
            status: "cancelled" as const,
            visit_id: null,
            created_by: "test",
            created_at: instant("2026-01-01T00:00:00.000Z"),
          })),
        )
        .execute();
    return contractId;
  }

  it("pages 60 devices 25 at a time, counted over all, sortable by last contact", async () => {
    const contractId = await contractWith(60, 0);
    const params = { contractId: String(contractId) };
    const path = (q = "") => `/contracts/${contractId}${q}`;
    const first = await load(contractPage, path(), "operator@demo.example", params);
    expect(first.devicesPage).toMatchObject({ page: 1, size: 25, total: 60 });
    expect(first.devices.map((d) => d.name).slice(0, 2)).toEqual(["PC-000", "PC-001"]);
    const last = await load(contractPage, path("?devicesPage=3"), "operator@demo.example", params);
    expect(last.devices.map((d) => d.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `PC-0${50 + i}`),
    );
    // The contract's items are not a paged list: they are all there on every page.
    expect(last.items).toEqual(first.items);
    const recent = await load(
      contractPage,
      path("?devicesSort=seen&devicesDir=desc"),
      "operator@demo.example",
      params,
    );
    expect(recent.devices[0].name).toBe("PC-059");
    expect(recent.devices).toHaveLength(25);
    expect(await statusOf(contractPage, path(), "reseller2@demo.example", params)).toBe(404);
    expect(await statusOf(contractPage, path(), "customer2@demo.example", params)).toBe(404);
  });

  it("pages 45 bookings 20 at a time, newest first, and still 404s a foreign contract", async () => {
    const contractId = await contractWith(0, 45);
    const params = { contractId: String(contractId) };
    const path = (q = "") => `/contracts/${contractId}/visits${q}`;
    const first = await load(visitsPage, path(), "operator@demo.example", params);
    expect(first.page).toMatchObject({ page: 1, size: 20, total: 45 });
    expect(first.bookings).toHaveLength(20);
    expect(first.bookings[0].estimate_yen).toBe(5044);
    const third = await load(visitsPage, path("?page=3"), "operator@demo.example", params);
    expect(third.bookings.map((b) => b.estimate_yen)).toEqual([5004, 5003, 5002, 5001, 5000]);
    const oldest = await load(visitsPage, path("?dir=asc"), "operator@demo.example", params);
    expect(oldest.bookings[0].visit_date).toBe("2026-01-01");
    expect(await statusOf(visitsPage, path(), "reseller2@demo.example", params)).toBe(404);
  });
});

describe("the notice page", () => {
  async function publish(count: number, area: "all" | "east" | "west", from: number) {
    await t.db
      .insertInto("service_notices")
      .values(
        Array.from({ length: count }, (_, i) => ({
          reason: "maintenance" as const,
          area,
          title: `保守 ${area} ${String(from + i).padStart(3, "0")}`,
          body: "定期保守です。",
          starts_at: instant(new Date(Date.UTC(2026, 11, 1, 0, from + i)).toISOString()),
          ends_at: null,
          published_at: instant(new Date(Date.UTC(2026, 10, 1, 0, from + i)).toISOString()),
          published_by: "operator@demo.example",
          withdrawn_at: null,
        })),
      )
      .execute();
  }

  it("pages 60 notices 20 at a time, counted in SQL, each tenant only its areas'", async () => {
    await publish(50, "all", 0);
    await publish(10, "west", 50);
    await publish(10, "east", 60);
    // Ended notices stay listed 30 days before the tests' now (2026-11-22 10:00 JST).
    const concerning = async (areas: Area[] | null) => {
      let q = t.db
        .selectFrom("service_notices")
        .where("withdrawn_at", "is", null)
        .where((eb) =>
          eb.or([
            eb("ends_at", "is", null),
            eb("ends_at", ">=", instant("2026-10-23T01:00:00.000Z")),
          ]),
        );
      if (areas) q = q.where("area", "in", ["all", ...areas]);
      return Number(
        (await q.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
      );
    };
    const c5Areas = (
      await t.db
        .selectFrom("contracts")
        .innerJoin("customers", "customers.id", "contracts.customer_id")
        .select("contracts.area")
        .distinct()
        .where("customers.ref", "=", "C5")
        .where("contracts.status", "<>", "terminated")
        .execute()
    ).map((r) => r.area);
    expect(c5Areas).toEqual(["east"]);

    const operator = await load(noticesPage, "/notices", "operator@demo.example");
    const all = await concerning(null);
    expect(all).toBe(71); // the 70 above and the demo's west maintenance
    expect(operator.page).toMatchObject({ page: 1, size: 20, total: all });
    expect(operator.notices).toHaveLength(20);
    const last = await load(noticesPage, "/notices?page=4", "operator@demo.example");
    expect(last.notices).toHaveLength(11);
    // Soonest start first over the pages: the demo's 12-02 maintenance comes after 12-01's.
    expect(last.notices.at(-1)!.title).toBe("西日本エリア ゲートウェイ管理サーバーの定期保守");

    const customer = await load(noticesPage, "/notices?page=3", "customer2@demo.example");
    expect(customer.page.total).toBe(await concerning(c5Areas));
    expect(customer.page.total).toBe(60);
    expect(customer.notices.map((n) => n.area).filter((a) => a === "west")).toEqual([]);
    expect(customer.notices.at(-1)!.title).toBe("保守 east 069");

    const newest = await load(noticesPage, "/notices?sort=published", "customer2@demo.example");
    expect(newest.page.dir).toBe("desc");
    expect(newest.notices[0].title).toBe("保守 east 069");
  });
});
