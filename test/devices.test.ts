// Known browsers (OWASP device cookie, migration 001050) against a real database file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEVICE_COOKIE_NAME,
  deviceCookie,
  findKnownDevice,
  forgetSecondFactorTrust,
  isTrustedForSecondFactor,
  readDeviceToken,
  rememberDevice,
  trustDeviceForSecondFactor,
} from "../app/auth/devices.server";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
let adminId: string;
let financeId: string;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
  const users = await t.db.selectFrom("users").select(["id", "email"]).execute();
  adminId = users.find((u) => u.email === "admin@demo.example")!.id;
  financeId = users.find((u) => u.email === "finance@demo.example")!.id;
});
afterAll(() => t.dispose());

const at = new Date("2026-11-22T01:00:00Z");

describe("known browsers", () => {
  it("gives a new browser a token, stores only its digest, and knows it next time", async () => {
    const first = await rememberDevice(t.db, {
      userId: adminId,
      token: null,
      userAgent: "Chrome",
      ip: "10.0.0.1",
      at,
    });
    expect(first.isNew).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.db
      .selectFrom("user_devices")
      .selectAll()
      .where("id", "=", first.device.id)
      .executeTakeFirstOrThrow();
    expect(row.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_sha256).not.toContain(first.token);

    const later = new Date("2026-11-23T01:00:00Z");
    const again = await rememberDevice(t.db, {
      userId: adminId,
      token: first.token,
      userAgent: "Chrome 2",
      ip: "10.0.0.9",
      at: later,
    });
    expect(again).toMatchObject({
      isNew: false,
      token: first.token,
      device: { id: first.device.id, ip: "10.0.0.9", lastSeenAt: later.toISOString() },
    });
    expect(await findKnownDevice(t.db, adminId, first.token)).toMatchObject({
      id: first.device.id,
      userAgent: "Chrome 2",
    });
  });

  it("keeps one token per browser across accounts, each account with its own row", async () => {
    const a = await rememberDevice(t.db, {
      userId: adminId,
      token: null,
      userAgent: "Firefox",
      ip: "10.0.0.2",
      at,
    });
    const b = await rememberDevice(t.db, {
      userId: financeId,
      token: a.token,
      userAgent: "Firefox",
      ip: "10.0.0.2",
      at,
    });
    expect(b).toMatchObject({ isNew: true, token: a.token });
    expect(b.device.id).not.toBe(a.device.id);
    expect(await findKnownDevice(t.db, financeId, "x".repeat(43))).toBeUndefined();
    expect(await findKnownDevice(t.db, financeId, null)).toBeUndefined();
  });

  it("trusts a browser for the second factor until a date, and forgets it on reset", async () => {
    const { device, token } = await rememberDevice(t.db, {
      userId: financeId,
      token: null,
      userAgent: "Edge",
      ip: "10.0.0.3",
      at,
    });
    expect(isTrustedForSecondFactor(device, at)).toBe(false);
    await trustDeviceForSecondFactor(t.db, device.id, new Date("2026-12-22T01:00:00Z"));
    const trusted = await findKnownDevice(t.db, financeId, token);
    expect(isTrustedForSecondFactor(trusted, new Date("2026-12-22T00:59:59Z"))).toBe(true);
    expect(isTrustedForSecondFactor(trusted, new Date("2026-12-22T01:00:00Z"))).toBe(false);
    await forgetSecondFactorTrust(t.db, financeId);
    expect(isTrustedForSecondFactor(await findKnownDevice(t.db, financeId, token), at)).toBe(false);
  });

  it("reads only a well-formed token from the Cookie header and sets an HttpOnly, year-long cookie", () => {
    const token = "A".repeat(43);
    const request = (cookie: string) =>
      new Request("http://127.0.0.1/", { headers: { Cookie: cookie } });
    expect(readDeviceToken(request(`console_session=abc; ${DEVICE_COOKIE_NAME}=${token}`))).toBe(
      token,
    );
    expect(readDeviceToken(request(`${DEVICE_COOKIE_NAME}=short`))).toBeNull();
    expect(readDeviceToken(request("console_session=abc"))).toBeNull();
    expect(deviceCookie(token)).toBe(
      `${DEVICE_COOKIE_NAME}=${token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`,
    );
  });
});
