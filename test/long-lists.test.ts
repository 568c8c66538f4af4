// Issue 17 item 2: the long lists page on the server and their count and totals cover the whole
// filter, not a capped page of it; the CSV exports the whole filter. The expected figures are
// computed here in JavaScript from the rows inserted, not with the app's queries.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login } from "../app/auth/session.server";
import { loader as applicationList } from "../app/routes/_console.applications._index";
import { loader as auditList } from "../app/routes/_console.audit";
import { loader as contractList } from "../app/routes/_console.contracts._index";
import { loader as customerList } from "../app/routes/_console.customers._index";
import { loader as incidentList } from "../app/routes/_console.incidents._index";
import { loader as invoiceList } from "../app/routes/_console.invoices._index";
import { loader as callList } from "../app/routes/_console.calls";
import { loader as bankCredits } from "../app/routes/_console.bank-credits";
import { loader as outageList } from "../app/routes/_console.outages";
import { loader as reportList } from "../app/routes/_console.reports._index";
import { loader as invoiceCsv } from "../app/routes/_console.invoices_.csv";
import { DEMO_PASSWORD } from "../db/demo/seed";
import { createIncident } from "./support/factories";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { clientRequest } from "./support/request";
import { instant, instantOf, isoDate, yearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

const BASE = "http://127.0.0.1:3000";
let t: TestDatabase;
const sessions: Record<string, string> = {};

interface Inv {
  id: number;
  seq: number;
  invoice_number: string;
  total_yen: number;
  issue_date: string;
  reseller_id: number | null;
  customer_name: string;
  customer_id: number;
}
let all: Inv[] = [];
let resellerIds: Record<string, number> = {};

/** 600 more invoices than the demo data has, over every contract: more than one page and more than the old cap of 500. */
async function insertInvoices(n: number) {
  const contracts = await t.db.selectFrom("contracts").select("id").orderBy("id").execute();
  const maxSeq =
    (
      await t.db
        .selectFrom("invoices")
        .select((eb) => eb.fn.max("seq").as("m"))
        .executeTakeFirst()
    )?.m ?? 0;
  const rows = Array.from({ length: n }, (_, i) => {
    const contract = contracts[i % contracts.length];
    const month = 1990 * 12 + Math.floor(i / contracts.length); // distinct (contract, month) pairs, long before the demo data
    const ym = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, "0")}`;
    // Amounts repeat (i % 97), so sorting by amount needs the id to break ties.
    const total = 1000 + ((i * 7919) % 97) * 113;
    return {
      seq: Number(maxSeq) + 1 + i,
      invoice_number: `INV-T${String(i).padStart(5, "0")}`,
      contract_id: contract.id,
      billing_month: yearMonth(ym),
      issue_date: isoDate(`${ym}-01`),
      due_date: isoDate(`${ym}-25`),
      taxable_10_yen: toYen(total),
      tax_10_yen: toYen(0),
      non_taxable_yen: toYen(0),
      interest_yen: toYen(0),
      total_yen: toYen(total),
      line_count: 0,
      recipient_name: "x",
      recipient_address: "x",
      issued_at: instant(`${ym}-01T00:00:00.000Z`),
    };
  });
  for (let i = 0; i < rows.length; i += 200)
    await t.db
      .insertInto("invoices")
      .values(rows.slice(i, i + 200))
      .execute();
}

beforeAll(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
  await insertInvoices(600);
  all = await t.db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "invoices.id",
      "invoices.seq",
      "invoices.invoice_number",
      "invoices.total_yen",
      "invoices.issue_date",
      "customers.reseller_id",
      "customers.name as customer_name",
      "customers.id as customer_id",
    ])
    .execute();
  resellerIds = Object.fromEntries(
    (await t.db.selectFrom("resellers").select(["id", "ref"]).execute()).map((r) => [r.ref, r.id]),
  );
  for (const email of [
    "finance@demo.example",
    "reseller@demo.example",
    "customer@demo.example",
    "operator@demo.example",
    "admin@demo.example",
  ]) {
    const result = await login(email, DEMO_PASSWORD, clientRequest("10.0.0.9"));
    if (result.ok !== true) throw new Error(`login ${email}`);
    sessions[email] = result.value.headers.getSetCookie()[0].split(";")[0];
  }
}, 60_000);
afterAll(() => t.dispose());

const get = (path: string, as: string) =>
  new Request(`${BASE}${path}`, { headers: { Cookie: sessions[as] } });
const listPage = async (query: string, as = "finance@demo.example") =>
  (await invoiceList({
    request: get(`/invoices${query}`, as),
    params: {},
    context: {},
  })) as Awaited<ReturnType<typeof invoiceList>>;
const sum = (rows: Inv[]) => rows.reduce((a, r) => a + r.total_yen, 0);
const bySeqDesc = (a: Inv, b: Inv) => b.seq - a.seq;

async function csvOf(query: string, as = "finance@demo.example") {
  const response = (await invoiceCsv({
    request: get(`/invoices/csv${query}`, as),
    params: {},
    context: {},
  })) as Response;
  expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
  const text = await response.text();
  const lines = text
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n");
  return { header: lines[0].split(","), rows: lines.slice(1) };
}

describe("invoice list paging (issue 17 item 2)", () => {
  it("counts and totals the whole list in SQL, not the page, and shows 50 rows a page", async () => {
    expect(all.length).toBeGreaterThan(600);
    const page = await listPage("");
    expect(page.totals).toEqual({ count: all.length, totalYen: sum(all) });
    expect(page.invoices).toHaveLength(50);
    expect(page.page).toMatchObject({
      page: 1,
      size: 50,
      total: all.length,
      sort: "number",
      dir: "desc",
    });
    expect(page.invoices.map((i) => i.invoice_number)).toEqual(
      [...all]
        .sort(bySeqDesc)
        .slice(0, 50)
        .map((i) => i.invoice_number),
    );
  });

  it("page 2 holds rows 51–100 in the same order, and the last page the remainder", async () => {
    const sorted = [...all].sort(bySeqDesc);
    expect((await listPage("?page=2")).invoices.map((i) => i.id)).toEqual(
      sorted.slice(50, 100).map((i) => i.id),
    );
    const lastNumber = Math.ceil(all.length / 50);
    const last = await listPage(`?page=${lastNumber}`);
    expect(last.invoices.map((i) => i.id)).toEqual(
      sorted.slice((lastNumber - 1) * 50).map((i) => i.id),
    );
    // A page past the end (an old bookmark) shows the last page; a malformed one the first.
    expect((await listPage("?page=9999")).page.page).toBe(lastNumber);
    expect((await listPage("?page=abc")).page.page).toBe(1);
  });

  it("sorts by amount with the id breaking ties, in both directions, and ignores a column not on the list", async () => {
    const asc = [...all].sort((a, b) => a.total_yen - b.total_yen || a.id - b.id);
    expect((await listPage("?sort=total&dir=asc&page=3")).invoices.map((i) => i.id)).toEqual(
      asc.slice(100, 150).map((i) => i.id),
    );
    const desc = [...all].sort((a, b) => b.total_yen - a.total_yen || b.id - a.id);
    expect((await listPage("?sort=total")).invoices.map((i) => i.id)).toEqual(
      desc.slice(0, 50).map((i) => i.id),
    );
    const injected = await listPage("?sort=recipient_address;drop&dir=sideways");
    expect(injected.page).toMatchObject({ sort: "number", dir: "desc" });
  });

  it("filters and pages together: the count, total and page 2 are those of the filter", async () => {
    const inFilter = all.filter(
      (i) => i.total_yen >= 5000 && i.total_yen <= 9000 && i.issue_date <= "1999-12-31",
    );
    expect(inFilter.length).toBeGreaterThan(100);
    const page = await listPage("?min=5000&max=9000&to=1999-12-31&sort=issued&dir=asc&page=2");
    expect(page.totals).toEqual({ count: inFilter.length, totalYen: sum(inFilter) });
    const sorted = [...inFilter].sort(
      (a, b) => a.issue_date.localeCompare(b.issue_date) || a.id - b.id,
    );
    expect(page.invoices.map((i) => i.id)).toEqual(sorted.slice(50, 100).map((i) => i.id));
    expect(page.values).toMatchObject({ min: "5000", max: "9000", to: "1999-12-31" });
  });

  it("a reseller's count and total never include another reseller's invoices", async () => {
    const own = all.filter((i) => i.reseller_id === resellerIds.R1);
    const foreign = all.filter((i) => i.reseller_id !== resellerIds.R1);
    expect(own.length).toBeGreaterThan(50);
    expect(foreign.length).toBeGreaterThan(0);
    const page = await listPage("?page=2", "reseller@demo.example");
    expect(page.totals).toEqual({ count: own.length, totalYen: sum(own) });
    const ownIds = new Set(own.map((i) => i.id));
    expect(page.invoices.every((i) => ownIds.has(i.id))).toBe(true);
    const csv = await csvOf("", "reseller@demo.example");
    expect(csv.rows).toHaveLength(own.length);
  });

  it("the CSV holds every invoice of the filter (not a page), in the list's order, with the same total", async () => {
    const csv = await csvOf("");
    expect(csv.rows).toHaveLength(all.length);
    const amount = csv.header.indexOf("請求額（税込）");
    expect(amount).toBeGreaterThan(0);
    // Customer names hold no commas in the demo data, so a plain split finds the amount column.
    expect(csv.rows.reduce((a, r) => a + Number(r.split(",")[amount]), 0)).toBe(sum(all));
    expect(csv.rows.map((r) => r.split(",")[0])).toEqual(
      [...all].sort(bySeqDesc).map((i) => i.invoice_number),
    );
    const inFilter = all.filter((i) => i.total_yen >= 5000 && i.total_yen <= 9000);
    const filtered = await csvOf("?min=5000&max=9000&page=3");
    expect(filtered.rows).toHaveLength(inFilter.length);
  });

  it("the CSV still neutralises a customer name a spreadsheet would run", async () => {
    const target = all.find((i) => i.reseller_id === resellerIds.R1)!;
    await t.db
      .updateTable("customers")
      .set({ name: '=HYPERLINK("http://evil.example")' })
      .where("id", "=", target.customer_id)
      .execute();
    try {
      const csv = await csvOf(`?q=${encodeURIComponent("=HYPERLINK")}`);
      expect(csv.rows.length).toBe(all.filter((i) => i.customer_id === target.customer_id).length);
      expect(csv.rows.every((r) => r.includes(`"'=HYPERLINK(""http://evil.example"")"`))).toBe(
        true,
      );
    } finally {
      await t.db
        .updateTable("customers")
        .set({ name: target.customer_name })
        .where("id", "=", target.customer_id)
        .execute();
    }
  });
});

// The loaders of the other long lists, called as the router calls them.
async function load<T extends (args: LoaderFunctionArgs) => unknown>(
  loader: T,
  path: string,
  as: string,
) {
  return (await loader({ request: get(path, as), params: {}, context: {} })) as Awaited<
    ReturnType<T>
  >;
}

describe("incident list paging (issue 17 item 2)", () => {
  interface Inc {
    id: number;
    opened_at: string;
    severity: string;
    reseller_id: number | null;
    contract_ref: string;
  }
  let incidents: Inc[] = [];
  beforeAll(async () => {
    const contracts = await t.db.selectFrom("contracts").select("id").orderBy("id").execute();
    const rows = Array.from({ length: 350 }, (_, i) => ({
      contract_id: contracts[i % contracts.length].id,
      kind: "cnc",
      severity: i % 3 === 0 ? "high" : "medium",
      title: `テスト ${i}`,
      // Every fifth shares its instant with the one before: the id must break the tie.
      opened_at: instantOf(
        new Date(Date.UTC(2026, 5, 1) + (i - (i % 5 === 4 ? 1 : 0)) * 3_600_000),
      ),
      acknowledged_at: null,
      resolved_at: null,
      assignee: null,
      first_event_id: `test-${i}`,
      device_name: `PC-${i % 7}`,
      updated_at: instantOf(new Date(Date.UTC(2026, 5, 1) + i * 3_600_000)),
    }));
    for (let i = 0; i < rows.length; i += 100)
      await t.db
        .insertInto("incidents")
        .values(rows.slice(i, i + 100))
        .execute();
    incidents = await t.db
      .selectFrom("incidents")
      .innerJoin("contracts", "contracts.id", "incidents.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "incidents.id",
        "incidents.opened_at",
        "incidents.severity",
        "customers.reseller_id",
        "contracts.ref as contract_ref",
      ])
      .execute();
  }, 30_000);
  const newest = (a: Inc, b: Inc) => b.opened_at.localeCompare(a.opened_at) || b.id - a.id;

  it("counts all 350+ (the list stopped at 300) and shows page 2 in order", async () => {
    expect(incidents.length).toBeGreaterThan(350);
    const page = await load(incidentList, "/incidents?page=2", "operator@demo.example");
    expect(page.page.total).toBe(incidents.length);
    expect(page.incidents.map((i) => i.id)).toEqual(
      [...incidents]
        .sort(newest)
        .slice(50, 100)
        .map((i) => i.id),
    );
    const last = await load(
      incidentList,
      `/incidents?page=${Math.ceil(incidents.length / 50)}`,
      "operator@demo.example",
    );
    expect(last.incidents.map((i) => i.id)).toEqual(
      [...incidents]
        .sort(newest)
        .slice(Math.floor((incidents.length - 1) / 50) * 50)
        .map((i) => i.id),
    );
  });

  it("filters by severity with paging and sorts by contract; a reseller counts only its own", async () => {
    const high = incidents.filter((i) => i.severity === "high");
    const page = await load(
      incidentList,
      "/incidents?severity=high&sort=contract&dir=asc&page=2",
      "operator@demo.example",
    );
    expect(page.page.total).toBe(high.length);
    const byContract = [...high].sort((a, b) =>
      a.contract_ref < b.contract_ref ? -1 : a.contract_ref > b.contract_ref ? 1 : a.id - b.id,
    );
    expect(page.incidents.map((i) => i.id)).toEqual(byContract.slice(50, 100).map((i) => i.id));
    const own = incidents.filter((i) => i.reseller_id === resellerIds.R1);
    expect(own.length).toBeLessThan(incidents.length);
    expect((await load(incidentList, "/incidents", "reseller@demo.example")).page.total).toBe(
      own.length,
    );
  });
});

describe("audit log, applications, contracts and customers page too (issue 17 item 2)", () => {
  it("the audit log counts every row of the filter and pages it (it stopped at 300)", async () => {
    const rows = Array.from({ length: 340 }, (_, i) => ({
      at: instantOf(new Date(Date.UTC(2026, 0, 1) + i * 60_000)),
      user_id: null,
      user_email: i % 2 ? "a@example.test" : "b@example.test",
      action: "payment.record",
      entity: "invoice",
      entity_id: String(i),
      summary: `テスト ${i}`,
      ip: null,
    }));
    await t.db.insertInto("audit_log").values(rows).execute();
    const all = await t.db.selectFrom("audit_log").select(["id", "action", "user_email"]).execute();
    const filtered = all
      .filter((r) => r.action === "payment.record" && r.user_email === "a@example.test")
      .sort((a, b) => b.id - a.id);
    const page = await load(
      auditList,
      "/audit?action=payment.record&email=a@example.test&page=2",
      "admin@demo.example",
    );
    expect(page.page.total).toBe(filtered.length);
    expect(page.entries.map((e) => e.id)).toEqual(filtered.slice(50, 100).map((e) => e.id));
    expect((await load(auditList, "/audit", "admin@demo.example")).page.total).toBe(all.length);
  });

  it("applications: count of the whole list and the status filter, page 2, tenant-scoped", async () => {
    const customers = await t.db
      .selectFrom("customers")
      .select(["id", "reseller_id"])
      .orderBy("id")
      .execute();
    const rows = Array.from({ length: 320 }, (_, i) => {
      const c = customers[i % customers.length];
      return {
        ref: `APP-T${String(i).padStart(5, "0")}`,
        reseller_id: c.reseller_id,
        customer_id: c.id,
        holder_name: `申込者${i}`,
        holder_address: "x",
        holder_phone: "0",
        holder_email: "x@example.test",
        line_id: `TEST${String(i).padStart(6, "0")}`,
        area: "east" as const,
        base_plan: "basic",
        endpoint_seats: 1,
        endpoint_ownership: "rental",
        gateway_model: null,
        gateway_ownership: null,
        gateway_repair24h: 0,
        wished_start: isoDate("2027-01-01"),
        consent_at: instant("2026-11-01T00:00:00.000Z"),
        consent_by: "x",
        status: (i % 4 === 0 ? "rejected" : "applied") as "rejected" | "applied",
        reason_code: null,
        reason_note: null,
        service_start: null,
        contract_id: null,
        decided_at: null,
        decided_by: null,
        created_at: instant("2026-11-01T00:00:00.000Z"),
        created_by: "x",
      };
    });
    for (let i = 0; i < rows.length; i += 100)
      await t.db
        .insertInto("applications")
        .values(rows.slice(i, i + 100))
        .execute();
    const all = await t.db
      .selectFrom("applications")
      .select(["id", "status", "reseller_id"])
      .execute();
    const page = await load(applicationList, "/applications", "operator@demo.example");
    expect(page.page.total).toBe(all.length);
    const rejected = all.filter((a) => a.status === "rejected").sort((a, b) => b.id - a.id);
    const second = await load(
      applicationList,
      "/applications?status=rejected&page=2",
      "operator@demo.example",
    );
    expect(second.page.total).toBe(rejected.length);
    expect(second.applications.map((a) => a.id)).toEqual(rejected.slice(50, 100).map((a) => a.id));
    expect((await load(applicationList, "/applications", "reseller@demo.example")).page.total).toBe(
      all.filter((a) => a.reseller_id === resellerIds.R1).length,
    );
  });

  it("contracts and customers page with their count and sort", async () => {
    const contracts = await load(
      contractList,
      "/contracts?sort=start&dir=desc",
      "operator@demo.example",
    );
    const expected = await t.db.selectFrom("contracts").select(["id", "service_start"]).execute();
    expect(contracts.page.total).toBe(expected.length);
    expect(contracts.contracts.map((c) => c.id)).toEqual(
      [...expected]
        .sort((a, b) => b.service_start.localeCompare(a.service_start) || b.id - a.id)
        .slice(0, 50)
        .map((c) => c.id),
    );
    const customers = await load(
      customerList,
      "/customers?sort=name&dir=desc",
      "reseller@demo.example",
    );
    const own = await t.db
      .selectFrom("customers")
      .select(["id", "name"])
      .where("reseller_id", "=", resellerIds.R1)
      .execute();
    expect(customers.page.total).toBe(own.length);
    expect(customers.customers.map((c) => c.id)).toEqual(
      [...own]
        .sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : b.id - a.id))
        .map((c) => c.id),
    );
  });
});

describe("outages, due calls and threat reports page too (issue 17 item 2)", () => {
  it("outages: all 250+ counted (the list stopped at 200), page 2 latest first", async () => {
    const contracts = await t.db.selectFrom("contracts").select("id").orderBy("id").execute();
    await t.db
      .insertInto("outages")
      .values(
        Array.from({ length: 250 }, (_, i) => ({
          contract_id: contracts[i % contracts.length].id,
          services: "base",
          known_at: instantOf(new Date(Date.UTC(2020, 0, 1) + i * 3_600_000)),
          restored_at: null,
          customer_fault: 0,
        })),
      )
      .execute();
    const all = (await t.db.selectFrom("outages").select(["id", "known_at"]).execute()).sort(
      (a, b) => b.known_at.localeCompare(a.known_at) || b.id - a.id,
    );
    const page = await load(outageList, "/outages?page=2", "operator@demo.example");
    expect(page.page.total).toBe(all.length);
    expect(page.outages.map((o) => o.id)).toEqual(all.slice(50, 100).map((o) => o.id));
  });

  it("due calls: all 520 counted (the queue stopped at 500), the last page holds the latest", async () => {
    // Ten incidents of its own to call about (not those of the incident paging above).
    const contracts = await t.db.selectFrom("contracts").select("id").orderBy("id").execute();
    const incidents: { id: number; contract_id: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const contract_id = contracts[i % contracts.length].id;
      incidents.push({
        id: (await createIncident(t.db, { contractId: contract_id })).incidentId,
        contract_id,
      });
    }
    await t.db
      .insertInto("notifications")
      .values(
        Array.from({ length: 520 }, (_, i) => ({
          incident_id: incidents[i % 10].id,
          contract_id: incidents[i % 10].contract_id,
          event_id: `call-${i}`,
          channel: "phone" as const,
          planned_at: instantOf(new Date(Date.UTC(2026, 5, 1) + i * 60_000)),
          sent_at: null,
          result: null,
          recipient: "03-0000-0000",
          last_error: null,
          outbox_id: null,
        })),
      )
      .execute();
    const due = (
      await t.db
        .selectFrom("notifications")
        .select(["id", "planned_at"])
        .where("channel", "=", "phone")
        .where("sent_at", "is", null)
        .where("planned_at", "<=", instantOf(new Date(Date.now() + 3_600_000)))
        .execute()
    ).sort((a, b) => a.planned_at.localeCompare(b.planned_at) || a.id - b.id);
    expect(due.length).toBeGreaterThanOrEqual(520);
    const lastNumber = Math.ceil(due.length / 50);
    const page = await load(callList, `/calls?page=${lastNumber}`, "operator@demo.example");
    expect(page.page.total).toBe(due.length);
    expect(page.calls.map((c) => c.id)).toEqual(due.slice((lastNumber - 1) * 50).map((c) => c.id));
  });

  it("threat reports: the count of all of them and page 2", async () => {
    const contracts = await t.db.selectFrom("contracts").select("id").orderBy("id").execute();
    await t.db
      .insertInto("threat_reports")
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          contract_id: contracts[i % contracts.length].id,
          period_month: yearMonth(`2026-${String((i % 9) + 1).padStart(2, "0")}`),
          kind: "on_demand" as const,
          pdf: Buffer.from("%PDF"),
          created_at: instantOf(new Date(Date.UTC(2026, 9, 1) + i * 60_000)),
        })),
      )
      .execute();
    const all = (
      await t.db.selectFrom("threat_reports").select(["id", "created_at"]).execute()
    ).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
    const page = await load(reportList, "/reports?page=2", "operator@demo.example");
    expect(page.page.total).toBe(all.length);
    expect(page.reports.map((r) => r.id)).toEqual(all.slice(50, 100).map((r) => r.id));
  });
});

describe("bank credits waiting for finance (issue 17 item 2)", () => {
  it("counts and sums all 520 waiting credits in SQL (the list stopped at 500) and pages both lists", async () => {
    await t.db
      .insertInto("bank_credits")
      .values(
        Array.from({ length: 560 }, (_, i) => ({
          line_key: `test-${i}`,
          transaction_date: isoDate(`2026-0${(i % 9) + 1}-15`),
          amount_yen: toYen(777_777 + i),
          payer_name: `ﾃｽﾄ${i}`,
          payer_kana: `ﾃｽﾄ${i}`,
          status: (i < 520 ? "pending" : "dismissed") as "pending" | "dismissed",
          invoice_id: null,
          imported_at: instant("2026-10-01T00:00:00.000Z"),
          resolved_by: i < 520 ? null : "finance@demo.example",
          resolved_at: i < 520 ? null : instant("2026-10-02T00:00:00.000Z"),
        })),
      )
      .execute();
    const all = await t.db
      .selectFrom("bank_credits")
      .select(["id", "status", "amount_yen", "transaction_date"])
      .execute();
    const pending = all
      .filter((c) => c.status === "pending")
      .sort((a, b) => a.transaction_date.localeCompare(b.transaction_date) || a.id - b.id);
    const done = all.filter((c) => c.status !== "pending").sort((a, b) => b.id - a.id);
    const page = await load(bankCredits, "/bank-credits?page=11&rpage=2", "finance@demo.example");
    expect(page.totals).toEqual({
      count: pending.length,
      amountYen: pending.reduce((a, c) => a + c.amount_yen, 0),
    });
    expect(page.pending.map((c) => c.id)).toEqual(pending.slice(500, 550).map((c) => c.id));
    expect(page.resolvedPage.total).toBe(done.length);
    expect(page.resolved.map((c) => c.id)).toEqual(
      done.slice(Math.min(50, Math.floor((done.length - 1) / 50) * 50), 100).map((c) => c.id),
    );
  });
});
