// The APIキー page in the browser (issue 19, item 1), without JavaScript: a reseller's manager
// issues a key, sees it once (it works against the API, and the page never shows it again), sees
// its last use, and revokes it (the API refuses it at once). Other roles do not reach the page.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsole();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const customersWith = (key: string) =>
  fetch(`${server.url}/api/v1/customers`, { headers: { Authorization: `Bearer ${key}` } });

it("a reseller manager creates a key, sees it once, and revokes it", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await loginAs(page, server.url, "reseller@demo.example");
  await page.getByRole("link", { name: "APIキー" }).click();
  expect(await page.locator("h1").textContent()).toBe("APIキー");
  expect(await page.locator(".empty").textContent()).toBe("APIキーはまだありません。");

  // A name is required.
  await page.getByRole("button", { name: "キーを発行する" }).click();
  expect(await page.locator("#name-error").textContent()).toBe("キーの名前を入力してください");

  await page.getByLabel(/キーの名前/).fill("PSA連携");
  await page.getByLabel(/読み取り・書き込み/).check();
  await page.getByRole("button", { name: "キーを発行する" }).click();
  const shown = page.getByLabel("発行したAPIキー");
  const key = await shown.inputValue();
  expect(key).toMatch(/^slk_[A-Za-z0-9_-]{43}$/);
  expect(await page.getByTestId("created-key").textContent()).toContain(
    "キーはこの画面でしか表示されません。",
  );
  const row = page.getByRole("table", { name: "APIキー" }).locator("tbody tr");
  expect(await row.count()).toBe(1);
  expect((await row.locator("td").allTextContents()).slice(0, 6)).toEqual([
    "PSA連携",
    "読み取り・書き込み",
    `${key.slice(0, 12)}…`,
    expect.stringContaining("reseller@demo.example"),
    "未使用",
    "有効",
  ]);

  const used = await customersWith(key);
  expect(used.status).toBe(200);
  expect((await used.json()).data.map((c: { reseller: string }) => c.reseller)).toEqual(
    expect.arrayContaining(["R1"]),
  );

  // Opened again, the page lists the key without the key itself, with its last use in JST.
  await page.goto(`${server.url}/api-keys`);
  expect(await page.getByLabel("発行したAPIキー").count()).toBe(0);
  expect(await page.content()).not.toContain(key);
  expect(await row.locator("td").nth(4).textContent()).toMatch(
    /^\d{4}年\d{1,2}月\d{1,2}日.*\d{1,2}:\d{2}/,
  );

  await page.getByRole("button", { name: "「PSA連携」を失効させる" }).click();
  expect(await page.getByRole("status").textContent()).toBe(
    "APIキー「PSA連携」を失効させました。このキーでのアクセスはすでにできません。",
  );
  expect(await row.locator("td").nth(5).textContent()).toMatch(/^失効/);
  expect(await page.getByRole("button", { name: "「PSA連携」を失効させる" }).count()).toBe(0);
  expect((await customersWith(key)).status).toBe(401);

  // The provider's operators do not issue keys.
  const operator = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await loginAs(operator, server.url, "operator@demo.example");
  const forbidden = await operator.goto(`${server.url}/api-keys`);
  expect(forbidden?.status()).toBe(403);
  await context.close();
});
