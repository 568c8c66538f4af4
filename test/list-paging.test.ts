// Issue 17 item 2 (the lists still unpaged) and item 10 (the home cards' lists): the 電子帳簿 archive,
// the licence refunds and the review queue page on the server with the count and the sums taken
// over the whole filter in SQL, sorted as asked, the filters kept; the endpoint-seat and gateway
// cards of the home page lead to a contract list whose total is the card's figure. Each test builds
// its own rows, more than one page of them.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PAGE_SIZE } from "../app/lib/paging";
import { homeFigures } from "../app/home/home.server";
import { loader as archivePage } from "../app/routes/_console.archive";
import { loader as contractsPage } from "../app/routes/_console.contracts._index";
import { loader as dispatchPage } from "../app/routes/_console.dispatch";
import { loader as refundsPage } from "../app/routes/_console.licenses.refunds";
import { loader as reviewsPage } from "../app/routes/_console.reviews";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { BASE, getAs, signInAll } from "./support/route-calls";
import { instant, instantOf, isoDate } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
let sessions: Record<string, string>;

beforeEach(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
  sessions = await signInAll([
    "finance@demo.example",
    "operator@demo.example",
    "reseller@demo.example",
    "reseller2@demo.example",
    "customer@demo.example",
  ]);
});
afterEach(() => t.dispose());

// The loaders return plain objects here (no data() wrapper).
async function load<T>(
  loader: (args: LoaderFunctionArgs) => Promise<T>,
  path: string,
  as: string,
): Promise<T> {
  return loader({ request: getAs(sessions, path, as), params: {}, context: {} });
}

describe("電子帳簿の検索", () => {
  async function archive(count: number) {
    const rows = Array.from({ length: count }, (_, i) => ({
      kind: "invoice" as const,
      document_id: 100_000 + i,
      document_number: `INV-T${String(i).padStart(5, "0")}`,
      issue_date: isoDate(`2026-10-${String((i % 28) + 1).padStart(2, "0")}`),
      counterparty: i % 3 === 0 ? "株式会社テスト商事" : "有限会社サンプル",
      amount_yen: toYen(1000 + i),
      file_name: `t${i}.pdf`,
      pdf: Buffer.from(`pdf ${i}`),
      sha256: "0".repeat(64),
      stored_at: instant("2026-11-01T00:00:00.000Z"),
    }));
    await t.db
      .deleteFrom("document_archive")
      .execute()
      .catch(() => undefined);
    await t.db.insertInto("document_archive").values(rows).execute();
    return rows;
  }

  it("shows every document of the search a page at a time, with the count and sum of all", async () => {
    const before = await t.db
      .selectFrom("document_archive")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("amount_yen").as("s")])
      .executeTakeFirstOrThrow();
    const rows = await archive(130);
    const n = Number(before.n) + rows.length;
    const sum = Number(before.s ?? 0) + rows.reduce((a, r) => a + r.amount_yen, 0);

    const first = await load(archivePage, "/archive", "finance@demo.example");
    expect(first.totals).toEqual({ count: n, amountYen: sum });
    expect(first.page).toMatchObject({ page: 1, total: n, size: PAGE_SIZE });
    expect(first.documents).toHaveLength(PAGE_SIZE);

    // Every page once, no overlap: the ids of all pages are the whole search.
    const seen = new Set<number>();
    for (let p = 1; p <= Math.ceil(n / PAGE_SIZE); p++) {
      const page = await load(archivePage, `/archive?page=${p}`, "finance@demo.example");
      for (const d of page.documents) seen.add(d.id);
    }
    expect(seen.size).toBe(n);

    // A filter's count and sum are of the whole filter, not of its first page; the sort is kept.
    const mine = rows.filter((r) => r.counterparty === "株式会社テスト商事");
    const filtered = await load(
      archivePage,
      `/archive?q=${encodeURIComponent("テスト商事")}&sort=amount&dir=desc&page=2`,
      "finance@demo.example",
    );
    expect(filtered.totals).toEqual({
      count: mine.length,
      amountYen: mine.reduce((a, r) => a + r.amount_yen, 0),
    });
    expect(filtered.page).toMatchObject({ page: 1, sort: "amount", dir: "desc" });
    expect(filtered.documents.map((d) => d.amountYen)).toEqual(
      mine.map((r) => r.amount_yen).sort((a, b) => b - a),
    );
  });

  it("is the provider's finance's only", async () => {
    const denied = await load(archivePage, "/archive", "reseller@demo.example").catch(
      (e: unknown) => e,
    );
    expect(denied).toBeInstanceOf(Response);
    expect((denied as Response).status).toBe(403);
  });
});

describe("ライセンスの返金", () => {
  it("pages the refunds with the count and sum of the whole filter", async () => {
    // One refund per licence: 120 licences copied from a demo one, 110 of R1's customer, 10 of another.
    const model = await t.db
      .selectFrom("licenses")
      .selectAll()
      .where("main_license_id", "is", null)
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const { id: _id, ...copy } = model;
    const customers = await t.db.selectFrom("customers").select("id").orderBy("id").execute();
    const licenses = await t.db
      .insertInto("licenses")
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          ...copy,
          ref: `T-LIC-${i}`,
          customer_id: customers[i < 110 ? 0 : 1].id,
        })),
      )
      .returning("id")
      .execute();
    await t.db.deleteFrom("refunds").execute();
    const made = Array.from({ length: 120 }, (_, i) => ({
      license_id: licenses[i].id,
      amount_yen: toYen(100 + i),
      rule: "L-3 cooling_off",
      state: i % 2 === 0 ? ("requested" as const) : ("approved" as const),
      reason: null,
      requested_at: instantOf(new Date(Date.UTC(2026, 9, 1, 0, i))),
      requested_by: null,
      decided_at: null,
      decided_by: null,
      paid_at: null,
      paid_by: null,
      uninstall_acknowledged: 1,
    }));
    await t.db.insertInto("refunds").values(made).execute();

    const all = await load(refundsPage, "/licenses/refunds", "finance@demo.example");
    expect(all.totals).toEqual({
      count: 120,
      amountYen: made.reduce((a, r) => a + r.amount_yen, 0),
    });
    expect(all.refunds).toHaveLength(PAGE_SIZE);
    // Newest request first by default; one form token per refund of the page only.
    expect(all.refunds[0].amountYen).toBe(219);
    expect(Object.keys(all.formTokens)).toHaveLength(PAGE_SIZE);

    const requested = made.filter((r) => r.state === "requested");
    const last = await load(
      refundsPage,
      "/licenses/refunds?state=requested&sort=amount&dir=asc&page=2",
      "finance@demo.example",
    );
    expect(last.totals).toEqual({
      count: requested.length,
      amountYen: requested.reduce((a, r) => a + r.amount_yen, 0),
    });
    expect(last.page).toMatchObject({ page: 2, total: 60, sort: "amount", dir: "asc" });
    expect(last.refunds.map((r) => r.amountYen)).toEqual(
      requested.map((r) => r.amount_yen).slice(PAGE_SIZE),
    );
    expect(last.refunds.every((r) => r.state === "requested")).toBe(true);
  });
});

describe("審査待ち", () => {
  it("pages the queue oldest first and counts every waiting request", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const before = await load(reviewsPage, "/reviews", "operator@demo.example");
    await t.db
      .insertInto("contract_changes")
      .values(
        Array.from({ length: 75 }, (_, i) => ({
          contract_id: contract.id,
          kind: "plan",
          payload: "{}",
          effective_date: isoDate("2026-12-01"),
          status: "requested" as const,
          reason: null,
          requested_by: "customer@demo.example",
          requested_at: instantOf(new Date(Date.UTC(2020, 0, 1, 0, i))),
          decided_by: null,
          decided_at: null,
        })),
      )
      .execute();
    const total = before.page.total + 75;
    const first = await load(reviewsPage, "/reviews", "operator@demo.example");
    expect(first.page).toMatchObject({ page: 1, total });
    expect(first.reviews).toHaveLength(PAGE_SIZE);
    expect(first.reviews[0].requestedAt).toBe("2020-01-01T00:00:00.000Z");
    const second = await load(reviewsPage, "/reviews?page=2", "operator@demo.example");
    expect(second.reviews).toHaveLength(Math.min(PAGE_SIZE, total - PAGE_SIZE));
    expect(second.reviews[0].requestedAt).toBe("2020-01-01T00:50:00.000Z");
    const times = [...first.reviews, ...second.reviews].map((r) => r.requestedAt);
    expect(times).toEqual([...times].sort());
  });
});

describe("ゲートウェイ故障の受付", () => {
  it("pages every failure of the tenant, newest first (it stopped at 20)", async () => {
    const contracts = await t.db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .innerJoin("resellers", "resellers.id", "customers.reseller_id")
      .select(["contracts.id", "resellers.ref"])
      .orderBy("contracts.id")
      .execute();
    const r1 = contracts.find((c) => c.ref === "R1")!;
    const r2 = contracts.find((c) => c.ref === "R2")!;
    const before = await load(dispatchPage, "/dispatch", "operator@demo.example");
    await t.db
      .insertInto("gateway_failures")
      .values(
        Array.from({ length: 70 }, (_, i) => ({
          contract_id: (i < 60 ? r1 : r2).id,
          reported_at: instantOf(new Date(Date.UTC(2026, 10, 1, 0, i))),
          earliest_dispatch_at: instantOf(new Date(Date.UTC(2026, 10, 2, 0, i))),
          customer_fault: 0,
          notes: `e2e ${i}`,
          recorded_by: "operator@demo.example",
          created_at: instantOf(new Date(Date.UTC(2026, 10, 1, 0, i))),
        })),
      )
      .execute();
    const all = await load(dispatchPage, "/dispatch?page=2", "operator@demo.example");
    expect(all.page).toMatchObject({ page: 2, total: before.page.total + 70 });
    const first = await load(dispatchPage, "/dispatch", "operator@demo.example");
    expect(first.recent).toHaveLength(PAGE_SIZE);
    const times = [...first.recent, ...all.recent].map((r) => r.reported_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(new Set([...first.recent, ...all.recent].map((r) => r.id)).size).toBe(
      first.recent.length + all.recent.length,
    );
  });
});

describe("home cards' lists (issue 17 item 10)", () => {
  for (const as of ["operator@demo.example", "reseller@demo.example", "customer@demo.example"]) {
    it(`the endpoint-seat and gateway figures of ${as} are the totals of their contract lists`, async () => {
      const user = await t.db
        .selectFrom("users")
        .select(["customer_id", "reseller_id"])
        .where("email", "=", as)
        .executeTakeFirstOrThrow();
      const tenant =
        user.customer_id !== null
          ? ({ kind: "customer", customerId: user.customer_id } as const)
          : user.reseller_id !== null
            ? ({ kind: "reseller", resellerId: user.reseller_id } as const)
            : ({ kind: "provider" } as const);
      const figures = await homeFigures(t.db, tenant, new Date());
      const endpoint = await load(contractsPage, "/contracts?item=endpoint", as);
      const gateway = await load(contractsPage, "/contracts?item=gateway", as);
      expect(endpoint.units).toBe(figures.endpointSeats.rental + figures.endpointSeats.purchased);
      expect(gateway.units).toBe(Object.values(figures.gatewaysByModel).reduce((a, b) => a + b, 0));
      expect(endpoint.item).toBe("endpoint");
      expect(endpoint.contracts.every((c) => c.status !== "terminated")).toBe(true);
      // Nothing of another tenant: every listed contract is in the viewer's full list.
      const everything = await load(contractsPage, "/contracts?page=1", as);
      expect(endpoint.page.total).toBeLessThanOrEqual(everything.page.total);
    });
  }
});
