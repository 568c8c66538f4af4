// Issue 17 item 2 in the browser at 1366 px: the invoice list of a database with more than 2,000
// invoices pages with 「前へ」「次へ」, sorts by a header link and keeps the filter, with and
// without JavaScript; its count and total are those of the whole filter and equal the CSV's.
import { readFileSync } from "node:fs";
import SQLite from "better-sqlite3";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
const EXTRA = 2_100;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  // 2,100 invoices on top of the demo data, long before it (one per contract and month).
  const db = new SQLite(server.databasePath);
  try {
    const contracts = db.prepare("select id from contracts order by id").all() as { id: number }[];
    const maxSeq = (
      db.prepare("select coalesce(max(seq), 0) as m from invoices").get() as { m: number }
    ).m;
    const insert =
      db.prepare(`insert into invoices (seq, invoice_number, contract_id, billing_month, issue_date, due_date, taxable_10_yen,
      tax_10_yen, non_taxable_yen, interest_yen, total_yen, line_count, recipient_name, recipient_address, issued_at)
      values (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 0, 'x', 'x', ?)`);
    db.transaction(() => {
      for (let i = 0; i < EXTRA; i++) {
        const m = 1900 * 12 + Math.floor(i / contracts.length);
        const ym = `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
        const total = 1000 + ((i * 7919) % 89) * 101;
        insert.run(
          maxSeq + 1 + i,
          `INV-E${String(i).padStart(5, "0")}`,
          contracts[i % contracts.length].id,
          ym,
          `${ym}-01`,
          `${ym}-25`,
          total,
          total,
          `${ym}-01T00:00:00.000Z`,
        );
      }
    })();
  } finally {
    db.close();
  }
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const yen = (n: number) => `${n.toLocaleString("ja-JP")}円`;
const rows = (page: Page) => page.locator("table.data tbody tr");
const firstNumber = async (page: Page) =>
  (await rows(page).first().locator("td").first().textContent())?.trim();

async function financePage(
  javaScriptEnabled: boolean,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    javaScriptEnabled,
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  await loginAs(page, server.url, "finance@demo.example");
  return { context, page };
}

describe.each([false, true])("the invoice list with JavaScript %s", (javaScriptEnabled) => {
  it("pages, sorts and filters on the server; the count and total are the whole filter's and the CSV's", async () => {
    const whole = queryDatabase<{ n: number; total: number }>(
      server,
      "select count(*) as n, sum(total_yen) as total from invoices",
    )[0];
    const bySeq = queryDatabase<{ invoice_number: string }>(
      server,
      "select invoice_number from invoices order by seq desc",
    );
    expect(whole.n).toBeGreaterThan(2_000);
    const { context, page } = await financePage(javaScriptEnabled);
    try {
      await page.goto(`${server.url}/invoices`);
      await page.getByTestId("pager-range").first().waitFor();
      expect(await page.getByTestId("invoice-totals").textContent()).toBe(
        `${whole.n.toLocaleString("ja-JP")}件　合計 ${yen(whole.total)}`,
      );
      expect(await page.getByTestId("pager-range").first().textContent()).toBe(
        `全${whole.n.toLocaleString("ja-JP")}件中 1–50件`,
      );
      expect(await rows(page).count()).toBe(50);

      // 「次へ」: rows 51–100, the next invoices by number.
      await page
        .getByRole("navigation", { name: "請求書のページ", exact: true })
        .getByRole("link", { name: "次へ" })
        .click();
      await page
        .getByText(`全${whole.n.toLocaleString("ja-JP")}件中 51–100件`)
        .first()
        .waitFor();
      expect(await firstNumber(page)).toBe(bySeq[50].invoice_number);
      expect(page.url()).toContain("page=2");

      // A filter, then the amount header: sorted over the whole filter, the filter kept in the address.
      const filtered = queryDatabase<{ n: number; total: number }>(
        server,
        "select count(*) as n, sum(total_yen) as total from invoices where total_yen >= 5000 and total_yen <= 8000",
      )[0];
      const largest = queryDatabase<{ invoice_number: string }>(
        server,
        "select invoice_number from invoices where total_yen >= 5000 and total_yen <= 8000 order by total_yen desc, id desc limit 1",
      )[0];
      await page.getByLabel("金額（以上）").fill("5000");
      await page.getByLabel("金額（以下）").fill("8000");
      await page.getByRole("button", { name: "検索" }).click();
      await page
        .getByText(`${filtered.n.toLocaleString("ja-JP")}件　合計 ${yen(filtered.total)}`)
        .waitFor();
      await page.getByRole("link", { name: /請求額（税込）/ }).click();
      await page.locator('th[aria-sort="descending"]', { hasText: "請求額（税込）" }).waitFor();
      expect(await firstNumber(page)).toBe(largest.invoice_number);
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toMatchObject({
        min: "5000",
        max: "8000",
        sort: "total",
        dir: "desc",
      });
      expect(url.searchParams.get("page")).toBeNull();
      expect(await page.getByTestId("invoice-totals").textContent()).toBe(
        `${filtered.n.toLocaleString("ja-JP")}件　合計 ${yen(filtered.total)}`,
      );

      // Page 3 of the sorted filter, then back with 「前へ」.
      await page
        .getByRole("navigation", { name: "請求書のページ", exact: true })
        .getByRole("link", { name: "3ページ目" })
        .click();
      await page
        .getByText(`全${filtered.n.toLocaleString("ja-JP")}件中 101–150件`)
        .first()
        .waitFor();
      await page
        .getByRole("navigation", { name: "請求書のページ", exact: true })
        .getByRole("link", { name: "前へ" })
        .click();
      await page
        .getByText(`全${filtered.n.toLocaleString("ja-JP")}件中 51–100件`)
        .first()
        .waitFor();

      // The CSV of the filter: every row, the same total.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: /CSVでダウンロード/ }).click(),
      ]);
      const csv = readFileSync((await download.path())!, "utf8")
        .replace(/^\uFEFF/, "")
        .trimEnd()
        .split("\r\n");
      const amount = csv[0].split(",").indexOf("請求額（税込）");
      expect(csv.length - 1).toBe(filtered.n);
      expect(csv.slice(1).reduce((a, line) => a + Number(line.split(",")[amount]), 0)).toBe(
        filtered.total,
      );

      // No horizontal page scroll at 1366 px.
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
    } finally {
      await context.close();
    }
  }, 120_000);
});
