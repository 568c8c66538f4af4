// Issue 17 item 11 through the application form: the area is not preset, it follows the
// address's prefecture (as typed, with JavaScript; filled by the server when left empty, without),
// and the monthly price from the tariff is on the form before it is submitted.
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
  await browser?.close();
  await server?.stop();
});

async function fillHolder(page: Page, address: string, lineId: string) {
  await page
    .locator("select[name=customerId]")
    .selectOption({ label: "株式会社みなと製作所（C1）" });
  await page.getByLabel("契約者名（法人名）").fill("株式会社みなと製作所");
  await page.getByLabel("住所").fill(address);
  await page.getByLabel("電話番号").fill("011-200-0001");
  await page.getByLabel("メールアドレス（承認のお知らせの宛先）").fill("area@minato.example");
  await page.getByLabel("回線ID（フレッツ回線のお客さまID）").fill(lineId);
  await page.getByLabel("利用開始希望日").fill("2026-12-01");
}

const areaOf = (lineId: string) =>
  queryDatabase<{ area: string }>(
    server,
    "select area from applications where line_id = ?",
    lineId,
  )[0]?.area;

describe("application area and price (issue 17 item 11)", () => {
  it("with JavaScript: the area follows the typed address and the price follows the seats", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    await page.goto(`${server.url}/applications/new`);
    const area = page.locator("select[name=area]");
    // Not preset to 東日本.
    expect(await area.inputValue()).toBe("");
    // Defaults: plan ① 3,000 + 5 seats × 600 + gw10 with 24-hour repair 9,000 = 15,000 + tax 1,500.
    expect(await page.getByTestId("price-subtotal").textContent()).toBe("15,000円");
    expect(await page.getByTestId("price-total").textContent()).toBe("16,500円");

    await page.getByLabel("住所").fill("大阪府堺市堺区南瓦町3-1");
    await page
      .getByTestId("area-suggestion")
      .filter({ hasText: "大阪府はNTT西日本のエリアです。" })
      .waitFor();
    expect(await area.locator("option:checked").textContent()).toBe(
      "都道府県から自動判定（西日本）",
    );
    await page.getByLabel("住所").fill("北海道札幌市中央区北1条西2-1");
    await page
      .getByTestId("area-suggestion")
      .filter({ hasText: "北海道はNTT東日本のエリアです。" })
      .waitFor();

    await page.getByLabel("エンドポイントセキュリティの台数").fill("10");
    await page.getByTestId("price-subtotal").filter({ hasText: "18,000円" }).waitFor();
    expect(await page.getByTestId("price-total").textContent()).toBe("19,800円");
    await page.getByRole("checkbox", { name: "24時間故障対応オプション" }).uncheck();
    // S4 ※4: 3,000 less without the 24-hour repair option.
    await page.getByTestId("price-subtotal").filter({ hasText: "15,000円" }).waitFor();
    expect(await page.getByTestId("price-total").textContent()).toBe("16,500円");

    await fillHolder(page, "北海道札幌市中央区北1条西2-1", "CAF7700001");
    await page.getByRole("checkbox", { name: /個人情報/ }).check();
    await Promise.all([
      page.waitForURL(/submitted=1/),
      page.getByRole("button", { name: "申し込む" }).click(),
    ]);
    await page.getByTestId("application-status").waitFor();
    expect(areaOf("CAF7700001")).toBe("east");
    await page.close();
  });

  it("without JavaScript: 料金を確認 prices the entered values and the server fills the area from the prefecture", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    await page.goto(`${server.url}/applications/new`);
    await fillHolder(page, "〒530-0001 大阪府大阪市北区梅田1-1", "COP7700002");
    await page.getByLabel("エンドポイントセキュリティの台数").fill("3");
    await page.getByRole("button", { name: "料金を確認" }).click();
    await page.getByText("入力内容で料金を計算しました。").waitFor();
    // 3,000 + 3 × 600 + 9,000 = 13,800; tax 1,380.
    expect(await page.getByTestId("price-subtotal").textContent()).toBe("13,800円");
    expect(await page.getByTestId("price-total").textContent()).toBe("15,180円");
    expect(await page.getByTestId("area-suggestion").textContent()).toBe(
      "大阪府はNTT西日本のエリアです。",
    );
    expect(
      queryDatabase(server, "select id from applications where line_id = 'COP7700002'"),
    ).toEqual([]);
    expect(await page.locator("select[name=area]").inputValue()).toBe("");
    await page.getByRole("checkbox", { name: /個人情報/ }).check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page.getByTestId("application-status").waitFor();
    expect(areaOf("COP7700002")).toBe("west");

    // An address without a prefecture and no area chosen: a Japanese field error, nothing stored.
    await page.goto(`${server.url}/applications/new`);
    await fillHolder(page, "中央区梅田1-1", "COP7700003");
    await page.getByRole("checkbox", { name: /個人情報/ }).check();
    await page.getByRole("button", { name: "申し込む" }).click();
    await page
      .getByText("エリアを選んでください（住所から都道府県を判定できませんでした）")
      .waitFor();
    expect(areaOf("COP7700003")).toBeUndefined();
    await context.close();
  });
});
