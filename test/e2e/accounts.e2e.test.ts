// Customer administrators' accounts in the browser: the reseller adds one on the customer's page
// (a bad address gets a Japanese field error), the person opens the e-mailed link, sets a password
// (a mismatch is refused) and is logged in to the customer's own contracts; the link works once.
// A reseller opening another reseller's customer gets 404. The reseller's page runs with
// JavaScript, the link's page without (both must work).
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
const ids: Record<string, number> = {};

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath, { readonly: true });
  for (const ref of ["C1", "C5"])
    ids[ref] = (db.prepare("select id from customers where ref = ?").get(ref) as { id: number }).id;
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The link of the last invitation mail queued for `to`. */
function linkMailedTo(to: string): string {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    const mail = db
      .prepare(
        "select body_text from outbox where kind = 'account_invitation' and to_address = ? order by id desc",
      )
      .get(to) as { body_text: string } | undefined;
    const link = mail && /^http:\/\/\S+\/invitation\/[A-Za-z0-9_-]{43}$/m.exec(mail.body_text)?.[0];
    if (!link) throw new Error(`no invitation mail to ${to}`);
    return link;
  } finally {
    db.close();
  }
}

describe("a customer administrator's account", () => {
  it("is added by the reseller, and the link sets the password and logs in to the customer's own contracts, once", async () => {
    const reseller = await browser.newPage();
    await loginAs(reseller, server.url, "reseller@demo.example");
    await reseller.goto(`${server.url}/customers/${ids.C1}`);
    const accounts = reseller.getByTestId("accounts");
    expect(await accounts.locator("tbody tr").allTextContents()).toEqual([
      expect.stringMatching(/^港 健一customer@demo\.example利用中/),
    ]);

    await reseller.getByLabel("氏名").fill("山田 花子");
    await reseller.getByLabel("メールアドレス").fill("yamada@minato");
    await reseller.getByRole("button", { name: "作成してリンクを送る" }).click();
    await reseller.locator(".field-error").first().waitFor();
    expect(await reseller.locator(".field-error").allTextContents()).toEqual([
      "メールアドレスの形式が正しくありません",
    ]);
    await reseller.getByLabel("メールアドレス").fill("Yamada@Minato.Example");
    await reseller.getByRole("button", { name: "作成してリンクを送る" }).click();
    await reseller.getByRole("status").waitFor();
    expect(await reseller.getByRole("status").textContent()).toBe(
      "yamada@minato.example のアカウントを作成し、パスワード設定用のリンクをメールで送りました。",
    );
    expect(
      await accounts.locator("tr", { hasText: "yamada@minato.example" }).textContent(),
    ).toContain("パスワード設定待ち（2026年11月29日 10:00まで）");
    expect([
      await reseller.getByLabel("氏名").inputValue(),
      await reseller.getByLabel("メールアドレス").inputValue(),
    ]).toEqual(["", ""]);

    const link = linkMailedTo("yamada@minato.example");
    expect(link.startsWith(`${server.url}/invitation/`)).toBe(true);
    const person = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    const opened = await person.goto(link);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()["cache-control"]).toBe("private, no-store");
    expect(opened?.headers()["referrer-policy"]).toBe("same-origin");
    expect(await person.locator("main p").first().textContent()).toContain(
      "山田 花子 さま（yamada@minato.example）",
    );
    await person.getByLabel("新しいパスワード（12文字以上）").fill("minato-kanri-2026");
    await person.getByLabel("新しいパスワード（確認）").fill("minato-kanri-2025");
    await person.getByRole("button", { name: "設定してログインする" }).click();
    expect(await person.locator(".field-error").allTextContents()).toEqual([
      "確認用のパスワードが一致しません",
    ]);
    await person.getByLabel("新しいパスワード（12文字以上）").fill("minato-kanri-2026");
    await person.getByLabel("新しいパスワード（確認）").fill("minato-kanri-2026");
    await Promise.all([
      person.waitForURL(`${server.url}/home`),
      person.getByRole("button", { name: "設定してログインする" }).click(),
    ]);
    await person.goto(`${server.url}/contracts`);
    const refs = (await person.locator("table.data tbody tr td:first-child").allTextContents()).map(
      (r) => r.trim(),
    );
    expect(refs).toEqual(["K-1001", "K-1002"]); // C1's two lines

    // The link is spent; the password logs in from a new browser.
    const again = await (await browser.newContext()).newPage();
    expect((await again.goto(link))?.status()).toBe(410);
    expect(await again.getByRole("alert").textContent()).toContain("このリンクは使えません。");
    await loginAs(again, server.url, "yamada@minato.example", "minato-kanri-2026");

    // The reseller sees the account in use, and stops it: the person's session ends at once.
    await reseller.goto(`${server.url}/customers/${ids.C1}`);
    const row = accounts.locator("tr", { hasText: "yamada@minato.example" });
    expect(await row.textContent()).toContain("利用中");
    await row.getByRole("button", { name: "停止する" }).click();
    await reseller
      .getByRole("status")
      .filter({ hasText: "yamada@minato.example のアカウントを停止しました。" })
      .waitFor();
    expect(await row.textContent()).toContain("停止中");
    await person.goto(`${server.url}/contracts`);
    expect(new URL(person.url()).pathname).toBe("/login");
    await row.getByRole("button", { name: "再開する" }).click();
    await reseller
      .getByRole("status")
      .filter({ hasText: "yamada@minato.example のアカウントを再開しました。" })
      .waitFor();
    await loginAs(person, server.url, "yamada@minato.example", "minato-kanri-2026");
  });

  it("cannot be added, nor the page opened, by a reseller for another reseller's customer (404)", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    expect((await page.goto(`${server.url}/customers/${ids.C5}`))?.status()).toBe(404);
    const posted = await page.request.post(`${server.url}/customers/${ids.C5}`, {
      form: { intent: "invite", displayName: "X", email: "x@aoba.example" },
      headers: { Origin: server.url },
    });
    expect(posted.status()).toBe(404);
    const db = new SQLite(server.databasePath, { readonly: true });
    expect(
      db.prepare("select count(*) as n from users where email = 'x@aoba.example'").get(),
    ).toEqual({ n: 0 });
    db.close();
  });
});
