// L-4 automatic end in a real browser: the reseller records the status of a customer's main ISP
// services with JavaScript off (plain form posts), gets Japanese field errors for a bad entry,
// sees nothing end while one main service is still active and the ISP security end on the last
// day once the last one is suspended; the customer then finds its subscription (L-6) with that
// end date, and sees its main services read-only. A reseller posting for another reseller's
// customer gets 404 and nothing is written.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { countRows, queryDatabase, startConsole, type ConsoleServer } from "./support/server";

const APP_NOW = "2026-11-22T10:00:00+09:00";

let server: ConsoleServer;
let browser: Browser;

const query = <T>(sql: string, ...params: unknown[]) => queryDatabase<T>(server, sql, ...params);

const count = (table: string) => countRows(server, table);

beforeAll(async () => {
  server = await startConsole({ APP_NOW });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function recordService(
  page: Page,
  fields: {
    customer?: string;
    serviceRef: string;
    kind?: string;
    status: string;
    lastDay?: string;
  },
) {
  if (fields.customer)
    await page.locator('select[name="customerId"]').selectOption({ label: fields.customer });
  await page.locator('input[name="serviceRef"]').fill(fields.serviceRef);
  await page.locator('select[name="kind"]').selectOption(fields.kind ?? "");
  await page.locator('select[name="status"]').selectOption({ label: fields.status });
  await page.locator('input[name="lastDay"]').fill(fields.lastDay ?? "");
  await Promise.all([
    page.waitForLoadState("load"),
    page.getByRole("button", { name: "記録する" }).click(),
  ]);
}

describe("ISP main services (L-4)", () => {
  const c1Contract = () =>
    query<{ contract_number: string; ended_on: string | null }>(
      "select contract_number, ended_on from isp_applications join customers on customers.id = customer_id where customers.ref = 'C1'",
    )[0];

  it("the reseller records them without JavaScript; the security ends only when none is left, on the last day", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("メールアドレス").fill("reseller@demo.example");
    await page.getByLabel("パスワード").fill("demo-password-2026");
    await Promise.all([
      page.waitForURL(`${server.url}/home`),
      page.getByRole("button", { name: "ログイン", exact: true }).click(),
    ]);
    await page.goto(`${server.url}/licenses/isp/main-services`);
    const c1 = page.getByTestId("main-services-C1");
    expect(await c1.locator("tbody tr").allTextContents()).toEqual([
      expect.stringMatching(/^CATV-0665710001テレビケーブルテレビ ベーシックご利用中—/),
      expect.stringMatching(/^OPT-0665710001インターネット光インターネット 1G ビジネスご利用中—/),
    ]);
    const { contract_number: number } = c1Contract();
    expect(await page.getByTestId("isp-contracts-C1").textContent()).toBe(
      `契約番号 ${number}・マルチデバイスセキュリティ・ご利用中`,
    );
    // Another reseller's customer is not on the page.
    expect(await page.getByTestId("main-services-C5").count()).toBe(0);

    // Suspended without a last day: the field says what is missing, nothing is written.
    const before = count("isp_main_services");
    const audit = count("audit_log");
    await recordService(page, {
      customer: "株式会社みなと製作所（C1）",
      serviceRef: "OPT-0665710001",
      status: "休止",
    });
    expect(await page.locator(".field-error").allTextContents()).toEqual([
      "休止・解約の場合は最終利用日を入力してください",
    ]);
    expect(await page.locator('input[name="serviceRef"]').inputValue()).toBe("OPT-0665710001");
    expect([count("isp_main_services"), count("audit_log")]).toEqual([before, audit]);

    // The TV ends; the internet is still active: nothing ends.
    await recordService(page, {
      customer: "株式会社みなと製作所（C1）",
      serviceRef: "CATV-0665710001",
      status: "解約",
      lastDay: "2026-11-15",
    });
    expect(await page.getByTestId("main-service-recorded").textContent()).toBe(
      "C1 の主契約 CATV-0665710001 を記録しました。自動解約されたISPセキュリティはありません。",
    );
    expect(c1Contract().ended_on).toBeNull();

    // The internet is suspended from 11-20: none is left, the security ends on 11-20.
    await recordService(page, {
      customer: "株式会社みなと製作所（C1）",
      serviceRef: "opt-0665710001",
      status: "休止",
      lastDay: "2026-11-20",
    });
    expect(await page.getByTestId("main-service-recorded").textContent()).toBe(
      "C1 の主契約 OPT-0665710001 を記録しました。ISPセキュリティ 1件が主契約の終了に伴い自動解約（2026-11-20）となりました。",
    );
    expect(await page.getByTestId("isp-contracts-C1").textContent()).toBe(
      `契約番号 ${number}・マルチデバイスセキュリティ・主契約の終了に伴い自動解約（2026-11-20）`,
    );
    expect(c1Contract().ended_on).toBe("2026-11-20");
    expect(
      query("select state, effective_end from licenses where contract_number = ?", number),
    ).toEqual([{ state: "expired", effective_end: "2026-11-20" }]);
    await context.close();
  });

  it("the customer finds its subscription with the real end date and sees its main services read-only", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    const { contract_number: number } = c1Contract();
    await page.goto(`${server.url}/licenses/find?q=${number}`);
    const panel = page.getByTestId(`license-ISP-${number}`);
    await panel.waitFor();
    expect(await panel.getByTestId("license-state").textContent()).toBe("終了");
    expect(await panel.getByTestId("auto-ended").textContent()).toBe(
      "主契約の終了に伴い自動解約（2026-11-20）",
    );
    expect(await panel.getByTestId("cancelled-end").textContent()).toBe("2026年11月20日");
    expect(await panel.getByTestId("isp-status").textContent()).toBe(
      "主契約の終了に伴い自動解約（2026-11-20）",
    );
    expect(await panel.getByTestId("main-services").locator("tbody tr").allTextContents()).toEqual([
      "CATV-0665710001テレビケーブルテレビ ベーシック解約2026年11月15日",
      "OPT-0665710001インターネット光インターネット 1G ビジネス休止2026年11月20日",
    ]);
    expect(await panel.getByRole("button", { name: /解約を申し込む/ }).count()).toBe(0);

    await page.goto(`${server.url}/licenses/isp/main-services`);
    await page.getByText("ご契約の主契約").waitFor();
    expect(await page.getByRole("button", { name: "記録する" }).count()).toBe(0);
    expect(
      await page.getByText("主契約の状態は、販売店または運用担当者が記録します。").count(),
    ).toBe(1);
    // Posting anyway is refused for the role.
    const status = await page.evaluate(
      async (url) =>
        (
          await fetch(url, {
            method: "POST",
            body: new URLSearchParams({
              intent: "record",
              customerId: "1",
              serviceRef: "X-1",
              status: "active",
            }),
          })
        ).status,
      `${server.url}/licenses/isp/main-services`,
    );
    expect(status).toBe(403);
    await page.close();
  });

  it("a reseller posting for another reseller's customer gets 404 and nothing is written", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    await page.goto(`${server.url}/licenses/isp/main-services`);
    const c5 = query<{ id: number }>("select id from customers where ref = 'C5'")[0].id;
    const before = [count("isp_main_services"), count("audit_log")];
    const status = await page.evaluate(
      async ({ url, id }) =>
        (
          await fetch(url, {
            method: "POST",
            body: new URLSearchParams({
              intent: "record",
              customerId: String(id),
              serviceRef: "OPT-0353210005",
              status: "active",
            }),
          })
        ).status,
      { url: `${server.url}/licenses/isp/main-services`, id: c5 },
    );
    expect(status).toBe(404);
    expect([count("isp_main_services"), count("audit_log")]).toEqual(before);
    await page.close();
  });
});
