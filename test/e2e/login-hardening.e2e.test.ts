// Issue 15 through the real HTTP server: login throttling holds under parallel requests split
// between two server processes on one database file; a known browser is not locked out by
// failures from elsewhere; the session cookie lives as long as the session and is sent again when
// the session is extended; アカウント refuses a weak password and lists and ends sessions.
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionHandle } from "../../app/auth/sessions.server";
import { DEMO_PASSWORD } from "../../db/demo/seed";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

const APP_NOW = "2026-11-22T10:00:00+09:00";

/** A password sign-in as a browser without JavaScript posts it; the answer is not followed. */
function postLogin(
  server: ConsoleServer,
  email: string,
  password: string,
  cookie?: string,
): Promise<Response> {
  return fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams({ email, password }),
  });
}

/** The cookies a browser would send back after `response` (`name=value; …`). */
function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

const query = queryDatabase;

describe("login throttling with two server processes on one database (issue 15, item 2)", () => {
  let first: ConsoleServer;
  let second: ConsoleServer;
  beforeAll(async () => {
    first = await startConsole({ APP_NOW });
    second = await startConsole({ APP_NOW }, { databasePath: first.databasePath });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it("checks 5 of 40 simultaneous wrong passwords for one account and answers the other 35 with 429", async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postLogin(i % 2 ? second : first, "admin@demo.example", `wrong-${i}`),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    // Both processes did some of the work.
    expect(new Set(answers.map((r, i) => `${i % 2}:${r.status}`)).size).toBeGreaterThanOrEqual(3);
    const page = await answers.find((r) => r.status === 429)!.text();
    expect(page).toContain(
      "ログインの失敗が続いたため、一時的にログインを制限しています。約15分後にもう一度お試しください。",
    );
    expect(
      query(first, "select count(*) as n from login_attempts where email = 'admin@demo.example'"),
    ).toEqual([{ n: 5 }]);
    expect(
      query(
        first,
        "select action, count(*) as n from audit_log where user_email = 'admin@demo.example' group by action order by action",
      ),
    ).toEqual([
      { action: "login.failed", n: 5 },
      { action: "login.throttled", n: 35 },
    ]);
  });

  it("checks no more than 20 passwords from one address across 80 simultaneous sign-ins to different accounts", async () => {
    const answers = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        postLogin(i % 2 ? second : first, `nobody${i}@example.com`, "wrong-password"),
      ),
    );
    // The 5 failures of the test above came from this address too.
    expect(answers.filter((r) => r.status === 401)).toHaveLength(15);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(65);
    expect(
      query(
        first,
        "select count(*) as n from login_attempts where ip = '127.0.0.1' and success = 0",
      ),
    ).toEqual([{ n: 20 }]);
  });
});

describe("known browsers, the session cookie and アカウント (issue 15)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startConsole({ APP_NOW });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("lets a browser that signed in before sign in while the account is locked for others; its own 5 failures lock only it", async () => {
    // Two browsers that signed in before and signed out since: they keep only their device cookie.
    const deviceCookieOf = (r: Response) =>
      cookiesOf(r)
        .split("; ")
        .find((c) => c.startsWith("console_device="))!;
    const laptop = deviceCookieOf(await postLogin(server, "operator@demo.example", DEMO_PASSWORD));
    const phone = deviceCookieOf(await postLogin(server, "operator@demo.example", DEMO_PASSWORD));
    expect(laptop).toMatch(/^console_device=[A-Za-z0-9_-]{43}$/);
    for (let i = 0; i < 5; i++)
      expect((await postLogin(server, "operator@demo.example", "guess")).status).toBe(401);
    expect((await postLogin(server, "operator@demo.example", DEMO_PASSWORD)).status).toBe(429);
    const known = await postLogin(server, "operator@demo.example", DEMO_PASSWORD, laptop);
    expect([known.status, known.headers.get("location")]).toEqual([302, "/home"]);
    for (let i = 0; i < 5; i++)
      expect((await postLogin(server, "operator@demo.example", "typo", laptop)).status).toBe(401);
    expect((await postLogin(server, "operator@demo.example", DEMO_PASSWORD, laptop)).status).toBe(
      429,
    );
    expect((await postLogin(server, "operator@demo.example", DEMO_PASSWORD, phone)).status).toBe(
      302,
    );
  });

  it("gives the session cookie the session's 12 hours, and sends it again when the session in use is extended", async () => {
    const signedIn = await postLogin(server, "finance@demo.example", DEMO_PASSWORD);
    const sessionCookie = signedIn.headers
      .getSetCookie()
      .find((c) => c.startsWith("console_session="))!;
    expect(sessionCookie).toMatch(/; Max-Age=43200(;|$)/);
    const cookie = cookiesOf(signedIn);
    const sessionId = /console_session=([a-z0-9]+)/.exec(cookie)![1];
    const fresh = await fetch(`${server.url}/home`, {
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.getSetCookie()).toEqual([]);

    // Seven hours later (lucia keeps its expiry by the system clock, not APP_NOW, so the session
    // is aged in the database): less than half of the 12 hours is left, and the session is in use.
    const db = new SQLite(server.databasePath);
    db.prepare("update sessions set expires_at = expires_at - 7 * 3600 where id = ?").run(
      sessionId,
    );
    const before = (
      db.prepare("select expires_at from sessions where id = ?").get(sessionId) as {
        expires_at: number;
      }
    ).expires_at;
    db.close();
    const later = await fetch(`${server.url}/home`, {
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(later.status).toBe(200);
    const resent = later.headers.getSetCookie();
    expect(resent).toHaveLength(1);
    expect(resent[0]).toMatch(new RegExp(`^console_session=${sessionId}; .*Max-Age=43200`));
    const [{ expires_at: after }] = query<{ expires_at: number }>(
      server,
      "select expires_at from sessions where id = ?",
      sessionId,
    );
    expect(after - before).toBeGreaterThanOrEqual(7 * 3600 - 5);
    // A client-side navigation (single-fetch data request) gets it too.
    const aged = new SQLite(server.databasePath);
    aged
      .prepare("update sessions set expires_at = expires_at - 7 * 3600 where id = ?")
      .run(sessionId);
    aged.close();
    const data = await fetch(`${server.url}/contracts.data`, {
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(data.status).toBe(200);
    expect(data.headers.getSetCookie()[0]).toMatch(
      new RegExp(`^console_session=${sessionId}; .*Max-Age=43200`),
    );
  });

  it("refuses aaaaaaaaaaaa as a new password on アカウント, with the reason in Japanese", async () => {
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    await page.goto(`${server.url}/account`);
    await page.getByLabel("現在のパスワード").fill(DEMO_PASSWORD);
    await page.getByLabel("新しいパスワード（12文字以上）").fill("aaaaaaaaaaaa");
    await page.getByLabel("新しいパスワード（確認）").fill("aaaaaaaaaaaa");
    await page.getByRole("button", { name: "変更する" }).click();
    expect(await page.locator(".field-error").allTextContents()).toEqual([
      "同じ文字の繰り返しや、連続した文字・数字の並びは使えません",
    ]);
    await page.getByLabel("現在のパスワード").fill(DEMO_PASSWORD);
    await page.getByLabel("新しいパスワード（12文字以上）").fill("reseller-2026-kanri");
    await page.getByLabel("新しいパスワード（確認）").fill("reseller-2026-kanri");
    await page.getByRole("button", { name: "変更する" }).click();
    expect(await page.locator(".field-error").allTextContents()).toEqual([
      "メールアドレスの「@」より前の部分を含むパスワードは使えません",
    ]);
  });

  it("lists the account's sessions, ends another one and all the others (without JavaScript), and mails a new browser", async () => {
    const email = "customer@demo.example";
    // The account's very first sign-in: no browser to compare with, so no mail.
    const here = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await loginAs(here, server.url, email);
    const newBrowserMails = () =>
      query<{ body_text: string }>(
        server,
        "select body_text from outbox where kind = 'login_new_browser' and to_address = ?",
        email,
      );
    expect(newBrowserMails()).toEqual([]);
    const there = await (await browser.newContext()).newPage();
    await loginAs(there, server.url, email);
    const third = await (await browser.newContext()).newPage();
    await loginAs(third, server.url, email);
    const mails = newBrowserMails();
    expect(mails).toHaveLength(2);
    expect(mails[0].body_text).toContain(
      "日時: 2026年11月22日 10:00（日本時間）\nブラウザ: Chrome (Linux)\nIPアドレス: 127.0.0.1",
    );
    expect(mails[0].body_text).toContain(
      "お心当たりがない場合は、すぐに管理コンソールの「アカウント」でパスワードを変更し",
    );

    await here.goto(`${server.url}/account`);
    const rows = here.getByTestId("sessions").locator("tbody tr");
    expect(await rows.allTextContents()).toEqual([
      "Chrome (Linux)（この端末）127.0.0.12026年11月22日 10:002026年11月22日 10:00",
      "Chrome (Linux)127.0.0.12026年11月22日 10:002026年11月22日 10:00このセッションを終了",
      "Chrome (Linux)127.0.0.12026年11月22日 10:002026年11月22日 10:00このセッションを終了",
    ]);
    await rows.nth(1).getByRole("button", { name: "このセッションを終了" }).click();
    expect(await here.getByRole("status").textContent()).toBe("セッションを終了しました。");
    expect(await rows.count()).toBe(2);
    // One of the other two browsers is signed out, the other not.
    const ended = [];
    for (const p of [there, third]) {
      await p.goto(`${server.url}/contracts`);
      ended.push(new URL(p.url()).pathname);
    }
    expect(ended.sort()).toEqual(["/contracts", "/login"]);

    // Another account's session cannot be named: 404, and it stays.
    const [foreign] = query<{ id: string }>(
      server,
      "select s.id from sessions s join users u on u.id = s.user_id where u.email = 'finance@demo.example'",
    );
    const posted = await here.request.post(`${server.url}/account`, {
      form: { intent: "end-session", session: sessionHandle(foreign.id) },
      headers: { Origin: server.url },
    });
    expect(posted.status()).toBe(404);
    expect(query(server, "select count(*) as n from sessions where id = ?", foreign.id)).toEqual([
      { n: 1 },
    ]);

    await here.getByRole("button", { name: "ほかのセッションをすべて終了" }).click();
    expect(await here.getByRole("status").textContent()).toBe(
      "ほかのセッションを1件終了しました。",
    );
    expect(await rows.allTextContents()).toEqual([
      "Chrome (Linux)（この端末）127.0.0.12026年11月22日 10:002026年11月22日 10:00",
    ]);
    for (const p of [there, third]) {
      await p.goto(`${server.url}/contracts`);
      expect(new URL(p.url()).pathname).toBe("/login");
    }
    expect(
      query(
        server,
        "select action, summary from audit_log where action like 'session.%' order by id",
      ),
    ).toEqual([
      { action: "session.end", summary: "セッションを終了（Chrome (Linux)、127.0.0.1）" },
      { action: "session.end_others", summary: "ほかのセッションをすべて終了（1件）" },
    ]);
  });
});
