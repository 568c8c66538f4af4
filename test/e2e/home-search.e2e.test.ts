// Issue 17 item 10 through the home page: the summary cards link to the list behind them and that
// list counts the same; a customer sees its unpaid invoices and its next visit; staff have one
// search box whose results stay in their tenant (a reseller never finds another reseller's records).
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
  // customer@'s (C1) next visit, and one later that must not be the one shown.
  const db = new SQLite(server.databasePath);
  try {
    const k1001 = (
      db.prepare("select id from contracts where ref = 'K-1001'").get() as { id: number }
    ).id;
    const insert =
      db.prepare(`insert into visit_bookings (contract_id, visit_date, start_time, lines,
      with_line_application, backup_available, estimate_yen, status, visit_id, created_by, created_at)
      values (?, ?, ?, '[]', 0, 0, 4500, 'booked', null, 'e2e', '2026-11-20T00:00:00.000Z')`);
    insert.run(k1001, "2026-12-08", "13:00");
    insert.run(k1001, "2026-11-25", "10:00");
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const one = <T>(sql: string, ...params: unknown[]) => queryDatabase<T>(server, sql, ...params)[0];

describe("home cards (issue 17 item 10)", () => {
  it("admin@'s cards open lists that count the same", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await loginAs(page, server.url, "admin@demo.example");
    const customers = await page.getByTestId("figure-customers").textContent();
    expect(customers).toBe(String(one<{ n: number }>("select count(*) as n from customers").n));
    await page.getByTestId("figure-customers").getByRole("link").click();
    await page.getByRole("heading", { level: 1, name: "顧客" }).waitFor();
    expect(await page.getByTestId("pager-range").first().textContent()).toContain(
      `全${customers}件中`,
    );

    await page.goto(`${server.url}/home`);
    const live = await page.getByTestId("figure-contracts").textContent();
    expect(live).toBe(
      String(
        one<{ n: number }>(
          "select count(*) as n from contracts where status in ('active', 'suspended')",
        ).n,
      ),
    );
    await page.getByTestId("figure-contracts").getByRole("link").click();
    await page.waitForURL(/status=live/);
    await page.getByRole("heading", { level: 1, name: "契約" }).waitFor();
    expect(await page.getByTestId("pager-range").first().textContent()).toContain(`全${live}件中`);

    // The device cards open the device list, whole and not seen for 7 days.
    for (const [testId, heading] of [
      ["figure-devices", "管理している機器"],
      ["figure-not-seen", "7日以上通信のない機器"],
    ]) {
      await page.goto(`${server.url}/home`);
      const figure = await page.getByTestId(testId).textContent();
      await page.getByTestId(testId).getByRole("link").click();
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
      if (figure === "0") await page.getByText("該当する機器はありません。").waitFor();
      else
        expect(await page.getByTestId("pager-range").first().textContent()).toContain(
          `全${figure}件中`,
        );
    }
    expect(
      Number(
        await page
          .goto(`${server.url}/home`)
          .then(() => page.getByTestId("figure-devices").textContent()),
      ),
    ).toBe(
      one<{ n: number }>(
        "select count(*) as n from devices d join contracts k on k.id = d.contract_id where k.status != 'terminated'",
      ).n,
    );
    await page.close();
  });

  it("customer@ sees its unpaid invoices (the same count as the invoice list's) and its next visit", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    const card = page.getByTestId("home-unpaid");
    const shown = await card.locator(".value").textContent();
    // The demo's C1 has unpaid invoices (the latest months are not paid yet).
    expect(Number(shown)).toBeGreaterThan(0);
    const listed = await card.locator("li").count();
    expect(listed).toBe(Math.min(5, Number(shown)));
    await card.locator(".value a").click();
    await page.waitForURL(/status=unpaid/);
    const totals = page.getByTestId("invoice-totals");
    await totals.waitFor();
    expect(await totals.textContent()).toMatch(new RegExp(`^${shown}件`));
    await page.goto(`${server.url}/home`);
    expect(await page.getByTestId("home-next-visit").textContent()).toContain(
      "2026年11月25日（水） 10:00",
    );
    expect(await page.getByTestId("home-next-visit").textContent()).toContain(
      "K-1001 の訪問サポート",
    );
    // Customers have no staff search box.
    expect(await page.getByRole("search").count()).toBe(0);
    await page.close();
  });
});

describe("staff search (issue 17 item 10)", () => {
  async function search(email: string, q: string) {
    const page = await browser.newPage();
    await loginAs(page, server.url, email);
    await page.getByRole("search").getByRole("searchbox").fill(q);
    await page.getByRole("search").getByRole("button", { name: "検索" }).click();
    await page.getByRole("heading", { level: 1, name: "検索" }).waitFor();
    await page.getByTestId("search-count").waitFor();
    return page;
  }

  it("finds a contract by ref and by line id, a customer by name, an invoice and a licence order", async () => {
    const contract = one<{ ref: string; line_id: string; name: string }>(
      "select k.ref, k.line_id, c.name from contracts k join customers c on c.id = k.customer_id where k.ref = 'K-1001'",
    );
    let page = await search("reseller@demo.example", contract.line_id.toLowerCase());
    expect(await page.getByRole("region", { name: "契約" }).textContent()).toContain("K-1001");
    await page.close();

    page = await search("reseller@demo.example", "みなと");
    expect(await page.getByRole("region", { name: "顧客" }).textContent()).toContain(contract.name);
    await page.close();

    const invoice = one<{ invoice_number: string }>(
      "select i.invoice_number from invoices i join contracts k on k.id = i.contract_id where k.ref = 'K-1001' order by i.seq limit 1",
    );
    page = await search("reseller@demo.example", invoice.invoice_number);
    const invoices = page.getByRole("region", { name: "請求書" });
    expect(await invoices.locator("li").count()).toBe(1);
    expect(await invoices.textContent()).toContain(invoice.invoice_number);
    await page.close();

    const licence = one<{ order_number: string; ref: string; reseller: string }>(
      `select l.order_number, l.ref, r.ref as reseller from licenses l join customers c on c.id = l.customer_id
        join resellers r on r.id = c.reseller_id where l.order_number is not null order by l.id limit 1`,
    );
    page = await search("admin@demo.example", licence.order_number);
    expect(await page.getByRole("region", { name: "ライセンス" }).textContent()).toContain(
      licence.ref,
    );
    await page.close();
  });

  it("does not show a reseller another reseller's customer: K-2001 (R2) is not found by reseller@ (R1)", async () => {
    const foreign = one<{ reseller: string; line_id: string; name: string }>(
      `select r.ref as reseller, k.line_id, c.name from contracts k join customers c on c.id = k.customer_id
        join resellers r on r.id = c.reseller_id where k.ref = 'K-2001'`,
    );
    expect(foreign.reseller).toBe("R2");
    // The provider finds it…
    let page = await search("admin@demo.example", "K-2001");
    expect(await page.getByRole("region", { name: "契約" }).textContent()).toContain("K-2001");
    await page.close();
    // …reseller@ (R1) finds nothing, by ref, line id or name.
    for (const q of ["K-2001", foreign.line_id, foreign.name]) {
      page = await search("reseller@demo.example", q);
      expect(await page.getByTestId("search-count").textContent()).toBe(
        `「${q}」に一致するものはありません。`,
      );
      expect(await page.getByRole("region").count()).toBe(0);
      expect(await page.locator("a[href^='/contracts/'], a[href^='/customers/']").count()).toBe(0);
      await page.close();
    }
  });
});
