// Applications through review (T-6, T-7, T-8) in the browser: a reseller applies for its
// customer, the operator approves with the start date, the customer sees its new contract.
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function fillApplication(page: Page, lineId: string, consent = true) {
  await page.goto(`${server.url}/applications/new`);
  await page
    .locator("select[name=customerId]")
    .selectOption({ label: "株式会社みなと製作所（C1）" });
  await page.getByLabel("契約者名（法人名）").fill("株式会社みなと製作所");
  await page.getByLabel("住所").fill("大阪府堺市堺区南瓦町3-1");
  await page.getByLabel("電話番号").fill("072-228-0001");
  await page.getByLabel("メールアドレス（承認のお知らせの宛先）").fill("sakai@minato.example");
  await page.getByLabel("回線ID（フレッツ回線のお客さまID）").fill(lineId);
  await page.locator("select[name=area]").selectOption("west");
  await page.getByLabel("エンドポイントセキュリティの台数").fill("8");
  await page.getByLabel("利用開始希望日").fill("2026-12-01");
  if (consent) await page.getByRole("checkbox", { name: /個人情報/ }).check();
  await page.getByRole("button", { name: "申し込む" }).click();
}

const count = (sql: string) => {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe("applications", () => {
  it("refuses bad input with Japanese field errors and writes nothing", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    await fillApplication(page, "XYZ123", false);
    await page.getByText("回線IDは「CAF」または「COP」に続く数字で入力してください").waitFor();
    await page.getByText("個人情報の取扱いへの同意が必要です").waitFor();
    expect(count("select count(*) as n from applications")).toBe(0);
    await fillApplication(page, "COP1830017"); // K-1001's line
    await page.getByText("この回線（COP1830017）はすでに契約 K-1001 で利用中です").waitFor();
    expect(count("select count(*) as n from applications")).toBe(0);
    await page.close();
  });

  it("goes from a reseller's application to the operator's approval to the customer's contract", async () => {
    const reseller = await browser.newPage();
    await loginAs(reseller, server.url, "reseller@demo.example");
    await fillApplication(reseller, "cop9900123");
    await reseller.waitForURL(/submitted=1/);
    expect(await reseller.getByTestId("application-status").textContent()).toBe("審査中");
    const applicationUrl = reseller.url().replace(/\?.*$/, "");

    // T-6: a second application for the same line is refused while the first is under review.
    await fillApplication(reseller, "COP9900123");
    await reseller.getByText("審査中のお申し込み（APP-000001）があります").waitFor();

    const operator = await browser.newPage();
    await loginAs(operator, server.url, "operator@demo.example");
    await operator.goto(applicationUrl);
    await operator.getByLabel("サービス開始日（承認のお知らせに記載）").fill("2026-12-01");
    await Promise.all([
      operator.waitForURL(/decided=approve/),
      operator.getByRole("button", { name: "承認する" }).click(),
    ]);
    await operator.getByTestId("application-status").filter({ hasText: "承認" }).waitFor();
    expect(
      count(
        "select count(*) as n from outbox where kind = 'application_approved' and to_address = 'sakai@minato.example'",
      ),
    ).toBe(1);

    const customer = await browser.newPage();
    await loginAs(customer, server.url, "customer@demo.example");
    await customer.goto(`${server.url}/contracts`);
    const row = customer.locator("tr", { hasText: "COP9900123" });
    expect(await row.textContent()).toContain("K-000001");
    expect(await row.textContent()).toContain("2026年12月1日");

    // Another reseller cannot see the application.
    const other = await browser.newPage();
    await loginAs(other, server.url, "reseller2@demo.example");
    expect((await other.goto(applicationUrl))?.status()).toBe(404);
  });
});
