// Customer administrators' accounts (migration 000980). The provider's operations or the
// customer's reseller name a person and an address; approving a new customer's application (T-8)
// or a transfer or succession to a new customer (T-10, T-12) names the holder's address. The
// account is made without a password and a one-time link, valid for INVITATION_VALID_DAYS, is
// e-mailed; following it sets the password and logs in. Sending a new link (a lost mail, a
// forgotten password) ends the earlier ones. Only the token's SHA-256 is stored. An account can
// be stopped (no login, its sessions and links end) and started again (migration 000990).
import { invalidField, notFoundFailure, ok, type Result } from "../lib/result";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { inTransaction } from "../lib/transaction.server";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { queueMail } from "../mail/outbox.server";
import { ACCOUNT_LINK_MAIL_KIND, INVITATION_VALID_DAYS, type AccountState } from "./accounts";
import type { Tenant } from "./tenancy";
import { customerInTenant } from "./tenant-scope.server";
import { formatInstant } from "../lib/format";
import { instantOf } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

/** The path of a link; the token is 32 random bytes in base64url (43 characters). */
export function invitationPath(token: string): string {
  return `/invitation/${token}`;
}

export function isInvitationToken(value: string | undefined): value is string {
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value);
}

function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface CustomerAccount {
  id: string;
  email: string;
  displayName: string;
  state: AccountState;
  /** The latest link's expiry, while the password is not set. */
  linkExpiresAt: string | null;
}

/** The customer's administrators, or null when the customer is not in the tenant. */
export async function listCustomerAccounts(
  db: Kysely<Database>,
  params: { tenant: Tenant; customerId: number; at: Date },
): Promise<CustomerAccount[] | null> {
  const customer = await db
    .selectFrom("customers")
    .select("id")
    .where("id", "=", params.customerId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!customer) return null;
  const users = await db
    .selectFrom("users")
    .select([
      "users.id",
      "users.email",
      "users.display_name",
      "users.password_hash",
      "users.disabled_at",
    ])
    .select((eb) =>
      eb
        .selectFrom("account_invitations")
        .select((e) => e.fn.max("expires_at").as("x"))
        .whereRef("account_invitations.user_id", "=", "users.id")
        .as("link_expires_at"),
    )
    .where("users.customer_id", "=", customer.id)
    .where("users.role", "=", "customer_admin")
    .orderBy("users.email")
    .execute();
  const now = params.at.toISOString();
  return users.map((u) => {
    const active = u.password_hash !== "";
    const expiresAt = active || u.disabled_at ? null : u.link_expires_at;
    return {
      id: u.id,
      email: u.email,
      displayName: u.display_name,
      linkExpiresAt: expiresAt,
      state: u.disabled_at
        ? "disabled"
        : active
          ? "active"
          : expiresAt !== null && expiresAt > now
            ? "invited"
            : "expired",
    };
  });
}

/** Who acts, and when (for the audit entry). */
interface ActMoment {
  at: Date;
  actor: AuditActor;
  ip: string;
}

/** A customer's administrator account, asked for within the viewer's tenant. */
interface AdminAccountRef {
  tenant: Tenant;
  customerId: number;
  userId: string;
}

/** The administrator account `account` names, only within its customer and the tenant. */
function customerAdminOf(db: Kysely<Database>, account: AdminAccountRef) {
  return db
    .selectFrom("users")
    .innerJoin("customers", "customers.id", "users.customer_id")
    .where("users.id", "=", account.userId)
    .where("users.role", "=", "customer_admin")
    .where("customers.id", "=", account.customerId)
    .where(customerInTenant(account.tenant));
}

interface LinkContext extends ActMoment {
  providerName: string;
  /** The console's address as its users reach it (`https://…`, no trailing slash). */
  consoleUrl: string;
}

/** Ends the user's earlier links, makes a new one and queues its mail, inside `trx`. */
async function sendLink(
  trx: Db,
  user: { id: string; email: string; displayName: string; customerName: string },
  context: LinkContext,
  kind: "invitation" | "reset",
): Promise<void> {
  const at = instantOf(context.at);
  const expires = instantOf(new Date(context.at.getTime() + INVITATION_VALID_DAYS * 86_400_000));
  const token = randomBytes(32).toString("base64url");
  await trx
    .updateTable("account_invitations")
    .set({ used_at: at })
    .where("user_id", "=", user.id)
    .where("used_at", "is", null)
    .execute();
  const { id } = await trx
    .insertInto("account_invitations")
    .values({
      user_id: user.id,
      token_sha256: tokenDigest(token),
      created_at: at,
      expires_at: expires,
      used_at: null,
      created_by: context.actor.email ?? "system",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const link = `${context.consoleUrl}${invitationPath(token)}`;
  await queueMail(
    trx,
    {
      kind: ACCOUNT_LINK_MAIL_KIND,
      ref: `account-invitation:${id}`,
      to: user.email,
      subject:
        kind === "invitation"
          ? `【${context.providerName}】管理コンソールのアカウントのご案内`
          : `【${context.providerName}】管理コンソールのパスワード設定のご案内`,
      text: [
        `${user.customerName}`,
        `${user.displayName} さま`,
        "",
        kind === "invitation"
          ? `${context.providerName}です。管理コンソールに、${user.email} のアカウントを用意しました。`
          : `${context.providerName}です。管理コンソールのアカウント（${user.email}）のパスワード設定用リンクをお送りします。これより前にお送りしたリンクは使えなくなりました。`,
        `次のリンクを開いて、パスワードを設定してください（${formatInstant(expires)}まで、1回限り有効）。`,
        "",
        link,
        "",
        `設定後は ${context.consoleUrl}/login から、このメールアドレスとパスワードでログインできます。`,
        "お心当たりのない場合は、このメールを破棄してください。",
      ].join("\n"),
    },
    context.at,
  );
}

export type InviteResult = Result<{ userId: string }, "email">;

/**
 * Makes a customer administrator's account for `email` and mails its link, inside `trx` (also
 * called from the approvals that create a customer). Refused when the address has an account.
 */
export async function inviteCustomerAdmin(
  trx: Db,
  params: LinkContext & {
    customer: { id: number; name: string };
    email: string;
    displayName: string;
  },
): Promise<InviteResult> {
  const email = normalizeEmail(params.email);
  const taken = await trx
    .selectFrom("users")
    .select("id")
    .where("email", "=", email)
    .executeTakeFirst();
  if (taken) return invalidField("email", "このメールアドレスのアカウントはすでにあります");
  const id = randomUUID();
  await trx
    .insertInto("users")
    .values({
      id,
      email,
      display_name: params.displayName,
      role: "customer_admin",
      reseller_id: null,
      customer_id: params.customer.id,
      // No password until it is set through the link: no password verifies against "".
      password_hash: "",
      created_at: instantOf(params.at),
      disabled_at: null,
    })
    .execute();
  await sendLink(
    trx,
    { id, email, displayName: params.displayName, customerName: params.customer.name },
    params,
    "invitation",
  );
  await recordAudit(trx, {
    actor: params.actor,
    action: "account.invite",
    entity: "user",
    entityId: id,
    summary: `${params.customer.name} の管理者アカウント ${email} を作成し、設定用リンクを送信`,
    ip: params.ip,
  });
  return ok({ userId: id });
}

/** `inviteCustomerAdmin` for a customer in the caller's tenant; not found when it is not. */
export async function inviteAccountOfCustomer(
  db: Kysely<Database>,
  params: LinkContext & { tenant: Tenant; customerId: number; email: string; displayName: string },
): Promise<InviteResult> {
  return inTransaction(db, async (trx) => {
    const customer = await trx
      .selectFrom("customers")
      .select(["id", "name"])
      .where("id", "=", params.customerId)
      .where(customerInTenant(params.tenant))
      .executeTakeFirst();
    if (!customer) return notFoundFailure();
    return inviteCustomerAdmin(trx, { ...params, customer });
  });
}

/**
 * A new link for one of the customer's administrators (the first one lost or expired, or the
 * password forgotten): earlier links end; the password, if any, stays until the new one is set.
 * Null when the customer or the account is not in the tenant.
 */
export async function resendAccountLink(
  db: Kysely<Database>,
  params: LinkContext & AdminAccountRef,
): Promise<{ ok: true } | null> {
  return inTransaction(db, async (trx) => {
    const user = await customerAdminOf(trx, params)
      .select([
        "users.id",
        "users.email",
        "users.display_name",
        "users.password_hash",
        "customers.name",
      ])
      .where("users.disabled_at", "is", null)
      .executeTakeFirst();
    if (!user) return null;
    const kind = user.password_hash === "" ? "invitation" : "reset";
    await sendLink(
      trx,
      { id: user.id, email: user.email, displayName: user.display_name, customerName: user.name },
      params,
      kind,
    );
    await recordAudit(trx, {
      actor: params.actor,
      action: "account.link",
      entity: "user",
      entityId: user.id,
      summary: `${user.name} の管理者アカウント ${user.email} に設定用リンクを再送信`,
      ip: params.ip,
    });
    return { ok: true as const };
  });
}

/** The account a link sets the password of, while the link is unused and unexpired. */
export async function findInvitation(db: Kysely<Database>, token: string, at: Date) {
  return db
    .selectFrom("account_invitations")
    .innerJoin("users", "users.id", "account_invitations.user_id")
    .select([
      "account_invitations.id",
      "users.id as userId",
      "users.email",
      "users.display_name as displayName",
      "account_invitations.expires_at as expiresAt",
    ])
    .where("account_invitations.token_sha256", "=", tokenDigest(token))
    .where("account_invitations.used_at", "is", null)
    .where("account_invitations.expires_at", ">", instantOf(at))
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
}

/**
 * Sets the password through a link, once: the link is marked used in the same transaction, so a
 * second submission (or a newer link sent meanwhile) finds it gone. Returns the user id, or null
 * when the link is unknown, used or expired.
 */
export async function setPasswordByInvitation(
  db: Kysely<Database>,
  params: { token: string; passwordHash: string; at: Date; ip: string },
): Promise<{ userId: string; email: string } | null> {
  return inTransaction(db, async (trx) => {
    const invitation = await findInvitation(trx, params.token, params.at);
    if (!invitation) return null;
    const claimed = await trx
      .updateTable("account_invitations")
      .set({ used_at: instantOf(params.at) })
      .where("id", "=", invitation.id)
      .where("used_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return null;
    await trx
      .updateTable("users")
      .set({ password_hash: params.passwordHash })
      .where("id", "=", invitation.userId)
      .execute();
    await recordAudit(trx, {
      actor: { id: invitation.userId, email: invitation.email },
      action: "account.password_set",
      entity: "user",
      entityId: invitation.userId,
      summary: "設定用リンクからパスワードを設定",
      ip: params.ip,
    });
    return { userId: invitation.userId, email: invitation.email };
  });
}

/**
 * Stops (`stop`) or starts again one of the customer's administrators. Stopping ends its sessions
 * and its unused links at once; starting again restores the password it had (a new link can be
 * sent for one it never set). Null when the customer or the account is not in the tenant, or the
 * account is already in that state.
 */
/** Stops an account inside `trx`: no login from now, its sessions and its unused links end. */
export async function stopAccount(trx: Db, userId: string, at: Date): Promise<void> {
  const iso = instantOf(at);
  await trx.updateTable("users").set({ disabled_at: iso }).where("id", "=", userId).execute();
  await trx.deleteFrom("sessions").where("user_id", "=", userId).execute();
  await trx
    .updateTable("account_invitations")
    .set({ used_at: iso })
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .execute();
}

export async function setAccountStopped(
  db: Kysely<Database>,
  params: AdminAccountRef & ActMoment & { stop: boolean },
): Promise<{ ok: true } | null> {
  return inTransaction(db, async (trx) => {
    const user = await customerAdminOf(trx, params)
      .select(["users.id", "users.email", "customers.name"])
      .where("users.disabled_at", params.stop ? "is" : "is not", null)
      .executeTakeFirst();
    if (!user) return null;
    if (params.stop) await stopAccount(trx, user.id, params.at);
    else
      await trx.updateTable("users").set({ disabled_at: null }).where("id", "=", user.id).execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: params.stop ? "account.stop" : "account.start",
      entity: "user",
      entityId: user.id,
      summary: `${user.name} の管理者アカウント ${user.email} を${params.stop ? "停止（ログイン中のセッションも終了）" : "再開"}`,
      ip: params.ip,
    });
    return { ok: true as const };
  });
}
