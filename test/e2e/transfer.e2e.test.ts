// Transfer of a contract (T-10) in the browser: the reseller sees the unpaid invoices the
// transferee takes over, a bad form is refused with Japanese field errors and nothing written,
// the operator sees the request and approves it, and the contract is the transferee's.
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
let k2002: number;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath, { readonly: true });
  k2002 = (db.prepare("select id from contracts where ref = 'K-2002'").get() as { id: number }).id;
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const holderChanges = () => {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    return db
      .prepare("select status, party_name from contract_holder_changes where contract_id = ?")
      .all(k2002);
  } finally {
    db.close();
  }
};

async function fillTransfer(page: Page, email: string, consent: boolean) {
  await page.getByLabel("氏名・名称（譲渡の場合）").fill("株式会社つばさ不動産");
  await page.getByLabel("住所").fill("宮城県仙台市青葉区一番町2-2-2");
  await page.getByLabel("電話番号").fill("022-261-0000");
  await page.getByLabel("メールアドレス（請求書・通知の宛先）").fill(email);
  await page.getByLabel("書類の名称・受付番号など").fill("譲渡承認申請書 2026-11-20 受付");
  if (consent) await page.getByRole("checkbox", { name: /一切の権利と義務を引き継ぐ/ }).check();
  await page.getByRole("button", { name: "申し込む（届け出る）" }).click();
}

describe("transfer of a contract", () => {
  it("goes from the reseller's request with the unpaid takeover to the operator's approval", async () => {
    const reseller = await browser.newPage();
    await loginAs(reseller, server.url, "reseller2@demo.example");
    await reseller.goto(`${server.url}/contracts/${k2002}`);
    await reseller.getByRole("link", { name: "譲渡・承継" }).click();
    await reseller.getByRole("heading", { name: "契約の譲渡・地位の承継（K-2002）" }).waitFor();
    expect(await reseller.getByTestId("takeover-total").textContent()).toBe("19,800円");

    await fillTransfer(reseller, "keiri@", false);
    await reseller.locator(".field-error").first().waitFor();
    const fieldErrors = await reseller.locator(".field-error").allTextContents();
    expect(fieldErrors).toEqual([
      "メールアドレスの形式が正しくありません",
      "譲受人が未払いの料金を含む一切の権利義務を承継することを確認し、チェックを入れてください",
    ]);
    expect(holderChanges()).toEqual([]);

    await fillTransfer(reseller, "keiri@tsubasa-fudosan.example", true);
    await reseller.getByRole("status").filter({ hasText: "お申し込みを受け付けました" }).waitFor();
    expect(await reseller.getByTestId("holder-change-status").textContent()).toBe("審査中");

    const operator = await browser.newPage();
    await loginAs(operator, server.url, "operator@demo.example");
    await operator.goto(`${server.url}/contracts/${k2002}/transfer`);
    await operator.getByRole("button", { name: "承認する" }).click();
    await operator.getByRole("status").filter({ hasText: "審査結果を記録し" }).waitFor();
    expect(await operator.getByTestId("holder-change-status").textContent()).toBe("承認");
    expect(await operator.getByRole("article").textContent()).toContain(
      "19,800円（INV-00000037、INV-00000057）",
    );
    expect(holderChanges()).toEqual([{ status: "approved", party_name: "株式会社つばさ不動産" }]);

    await reseller.goto(`${server.url}/contracts/${k2002}`);
    expect(await reseller.locator("dl.facts").textContent()).toContain("株式会社つばさ不動産");

    // Issue 16 item 3: a request made at 00:30 JST (15:30 UTC the day before) shows the Japan date.
    const rw = new SQLite(server.databasePath);
    rw.prepare("update contract_holder_changes set requested_at = ? where contract_id = ?").run(
      "2026-11-21T15:30:00.000Z",
      k2002,
    );
    rw.close();
    await operator.goto(`${server.url}/contracts/${k2002}/transfer`);
    const request = await operator.getByRole("article").textContent();
    expect(request).toContain("（2026年11月22日）");
    expect(request).not.toContain("2026年11月21日");
  });
  it("gives the transferee's administrator an account whose link logs in to the contract, without the line's incidents from before (T-10)", async () => {
    // The demo's pending transfer of K-1004 (C3) to 株式会社かもめロジスティクス, approved by the operator.
    const db = new SQLite(server.databasePath, { readonly: true });
    const k1004 = (
      db.prepare("select id from contracts where ref = 'K-1004'").get() as { id: number }
    ).id;
    const before = db.prepare("select title from incidents where contract_id = ?").all(k1004) as {
      title: string;
    }[];
    db.close();
    expect(before.length).toBeGreaterThan(0);
    const operator = await browser.newPage();
    await loginAs(operator, server.url, "operator@demo.example");
    await operator.goto(`${server.url}/contracts/${k1004}/transfer`);
    await operator.getByRole("button", { name: "承認する" }).click();
    await operator.getByRole("status").filter({ hasText: "審査結果を記録し" }).waitFor();
    // The previous holder's incidents are still the provider's to see.
    await operator.goto(`${server.url}/incidents`);
    expect(await operator.locator("table.data tbody").textContent()).toContain(before[0].title);

    const outbox = new SQLite(server.databasePath, { readonly: true });
    const mail = outbox
      .prepare("select body_text from outbox where kind = 'account_invitation' and to_address = ?")
      .get("jimu@kamome-logistics.example") as { body_text: string };
    outbox.close();
    const transferee = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await transferee.goto(
      /^http:\/\/\S+\/invitation\/[A-Za-z0-9_-]{43}$/m.exec(mail.body_text)![0],
    );
    await transferee.getByLabel("新しいパスワード（12文字以上）").fill("kamome-logistics-2026");
    await transferee.getByLabel("新しいパスワード（確認）").fill("kamome-logistics-2026");
    await Promise.all([
      transferee.waitForURL(`${server.url}/home`),
      transferee.getByRole("button", { name: "設定してログインする" }).click(),
    ]);
    expect((await transferee.goto(`${server.url}/contracts/${k1004}`))?.status()).toBe(200);
    await transferee.goto(`${server.url}/incidents`);
    expect(await transferee.locator(".empty").textContent()).toBe(
      "インシデントはありません。通知が必要な事象は検知されていません。",
    );
  });
});
