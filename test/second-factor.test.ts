// The second factor (issue 15) through the real route actions and a real database file: the
// pending sign-in after the password, TOTP replay refusal, the guessing throttle, recovery codes,
// "trust this browser for 30 days" on a pinned clock, enforcement, and resets by the provider's
// admin and by a reseller (a foreign account is a 404), with their audit rows and mails.
import { createHash } from "node:crypto";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEVICE_COOKIE_NAME } from "../app/auth/devices.server";
import {
  confirmTotp,
  PENDING_COOKIE_NAME,
  removeTotp,
  resetSecondFactor,
  startTotpSetup,
  totpStep,
} from "../app/auth/second-factor.server";
import { login, requireViewer } from "../app/auth/session.server";
import { action as loginAction } from "../app/routes/login";
import { action as secondStepAction } from "../app/routes/login_.second-factor";
import { resendAccountLink } from "../app/auth/invitations.server";
import { action as invitationAction } from "../app/routes/invitation.$token";
import { FORM_TOKEN_FIELD, issueFormToken } from "../app/lib/idempotency.server";
import { action as customerAction } from "../app/routes/_console.customers.$customerId";
import { action as settingsAction } from "../app/routes/_console.settings";
import { DEMO_PASSWORD } from "../db/demo/seed";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { clientRequest } from "./support/request";

const BASE = "http://127.0.0.1:3000";

let t: TestDatabase;
// Each test gets its own database and enrols (or resets) the accounts it starts from itself.
beforeEach(async () => {
  // Route actions read the console's address from the configuration, as the server sets it.
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});
const T0 = "2026-11-22T10:00:00+09:00";

function setClock(iso: string): Date {
  process.env.APP_NOW = iso;
  return new Date(iso);
}

async function userByEmail(email: string) {
  return t.db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}

/** Sets up the app for the account at the pinned time; returns the secret and the recovery codes. */
async function enrol(email: string): Promise<{ secret: string; codes: string[] }> {
  const user = await userByEmail(email);
  const at = new Date(process.env.APP_NOW!);
  const secret = (await startTotpSetup(t.db, user.id, at))!;
  const codes = await confirmTotp(
    t.db,
    { id: user.id, email },
    codeAt(secret, at, -1),
    at,
    "10.0.0.1",
  );
  if (!codes.ok) throw new Error(`enrol: ${JSON.stringify(codes)}`);
  expect(codes.value).toHaveLength(10);
  return { secret, codes: codes.value };
}

/** The app's code at `at`, `offset` steps away (what an authenticator app computes). */
function codeAt(secret: string, at: Date, offset = 0): string {
  return generateHOTP(decodeBase32IgnorePadding(secret), BigInt(totpStep(at) + offset), 6);
}

function cookiesOf(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [name, ...rest] = pair.split("=");
    out[name] = rest.join("=");
  }
  return out;
}

function post(
  path: string,
  fields: Record<string, string>,
  cookies: Record<string, string> = {},
): Request {
  return new Request(`${BASE}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "x-client-ip": "10.0.0.7",
      "User-Agent": "vitest",
      Cookie: Object.entries(cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join("; "),
    },
  });
}

/** A thrown or returned Response, or a `data()` result, as { status, response? , body? }. */
async function run(fn: () => Promise<unknown>): Promise<{
  status: number;
  response?: Response;
  body?: Record<string, unknown>;
  headers?: Headers;
}> {
  let out: unknown;
  try {
    out = await fn();
  } catch (thrown) {
    out = thrown;
  }
  if (out instanceof Response) return { status: out.status, response: out };
  const d = out as {
    data: Record<string, unknown>;
    init: { status?: number; headers?: HeadersInit } | null;
  };
  return { status: d.init?.status ?? 200, body: d.data, headers: new Headers(d.init?.headers) };
}

/** Password step through the login page's action; returns the pending sign-in cookie (or fails). */
async function passwordStep(
  email: string,
  cookies: Record<string, string> = {},
): Promise<Response> {
  const r = await run(() =>
    loginAction({
      request: post(
        "/login",
        { email, password: DEMO_PASSWORD, redirectTo: "/contracts" },
        cookies,
      ),
      params: {},
      context: {},
    }),
  );
  expect(r.status).toBe(302);
  return r.response!;
}

async function secondStep(
  pending: string,
  fields: Record<string, string>,
  extra: Record<string, string> = {},
) {
  return run(() =>
    secondStepAction({
      request: post(
        "/login/second-factor",
        { redirectTo: "/contracts", ...fields },
        { [PENDING_COOKIE_NAME]: pending, ...extra },
      ),
      params: {},
      context: {},
    }),
  );
}

async function sessionCount(userId: string): Promise<number> {
  const row = await t.db
    .selectFrom("sessions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

describe("signing in with a second factor", () => {
  it("asks for the code after the password without making a session, and stores only the pending token's digest", async () => {
    setClock(T0);
    await enrol("finance@demo.example");
    const user = await userByEmail("finance@demo.example");
    const before = await sessionCount(user.id);
    const response = await passwordStep("finance@demo.example");
    expect(response.headers.get("Location")).toBe("/login/second-factor?redirectTo=%2Fcontracts");
    const pending = cookiesOf(response)[PENDING_COOKIE_NAME];
    expect(pending).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.headers.get("Set-Cookie")).toContain("HttpOnly");
    expect(response.headers.get("Set-Cookie")).toContain("Max-Age=600");
    expect(await sessionCount(user.id)).toBe(before);
    const row = await t.db
      .selectFrom("pending_sign_ins")
      .selectAll()
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.token_sha256).toBe(createHash("sha256").update(pending).digest("hex"));
    expect(row.expires_at).toBe("2026-11-22T01:10:00.000Z");
  });

  it("accepts a code once: the same code (or an earlier step) is refused afterwards, the next step works", async () => {
    const at = setClock("2026-11-22T10:30:00+09:00");
    const { secret } = await enrol("operator@demo.example");
    const user = await userByEmail("operator@demo.example");
    // The setup's confirmation used step −1; a code of that step is already spent.
    let pending = cookiesOf(await passwordStep("operator@demo.example"))[PENDING_COOKIE_NAME];
    const spent = await secondStep(pending, { intent: "totp", code: codeAt(secret, at, -1) });
    expect(spent.status).toBe(400);
    expect(spent.body?.message).toBe(
      "この確認コードはすでに使われています。認証アプリに次のコードが表示されてから入力してください。",
    );

    const ok = await secondStep(pending, { intent: "totp", code: codeAt(secret, at) });
    expect(ok.status).toBe(302);
    expect(ok.response!.headers.get("Location")).toBe("/contracts");
    expect(cookiesOf(ok.response!).console_session).toMatch(/^[a-z0-9]+$/);
    expect(
      await t.db
        .selectFrom("pending_sign_ins")
        .select("id")
        .where("user_id", "=", user.id)
        .execute(),
    ).toHaveLength(0);

    pending = cookiesOf(await passwordStep("operator@demo.example"))[PENDING_COOKIE_NAME];
    const replay = await secondStep(pending, { intent: "totp", code: codeAt(secret, at) });
    expect(replay.status).toBe(400);
    expect(replay.body?.message).toContain("すでに使われています");
    // One step of drift ahead is accepted; two are not.
    expect(
      (await secondStep(pending, { intent: "totp", code: codeAt(secret, at, 2) })).status,
    ).toBe(400);
    expect(
      (await secondStep(pending, { intent: "totp", code: codeAt(secret, at, 1) })).status,
    ).toBe(302);
    const totp = await t.db
      .selectFrom("user_totp")
      .select("last_step")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(totp.last_step).toBe(totpStep(at) + 1);
  });

  it("refuses the 6th code after 5 wrong ones with 429, voids the sign-in, and holds the account for 15 minutes", async () => {
    const at = setClock("2026-11-22T11:00:00+09:00");
    const { secret } = await enrol("reseller2@demo.example");
    const user = await userByEmail("reseller2@demo.example");
    const pending = cookiesOf(await passwordStep("reseller2@demo.example"))[PENDING_COOKIE_NAME];
    for (let i = 0; i < 5; i++) {
      const wrong = await secondStep(pending, { intent: "totp", code: "000000" });
      expect(wrong.status).toBe(400);
      expect(wrong.body?.message).toBe(
        "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
      );
    }
    const sixth = await secondStep(pending, { intent: "totp", code: codeAt(secret, at) });
    expect(sixth.status).toBe(429);
    expect(sixth.headers?.get("Retry-After")).toBe("900");
    expect(sixth.body?.message).toBe(
      "確認コードの誤りが続いたため、このログインを無効にしました。15分ほど待ってから、もう一度ログインしてください。",
    );
    expect(
      await t.db
        .selectFrom("pending_sign_ins")
        .select("id")
        .where("user_id", "=", user.id)
        .execute(),
    ).toHaveLength(0);
    // The voided sign-in is gone: its cookie leads back to the login page.
    const after = await secondStep(pending, { intent: "totp", code: codeAt(secret, at) });
    expect(after.status).toBe(302);
    expect(after.response!.headers.get("Location")).toBe("/login?expired=1");
    // A new password step does not reset the account's count within the 15 minutes.
    setClock("2026-11-22T11:14:00+09:00");
    const again = cookiesOf(await passwordStep("reseller2@demo.example"))[PENDING_COOKIE_NAME];
    expect(
      (
        await secondStep(again, {
          intent: "totp",
          code: codeAt(secret, new Date("2026-11-22T11:14:00+09:00")),
        })
      ).status,
    ).toBe(429);
    const later = setClock("2026-11-22T11:16:00+09:00");
    const fresh = cookiesOf(await passwordStep("reseller2@demo.example"))[PENDING_COOKIE_NAME];
    expect((await secondStep(fresh, { intent: "totp", code: codeAt(secret, later) })).status).toBe(
      302,
    );
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "summary"])
      .where("user_id", "=", user.id)
      .where("action", "in", ["mfa.verify_failed", "mfa.throttled"])
      .orderBy("id")
      .execute();
    expect(audit.filter((a) => a.action === "mfa.verify_failed")).toHaveLength(5);
    expect(audit.filter((a) => a.action === "mfa.throttled")).toHaveLength(2);
    expect(audit[0].summary).toBe("ログイン: 確認コードの誤り");
  });

  it("accepts a recovery code once, in any case and with or without the hyphen", async () => {
    setClock("2026-11-22T12:00:00+09:00");
    const { codes } = await enrol("customer2@demo.example");
    const user = await userByEmail("customer2@demo.example");
    let pending = cookiesOf(await passwordStep("customer2@demo.example"))[PENDING_COOKIE_NAME];
    const ok = await secondStep(pending, {
      intent: "recovery",
      recoveryCode: codes[3].toLowerCase().replace("-", ""),
    });
    expect(ok.status).toBe(302);
    pending = cookiesOf(await passwordStep("customer2@demo.example"))[PENDING_COOKIE_NAME];
    const second = await secondStep(pending, { intent: "recovery", recoveryCode: codes[3] });
    expect(second.status).toBe(400);
    expect(second.body?.message).toBe("回復コードが正しくないか、すでに使われています。");
    const used = await t.db
      .selectFrom("user_recovery_codes")
      .select("used_at")
      .where("user_id", "=", user.id)
      .where("used_at", "is not", null)
      .execute();
    expect(used).toHaveLength(1);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("user_id", "=", user.id)
      .where("action", "=", "mfa.recovery_used")
      .execute();
    expect(audit.map((a) => a.summary)).toEqual(["回復コードでログイン（残り9件）"]);
  });
});

describe("trusting a browser for 30 days", () => {
  it("skips the code in that browser until 30 days have passed, and not after a reset", async () => {
    const at = setClock("2026-11-23T09:00:00+09:00");
    const { secret } = await enrol("reseller@demo.example");
    const user = await userByEmail("reseller@demo.example");
    const pending = cookiesOf(await passwordStep("reseller@demo.example"))[PENDING_COOKIE_NAME];
    const ok = await secondStep(pending, { intent: "totp", code: codeAt(secret, at), trust: "on" });
    expect(ok.status).toBe(302);
    const device = cookiesOf(ok.response!)[DEVICE_COOKIE_NAME];
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await t.db
      .selectFrom("user_devices")
      .select("mfa_trusted_until")
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(row.mfa_trusted_until).toBe("2026-12-23T00:00:00.000Z");

    setClock("2026-12-22T23:59:00+09:00");
    const trusted = await passwordStep("reseller@demo.example", { [DEVICE_COOKIE_NAME]: device });
    expect(trusted.headers.get("Location")).toBe("/contracts");
    expect(cookiesOf(trusted).console_session).toMatch(/^[a-z0-9]+$/);
    // Another browser (no device cookie) is still asked.
    expect((await passwordStep("reseller@demo.example")).headers.get("Location")).toContain(
      "/login/second-factor",
    );

    setClock("2026-12-23T09:00:01+09:00");
    expect(
      (await passwordStep("reseller@demo.example", { [DEVICE_COOKIE_NAME]: device })).headers.get(
        "Location",
      ),
    ).toContain("/login/second-factor");
  });

  it("forgets the trust when the provider's admin resets the second factor", async () => {
    // The reseller's manager set up the app the day before.
    setClock("2026-11-23T09:00:00+09:00");
    const { secret } = await enrol("reseller@demo.example");
    const at = setClock("2026-11-24T09:00:00+09:00");
    const user = await userByEmail("reseller@demo.example");
    const pending = cookiesOf(await passwordStep("reseller@demo.example"))[PENDING_COOKIE_NAME];
    const ok = await secondStep(pending, { intent: "totp", code: codeAt(secret, at), trust: "on" });
    const device = cookiesOf(ok.response!)[DEVICE_COOKIE_NAME];
    expect(device).toBeTruthy();

    const admin = await login("admin@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.1"));
    if (admin.ok !== true) throw new Error("admin login");
    const session = {
      console_session: admin.value.headers.getSetCookie()[0].split(";")[0].split("=")[1],
    };
    // The form's one-time token, as the settings page issues it (issue 17 item 1).
    const resetToken = await issueFormToken(t.db, {
      userId: admin.value.viewer.id,
      form: "mfa-reset",
    });
    const reset = await run(() =>
      settingsAction({
        request: post(
          "/settings",
          { intent: "mfa-reset", email: "Reseller@demo.example", [FORM_TOKEN_FIELD]: resetToken },
          session,
        ),
        params: {},
        context: {},
      }),
    );
    expect(reset.status).toBe(302);
    expect(reset.response!.headers.get("Location")).toBe(
      "/settings?mfaReset=reseller%40demo.example#second-factor",
    );
    const rows = await t.db
      .selectFrom("user_devices")
      .select("mfa_trusted_until")
      .where("user_id", "=", user.id)
      .execute();
    expect(rows.every((r) => r.mfa_trusted_until === null)).toBe(true);
    expect(
      await t.db.selectFrom("user_totp").select("user_id").where("user_id", "=", user.id).execute(),
    ).toHaveLength(0);
    // No factor now: the password alone signs in, in that browser as anywhere.
    expect(
      (await passwordStep("reseller@demo.example", { [DEVICE_COOKIE_NAME]: device })).headers.get(
        "Location",
      ),
    ).toBe("/contracts");
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["summary", "user_email"])
      .where("action", "=", "mfa.reset")
      .execute();
    expect(audit).toEqual([
      {
        user_email: "admin@demo.example",
        summary:
          "販売店担当者 reseller@demo.example の二要素認証をリセット（認証アプリ・回復コード・パスキー・信頼済みブラウザを削除）",
      },
    ]);
    const mail = await t.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "body_text"])
      .where("kind", "=", "mfa_reset")
      .executeTakeFirstOrThrow();
    expect(mail.to_address).toBe("reseller@demo.example");
    expect(mail.subject).toBe("【セキュアライン】二要素認証がリセットされました");
    expect(mail.body_text).toContain(
      "管理者（admin@demo.example）があなたのアカウントの二要素認証をリセットしました。",
    );
    const unknownToken = await issueFormToken(t.db, {
      userId: admin.value.viewer.id,
      form: "mfa-reset",
    });
    const unknown = await run(() =>
      settingsAction({
        request: post(
          "/settings",
          {
            intent: "mfa-reset",
            email: "nobody@demo.example",
            [FORM_TOKEN_FIELD]: unknownToken,
          },
          session,
        ),
        params: {},
        context: {},
      }),
    );
    expect(unknown.status).toBe(404);
  });
});

describe("reset by a reseller", () => {
  it("resets its own customer's administrator, and answers 404 for another reseller's", async () => {
    setClock("2026-11-22T12:00:00+09:00");
    await enrol("customer2@demo.example"); // C5, reseller R2
    setClock("2026-11-25T09:00:00+09:00");
    await enrol("customer@demo.example"); // C1, reseller R1
    const c1 = await userByEmail("customer@demo.example");
    const c5 = await userByEmail("customer2@demo.example");
    const reseller = await login("reseller@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.1"));
    if (reseller.ok !== true) throw new Error("reseller login");
    const session = {
      console_session: reseller.value.headers.getSetCookie()[0].split(";")[0].split("=")[1],
    };

    const foreign = await run(() =>
      customerAction({
        request: post(
          `/customers/${c5.customer_id}`,
          { intent: "mfa-reset", userId: c5.id },
          session,
        ),
        params: { customerId: String(c5.customer_id) },
        context: {},
      }),
    );
    expect(foreign.status).toBe(404);
    // Naming the foreign account under its own customer's page is a 404 too.
    const smuggled = await run(() =>
      customerAction({
        request: post(
          `/customers/${c1.customer_id}`,
          { intent: "mfa-reset", userId: c5.id },
          session,
        ),
        params: { customerId: String(c1.customer_id) },
        context: {},
      }),
    );
    expect(smuggled.status).toBe(404);
    expect(
      await t.db.selectFrom("user_totp").select("user_id").where("user_id", "=", c5.id).execute(),
    ).toHaveLength(1);

    // The row's one-time token, as the page's loader issues it (issue 17 item 1).
    const rowToken = await issueFormToken(t.db, {
      userId: reseller.value.viewer.id,
      form: `account-${c1.id}`,
    });
    const own = await run(() =>
      customerAction({
        request: post(
          `/customers/${c1.customer_id}`,
          { intent: "mfa-reset", userId: c1.id, [FORM_TOKEN_FIELD]: rowToken },
          session,
        ),
        params: { customerId: String(c1.customer_id) },
        context: {},
      }),
    );
    expect(own.status).toBe(302);
    expect(
      await t.db.selectFrom("user_totp").select("user_id").where("user_id", "=", c1.id).execute(),
    ).toHaveLength(0);
    expect(
      await t.db
        .selectFrom("user_recovery_codes")
        .select("id")
        .where("user_id", "=", c1.id)
        .execute(),
    ).toHaveLength(0);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "mfa.reset")
      .where("user_email", "=", "reseller@demo.example")
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      "株式会社みなと製作所 の customer@demo.example の二要素認証をリセット（認証アプリ・回復コード・パスキー・信頼済みブラウザを削除）",
    ]);
    expect(
      await t.db
        .selectFrom("outbox")
        .select("to_address")
        .where("kind", "=", "mfa_reset")
        .where("to_address", "=", "customer@demo.example")
        .execute(),
    ).toHaveLength(1);
  });
});

describe("enforcement", () => {
  it("sends an account that must use a second factor and has none to the setup page, and lets it through once it has one", async () => {
    // C1's administrator had the app and lost it: its reseller reset it, so it has no factor.
    const enrolledAt = setClock("2026-11-25T09:00:00+09:00");
    await enrol("customer@demo.example");
    const r1 = await t.db
      .selectFrom("resellers")
      .select("id")
      .where("ref", "=", "R1")
      .executeTakeFirstOrThrow();
    expect(
      await resetSecondFactor(t.db, {
        tenant: { kind: "reseller", resellerId: r1.id },
        role: "reseller_manager",
        email: "customer@demo.example",
        actor: { id: null, email: "reseller@demo.example" },
        ip: "10.0.0.1",
        at: enrolledAt,
      }),
    ).toMatchObject({ email: "customer@demo.example" });
    const at = setClock("2026-11-26T09:00:00+09:00");
    const c1 = await userByEmail("customer@demo.example");
    const r = await login("customer@demo.example", DEMO_PASSWORD, clientRequest("10.0.0.1"));
    if (r.ok !== true) throw new Error("customer login");
    const request = new Request(`${BASE}/contracts`, {
      headers: { Cookie: r.value.headers.getSetCookie()[0].split(";")[0] },
    });
    expect((await requireViewer(request)).email).toBe("customer@demo.example");

    const reseller = await t.db
      .selectFrom("resellers")
      .select("id")
      .where("ref", "=", "R1")
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable("resellers")
      .set({ mfa_required_customers: 1 })
      .where("id", "=", reseller.id)
      .execute();
    const blocked = await run(() => requireViewer(request));
    expect(blocked.status).toBe(302);
    expect(blocked.response!.headers.get("Location")).toBe("/account/second-factor?required=1");
    expect((await requireViewer(request, { secondFactorSetup: true })).email).toBe(
      "customer@demo.example",
    );

    const secret = (await startTotpSetup(t.db, c1.id, at))!;
    // An unconfirmed setup is not a factor yet.
    expect((await run(() => requireViewer(request))).status).toBe(302);
    await confirmTotp(t.db, { id: c1.id, email: c1.email }, codeAt(secret, at), at, "10.0.0.1");
    expect((await requireViewer(request)).email).toBe("customer@demo.example");
    await t.db
      .updateTable("resellers")
      .set({ mfa_required_customers: 0 })
      .where("id", "=", reseller.id)
      .execute();
    const enrolAudit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "mfa.enrol")
      .where("user_id", "=", c1.id)
      .execute();
    expect(enrolAudit.map((a) => a.summary)).toEqual([
      "二要素認証（認証アプリ）を設定、回復コード10件を発行",
      "二要素認証（認証アプリ）を設定、回復コード10件を発行",
    ]);
  });
});

describe("a mailed password link", () => {
  it("leads an account with a second factor to the second step, not into a session", async () => {
    // C5's administrator signed in with its password, then set up the app.
    setClock("2026-11-22T12:00:00+09:00");
    const signedIn = await login(
      "customer2@demo.example",
      DEMO_PASSWORD,
      clientRequest("10.0.0.1"),
    );
    expect(signedIn.ok).toBe(true);
    await enrol("customer2@demo.example");
    const at = setClock("2026-11-27T09:00:00+09:00");
    const c5 = await userByEmail("customer2@demo.example");
    const sessionsBefore = await sessionCount(c5.id);
    expect(sessionsBefore).toBeGreaterThan(0);
    await resendAccountLink(t.db, {
      tenant: { kind: "provider" },
      customerId: c5.customer_id!,
      userId: c5.id,
      at,
      actor: { id: null, email: "operator@demo.example" },
      ip: "10.0.0.9",
      providerName: "セキュアライン株式会社",
      consoleUrl: BASE,
    });
    const mail = await t.db
      .selectFrom("outbox")
      .select("body_text")
      .where("to_address", "=", c5.email)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const token = /\/invitation\/([A-Za-z0-9_-]{43})/.exec(mail.body_text)![1];
    const r = await run(() =>
      invitationAction({
        request: post(`/invitation/${token}`, {
          next: "aozora-kanri-2026-x",
          confirm: "aozora-kanri-2026-x",
        }),
        params: { token },
        context: {},
      }),
    );
    expect(r.status).toBe(302);
    expect(r.response!.headers.get("Location")).toBe("/login/second-factor?redirectTo=%2Fhome");
    expect(cookiesOf(r.response!)[PENDING_COOKIE_NAME]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookiesOf(r.response!).console_session).toBeUndefined();
    expect(await sessionCount(c5.id)).toBe(0);
  });
});

describe("removing the app", () => {
  it("needs the password or a current code, and stops accepting guesses after 5 wrong ones in 15 minutes", async () => {
    const at = setClock("2026-11-28T09:00:00+09:00");
    const { secret } = await enrol("admin@demo.example");
    const admin = await userByEmail("admin@demo.example");
    const actor = { id: admin.id, email: admin.email };
    for (let i = 0; i < 5; i++) {
      expect(await removeTotp(t.db, actor, { password: "wrong" }, at, "10.0.0.1")).toEqual({
        ok: false,
        kind: "validation",
        fields: { proof: "現在のパスワードまたは確認コードが正しくありません" },
      });
    }
    const held = await removeTotp(t.db, actor, { code: codeAt(secret, at) }, at, "10.0.0.1");
    expect(held).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        proof:
          "誤りが続いたため、しばらく受け付けません。15分ほど待ってから、もう一度お試しください。",
      },
    });
    const later = setClock("2026-11-28T09:16:00+09:00");
    expect(
      await removeTotp(t.db, actor, { code: codeAt(secret, later) }, later, "10.0.0.1"),
    ).toEqual({ ok: true, value: undefined });
    expect(
      await t.db
        .selectFrom("user_totp")
        .select("user_id")
        .where("user_id", "=", admin.id)
        .execute(),
    ).toHaveLength(0);
    expect(
      await t.db
        .selectFrom("user_recovery_codes")
        .select("id")
        .where("user_id", "=", admin.id)
        .execute(),
    ).toHaveLength(0);
  });
});
