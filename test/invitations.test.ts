// Customer administrators' accounts (app/auth/invitations.server.ts, migration 000980): made
// without a password by the provider's operations or the customer's reseller (or by approving a
// new customer), with a one-time link e-mailed through the outbox; the link sets the password,
// once, within 7 days; a new link ends the earlier ones. Scoped by tenant like everything else.
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  findInvitation,
  inviteAccountOfCustomer,
  listCustomerAccounts,
  resendAccountLink,
  setAccountStopped,
  setPasswordByInvitation,
} from "../app/auth/invitations.server";
import { hashPassword } from "../app/auth/password.server";
import { login } from "../app/auth/session.server";
import type { Tenant } from "../app/auth/tenancy";
import { approveApplication, submitApplication } from "../app/contracts/applications.server";
import { ApplicationForm } from "../app/contracts/applications";
import { deliverOutbox } from "../app/mail/outbox.server";
import { createMailTransport } from "../app/mail/transport.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { clientRequest } from "./support/request";
import { parseMime, plainText } from "./support/mime";
import { startSmtp } from "./support/smtp";
import { isoDate } from "../app/lib/jst";

const CONSOLE = "https://console.example.jp";
const operator = { id: null, email: "operator@demo.example" };
const provider: Tenant = { kind: "provider" };
const context = {
  at: TEST_NOW,
  actor: operator,
  ip: "10.0.0.9",
  providerName: "セキュアライン株式会社",
  consoleUrl: CONSOLE,
};
const LINK = new RegExp(`^${CONSOLE}/invitation/([A-Za-z0-9_-]{43})$`, "m");
const PASSWORD = "tsubame-2026-kanri";

let t: TestDatabase;
let c1: number;
let c5: number;
let r1: Tenant;

const customerId = async (ref: string) =>
  (await t.db.selectFrom("customers").select("id").where("ref", "=", ref).executeTakeFirstOrThrow())
    .id;
const invitationMails = () =>
  t.db
    .selectFrom("outbox")
    .select(["to_address", "subject", "body_text"])
    .where("kind", "=", "account_invitation")
    .orderBy("id")
    .execute();
/** The token in the last invitation mail to `to`. */
async function tokenMailedTo(to: string): Promise<string> {
  const mail = (await invitationMails()).filter((m) => m.to_address === to).at(-1);
  const token = mail && LINK.exec(mail.body_text)?.[1];
  if (!token) throw new Error(`no invitation mail to ${to}`);
  return token;
}
const counts = async () => ({
  users: (await t.db.selectFrom("users").select("id").execute()).length,
  invitations: (await t.db.selectFrom("account_invitations").select("id").execute()).length,
  outbox: (await t.db.selectFrom("outbox").select("id").execute()).length,
  audit: (await t.db.selectFrom("audit_log").select("id").execute()).length,
});

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  c1 = await customerId("C1");
  c5 = await customerId("C5");
  r1 = {
    kind: "reseller",
    resellerId: (
      await t.db
        .selectFrom("resellers")
        .select("id")
        .where("ref", "=", "R1")
        .executeTakeFirstOrThrow()
    ).id,
  };
  process.env.APP_NOW = TEST_NOW.toISOString();
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});

describe("inviting a customer administrator", () => {
  it("makes the account without a password, mails a 7-day link and lists it as waiting for its password", async () => {
    const result = await inviteAccountOfCustomer(t.db, {
      ...context,
      tenant: r1,
      customerId: c1,
      email: " Yamada@Minato.Example ",
      displayName: "山田 花子",
    });
    expect(result).toMatchObject({ ok: true });
    const user = await t.db
      .selectFrom("users")
      .selectAll()
      .where("email", "=", "yamada@minato.example")
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      role: "customer_admin",
      customer_id: c1,
      reseller_id: null,
      display_name: "山田 花子",
      password_hash: "",
    });

    const [mail] = await invitationMails();
    expect(mail.to_address).toBe("yamada@minato.example");
    expect(mail.subject).toBe("【セキュアライン株式会社】管理コンソールのアカウントのご案内");
    // Sent 2026-11-22 10:00 JST; valid 7 days, to 2026-11-29 10:00 JST.
    expect(mail.body_text).toContain("株式会社みなと製作所\n山田 花子 さま");
    expect(mail.body_text).toContain(
      "次のリンクを開いて、パスワードを設定してください（2026年11月29日 10:00まで、1回限り有効）。",
    );
    expect(mail.body_text).toContain(
      `設定後は ${CONSOLE}/login から、このメールアドレスとパスワードでログインできます。`,
    );
    const token = await tokenMailedTo("yamada@minato.example");

    // Only the token's digest is stored.
    const stored = await t.db
      .selectFrom("account_invitations")
      .selectAll()
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      expires_at: "2026-11-29T01:00:00.000Z",
      used_at: null,
      created_by: "operator@demo.example",
    });
    expect(stored.token_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(
      JSON.stringify(await t.db.selectFrom("account_invitations").selectAll().execute()),
    ).not.toContain(token);

    expect(await listCustomerAccounts(t.db, { tenant: r1, customerId: c1, at: TEST_NOW })).toEqual(
      expect.arrayContaining([
        {
          id: user.id,
          email: "yamada@minato.example",
          displayName: "山田 花子",
          state: "invited",
          linkExpiresAt: "2026-11-29T01:00:00.000Z",
        },
      ]),
    );
    expect(
      await t.db
        .selectFrom("audit_log")
        .select(["action", "summary"])
        .where("action", "=", "account.invite")
        .execute(),
    ).toEqual([
      {
        action: "account.invite",
        summary:
          "株式会社みなと製作所 の管理者アカウント yamada@minato.example を作成し、設定用リンクを送信",
      },
    ]);
  });

  it("refuses an address that already has an account, and writes nothing", async () => {
    const before = await counts();
    expect(
      await inviteAccountOfCustomer(t.db, {
        ...context,
        tenant: provider,
        customerId: c1,
        email: "Customer@demo.example",
        displayName: "重複",
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { email: "このメールアドレスのアカウントはすでにあります" },
    });
    expect(await counts()).toEqual(before);
  });

  it("answers not found (404) for a customer of another reseller, for inviting, listing and resending alike", async () => {
    const before = await counts();
    expect(
      await inviteAccountOfCustomer(t.db, {
        ...context,
        tenant: r1,
        customerId: c5,
        email: "x@aoba.example",
        displayName: "X",
      }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
    expect(
      await listCustomerAccounts(t.db, { tenant: r1, customerId: c5, at: TEST_NOW }),
    ).toBeNull();
    const c5Admin = await t.db
      .selectFrom("users")
      .select("id")
      .where("customer_id", "=", c5)
      .executeTakeFirstOrThrow();
    expect(
      await resendAccountLink(t.db, { ...context, tenant: r1, customerId: c5, userId: c5Admin.id }),
    ).toBeNull();
    // Nor through one of its own customers with the foreign account's id.
    expect(
      await resendAccountLink(t.db, { ...context, tenant: r1, customerId: c1, userId: c5Admin.id }),
    ).toBeNull();
    expect(await counts()).toEqual(before);
  });
});

describe("the link", () => {
  it("sets the password once: the account then logs in, and the link is spent", async () => {
    await inviteAccountOfCustomer(t.db, {
      ...context,
      tenant: provider,
      customerId: c1,
      email: "yamada@minato.example",
      displayName: "山田 花子",
    });
    const token = await tokenMailedTo("yamada@minato.example");
    // No password yet: nothing logs in, not even the empty one.
    expect(await login("yamada@minato.example", "", clientRequest("10.0.0.1"))).toMatchObject({
      ok: false,
      kind: "unauthenticated",
    });

    const at = new Date("2026-11-23T09:00:00+09:00");
    expect(await findInvitation(t.db, token, at)).toMatchObject({
      email: "yamada@minato.example",
      displayName: "山田 花子",
    });
    const set = await setPasswordByInvitation(t.db, {
      token,
      passwordHash: await hashPassword(PASSWORD),
      at,
      ip: "10.0.0.1",
    });
    expect(set).toMatchObject({ email: "yamada@minato.example" });
    expect(
      await setPasswordByInvitation(t.db, {
        token,
        passwordHash: await hashPassword("another-password-1"),
        at,
        ip: "10.0.0.1",
      }),
    ).toBeNull();
    expect(await findInvitation(t.db, token, at)).toBeUndefined();

    const logged = await login("yamada@minato.example", PASSWORD, clientRequest("10.0.0.1"));
    expect(logged).toMatchObject({
      ok: true,
      value: { viewer: { role: "customer_admin", tenant: { kind: "customer", customerId: c1 } } },
    });
    expect(
      (await listCustomerAccounts(t.db, { tenant: provider, customerId: c1, at }))!.find(
        (a) => a.email === "yamada@minato.example",
      ),
    ).toMatchObject({ state: "active", linkExpiresAt: null });
  });

  it("expires 7 days after it was sent", async () => {
    await inviteAccountOfCustomer(t.db, {
      ...context,
      tenant: provider,
      customerId: c1,
      email: "yamada@minato.example",
      displayName: "山田 花子",
    });
    const token = await tokenMailedTo("yamada@minato.example");
    expect(await findInvitation(t.db, token, new Date("2026-11-29T09:59:59+09:00"))).toBeDefined();
    const late = new Date("2026-11-29T10:00:00+09:00");
    expect(await findInvitation(t.db, token, late)).toBeUndefined();
    expect(
      await setPasswordByInvitation(t.db, {
        token,
        passwordHash: await hashPassword(PASSWORD),
        at: late,
        ip: "",
      }),
    ).toBeNull();
    expect(
      (await listCustomerAccounts(t.db, { tenant: provider, customerId: c1, at: late }))!.find(
        (a) => a.email === "yamada@minato.example",
      ),
    ).toMatchObject({ state: "expired" });
    expect(
      (
        await t.db
          .selectFrom("users")
          .select("password_hash")
          .where("email", "=", "yamada@minato.example")
          .executeTakeFirstOrThrow()
      ).password_hash,
    ).toBe("");
  });

  it("sent again ends the earlier link; for an account in use it is a reset and the old password works until the new one is set", async () => {
    await inviteAccountOfCustomer(t.db, {
      ...context,
      tenant: provider,
      customerId: c1,
      email: "yamada@minato.example",
      displayName: "山田 花子",
    });
    const first = await tokenMailedTo("yamada@minato.example");
    const user = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "yamada@minato.example")
      .executeTakeFirstOrThrow();
    expect(
      await resendAccountLink(t.db, { ...context, tenant: r1, customerId: c1, userId: user.id }),
    ).toEqual({ ok: true });
    const second = await tokenMailedTo("yamada@minato.example");
    expect(second).not.toBe(first);
    expect(await findInvitation(t.db, first, TEST_NOW)).toBeUndefined();
    expect(
      await setPasswordByInvitation(t.db, {
        token: second,
        passwordHash: await hashPassword(PASSWORD),
        at: TEST_NOW,
        ip: "",
      }),
    ).not.toBeNull();

    // The demo administrator of C1 forgot the password.
    const demo = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "customer@demo.example")
      .executeTakeFirstOrThrow();
    await resendAccountLink(t.db, { ...context, tenant: r1, customerId: c1, userId: demo.id });
    const mails = await invitationMails();
    expect(mails.at(-1)).toMatchObject({
      to_address: "customer@demo.example",
      subject: "【セキュアライン株式会社】管理コンソールのパスワード設定のご案内",
    });
    expect(
      await login("customer@demo.example", "demo-password-2026", clientRequest("10.0.0.3")),
    ).toMatchObject({ ok: true });
    await setPasswordByInvitation(t.db, {
      token: await tokenMailedTo("customer@demo.example"),
      passwordHash: await hashPassword(PASSWORD),
      at: TEST_NOW,
      ip: "",
    });
    expect(
      await login("customer@demo.example", "demo-password-2026", clientRequest("10.0.0.3")),
    ).toMatchObject({ ok: false, kind: "unauthenticated" });
    expect(await login("customer@demo.example", PASSWORD, clientRequest("10.0.0.3"))).toMatchObject(
      { ok: true },
    );
  });

  it("reaches the person through a real SMTP server, link intact, and the outbox forgets the token", async () => {
    const smtp = await startSmtp();
    try {
      await inviteAccountOfCustomer(t.db, {
        ...context,
        tenant: provider,
        customerId: c1,
        email: "yamada@minato.example",
        displayName: "山田 花子",
      });
      const token = await tokenMailedTo("yamada@minato.example");
      const sent = await deliverOutbox(t.db, createMailTransport(smtp.url), TEST_NOW, {
        log: () => undefined,
      });
      expect(sent.failed).toBe(0);
      const received = smtp.received.find((m) => m.to.includes("yamada@minato.example"))!;
      const text = plainText(parseMime(received.raw));
      expect(text).toContain(`${CONSOLE}/invitation/${token}`);
      expect(text).toContain("山田 花子 さま");
      // Once handed over, the outbox no longer holds the token: a copy of the database logs no one in.
      const kept = (await invitationMails()).find((m) => m.to_address === "yamada@minato.example")!;
      expect(kept.body_text).not.toContain(token);
      expect(kept.body_text).toContain(`${CONSOLE}/invitation/（リンクは送信後に削除しました）`);
      expect(await findInvitation(t.db, token, TEST_NOW)).not.toBeNull();
    } finally {
      await smtp.close();
    }
  });
});

describe("stopping an account", () => {
  it("refuses its login, ends its sessions and its unused link; started again, its password logs in", async () => {
    const demo = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "customer@demo.example")
      .executeTakeFirstOrThrow();
    expect(
      await login("customer@demo.example", "demo-password-2026", clientRequest("10.0.0.4")),
    ).toMatchObject({ ok: true });
    await resendAccountLink(t.db, { ...context, tenant: r1, customerId: c1, userId: demo.id });
    const token = await tokenMailedTo("customer@demo.example");
    expect(
      (await t.db.selectFrom("sessions").select("id").where("user_id", "=", demo.id).execute())
        .length,
    ).toBe(1);

    const stop = {
      tenant: r1,
      customerId: c1,
      userId: demo.id,
      at: TEST_NOW,
      actor: operator,
      ip: "",
    };
    expect(await setAccountStopped(t.db, { ...stop, stop: true })).toEqual({ ok: true });
    expect(await setAccountStopped(t.db, { ...stop, stop: true })).toBeNull(); // already stopped
    expect(
      await t.db.selectFrom("sessions").select("id").where("user_id", "=", demo.id).execute(),
    ).toEqual([]);
    expect(
      await login("customer@demo.example", "demo-password-2026", clientRequest("10.0.0.4")),
    ).toEqual({
      ok: false,
      kind: "unauthenticated",
      message: "メールアドレスまたはパスワードが正しくありません。",
    });
    expect(await findInvitation(t.db, token, TEST_NOW)).toBeUndefined();
    expect(
      await resendAccountLink(t.db, { ...context, tenant: r1, customerId: c1, userId: demo.id }),
    ).toBeNull();
    expect(
      (await listCustomerAccounts(t.db, { tenant: r1, customerId: c1, at: TEST_NOW }))!.find(
        (a) => a.id === demo.id,
      ),
    ).toMatchObject({ state: "disabled", linkExpiresAt: null });
    expect(
      await t.db
        .selectFrom("audit_log")
        .select("summary")
        .where("action", "in", ["account.stop", "login.failed"])
        .orderBy("id")
        .execute(),
    ).toEqual([
      {
        summary:
          "株式会社みなと製作所 の管理者アカウント customer@demo.example を停止（ログイン中のセッションも終了）",
      },
      { summary: "停止中のアカウント" },
    ]);

    expect(await setAccountStopped(t.db, { ...stop, stop: false })).toEqual({ ok: true });
    expect(
      await login("customer@demo.example", "demo-password-2026", clientRequest("10.0.0.4")),
    ).toMatchObject({ ok: true });
    // The link stopped with the account stays spent.
    expect(await findInvitation(t.db, token, TEST_NOW)).toBeUndefined();
  });

  it("is refused (null, nothing written) for a customer of another reseller", async () => {
    const c5Admin = await t.db
      .selectFrom("users")
      .select("id")
      .where("customer_id", "=", c5)
      .executeTakeFirstOrThrow();
    const before = await counts();
    expect(
      await setAccountStopped(t.db, {
        tenant: r1,
        customerId: c5,
        userId: c5Admin.id,
        stop: true,
        at: TEST_NOW,
        actor: operator,
        ip: "",
      }),
    ).toBeNull();
    expect(
      await setAccountStopped(t.db, {
        tenant: r1,
        customerId: c1,
        userId: c5Admin.id,
        stop: true,
        at: TEST_NOW,
        actor: operator,
        ip: "",
      }),
    ).toBeNull();
    expect(await counts()).toEqual(before);
    expect(
      (
        await t.db
          .selectFrom("users")
          .select("disabled_at")
          .where("id", "=", c5Admin.id)
          .executeTakeFirstOrThrow()
      ).disabled_at,
    ).toBeNull();
  });
});

describe("approving a new customer's application (T-8)", () => {
  it("gives its administrator an account at the holder's address; an application of an existing customer gives none", async () => {
    const input = (lineId: string, customer: string | undefined) =>
      ApplicationForm.parse({
        customerId: customer,
        holderName: "株式会社つばめ工務店",
        holderAddress: "大阪府吹田市江坂町1-1-1",
        holderPhone: "06-6330-0001",
        holderEmail: "info@tsubame-koumuten.example",
        lineId,
        area: "west",
        endpointSeats: "5",
        endpointOwnership: "rental",
        gatewayModel: "",
        gatewayOwnership: "rental",
        wishedStart: "2026-12-01",
        consent: "yes",
      });
    const reseller = { id: null, email: "reseller@demo.example" };
    const fresh = await submitApplication(t.db, {
      tenant: r1,
      input: input("COP5550001", undefined),
      at: TEST_NOW,
      actor: reseller,
      ip: "",
    });
    const existing = await submitApplication(t.db, {
      tenant: r1,
      input: input("COP5550002", String(c1)),
      at: TEST_NOW,
      actor: reseller,
      ip: "",
    });
    expect([fresh.ok, existing.ok]).toEqual([true, true]);
    const approve = (id: number) =>
      approveApplication(t.db, {
        ...context,
        id,
        serviceStart: isoDate("2026-12-01"),
        today: isoDate("2026-11-22"),
      });
    expect(await approve((fresh as { value: { id: number } }).value.id)).toMatchObject({
      ok: true,
    });
    expect(await approve((existing as { value: { id: number } }).value.id)).toMatchObject({
      ok: true,
    });

    const user = await t.db
      .selectFrom("users")
      .innerJoin("customers", "customers.id", "users.customer_id")
      .select(["users.email", "users.display_name", "users.role", "customers.name"])
      .where("users.email", "=", "info@tsubame-koumuten.example")
      .execute();
    expect(user).toEqual([
      {
        email: "info@tsubame-koumuten.example",
        display_name: "ご担当者",
        role: "customer_admin",
        name: "株式会社つばめ工務店",
      },
    ]);
    expect((await invitationMails()).map((m) => m.to_address)).toEqual([
      "info@tsubame-koumuten.example",
    ]);
    expect((await invitationMails())[0].body_text).toContain("株式会社つばめ工務店\nご担当者 さま");
  });
});

afterAll(() => {
  delete process.env.APP_NOW;
});
