// Any screen, any input method (issue 17 items 12-14), in Chromium as people use the console: on a
// 390 px phone the menu folds behind a button that opens without JavaScript and the invoice page
// fits the screen; a keyboard user gets a skip link, a visible focus ring, and 403/404 pages keep
// the menu; check boxes sit at the start of their label's line and date inputs look like the
// other fields.
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 900 };

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

function firstId(sql: string): number {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    return (db.prepare(sql).get() as { id: number }).id;
  } finally {
    db.close();
  }
}

const CUSTOMER_CONTRACT = `select contracts.id from contracts join users on users.customer_id = contracts.customer_id
   where users.email = 'customer@demo.example' order by contracts.id`;

async function pageWidth(page: Page): Promise<{ page: number; screen: number }> {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    screen: window.innerWidth,
  }));
}

describe("phones (issue 17 item 12)", () => {
  it("folds the menu behind a button that opens it without JavaScript", async () => {
    const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "finance@demo.example");
    const menu = page.getByRole("navigation", { name: "メインメニュー" });
    const invoices = menu.getByRole("link", { name: "請求書", exact: true });
    await expect(invoices.isVisible()).resolves.toBe(false);
    await page.getByText("メニュー", { exact: true }).click();
    await expect(invoices.isVisible()).resolves.toBe(true);
    // The open menu lies over the page's own width, not beside it.
    const box = (await menu.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await Promise.all([page.waitForURL(`${server.url}/invoices`), invoices.click()]);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain(
      "請求書",
    );
    await context.close();
  });

  it("keeps the audit log's times on one line at 1366 px", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await loginAs(page, server.url, "admin@demo.example");
    await page.goto(`${server.url}/audit`);
    await page.getByRole("heading", { name: "監査ログ", level: 1 }).waitFor();
    // 「2026年12月7日 15:16」 wrapped onto three lines while the 内容 column had room.
    const lines = await page
      .locator("table.data tbody tr td:first-child")
      .first()
      .evaluate((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      });
    expect(lines).toBe(1);
    await context.close();
  });

  it("shows the whole desktop menu without a button at 1366 px", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await loginAs(page, server.url, "finance@demo.example");
    const menu = page.getByRole("navigation", { name: "メインメニュー" });
    const invoices = menu.getByRole("link", { name: "請求書", exact: true });
    await invoices.waitFor();
    await expect(invoices.isVisible()).resolves.toBe(true);
    await expect(page.getByText("メニュー", { exact: true }).isVisible()).resolves.toBe(false);
    await context.close();
  });

  it("keeps a readable width for text cells of a wide list at 390 px", async () => {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/incidents`);
    await page.getByRole("heading", { name: "インシデント", level: 1 }).waitFor();
    // The incident list squeezes every column to its minimum; at 6em the 内容 column broke after
    // four characters. 7.5em of 15 px leaves six.
    const widths = await page
      .locator("table.data tbody td:not(.num)")
      .evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().width));
    expect(widths.length).toBeGreaterThan(8);
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(112);
    expect(await pageWidth(page)).toEqual({ page: 390, screen: 390 });
    await context.close();
  });

  it("fits the invoice page into 390 px; its tables scroll inside their own box", async () => {
    const invoice = firstId(
      `select invoices.id from invoices join contracts on contracts.id = invoices.contract_id
       join users on users.customer_id = contracts.customer_id
       where users.email = 'customer@demo.example' order by invoices.id`,
    );
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/invoices/${invoice}`);
    await page.getByRole("heading", { name: "明細" }).waitFor();
    expect(await pageWidth(page)).toEqual({ page: 390, screen: 390 });
    // The line table is wider than the phone: it scrolls within its box, which a keyboard reaches.
    const box = page.locator(".table-wrap").first();
    const sizes = await box.evaluate((el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
      tabIndex: (el as HTMLElement).tabIndex,
    }));
    expect(sizes.client).toBeLessThanOrEqual(390 - 2 * 14);
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    expect(sizes.tabIndex).toBe(0);
    await context.close();
  });
});

describe("keyboard and landmarks (issue 17 item 13)", () => {
  it("offers 本文へスキップ as the first stop, which moves the focus into <main>", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/contracts`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "本文へスキップ" });
    await expect(skip.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    // Visible while focused (it hides above the page otherwise), with the focus ring.
    const box = (await skip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    const ring = await skip.evaluate((el) => {
      const style = getComputedStyle(el);
      return { style: style.outlineStyle, width: style.outlineWidth };
    });
    expect(ring).toEqual({ style: "solid", width: "3px" });
    await page.keyboard.press("Enter");
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe("MAIN");
    await expect(page.locator("main").count()).resolves.toBe(1);
    await context.close();
  });

  it("keeps the menu and the header on a 404 and a 403 page", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    const menuLinks = page.getByRole("navigation", { name: "メインメニュー" }).getByRole("link");
    const ownLinks = await menuLinks.count();
    expect(ownLinks).toBeGreaterThan(3);

    for (const [path, status, heading] of [
      ["/contracts/999999", 404, "ページが見つかりません"],
      ["/no-such-page", 404, "ページが見つかりません"],
      ["/audit", 403, "権限がありません"],
    ] as const) {
      const response = await page.goto(`${server.url}${path}`);
      expect(response?.status(), path).toBe(status);
      await expect(page.locator("main h1").textContent()).resolves.toBe(heading);
      await expect(menuLinks.count()).resolves.toBe(ownLinks);
      await expect(page.getByTestId("tenant-name").textContent()).resolves.not.toBe("");
      await expect(page.getByRole("button", { name: "ログアウト" }).count()).resolves.toBe(1);
    }
    await context.close();
  });
});

describe("form controls (issue 17 item 14)", () => {
  async function checkboxBesideItsText(page: Page, text: string) {
    const label = page.locator("label", { hasText: text }).first();
    const box = (await label.locator('input[type="checkbox"]').boundingBox())!;
    const labelBox = (await label.boundingBox())!;
    // The box starts the label's line (not centred above the text) and the label is one line.
    expect(Math.round(box.x)).toBe(Math.round(labelBox.x));
    expect(box.y - labelBox.y).toBeLessThan(8);
    expect(labelBox.height).toBeLessThan(2 * box.height + 8);
  }

  async function controlStyle(page: Page, selector: string) {
    return page
      .locator(selector)
      .first()
      .evaluate((el) => {
        const s = getComputedStyle(el);
        return {
          border: `${s.borderTopWidth} ${s.borderTopStyle} ${s.borderTopColor}`,
          radius: s.borderTopLeftRadius,
          height: Math.round(el.getBoundingClientRect().height),
        };
      });
  }

  it("outage form: check boxes beside their text; dates styled like the text fields", async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/outages`);
    await page.getByText("お客さまの責めによる障害（減額なし）").waitFor();
    await checkboxBesideItsText(page, "お客さまの責めによる障害（減額なし）");
    const date = await controlStyle(page, 'input[type="date"]');
    const text = await controlStyle(page, 'input[name="contractRef"]');
    expect(date).toEqual(text);
    expect(date.border).toBe("1px solid rgb(138, 150, 163)");
    expect(date.height).toBe(40);
    await context.close();
  });

  it("visit form: 状況診断 beside its box; date and number inputs styled alike", async () => {
    const contract = firstId(CUSTOMER_CONTRACT);
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/contracts/${contract}/visits`);
    await page.getByText("状況診断").first().waitFor();
    await checkboxBesideItsText(page, "状況診断");
    const date = await controlStyle(page, 'input[type="date"]');
    const number = await controlStyle(page, 'input[type="number"]');
    expect(number).toEqual(date);
    expect(date.border).toBe("1px solid rgb(138, 150, 163)");
    expect(await pageWidth(page)).toEqual({ page: 390, screen: 390 });
    await context.close();
  });
});
