// The second factor in the browser (issue 15): setting up an authenticator app without
// JavaScript (the secret read from the page, codes computed as an app would), signing in with the
// password and a code, a wrong and a reused code refused, a recovery code accepted once; passkeys
// registered and used with Chromium's virtual authenticator (on http://localhost:PORT with
// CONSOLE_URL pointing there: browsers refuse an IP address as the relying party); and the
// provider admin requiring it of a reseller's managers on 事業者設定, which keeps an unenrolled
// manager on the setup page.
import { createServer } from "node:net";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/demo/seed";
import { launchBrowser } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

const APP_NOW = "2026-11-22T10:00:00+09:00";
const STEP = Math.floor(new Date(APP_NOW).getTime() / 30_000);

let server: ConsoleServer;
let browser: Browser;
let base: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://localhost:${port}`;
  server = await startConsole({ PORT: String(port), CONSOLE_URL: base, APP_NOW });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** What an authenticator app shows at the server's pinned clock, `offset` steps away. */
function code(secret: string, offset = 0): string {
  return generateHOTP(
    decodeBase32IgnorePadding(secret.replace(/\s/g, "")),
    BigInt(STEP + offset),
    6,
  );
}

async function password(page: Page, email: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("メールアドレス").fill(email);
  await page.getByLabel("パスワード").fill(DEMO_PASSWORD);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole("button", { name: "ログイン", exact: true }).click(),
  ]);
}

async function logout(page: Page): Promise<void> {
  await Promise.all([
    page.waitForURL(`${base}/login`),
    page.getByRole("button", { name: "ログアウト" }).click(),
  ]);
}

async function submitCode(page: Page, value: string): Promise<void> {
  await page.getByLabel("確認コード（認証アプリに表示される6桁の数字）").fill(value);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole("button", { name: "確認する", exact: true }).click(),
  ]);
}

describe("an authenticator app (without JavaScript)", () => {
  it("is set up on アカウント, then asked after the password; wrong and reused codes are refused; a recovery code works once", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await password(page, "finance@demo.example");
    expect(page.url()).toBe(`${base}/home`);
    await page.goto(`${base}/account`);
    await Promise.all([
      page.waitForURL(`${base}/account/second-factor`),
      page.getByRole("link", { name: /二要素認証の設定/ }).click(),
    ]);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "認証アプリを設定する" }).click(),
    ]);
    const secret = (await page.getByTestId("totp-secret").textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
    expect(
      await page.getByRole("img", { name: "認証アプリ用のQRコード" }).getAttribute("src"),
    ).toMatch(/^data:image\/svg\+xml;base64,/);

    await page
      .getByLabel("2. 認証アプリに表示された6桁の確認コード")
      .fill("000000" === code(secret, -1) ? "111111" : "000000");
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "確認して有効にする" }).click(),
    ]);
    expect(await page.locator(".field-error").textContent()).toBe(
      "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
    );
    await page.getByLabel("2. 認証アプリに表示された6桁の確認コード").fill(code(secret, -1));
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "確認して有効にする" }).click(),
    ]);
    const recovery = await page.getByTestId("recovery-codes").locator("li").allTextContents();
    expect(recovery).toHaveLength(10);
    for (const c of recovery) expect(c).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(await page.getByText("設定済みです（残りの回復コード：10件）。").count()).toBe(1);
    await logout(page);

    // Password, then the code page; the field is what authenticator autofill and phones expect.
    await password(page, "finance@demo.example");
    expect(page.url()).toBe(`${base}/login/second-factor?redirectTo=%2Fhome`);
    const field = page.getByLabel("確認コード（認証アプリに表示される6桁の数字）");
    expect(await field.getAttribute("autocomplete")).toBe("one-time-code");
    expect(await field.getAttribute("inputmode")).toBe("numeric");
    await submitCode(page, code(secret, 5));
    expect(await page.getByRole("alert").textContent()).toBe(
      "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
    );
    await submitCode(page, code(secret, 0));
    expect(page.url()).toBe(`${base}/home`);
    await logout(page);

    await password(page, "finance@demo.example");
    await submitCode(page, code(secret, 0));
    expect(page.url()).toContain("/login/second-factor");
    expect(await page.getByRole("alert").textContent()).toBe(
      "この確認コードはすでに使われています。認証アプリに次のコードが表示されてから入力してください。",
    );

    await page.getByText("回復コードを使う").click();
    await page.getByLabel("回復コード（xxxxx-xxxxx）").fill(recovery[0]);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "回復コードで確認する" }).click(),
    ]);
    expect(page.url()).toBe(`${base}/home`);
    await logout(page);

    await password(page, "finance@demo.example");
    await page.getByText("回復コードを使う").click();
    await page.getByLabel("回復コード（xxxxx-xxxxx）").fill(recovery[0]);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "回復コードで確認する" }).click(),
    ]);
    expect(page.url()).toContain("/login/second-factor");
    expect(await page.getByRole("alert").textContent()).toBe(
      "回復コードが正しくないか、すでに使われています。",
    );
    await context.close();
  });
});

async function withVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}

describe("passkeys", () => {
  it("are registered on アカウント and then sign in alone, or pass the second factor after the password", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await withVirtualAuthenticator(context, page);
    await password(page, "reseller@demo.example");
    expect(page.url()).toBe(`${base}/home`);
    await page.goto(`${base}/account/second-factor`);
    await page.getByLabel("パスキーの名前（例：仕事用ノートPC）").fill("テスト用キー");
    await page.getByRole("button", { name: "パスキーを登録する" }).click();
    await page.getByText("パスキー「テスト用キー」を登録しました。").waitFor();
    const rows = await page.getByTestId("passkeys").locator("tbody tr").allTextContents();
    expect(rows).toEqual([
      expect.stringMatching(/^テスト用キー2026年11月22日 10:00未使用削除する$/),
    ]);
    await logout(page);

    // Signing in with the passkey alone: no password, no further factor.
    await page.goto(`${base}/login`);
    await Promise.all([
      page.waitForURL(`${base}/home`),
      page.getByRole("button", { name: "パスキーでログイン" }).click(),
    ]);
    expect(await page.locator(".topbar").textContent()).toContain("西田 誠");
    await logout(page);

    // The passkey is now the account's second factor: after the password it is asked for.
    await password(page, "reseller@demo.example");
    expect(page.url()).toContain("/login/second-factor");
    await Promise.all([
      page.waitForURL(`${base}/home`),
      page.getByRole("button", { name: "パスキーで確認する" }).click(),
    ]);
    await page.goto(`${base}/account/second-factor`);
    expect(await page.getByTestId("passkeys").locator("tbody tr td").nth(2).textContent()).toBe(
      "2026年11月22日 10:00",
    );
    await context.close();
  });
});

describe("enforcement", () => {
  it("turned on for a reseller's managers on 事業者設定 sends an unenrolled manager to the setup page and keeps other pages unreachable", async () => {
    const admin = await browser.newPage();
    await password(admin, "admin@demo.example");
    await admin.goto(`${base}/settings`);
    await admin.getByLabel("東日本ITパートナーズ株式会社の担当者に必須にする").check();
    await Promise.all([
      admin.waitForNavigation(),
      admin.getByRole("button", { name: "二要素認証の設定を保存する" }).click(),
    ]);
    await admin.getByText("二要素認証の設定を保存しました。").waitFor();
    expect(
      await admin.getByLabel("東日本ITパートナーズ株式会社の担当者に必須にする").isChecked(),
    ).toBe(true);
    expect(await admin.getByLabel("西日本OAサービス株式会社の担当者に必須にする").isChecked()).toBe(
      false,
    );
    await admin.close();

    const context = await browser.newContext();
    const page = await context.newPage();
    await password(page, "reseller2@demo.example");
    await page.waitForURL(`${base}/account/second-factor?required=1`);
    expect(await page.getByRole("alert").first().textContent()).toContain(
      "このアカウントでは二要素認証が必須です。",
    );
    expect(
      await page
        .getByRole("navigation", { name: "メインメニュー" })
        .getByRole("link")
        .allTextContents(),
    ).toEqual(["二要素認証の設定"]);
    for (const path of ["/contracts", "/customers", "/account", "/home"]) {
      await page.goto(`${base}${path}`);
      expect(page.url()).toBe(`${base}/account/second-factor?required=1`);
    }
    // Once a factor is set up, the console opens.
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "認証アプリを設定する" }).click(),
    ]);
    const secret = (await page.getByTestId("totp-secret").textContent())!;
    await page.getByLabel("2. 認証アプリに表示された6桁の確認コード").fill(code(secret));
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "確認して有効にする" }).click(),
    ]);
    await page.getByTestId("recovery-codes").waitFor();
    await page.goto(`${base}/contracts`);
    expect(page.url()).toBe(`${base}/contracts`);
    await context.close();
  });
});
