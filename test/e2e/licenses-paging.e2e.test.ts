// Issue 17 item 2 through the real page: a reseller with more licences than one page sees 50 at a
// time on /licenses, the count of the whole filter, page 2 through 次へ, and the filters (状態,
// 販売経路) and the sort kept in the pager's links; the figures are the database's.
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
const ADDED = 120;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-12-07T10:00:00+09:00" });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath);
  try {
    const { customer_id } = db
      .prepare(
        `select customers.id as customer_id from customers
         join users on users.reseller_id = customers.reseller_id
         where users.email = 'reseller@demo.example' order by customers.id limit 1`,
      )
      .get() as { customer_id: number };
    const licence = db.prepare(`insert into licenses (ref, customer_id, product, channel, term,
      kind, region, seats, price_yen, auto_renew, renewal_state, sold_via, state, created_at)
      values (?, ?, ?, ?, 'annual', 'standard', 'JP', 1, 5000, 1, ?, 'vendor', 'active',
      '2026-01-01T00:00:00.000Z')`);
    const charge = db.prepare(`insert into license_charges (license_id, charge_date, amount_yen,
      type) values (?, ?, 5000, 'purchase')`);
    for (let i = 0; i < ADDED; i++) {
      const { lastInsertRowid } = licence.run(
        `PG-${String(i).padStart(4, "0")}`,
        customer_id,
        `ページ製品${String(i % 10)}`,
        i % 4 === 1 ? "reseller" : "vendor_store",
        i % 3 === 0 ? "stopped" : "active",
      );
      // A year bought on 2026-03-15 runs to 2027-03-14; one bought on 2025-03-15 has ended.
      charge.run(lastInsertRowid, i % 5 < 2 ? "2026-03-15" : "2025-03-15");
    }
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The licences of reseller@'s customers, as the database holds them. */
const resellersLicences = () =>
  queryDatabase<{ n: number }>(
    server,
    `select count(*) as n from licenses join customers on customers.id = licenses.customer_id
     join users on users.reseller_id = customers.reseller_id
     where users.email = 'reseller@demo.example'`,
  )[0].n;

describe("the licence list pages (issue 17 item 2)", () => {
  it("reseller@ pages through its customers' licences and filters them", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await loginAs(page, server.url, "reseller@demo.example");
    const all = resellersLicences();
    expect(all).toBeGreaterThan(ADDED);
    await page.goto(`${server.url}/licenses`);
    await page.getByRole("heading", { level: 1, name: "ライセンス" }).waitFor();
    expect(await page.getByTestId("license-count").textContent()).toBe(`${all}件`);
    expect(await page.getByTestId("pager-range").first().textContent()).toBe(`全${all}件中 1–50件`);
    expect(await page.locator("table.data tbody tr").count()).toBe(50);
    await page.getByRole("link", { name: "次へ" }).first().click();
    await page.getByText(`全${all}件中 51–100件`).first().waitFor();
    expect(await page.locator("table.data tbody tr").count()).toBe(50);

    // 販売経路 and 状態 with the search: the count is the rows of the filter; the pager keeps them.
    await page.getByLabel("検索").fill("PG-");
    await page.getByLabel("販売経路").selectOption({ label: "販売店" });
    await page.getByLabel("状態").selectOption({ label: "利用中（自動延長なし）" });
    await page.getByRole("button", { name: "絞り込む" }).click();
    // Stopped and bought on 2026-03-15: still inside the year it paid for.
    const running = queryDatabase<{ n: number }>(
      server,
      `select count(*) as n from licenses where ref like 'PG-%' and channel = 'reseller'
       and renewal_state = 'stopped' and exists (select 1 from license_charges c
       where c.license_id = licenses.id and c.charge_date = '2026-03-15')`,
    )[0].n;
    expect(running).toBe(4);
    await page.getByTestId("license-count").getByText(`${running}件`).waitFor();
    expect(await page.getByTestId("pager-range").first().textContent()).toBe(
      `全${running}件中 1–${running}件`,
    );
    const states = await page.locator("table.data tbody tr td .badge").allTextContents();
    expect(states).toEqual(Array(running).fill("利用中（自動延長なし）"));
    const channels = await page.locator("table.data tbody tr td:nth-child(3)").allTextContents();
    expect(new Set(channels)).toEqual(new Set(["販売店"]));

    // Sort by 有効期限, then the whole list again on page 2: the sort stays in the address.
    await page.goto(`${server.url}/licenses?sort=ends&dir=asc`);
    await page.locator("th[aria-sort=ascending]", { hasText: "有効期限" }).waitFor();
    await page.getByRole("link", { name: "2ページ目" }).first().click();
    await page.getByText(`全${all}件中 51–100件`).first().waitFor();
    const url = new URL(page.url());
    expect([url.searchParams.get("sort"), url.searchParams.get("page")]).toEqual(["ends", "2"]);
    await page.close();
  });
});
