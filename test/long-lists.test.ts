// Issue 17 item 2: the long lists page on the server and their count and totals cover the whole
// filter, not a capped page of it; the CSV exports the whole filter. The expected figures are
// computed here in JavaScript from the rows inserted, not with the app's queries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login } from "../app/auth/session.server";
import { loader as invoiceList } from "../app/routes/_console.invoices._index";
import { loader as invoiceCsv } from "../app/routes/_console.invoices_.csv";
import { DEMO_PASSWORD } from "../db/seed";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { clientRequest } from "./support/request";

const BASE = "http://127.0.0.1:3000";
let t: TestDatabase;
const sessions: Record<string, string> = {};

interface Inv { id: number; seq: number; invoice_number: string; total_yen: number; issue_date: string; reseller_id: number | null; customer_name: string; customer_id: number }
let all: Inv[] = [];
let resellerIds: Record<string, number> = {};

/** 600 more invoices than the demo data has, over every contract: more than one page and more than the old cap of 500. */
async function insertInvoices(n: number) {
  const contracts = await t.db.selectFrom("contracts").select("id").orderBy("id").execute();
  const maxSeq = (await t.db.selectFrom("invoices").select((eb) => eb.fn.max("seq").as("m")).executeTakeFirst())?.m ?? 0;
  const rows = Array.from({ length: n }, (_, i) => {
    const contract = contracts[i % contracts.length];
    const month = 1990 * 12 + Math.floor(i / contracts.length); // distinct (contract, month) pairs, long before the demo data
    const ym = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, "0")}`;
    // Amounts repeat (i % 97), so sorting by amount needs the id to break ties.
    const total = 1000 + ((i * 7919) % 97) * 113;
    return {
      seq: Number(maxSeq) + 1 + i, invoice_number: `INV-T${String(i).padStart(5, "0")}`, contract_id: contract.id, billing_month: ym,
      issue_date: `${ym}-01`, due_date: `${ym}-25`, taxable_10_yen: total, tax_10_yen: 0, non_taxable_yen: 0, interest_yen: 0, total_yen: total,
      line_count: 0, recipient_name: "x", recipient_address: "x", issued_at: `${ym}-01T00:00:00.000Z`,
    };
  });
  for (let i = 0; i < rows.length; i += 200) await t.db.insertInto("invoices").values(rows.slice(i, i + 200)).execute();
}

beforeAll(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
  await insertInvoices(600);
  all = await t.db.selectFrom("invoices").innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["invoices.id", "invoices.seq", "invoices.invoice_number", "invoices.total_yen", "invoices.issue_date", "customers.reseller_id", "customers.name as customer_name", "customers.id as customer_id"])
    .execute();
  resellerIds = Object.fromEntries((await t.db.selectFrom("resellers").select(["id", "ref"]).execute()).map((r) => [r.ref, r.id]));
  for (const email of ["finance@demo.example", "reseller@demo.example", "customer@demo.example"]) {
    const result = await login(email, DEMO_PASSWORD, clientRequest("10.0.0.9"));
    if (result.ok !== true) throw new Error(`login ${email}`);
    sessions[email] = result.headers.getSetCookie()[0].split(";")[0];
  }
});
afterAll(() => t.dispose());

const get = (path: string, as: string) => new Request(`${BASE}${path}`, { headers: { Cookie: sessions[as] } });
const listPage = async (query: string, as = "finance@demo.example") =>
  (await invoiceList({ request: get(`/invoices${query}`, as), params: {}, context: {} })) as Awaited<ReturnType<typeof invoiceList>>;
const sum = (rows: Inv[]) => rows.reduce((a, r) => a + r.total_yen, 0);
const bySeqDesc = (a: Inv, b: Inv) => b.seq - a.seq;

async function csvOf(query: string, as = "finance@demo.example") {
  const response = (await invoiceCsv({ request: get(`/invoices/csv${query}`, as), params: {}, context: {} })) as Response;
  expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
  const text = await response.text();
  const lines = text.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
  return { header: lines[0].split(","), rows: lines.slice(1) };
}

describe("invoice list paging (issue 17 item 2)", () => {
  it("counts and totals the whole list in SQL, not the page, and shows 50 rows a page", async () => {
    expect(all.length).toBeGreaterThan(600);
    const page = await listPage("");
    expect(page.totals).toEqual({ count: all.length, totalYen: sum(all) });
    expect(page.invoices).toHaveLength(50);
    expect(page.page).toMatchObject({ page: 1, size: 50, total: all.length, sort: "number", dir: "desc" });
    expect(page.invoices.map((i) => i.invoice_number)).toEqual([...all].sort(bySeqDesc).slice(0, 50).map((i) => i.invoice_number));
  });

  it("page 2 holds rows 51–100 in the same order, and the last page the remainder", async () => {
    const sorted = [...all].sort(bySeqDesc);
    expect((await listPage("?page=2")).invoices.map((i) => i.id)).toEqual(sorted.slice(50, 100).map((i) => i.id));
    const lastNumber = Math.ceil(all.length / 50);
    const last = await listPage(`?page=${lastNumber}`);
    expect(last.invoices.map((i) => i.id)).toEqual(sorted.slice((lastNumber - 1) * 50).map((i) => i.id));
    // A page past the end (an old bookmark) shows the last page; a malformed one the first.
    expect((await listPage("?page=9999")).page.page).toBe(lastNumber);
    expect((await listPage("?page=abc")).page.page).toBe(1);
  });

  it("sorts by amount with the id breaking ties, in both directions, and ignores a column not on the list", async () => {
    const asc = [...all].sort((a, b) => a.total_yen - b.total_yen || a.id - b.id);
    expect((await listPage("?sort=total&dir=asc&page=3")).invoices.map((i) => i.id)).toEqual(asc.slice(100, 150).map((i) => i.id));
    const desc = [...all].sort((a, b) => b.total_yen - a.total_yen || b.id - a.id);
    expect((await listPage("?sort=total")).invoices.map((i) => i.id)).toEqual(desc.slice(0, 50).map((i) => i.id));
    const injected = await listPage("?sort=recipient_address;drop&dir=sideways");
    expect(injected.page).toMatchObject({ sort: "number", dir: "desc" });
  });

  it("filters and pages together: the count, total and page 2 are those of the filter", async () => {
    const inFilter = all.filter((i) => i.total_yen >= 5000 && i.total_yen <= 9000 && i.issue_date <= "1999-12-31");
    expect(inFilter.length).toBeGreaterThan(100);
    const page = await listPage("?min=5000&max=9000&to=1999-12-31&sort=issued&dir=asc&page=2");
    expect(page.totals).toEqual({ count: inFilter.length, totalYen: sum(inFilter) });
    const sorted = [...inFilter].sort((a, b) => a.issue_date.localeCompare(b.issue_date) || a.id - b.id);
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
    expect(csv.rows.map((r) => r.split(",")[0])).toEqual([...all].sort(bySeqDesc).map((i) => i.invoice_number));
    const inFilter = all.filter((i) => i.total_yen >= 5000 && i.total_yen <= 9000);
    const filtered = await csvOf("?min=5000&max=9000&page=3");
    expect(filtered.rows).toHaveLength(inFilter.length);
  });

  it("the CSV still neutralises a customer name a spreadsheet would run", async () => {
    const target = all.find((i) => i.reseller_id === resellerIds.R1)!;
    await t.db.updateTable("customers").set({ name: "=HYPERLINK(\"http://evil.example\")" }).where("id", "=", target.customer_id).execute();
    try {
      const csv = await csvOf(`?q=${encodeURIComponent("=HYPERLINK")}`);
      expect(csv.rows.length).toBe(all.filter((i) => i.customer_id === target.customer_id).length);
      expect(csv.rows.every((r) => r.includes(`"'=HYPERLINK(""http://evil.example"")"`))).toBe(true);
    } finally {
      await t.db.updateTable("customers").set({ name: target.customer_name }).where("id", "=", target.customer_id).execute();
    }
  });
});
