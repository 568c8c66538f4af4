// Passwords, throttling and the audit trail of sign-ins, against a real database file.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../app/auth/password.server";
import { login, safeRedirectPath } from "../app/auth/session.server";
import { MAX_FAILURES_PER_ACCOUNT } from "../app/auth/throttle.server";
import { isCrossOriginRequest } from "../scripts/serve";
import { DEMO_PASSWORD } from "../db/seed";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
});
afterAll(() => t.dispose());
afterEach(() => {
  delete process.env.APP_NOW;
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
    const result = await login("Customer@Demo.Example ", DEMO_PASSWORD, "10.0.0.1");
    expect(result.ok).toBe(true);
    if (result.ok === true) {
      expect(result.cookie).toMatch(/^console_session=[a-z0-9]+;/);
      expect(result.cookie).toContain("HttpOnly");
      expect(result.cookie).toContain("SameSite=Lax");
      expect(result.viewer.tenant.kind).toBe("customer");
    }
    const row = await t.db.selectFrom("audit_log").selectAll().where("action", "=", "login").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ user_email: "customer@demo.example", entity: "session", ip: "10.0.0.1" });
  });

  it("answers a wrong password in Japanese and throttles the sixth failure in a row for 15 minutes", async () => {
    process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
      const r = await login("finance@demo.example", "wrong", "10.0.0.2");
      expect(r).toEqual({ ok: false, status: 401, message: "メールアドレスまたはパスワードが正しくありません。" });
    }
    const sixth = await login("finance@demo.example", DEMO_PASSWORD, "10.0.0.2");
    expect(sixth.ok).toBe(false);
    if (!sixth.ok) {
      expect(sixth.status).toBe(429);
      expect(sixth.message).toContain("約15分後");
    }
    process.env.APP_NOW = "2026-11-22T10:14:59+09:00";
    expect((await login("finance@demo.example", DEMO_PASSWORD, "10.0.0.2")).ok).toBe(false);
    process.env.APP_NOW = "2026-11-22T10:15:01+09:00";
    expect((await login("finance@demo.example", DEMO_PASSWORD, "10.0.0.2")).ok).toBe(true);
    const throttled = await t.db.selectFrom("audit_log").select("action").where("action", "=", "login.throttled").execute();
    expect(throttled).toHaveLength(2);
  });

  it("does not count failures from before the last success", async () => {
    process.env.APP_NOW = "2026-11-22T11:00:00+09:00";
    for (let i = 0; i < 4; i++) await login("operator@demo.example", "wrong", "10.0.0.3");
    expect((await login("operator@demo.example", DEMO_PASSWORD, "10.0.0.3")).ok).toBe(true);
    for (let i = 0; i < 4; i++) await login("operator@demo.example", "wrong", "10.0.0.3");
    expect((await login("operator@demo.example", DEMO_PASSWORD, "10.0.0.3")).ok).toBe(true);
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
    expect(isCrossOriginRequest({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })).toBe(false);
    expect(isCrossOriginRequest({ origin: "http://evil.example", host: "127.0.0.1:3000" })).toBe(true);
    expect(isCrossOriginRequest({ origin: "null", host: "127.0.0.1:3000" })).toBe(true);
    expect(isCrossOriginRequest({ referer: "http://evil.example/form", host: "127.0.0.1:3000" })).toBe(true);
    expect(isCrossOriginRequest({ host: "127.0.0.1:3000" })).toBe(false);
    // Behind a proxy that rewrites Host, the console's own origin (CONSOLE_URL) is still same-origin.
    const proxied = { host: "127.0.0.1:3000", consoleOrigin: "https://console.example.jp" };
    expect(isCrossOriginRequest({ ...proxied, origin: "https://console.example.jp" })).toBe(false);
    expect(isCrossOriginRequest({ ...proxied, origin: "https://console.example.jp.evil.example" })).toBe(true);
    expect(isCrossOriginRequest({ ...proxied, origin: "http://console.example.jp" })).toBe(true);
  });
});
