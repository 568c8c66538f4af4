// Issue 17 item 2 on the detail pages, through the real pages: the customer page's invoices go to
// their second page (with JavaScript) while its contracts stay where they are, with 請求額の合計
// and 未払い of all the customer's invoices; the contract page's devices go to their second page
// with plain links (without JavaScript).
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCount, formatYen } from "../../app/lib/format";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
const INVOICES = 30;
const DEVICES = 40;
let customerId: number;
let contractId: number;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath);
  try {
    customerId = (db.prepare("select id from customers where ref = 'C1'").get() as { id: number })
      .id;
    contractId = (
      db.prepare("select id from contracts where ref = 'K-1001'").get() as { id: number }
    ).id;
    // Older months than the demo's, so no invoice of the same contract and month exists yet.
    const invoice = db.prepare(`insert into invoices (seq, invoice_number, contract_id,
      billing_month, issue_date, due_date, taxable_10_yen, tax_10_yen, non_taxable_yen,
      interest_yen, total_yen, line_count, recipient_name, recipient_address, issued_at)
      values (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, 1, '港商事', '東京都', '2023-01-01T00:00:00.000Z')`);
    for (let i = 0; i < INVOICES; i++) {
      const month = `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
      invoice.run(
        700_000 + i,
        `INV-D${String(i).padStart(4, "0")}`,
        contractId,
        month,
        `${month}-01`,
        `${month}-28`,
        5000 + i * 11,
      );
    }
    const device = db.prepare(`insert into devices (contract_id, name, device_type, os, ip,
      location, agent_version, pattern_version, last_seen_at)
      values (?, ?, 'pc', 'Windows 11', ?, '本社', null, null, null)`);
    for (let i = 0; i < DEVICES; i++)
      device.run(contractId, `ZZ-PC-${String(i).padStart(3, "0")}`, `10.9.0.${i}`);
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const pager = (page: Page, label: string) =>
  page.getByRole("navigation", { name: label, exact: true });

describe("the detail pages' lists page apart (issue 17 item 2)", () => {
  it("operator@ goes to the second page of C1's invoices; the contracts stay on theirs", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await loginAs(page, server.url, "operator@demo.example");
    const invoices = queryDatabase<{
      id: number;
      invoice_number: string;
      total_yen: number;
      paid: number | null;
      credited: number;
    }>(
      server,
      `select invoices.id, invoices.invoice_number, invoices.total_yen,
         (select sum(coalesce(p.amount_yen, invoices.total_yen)) from payments p
           where p.contract_id = invoices.contract_id and p.billing_month = invoices.billing_month) as paid,
         (select coalesce(sum(c.total_yen), 0) from credit_notes c where c.invoice_id = invoices.id) as credited
       from invoices join contracts on contracts.id = invoices.contract_id
       where contracts.customer_id = ? order by invoices.seq desc, invoices.id desc`,
      customerId,
    );
    expect(invoices.length).toBeGreaterThanOrEqual(INVOICES);
    const total = invoices.reduce((s, i) => s + i.total_yen, 0);
    const unpaid = invoices.reduce(
      (s, i) => s + Math.max(0, i.total_yen - i.credited - (i.paid ?? 0)),
      0,
    );
    const contracts = queryDatabase<{ n: number }>(
      server,
      "select count(*) as n from contracts where customer_id = ?",
      customerId,
    )[0].n;

    await page.goto(`${server.url}/customers/${customerId}`);
    await page.getByRole("heading", { level: 2, name: "請求書" }).waitFor();
    expect(await page.getByTestId("customer-invoice-totals").textContent()).toBe(
      `${formatCount(invoices.length)}件　請求額の合計 ${formatYen(total)}　未払い ${formatYen(unpaid)}`,
    );
    const invoicePager = pager(page, "請求書のページ");
    expect(await invoicePager.getByTestId("pager-range").textContent()).toBe(
      `全${invoices.length}件中 1–24件`,
    );
    expect(await page.getByTestId("customer-invoices").locator("tr").count()).toBe(24);
    await invoicePager.getByRole("link", { name: "次へ" }).click();
    await page
      .getByText(`全${invoices.length}件中 25–${Math.min(48, invoices.length)}件`)
      .first()
      .waitFor();
    expect(new URL(page.url()).searchParams.get("invoicesPage")).toBe("2");
    const shown = await page
      .getByTestId("customer-invoices")
      .locator("tr td:first-child")
      .allTextContents();
    expect(shown).toEqual(invoices.slice(24, 48).map((i) => i.invoice_number));
    // The other list and the sums did not move.
    expect(await pager(page, "契約のページ").getByTestId("pager-range").textContent()).toBe(
      `全${contracts}件中 1–${contracts}件`,
    );
    expect(await page.getByTestId("customer-contracts").locator("tr").count()).toBe(contracts);
    expect(await page.getByTestId("customer-invoice-totals").textContent()).toContain(
      formatYen(total),
    );
    await page.close();
  });

  it("without JavaScript, the contract page's devices go to their second page", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    const devices = queryDatabase<{ name: string }>(
      server,
      "select name from devices where contract_id = ? order by device_type, name, id",
      contractId,
    );
    expect(devices.length).toBeGreaterThan(DEVICES);
    await page.goto(`${server.url}/contracts/${contractId}`);
    await page.getByRole("heading", { level: 2, name: `機器（${devices.length}台）` }).waitFor();
    await pager(page, "機器のページ").getByRole("link", { name: "次へ" }).click();
    await page.waitForURL(/devicesPage=2/);
    await page
      .getByText(`全${devices.length}件中 26–${Math.min(50, devices.length)}件`)
      .first()
      .waitFor();
    expect(
      await page.getByTestId("contract-devices").locator("tr td:first-child").allTextContents(),
    ).toEqual(devices.slice(25, 50).map((d) => d.name));
    await context.close();
  });
});
