// Passwords, throttling and the audit trail of sign-ins, against a real database file.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../app/auth/password.server";
import { browserName } from "../app/auth/browser-name";
import {
  getViewer,
  login,
  NEW_BROWSER_MAIL_KIND,
  safeRedirectPath,
} from "../app/auth/session.server";
import {
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_DEVICE,
  MAX_FAILURES_PER_IP,
} from "../app/auth/throttle.server";
import { isCrossOriginRequest } from "../scripts/serve";
import { failureStatus } from "../app/lib/result";
import { action as loginAction } from "../app/routes/login";
import { DEMO_PASSWORD } from "../db/demo/seed";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { clientRequest } from "./support/request";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});

describe("passwords", () => {
  it("hashes with scrypt and a fresh salt, and verifies", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, "correct horse battery")).toBe(true);
    expect(await verifyPassword(a, "correct horse batterY")).toBe(false);
  });
});

describe("login", () => {
  it("signs in a demo account and records it in the audit log", async () => {
    const result = await login("Customer@Demo.Example ", DEMO_PASSWORD, clientRequest("10.0.0.1"));
    expect(result.ok).toBe(true);
    if (result.ok === true) {
      const [session, device] = result.value.headers.getSetCookie();
      expect(session).toMatch(/^console_session=[a-z0-9]+;/);
      expect(session).toContain("HttpOnly");
      expect(session).toContain("SameSite=Lax");
      // The cookie lives as long as the session, 12 hours, not 400 days (issue 15, item 6).
      expect(session).toContain("Max-Age=43200");
      expect(device).toMatch(
        /^console_device=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/,
      );
      expect(result.value.viewer.tenant.kind).toBe("customer");
    }
    const row = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "login")
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      user_email: "customer@demo.example",
      entity: "session",
      ip: "10.0.0.1",
    });
  });

  it("answers a wrong password in Japanese and throttles the sixth failure in a row for 15 minutes", async () => {
    process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      const r = await login("finance@demo.example", "wrong", clientRequest("10.0.0.2"));
      expect(r).toEqual({
        ok: false,
        kind: "unauthenticated",
        message: "メールアドレスまたはパスワードが正しくありません。",
      });
    }
    const sixth = await login("finance@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.2"));
    expect(sixth.ok).toBe(false);
    if (!sixth.ok) {
      expect(failureStatus(sixth)).toBe(429);
      expect(sixth).toEqual({
        ok: false,
        kind: "rate_limited",
        message:
          "ログインの失敗が続いたため、一時的にログインを制限しています。約15分後にもう一度お試しください。",
        retryAfterSeconds: 900,
      });
    }
    process.env.APP_NOW = "2026-11-22T10:14:59+09:00";
    expect((await login("finance@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.2"))).ok).toBe(
      false,
    );
    process.env.APP_NOW = "2026-11-22T10:15:01+09:00";
    expect((await login("finance@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.2"))).ok).toBe(
      true,
    );
    const throttled = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "login.throttled")
      .execute();
    expect(throttled).toHaveLength(2);
  });

  it("does not count failures from before the last success", async () => {
    process.env.APP_NOW = "2026-11-22T11:00:00+09:00";
    for (let i = 0; i < 4; i++)
      await login("operator@demo.example", "wrong", clientRequest("10.0.0.3"));
    expect(
      (await login("operator@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.3"))).ok,
    ).toBe(true);
    for (let i = 0; i < 4; i++)
      await login("operator@demo.example", "wrong", clientRequest("10.0.0.3"));
    expect(
      (await login("operator@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.3"))).ok,
    ).toBe(true);
  });
});

/** The cookies a browser would send back after this sign-in (`name=value; …`). */
function cookiesOf(result: Awaited<ReturnType<typeof login>>): string {
  if (result.ok !== true)
    throw new Error(
      `not signed in: ${result.ok === false ? result.message : "second factor asked"}`,
    );
  return result.value.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("login throttling under parallel requests (issue 15, item 2)", () => {
  it("checks at most 5 passwords of 40 simultaneous wrong ones for one account, and refuses the rest with 429", async () => {
    process.env.APP_NOW = "2026-11-22T12:00:00+09:00";
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        login("reseller@demo.example", "wrong-password", clientRequest("10.0.1.1")),
      ),
    );
    const statuses = results.map((r) => (r.ok ? 200 : failureStatus(r)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES_PER_ACCOUNT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - MAX_FAILURES_PER_ACCOUNT);
    const checked = await t.db
      .selectFrom("login_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("email", "=", "reseller@demo.example")
      .executeTakeFirstOrThrow();
    expect(Number(checked.n)).toBe(MAX_FAILURES_PER_ACCOUNT);
  });

  it("checks at most 20 passwords of 80 simultaneous ones for different accounts from one address", async () => {
    process.env.APP_NOW = "2026-11-22T12:00:00+09:00";
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        login(`nobody${i}@example.com`, "wrong-password", clientRequest("10.0.1.9")),
      ),
    );
    expect(results.filter((r) => !r.ok && failureStatus(r) === 401)).toHaveLength(
      MAX_FAILURES_PER_IP,
    );
    expect(results.filter((r) => !r.ok && failureStatus(r) === 429)).toHaveLength(
      80 - MAX_FAILURES_PER_IP,
    );
    const checked = await t.db
      .selectFrom("login_attempts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("ip", "=", "10.0.1.9")
      .executeTakeFirstOrThrow();
    expect(Number(checked.n)).toBe(MAX_FAILURES_PER_IP);
  });
});

describe("login throttling does not turn away people signing in together", () => {
  it("signs in 40 simultaneous correct logins from one address (limit 20) to 5 accounts (limit 5 each): they wait for the checks in flight", async () => {
    process.env.APP_NOW = "2026-11-22T12:30:00+09:00";
    const accounts = ["admin", "operator", "finance", "reseller", "customer"].map(
      (a) => `${a}@demo.example`,
    );
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(accounts[i % 5], DEMO_PASSWORD, clientRequest("10.0.1.20")),
      ),
    );
    expect(results.map((r) => (r.ok ? "ok" : failureStatus(r)))).toEqual(Array(40).fill("ok"));
    const counters = await t.db
      .selectFrom("login_throttle")
      .select(["key", "failures", "pending"])
      .where("key", "=", "ip:10.0.1.20")
      .execute();
    expect(counters).toEqual([{ key: "ip:10.0.1.20", failures: 0, pending: 0 }]);
  });
});

describe("known browsers (OWASP device cookie, issue 15)", () => {
  it("still sign in while failures from elsewhere lock the account; their own 5 failures lock only them", async () => {
    process.env.APP_NOW = "2026-11-22T13:00:00+09:00";
    const email = "admin@demo.example";
    const laptop = cookiesOf(await login(email, DEMO_PASSWORD, clientRequest("10.0.2.1")));
    const phone = cookiesOf(await login(email, DEMO_PASSWORD, clientRequest("10.0.2.2")));
    // Someone elsewhere locks the account for unknown browsers.
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      expect(await login(email, "guess", clientRequest("10.0.2.66"))).toMatchObject({
        ok: false,
        kind: "unauthenticated",
      });
    }
    expect(await login(email, DEMO_PASSWORD, clientRequest("10.0.2.66"))).toMatchObject({
      ok: false,
      kind: "rate_limited",
    });
    expect(await login(email, DEMO_PASSWORD, clientRequest("10.0.2.3"))).toMatchObject({
      ok: false,
      kind: "rate_limited",
    });
    // The owner's known browser is not held by that lock.
    expect(
      await login(email, DEMO_PASSWORD, clientRequest("10.0.2.1", { cookie: laptop })),
    ).toMatchObject({ ok: true });
    // Its own failures count for it alone.
    for (let i = 0; i < MAX_FAILURES_PER_DEVICE; i++) {
      expect(
        await login(email, "typo", clientRequest("10.0.2.1", { cookie: laptop })),
      ).toMatchObject({ ok: false, kind: "unauthenticated" });
    }
    expect(
      await login(email, DEMO_PASSWORD, clientRequest("10.0.2.1", { cookie: laptop })),
    ).toMatchObject({ ok: false, kind: "rate_limited" });
    expect(
      await login(email, DEMO_PASSWORD, clientRequest("10.0.2.2", { cookie: phone })),
    ).toMatchObject({ ok: true });
    // The known browser's success did not lift the lock on unknown ones.
    expect(await login(email, DEMO_PASSWORD, clientRequest("10.0.2.3"))).toMatchObject({
      ok: false,
      kind: "rate_limited",
    });
    const throttled = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "login.throttled")
      .where("user_email", "=", email)
      .orderBy("id")
      .execute();
    expect(throttled.map((r) => r.summary)).toEqual([
      "ログイン試行の上限により拒否（アカウントごとの上限）",
      "ログイン試行の上限により拒否（アカウントごとの上限）",
      "ログイン試行の上限により拒否（このブラウザごとの上限）",
      "ログイン試行の上限により拒否（アカウントごとの上限）",
    ]);
  });

  it("a token of another account's browser is not a known browser of this one", async () => {
    process.env.APP_NOW = "2026-11-22T14:00:00+09:00";
    const other = cookiesOf(
      await login("customer@demo.example", DEMO_PASSWORD, clientRequest("10.0.3.1")),
    );
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++)
      await login("finance@demo.example", "guess", clientRequest("10.0.3.66"));
    expect(
      await login(
        "finance@demo.example",
        DEMO_PASSWORD,
        clientRequest("10.0.3.1", { cookie: other }),
      ),
    ).toMatchObject({ ok: false, kind: "rate_limited" });
  });
});

describe("sessions (issue 15)", () => {
  it("writes a session's last use at most every 5 minutes, not on every request", async () => {
    process.env.APP_NOW = "2026-11-22T15:00:00+09:00";
    const cookie = cookiesOf(
      await login(
        "reseller2@demo.example",
        DEMO_PASSWORD,
        clientRequest("10.0.4.1", {
          userAgent:
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        }),
      ),
    );
    const lastSeen = async () =>
      await t.db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select([
          "sessions.last_seen_at",
          "sessions.created_at",
          "sessions.ip",
          "sessions.user_agent",
        ])
        .where("users.email", "=", "reseller2@demo.example")
        .executeTakeFirstOrThrow();
    expect(await lastSeen()).toMatchObject({
      created_at: "2026-11-22T06:00:00.000Z",
      last_seen_at: "2026-11-22T06:00:00.000Z",
      ip: "10.0.4.1",
    });
    for (const [at, expected] of [
      ["2026-11-22T15:04:59+09:00", "2026-11-22T06:00:00.000Z"],
      ["2026-11-22T15:05:00+09:00", "2026-11-22T06:05:00.000Z"],
      ["2026-11-22T15:09:00+09:00", "2026-11-22T06:05:00.000Z"],
      ["2026-11-22T15:12:00+09:00", "2026-11-22T06:12:00.000Z"],
    ]) {
      process.env.APP_NOW = at;
      expect((await getViewer(clientRequest("10.0.4.1", { cookie }))).viewer?.email).toBe(
        "reseller2@demo.example",
      );
      expect((await lastSeen()).last_seen_at).toBe(expected);
    }
  });

  it("mails the account when a browser not on record signs in, but not on its very first sign-in", async () => {
    process.env.APP_NOW = "2026-11-22T16:00:00+09:00";
    const mails = () =>
      t.db
        .selectFrom("outbox")
        .select(["to_address", "subject", "body_text"])
        .where("kind", "=", NEW_BROWSER_MAIL_KIND)
        .where("to_address", "=", "customer2@demo.example")
        .execute();
    const first = cookiesOf(
      await login("customer2@demo.example", DEMO_PASSWORD, clientRequest("10.0.5.1")),
    );
    expect(await mails()).toEqual([]);
    // The same browser again: known, no mail.
    await login(
      "customer2@demo.example",
      DEMO_PASSWORD,
      clientRequest("10.0.5.1", { cookie: first }),
    );
    expect(await mails()).toEqual([]);
    await login(
      "customer2@demo.example",
      DEMO_PASSWORD,
      clientRequest("198.51.100.7", {
        userAgent:
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      }),
    );
    expect(await mails()).toEqual([
      {
        to_address: "customer2@demo.example",
        subject: "【セキュアライン】新しいブラウザから管理コンソールにログインがありました",
        body_text: [
          "青葉 美咲 さま",
          "",
          "セキュアライン 管理コンソールのアカウント（customer2@demo.example）に、これまで使われたことのないブラウザからログインがありました。",
          "",
          "日時: 2026年11月22日 16:00（日本時間）",
          "ブラウザ: Safari (macOS)",
          "IPアドレス: 198.51.100.7",
          "",
          "ご自身のログインであれば、対応は不要です。",
          "お心当たりがない場合は、すぐに管理コンソールの「アカウント」でパスワードを変更し、「ほかのセッションをすべて終了」を押してください。",
        ].join("\n"),
      },
    ]);
  });

  it("names browsers briefly from their User-Agent", () => {
    expect(
      browserName(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
      ),
    ).toBe("Chrome (Linux)");
    expect(
      browserName(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      ),
    ).toBe("Edge (Windows)");
    expect(
      browserName(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari (iOS)");
    expect(
      browserName("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    ).toBe("Firefox (Linux)");
    expect(browserName("curl/8.5.0")).toBe("不明なブラウザ");
    expect(browserName(null)).toBe("不明なブラウザ");
  });
});

describe("request guards", () => {
  it("follows only same-site paths after login", () => {
    expect(safeRedirectPath("/contracts/3")).toBe("/contracts/3");
    expect(safeRedirectPath("//evil.example/")).toBe("/home");
    expect(safeRedirectPath("https://evil.example/")).toBe("/home");
    expect(safeRedirectPath(null)).toBe("/home");
  });

  it("refuses cross-origin posts by Origin, then Referer", () => {
    expect(isCrossOriginRequest({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })).toBe(
      false,
    );
    expect(isCrossOriginRequest({ origin: "http://evil.example", host: "127.0.0.1:3000" })).toBe(
      true,
    );
    expect(isCrossOriginRequest({ origin: "null", host: "127.0.0.1:3000" })).toBe(true);
    expect(
      isCrossOriginRequest({ referer: "http://evil.example/form", host: "127.0.0.1:3000" }),
    ).toBe(true);
    expect(isCrossOriginRequest({ host: "127.0.0.1:3000" })).toBe(false);
    // Behind a proxy that rewrites Host, the console's own origin (CONSOLE_URL) is still same-origin.
    const proxied = { host: "127.0.0.1:3000", consoleOrigin: "https://console.example.jp" };
    expect(isCrossOriginRequest({ ...proxied, origin: "https://console.example.jp" })).toBe(false);
    expect(
      isCrossOriginRequest({ ...proxied, origin: "https://console.example.jp.evil.example" }),
    ).toBe(true);
    expect(isCrossOriginRequest({ ...proxied, origin: "http://console.example.jp" })).toBe(true);
  });
});

describe("the login page's answers follow the failure kind (decision 0046)", () => {
  const post = (password: string) => {
    const request = new Request("http://127.0.0.1/login", {
      method: "POST",
      headers: { "x-client-ip": "10.0.9.1", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "nobody@demo.example", password }),
    });
    return loginAction({ request, params: {}, context: {} }) as unknown as Promise<{
      data: { formError?: string };
      init: { status: number; headers?: Record<string, string> };
    }>;
  };

  it("a wrong password is 401; too many attempts 429 with Retry-After in seconds", async () => {
    process.env.APP_NOW = "2026-11-22T11:00:00+09:00";
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      const wrong = await post("wrong-password");
      expect([wrong.init.status, wrong.data.formError]).toEqual([
        401,
        "メールアドレスまたはパスワードが正しくありません。",
      ]);
    }
    process.env.APP_NOW = "2026-11-22T11:05:00+09:00";
    const limited = await post("wrong-password");
    expect(limited.init.status).toBe(429);
    expect(limited.init.headers).toEqual({ "Retry-After": "600" });
    expect(limited.data.formError).toBe(
      "ログインの失敗が続いたため、一時的にログインを制限しています。約10分後にもう一度お試しください。",
    );
  });
});
