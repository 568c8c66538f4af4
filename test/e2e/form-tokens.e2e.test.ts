// Issue 17 item 1 in the browser, with and without JavaScript: 入金を記録 double-clicked records one
// payment; after a success, and after the back button, the amount field is empty under a new
// token; the same form re-posted with its used token records nothing and says 「すでに記録されています」.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  if (process.env.SHOW_SERVER_OUTPUT) console.log(server?.output());
  await browser?.close();
  await server?.stop();
});

// Unpaid invoices with room for several small payments, one per test.
let spare: string[] = [];
function unpaidInvoice(): string {
  if (spare.length === 0) {
    spare = queryDatabase<{ invoice_number: string }>(
      server,
      `select invoice_number from invoices i where total_yen > 5000
      and not exists (select 1 from payments p where p.contract_id = i.contract_id and p.billing_month = i.billing_month)
      order by invoice_number desc limit 10`,
    ).map((r) => r.invoice_number);
  }
  return spare.shift()!;
}

function invoice(number: string) {
  const [row] = queryDatabase<{ id: number; contract_id: number; billing_month: string }>(
    server,
    "select id, contract_id, billing_month from invoices where invoice_number = ?",
    number,
  );
  return row;
}
function payments(number: string): { paid_on: string; amount_yen: number | null }[] {
  const inv = invoice(number);
  return queryDatabase(
    server,
    "select paid_on, amount_yen from payments where contract_id = ? and billing_month = ? order by id",
    inv.contract_id,
    inv.billing_month,
  );
}

async function financePage(javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await loginAs(page, server.url, "finance@demo.example");
  return page;
}

async function fillPayment(page: Page, amount: string) {
  await page.getByLabel("入金日").fill("2026-11-20");
  await page.getByLabel("入金額（円）").fill(amount);
}

for (const javaScriptEnabled of [true, false]) {
  describe(`入金を記録 once (JavaScript ${javaScriptEnabled ? "on" : "off"})`, () => {
    it("a double click records one payment and leaves an empty form", async () => {
      const number = unpaidInvoice();
      const { id } = invoice(number);
      const before = payments(number).length;
      const page = await financePage(javaScriptEnabled);
      await page.goto(`${server.url}/invoices/${id}`);
      await fillPayment(page, "1000");
      await page.getByRole("button", { name: "入金を記録" }).dblclick();
      await page.waitForURL(/paid=1|\/invoices\/\d+$/);
      // Wait for the page after the submissions, not only its address.
      await expect.poll(async () => payments(number).length, { timeout: 10_000 }).toBe(before + 1);
      await page.getByRole("heading", { name: "入金を記録する" }).waitFor();
      await expect
        .poll(async () => page.getByLabel("入金額（円）").inputValue(), { timeout: 10_000 })
        .toBe("");
      await page.waitForTimeout(500);
      const after = payments(number);
      expect(after.length).toBe(before + 1);
      expect(after.at(-1)).toEqual({ paid_on: "2026-11-20", amount_yen: 1000 });
      await page.context().close();
    });

    it("the back button brings back an empty form with a new token, so nothing is recorded twice", async () => {
      const number = unpaidInvoice();
      const { id } = invoice(number);
      const page = await financePage(javaScriptEnabled);
      await page.goto(`${server.url}/invoices/${id}`);
      const before = payments(number).length;
      const usedToken = await page
        .locator('input[name="_formToken"]')
        .first()
        .getAttribute("value");
      await fillPayment(page, "700");
      await page.getByRole("button", { name: "入金を記録" }).click();
      await page.waitForURL(/paid=1/);
      await expect.poll(async () => payments(number).length, { timeout: 10_000 }).toBe(before + 1);
      // Back to the form: the page comes back as a new, empty form (its values are not restored under
      // a new token, where one more click would record them again).
      await page.goBack();
      await page.getByRole("button", { name: "入金を記録" }).waitFor();
      expect(await page.getByLabel("入金額（円）").inputValue()).toBe("");
      const tokenAfterBack = await page
        .locator('input[name="_formToken"]')
        .first()
        .getAttribute("value");
      expect(tokenAfterBack).not.toBe(usedToken);
      expect(payments(number).length).toBe(before + 1);
      await page.context().close();
    });
  });
}

describe("a form re-posted with its used token", () => {
  it("answers 「すでに記録されています」 in the page and records nothing (as a reload of the answer would)", async () => {
    const number = unpaidInvoice();
    const { id } = invoice(number);
    const page = await financePage(false);
    await page.goto(`${server.url}/invoices/${id}`);
    const token = await page.locator('input[name="_formToken"]').first().getAttribute("value");
    const before = payments(number).length;
    const body = `intent=payment&paidOn=2026-11-20&amountYen=400&_formToken=${encodeURIComponent(token!)}`;
    const post = () =>
      page.request.post(`${server.url}/invoices/${id}`, {
        data: body,
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.url },
        maxRedirects: 0,
      });
    const first = await post();
    expect([first.status(), first.headers().location]).toEqual([302, `/invoices/${id}?paid=1`]);
    const second = await post();
    expect(second.status()).toBe(200);
    expect(await second.text()).toContain("すでに記録されています");
    expect(payments(number).length).toBe(before + 1);
    await page.context().close();
  });
});
