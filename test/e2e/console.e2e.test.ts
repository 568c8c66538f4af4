// The foundation through a real browser: every role signs in to its own home, foreign records
// are 404, wrong passwords and throttling speak Japanese, logout ends the session, changes are audited.
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, jstDate, jstTime, monthOf } from "../../app/lib/jst";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
let idOf: (table: "contracts" | "customers", ref: string) => number;

beforeAll(async () => {
  server = await startConsole();
  browser = await launchBrowser();
  const sqlite = new SQLite(server.databasePath, { readonly: true });
  idOf = (table, ref) =>
    (sqlite.prepare(`select id from ${table} where ref = ?`).get(ref) as { id: number }).id;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const HOMES = [
  {
    email: "admin@demo.example",
    tenant: "セキュアライン株式会社",
    contracts: "9",
    nav: ["監査ログ", "事業者設定"],
  },
  {
    email: "operator@demo.example",
    tenant: "セキュアライン株式会社",
    contracts: "9",
    nav: ["顧客"],
  },
  {
    email: "finance@demo.example",
    tenant: "セキュアライン株式会社",
    contracts: "9",
    nav: ["顧客"],
  },
  {
    email: "reseller@demo.example",
    tenant: "西日本OAサービス株式会社",
    contracts: "5",
    nav: ["顧客"],
  },
  {
    email: "reseller2@demo.example",
    tenant: "東日本ITパートナーズ株式会社",
    contracts: "4",
    nav: ["顧客"],
  },
  { email: "customer@demo.example", tenant: "株式会社みなと製作所", contracts: "2", nav: [] },
  { email: "customer2@demo.example", tenant: "株式会社あおば設計", contracts: "1", nav: [] },
];

describe("signing in", () => {
  for (const home of HOMES) {
    it(`${home.email} sees its own home page`, async () => {
      const page = await browser.newPage();
      await loginAs(page, server.url, home.email);
      await page.getByRole("heading", { name: "ホーム", level: 1 }).waitFor();
      expect(await page.getByTestId("tenant-name").textContent()).toBe(home.tenant);
      expect(await page.getByTestId("figure-contracts").textContent()).toBe(home.contracts);
      await page.getByText("7日以上通信のない機器").waitFor();
      const nav = await page.getByRole("navigation", { name: "メインメニュー" }).textContent();
      for (const label of home.nav) expect(nav).toContain(label);
      if (home.email.startsWith("customer")) expect(nav).not.toContain("顧客");
      await page.close();
    });
  }

  it("shows a Japanese error for a wrong password", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("メールアドレス").fill("reseller@demo.example");
    await page.getByLabel("パスワード").fill("not-the-password");
    await page.getByRole("button", { name: "ログイン", exact: true }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toBe(
      "メールアドレスまたはパスワードが正しくありません。",
    );
    expect(page.url()).toBe(`${server.url}/login`);
    await page.close();
  });

  it("throttles the sixth failed login in a row with a 429 and a Japanese message", async () => {
    const page = await browser.newPage();
    const statuses: number[] = [];
    page.on("response", (r) => {
      if (r.request().method() === "POST" && r.url().includes("/login")) statuses.push(r.status());
    });
    for (let i = 1; i <= 6; i++) {
      await page.goto(`${server.url}/login`);
      await page.getByLabel("メールアドレス").fill("finance@demo.example");
      await page.getByLabel("パスワード").fill(i === 6 ? "demo-password-2026" : `wrong-${i}`);
      await page.getByRole("button", { name: "ログイン", exact: true }).click();
      await page.getByRole("alert").waitFor();
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await page.getByRole("alert").textContent()).toContain(
      "一時的にログインを制限しています",
    );
    await page.close();
  });
});

describe("tenancy in the browser", () => {
  it("answers 404 when customer@ opens a contract of customer2@", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    const own = await page.goto(`${server.url}/contracts/${idOf("contracts", "K-1001")}`);
    expect(own?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("K-1001");
    const foreign = await page.goto(`${server.url}/contracts/${idOf("contracts", "K-2001")}`);
    expect(foreign?.status()).toBe(404);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "ページが見つかりません",
    );
    expect(await page.content()).not.toContain("CAF5120334");
    const missing = await page.goto(`${server.url}/contracts/999999`);
    expect(missing?.status()).toBe(404);
    await page.close();
  });

  it("answers 404 when reseller@ opens a customer of R2", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    const foreign = await page.goto(`${server.url}/customers/${idOf("customers", "C5")}`);
    expect(foreign?.status()).toBe(404);
    expect(await page.content()).not.toContain("あおば設計");
    const own = await page.goto(`${server.url}/customers/${idOf("customers", "C1")}`);
    expect(own?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "株式会社みなと製作所",
    );
    await page.close();
  });
});

describe("logout", () => {
  it("ends the session: the old cookie no longer opens a page", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await loginAs(page, server.url, "customer2@demo.example");
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "console_session", httpOnly: true, sameSite: "Lax" });
    await Promise.all([
      page.waitForURL(`${server.url}/login`),
      page.getByRole("button", { name: "ログアウト" }).click(),
    ]);
    // Replaying the old session id must not work: the session is gone on the server.
    const replay = await fetch(`${server.url}/home`, {
      headers: { Cookie: `console_session=${cookie.value}` },
      redirect: "manual",
    });
    expect(replay.status).toBe(302);
    expect(replay.headers.get("location")).toBe("/login?redirectTo=%2Fhome");
    await context.close();
  });
});

describe("changes are audited", () => {
  it("refuses a bad registration number with a field error, saves a good one, and the audit log shows both logins and the change", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "admin@demo.example");
    await page.goto(`${server.url}/settings`);
    await page.getByLabel("適格請求書発行事業者登録番号").fill("T1234567890123");
    await page.getByRole("button", { name: "保存する", exact: true }).click();
    await page.getByText("チェックディジット").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("入力内容に誤りがあります");

    await page.getByLabel("適格請求書発行事業者登録番号").fill("T7000012050002");
    await Promise.all([
      page.waitForURL(/saved=1/),
      page.getByRole("button", { name: "保存する", exact: true }).click(),
    ]);
    expect(await page.getByLabel("適格請求書発行事業者登録番号").inputValue()).toBe(
      "T7000012050002",
    );

    // Billing settings (T-27-1 due date, T-26-3): a due date 9 days after issue is refused; the 10th of M+2 is saved.
    await page.getByLabel("支払期限の日").selectOption("10");
    await page.getByRole("button", { name: "請求の設定を保存する" }).click();
    await page
      .getByText("支払期限は発行日（翌月1日）から10日以上あとにしてください")
      .first()
      .waitFor();
    await page.getByLabel("支払期限の月（規約第27条第1項）").selectOption("2");
    await page.getByLabel(/延滞利息だけの請求書は発行しない/).check();
    await Promise.all([
      page.waitForURL(/billingSaved=1/),
      page.getByRole("button", { name: "請求の設定を保存する" }).click(),
    ]);
    // The month billed next (last month) falls due on the 10th two months later.
    const billed = addMonths(monthOf(jstDate(new Date())), -1);
    const due = addMonths(billed, 2);
    expect(await page.getByText(/現在：支払期限は翌々月10日/).textContent()).toContain(
      `${billed.slice(0, 4)}年${Number(billed.slice(5))}月分なら ${due.slice(0, 4)}年${Number(due.slice(5))}月10日`,
    );
    expect(await page.getByText(/現在：支払期限/).textContent()).toContain(
      "延滞利息だけの請求書は発行しません",
    );

    // Dunning days (issue 20 item 3): out of 1–60 is refused with a field error; 1,20 is saved.
    await page.getByLabel(/督促する日/).fill("0,10");
    await page.getByRole("button", { name: "督促する日を保存する" }).click();
    await page
      .getByText(
        "督促する日は支払期限の1〜60日後を半角数字で、カンマ区切りで入力してください（例: 1,10）",
      )
      .waitFor();
    expect(await page.getByLabel(/督促する日/).inputValue()).toBe("0,10");
    await page.getByLabel(/督促する日/).fill("20, 1");
    await Promise.all([
      page.waitForURL(/dunningSaved=1/),
      page.getByRole("button", { name: "督促する日を保存する" }).click(),
    ]);
    // With JavaScript the address changes before React renders the saved days: wait for them.
    await page.getByText("現在：1日後、20日後").waitFor();
    expect(await page.getByLabel(/督促する日/).inputValue()).toBe("1,20");

    await page.goto(`${server.url}/audit`);
    const log = (await page.locator("table.data").textContent()) ?? "";
    expect(log).toContain("事業者設定を変更: 登録番号 T5010001234566→T7000012050002");
    expect(log).toContain(
      "請求の設定を変更: 支払期限 翌月末日→翌々月10日、延滞利息のみの請求書 請求する→請求しない",
    );
    expect(log).toContain("督促する日を変更: 支払期限の1日後、10日後→1日後、20日後");
    expect(log).toContain("ログイン失敗");
    expect(log).toContain("ログイン制限");
    expect(log).toContain("ログアウト");
    for (const email of ["customer@demo.example", "reseller@demo.example", "admin@demo.example"])
      expect(log).toContain(email);
    await page.close();
  });
});

describe("without JavaScript", () => {
  it("signs in and browses contracts with plain HTML forms and links", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "reseller2@demo.example");
    await page.getByRole("link", { name: "契約", exact: true }).click();
    await page.getByLabel("検索（契約番号・回線ID・顧客名）").fill("ひばり");
    await page.getByRole("button", { name: "絞り込む" }).click();
    await page.waitForURL(/q=/);
    const rows = await page.locator("table.data tbody tr").allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("K-2002");
    await context.close();
  });
});

describe("tariff versions", () => {
  it("operator publishes next month's version and withdraws it; a reseller and a customer are refused", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.getByRole("link", { name: "料金表", exact: true }).click();
    await page.locator("h1", { hasText: "料金表" }).waitFor();
    // A version starting today or earlier is refused under its field.
    const nextMonth = addMonths(monthOf(jstDate(new Date())), 1);
    await page
      .getByLabel("適用開始日（月の初日、明日以降）")
      .fill(`${monthOf(jstDate(new Date()))}-01`);
    await page.getByLabel("エンドポイントセキュリティ（1台） の新しい料金").fill("650");
    await page.getByRole("button", { name: "この版を登録する" }).click();
    await page.getByText("適用開始日は明日以降の月初にしてください").waitFor();
    expect(
      await page.getByLabel("エンドポイントセキュリティ（1台） の新しい料金").inputValue(),
    ).toBe("650");

    await page.getByLabel("適用開始日（月の初日、明日以降）").fill(`${nextMonth}-01`);
    // Wait for the page's own message: with JavaScript the address changes before React renders the new data.
    await page.getByRole("button", { name: "この版を登録する" }).click();
    await page.getByRole("status").filter({ hasText: "から適用する版を登録しました" }).waitFor();
    const row = page
      .getByRole("table", { name: "版ごとの料金" })
      .locator("tr", { hasText: "エンドポイントセキュリティ（1台）" });
    expect((await row.locator("td").allTextContents()).at(-1)).toBe("650円");
    expect(
      await page
        .getByRole("table", { name: "料金表の版" })
        .locator("tr", { hasText: "適用予定" })
        .count(),
    ).toBe(1);

    const dateJa = `${nextMonth.slice(0, 4)}年${Number(nextMonth.slice(5))}月1日`;
    await page.getByRole("button", { name: `${dateJa} 版を取り下げる` }).click();
    await page.getByRole("status").filter({ hasText: "版を取り下げました" }).waitFor();
    expect(
      await page
        .getByRole("table", { name: "料金表の版" })
        .locator("tr", { hasText: "適用予定" })
        .count(),
    ).toBe(0);
    await page.close();

    // (finance@ is locked out by the throttling test above; the sweeps open its read-only page.)
    const reseller = await browser.newPage();
    await loginAs(reseller, server.url, "reseller@demo.example");
    expect((await reseller.goto(`${server.url}/tariffs`))?.status()).toBe(403);
    await reseller.close();

    const customer = await browser.newPage();
    await loginAs(customer, server.url, "customer@demo.example");
    expect((await customer.goto(`${server.url}/tariffs`))?.status()).toBe(403);
    await customer.close();
  });
});

describe("service interruption notices (T-16)", () => {
  it("the west maintenance is on the login page and the west customer's home only; an operator announces an emergency without JavaScript", async () => {
    const visitor = await browser.newPage();
    await visitor.goto(`${server.url}/login`);
    expect(
      await visitor.getByRole("region", { name: "サービスの利用中止のお知らせ" }).textContent(),
    ).toContain("【予定・西日本エリア】");
    await visitor.close();
    const west = await browser.newPage();
    await loginAs(west, server.url, "customer@demo.example");
    expect(await west.getByTestId("home-notices").textContent()).toContain(
      "西日本エリア ゲートウェイ管理サーバーの定期保守",
    );
    await west.close();

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/notices`);
    const started = new Date(Date.now() - 10 * 60_000);
    await page.getByLabel("中止の理由").selectOption("other");
    await page.getByLabel("対象エリア").selectOption("east");
    await page.getByLabel("件名").fill("東日本エリア 状態メールの配信停止");
    await page.getByLabel(/^内容/).fill("状態メールが届きません。復旧までお待ちください。");
    await page.getByLabel("開始日").fill(jstDate(started));
    await page.getByLabel("開始時刻").fill(jstTime(started));
    await page.getByRole("button", { name: "お知らせを掲載する" }).click();
    await page.getByText("利用中止は事前に周知します").waitFor();
    expect(await page.getByLabel("件名").inputValue()).toBe("東日本エリア 状態メールの配信停止");
    await page.getByLabel(/緊急/).check();
    await Promise.all([
      page.waitForURL(/published=1/),
      page.getByRole("button", { name: "お知らせを掲載する" }).click(),
    ]);
    const item = page
      .getByRole("list", { name: "お知らせ" })
      .locator("li", { hasText: "東日本エリア 状態メールの配信停止" });
    expect(await item.textContent()).toContain("中止中");
    expect(await item.textContent()).toContain("緊急");
    await context.close();

    const east = await browser.newPage();
    await loginAs(east, server.url, "customer2@demo.example");
    const notices = (await east.getByTestId("home-notices").textContent()) ?? "";
    expect(notices).toContain("東日本エリア 状態メールの配信停止");
    expect(notices).not.toContain("西日本エリア");
    await east.close();
  });
});
