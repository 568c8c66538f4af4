// Issue 17 items 5–7 leftovers: a customer reads who consented to an application and who asked for
// a contract change by display name, never by a staff member's e-mail address.
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
let k1001: number;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath);
  try {
    k1001 = (db.prepare("select id from contracts where ref = 'K-1001'").get() as { id: number })
      .id;
    // A change the operator entered for the customer (what the operator's form writes).
    db.prepare(
      `insert into contract_changes (contract_id, kind, payload, effective_date, status, reason, requested_by, requested_at)
       values (?, 'contact', '{}', '2026-12-01', 'requested', null, 'operator@demo.example', '2026-11-21T01:00:00.000Z')`,
    ).run(k1001);
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("staff by display name (issue 17 item 6)", () => {
  it("customer@ reads the reseller's application consent as 西田 誠, not reseller@demo.example", async () => {
    const reseller = await browser.newPage();
    await loginAs(reseller, server.url, "reseller@demo.example");
    await reseller.goto(`${server.url}/applications/new`);
    await reseller
      .locator("select[name=customerId]")
      .selectOption({ label: "株式会社みなと製作所（C1）" });
    await reseller.getByLabel("契約者名（法人名）").fill("株式会社みなと製作所");
    await reseller.getByLabel("住所").fill("大阪府堺市堺区南瓦町3-1");
    await reseller.getByLabel("電話番号").fill("072-228-0001");
    await reseller
      .getByLabel("メールアドレス（承認のお知らせの宛先）")
      .fill("sakai@minato.example");
    await reseller.getByLabel("回線ID（フレッツ回線のお客さまID）").fill("COP5500001");
    await reseller.getByLabel("利用開始希望日").fill("2026-12-01");
    await reseller.getByRole("checkbox", { name: /個人情報/ }).check();
    await Promise.all([
      reseller.waitForURL(/submitted=1/),
      reseller.getByRole("button", { name: "申し込む" }).click(),
    ]);
    await reseller.close();
    const application = queryDatabase<{ id: number; consent_by: string }>(
      server,
      "select id, consent_by from applications where line_id = 'COP5500001'",
    )[0];
    expect(application.consent_by).toBe("reseller@demo.example");

    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/applications/${application.id}`);
    await page.getByTestId("application-status").waitFor();
    expect(await page.locator("main, body").first().textContent()).toContain("（西田 誠）");
    expect(await page.content()).not.toContain("reseller@demo.example");
    await page.close();
  });

  it("customer@ reads the operator's contract change as requested by 運用 花子", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/contracts/${k1001}/changes`);
    const row = page.locator("tr").filter({ hasText: "名義・住所・連絡先の変更" });
    await row.waitFor();
    expect(await row.locator("td").nth(3).textContent()).toBe("運用 花子");
    expect(await page.content()).not.toContain("operator@demo.example");
    await page.close();
  });

  it("customer@ reads the reseller's transfer request by display name", async () => {
    const c1 = queryDatabase<{ id: number }>(server, "select id from customers where ref = 'C1'")[0]
      .id;
    const db = new SQLite(server.databasePath);
    try {
      db.prepare(
        `insert into contract_holder_changes (contract_id, kind, from_customer_id, party_name, party_address,
          party_phone, party_email, evidence, evidence_note, status, requested_by, requested_at)
         values (?, 'transfer', ?, '株式会社みなと工業', '大阪府大阪市港区築港2-1-11', '06-6571-0002',
          'info@minato-kogyo.example', 'signed_by_both', '譲渡契約書', 'requested', 'reseller@demo.example',
          '2026-11-21T01:00:00.000Z')`,
      ).run(k1001, c1);
    } finally {
      db.close();
    }
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/contracts/${k1001}/transfer`);
    await page.getByText("株式会社みなと工業").first().waitFor();
    expect(await page.locator("dd").filter({ hasText: "西田 誠" }).count()).toBe(1);
    expect(await page.content()).not.toContain("reseller@demo.example");
    await page.close();
  });
});
