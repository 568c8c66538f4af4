// The second factor (issue 15): an authenticator app's code (TOTP, RFC 6238 with SHA-1, 6 digits,
// 30 s — what every authenticator app expects), one-time recovery codes, and the pending sign-in
// between a correct password and the second factor. Passkeys are in passkeys.server.ts; who must
// use a second factor is decided here (secondFactorRequired).
//
// The TOTP secret is stored as is (base32), not hashed: the server must compute the same codes as
// the app, so it needs the secret itself. It is as sensitive as a password hash and lives in the
// same database; whoever reads the database can read sessions too, so encrypting it with a key
// kept beside the database would add little here.
import { createHash, randomBytes } from "node:crypto";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import type { Kysely, Transaction } from "kysely";
import QRCode from "qrcode";
import type { Database, Role } from "../../db/schema";
import { inTransaction } from "../lib/transaction.server";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { now } from "../lib/clock";
import { queueMail } from "../mail/outbox.server";
import { forgetSecondFactorTrust } from "./devices.server";
import { sessionCookieIsSecure } from "./lucia.server";
import { verifyPassword } from "./password.server";
import { ROLE_LABELS, type Tenant } from "./tenancy";
import { formatInstant } from "../lib/format";
import { conflict, invalidField, ok, rateLimited, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

export const TOTP_ISSUER = "セキュアライン";
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes of the step before and after are accepted too (a phone's clock a little off). */
const TOTP_DRIFT_STEPS = 1;
export const RECOVERY_CODE_COUNT = 10;
export const PENDING_SIGN_IN_MINUTES = 10;
/** Like passwords (throttle.server.ts): 5 wrong codes per pending sign-in and per account in 15 minutes. */
export const MAX_CODE_FAILURES = 5;
export const CODE_FAILURE_WINDOW_MINUTES = 15;
export const TRUST_BROWSER_DAYS = 30;
export const PENDING_COOKIE_NAME = "console_pending_sign_in";

export const CODE_THROTTLED_MESSAGE = `確認コードの誤りが続いたため、このログインを無効にしました。${CODE_FAILURE_WINDOW_MINUTES}分ほど待ってから、もう一度ログインしてください。`;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// TOTP

/** The 30-second step of an instant. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The step `code` belongs to within the drift around `at`, or null when it matches none. */
export function matchingTotpStep(secret: string, code: string, at: Date): number | null {
  const digits = code.replace(/[\s-]/g, "");
  if (!/^\d{6}$/.test(digits)) return null;
  const key = decodeBase32IgnorePadding(secret);
  const current = totpStep(at);
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    if (generateHOTP(key, BigInt(step), TOTP_DIGITS) === digits) return step;
  }
  return null;
}

export function totpUri(secret: string, email: string): string {
  return createTOTPKeyURI(
    TOTP_ISSUER,
    email,
    decodeBase32IgnorePadding(secret),
    TOTP_PERIOD_SECONDS,
    TOTP_DIGITS,
  );
}

/** The QR code of the otpauth:// URI as a data: URL of an SVG (the CSP allows img-src data:). */
export async function totpQrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
}

/** The secret grouped by four for reading and typing (apps ignore the spaces). */
export function formatSecret(secret: string): string {
  return secret.replace(/(.{4})/g, "$1 ").trim();
}

export interface SecondFactorStatus {
  totp: boolean;
  /** A setup started and not yet confirmed: its secret, to show again. */
  pendingSecret: string | null;
  passkeys: number;
  recoveryCodesLeft: number;
}

export async function secondFactorStatus(db: Db, userId: string): Promise<SecondFactorStatus> {
  const [totp, passkeys, codes] = await Promise.all([
    db
      .selectFrom("user_totp")
      .select(["secret", "confirmed_at"])
      .where("user_id", "=", userId)
      .executeTakeFirst(),
    db
      .selectFrom("user_passkeys")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .executeTakeFirst(),
    db
      .selectFrom("user_recovery_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirst(),
  ]);
  return {
    totp: !!totp?.confirmed_at,
    pendingSecret: totp && !totp.confirmed_at ? totp.secret : null,
    passkeys: Number(passkeys?.n ?? 0),
    recoveryCodesLeft: Number(codes?.n ?? 0),
  };
}

/** Whether the account has a second factor in effect (a confirmed app or a passkey). */
export async function hasSecondFactor(db: Db, userId: string): Promise<boolean> {
  const s = await secondFactorStatus(db, userId);
  return s.totp || s.passkeys > 0;
}

/**
 * Starts (or shows again) the setup of an authenticator app: a new secret stored unconfirmed. It
 * asks nothing at sign-in until a code confirms it, so abandoning the setup locks no one out.
 */
export async function startTotpSetup(db: Db, userId: string, at: Date): Promise<string | null> {
  const existing = await db
    .selectFrom("user_totp")
    .select(["secret", "confirmed_at"])
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (existing?.confirmed_at) return null;
  if (existing) return existing.secret;
  // 20 bytes (160 bits), the key length RFC 4226 recommends for HMAC-SHA-1.
  const secret = encodeBase32UpperCaseNoPadding(randomBytes(20));
  await db
    .insertInto("user_totp")
    .values({
      user_id: userId,
      secret,
      created_at: instantOf(at),
      confirmed_at: null,
      last_step: null,
    })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  return secret;
}

/** Abandons an authenticator app's setup that no code has confirmed yet (a confirmed app stays). */
export async function cancelTotpSetup(db: Db, userId: string): Promise<void> {
  await db
    .deleteFrom("user_totp")
    .where("user_id", "=", userId)
    .where("confirmed_at", "is", null)
    .execute();
}

export interface AccountActor {
  id: string;
  email: string;
}

/**
 * Confirms the app with a code it shows: the secret takes effect and ten new recovery codes are
 * made (returned once, stored hashed). A validation failure of `code` when the code is wrong or no
 * setup is pending.
 */
export async function confirmTotp(
  db: Kysely<Database>,
  actor: AccountActor,
  code: string,
  at: Date,
  ip: string,
): Promise<Result<string[], "code">> {
  const wrong = invalidField(
    "code",
    "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
  );
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("user_totp")
      .selectAll()
      .where("user_id", "=", actor.id)
      .where("confirmed_at", "is", null)
      .executeTakeFirst();
    if (!row) return wrong;
    const step = matchingTotpStep(row.secret, code, at);
    if (step === null) {
      await recordCodeFailure(trx, actor.id, null, at);
      await recordAudit(trx, {
        actor,
        action: "mfa.verify_failed",
        entity: "user",
        entityId: actor.id,
        summary: "認証アプリの設定: 確認コードの誤り",
        ip,
      });
      return wrong;
    }
    await trx
      .updateTable("user_totp")
      .set({ confirmed_at: instantOf(at), last_step: step })
      .where("user_id", "=", actor.id)
      .execute();
    const codes = await replaceRecoveryCodes(trx, actor.id, at);
    await recordAudit(trx, {
      actor,
      action: "mfa.enrol",
      entity: "user",
      entityId: actor.id,
      summary: "二要素認証（認証アプリ）を設定、回復コード10件を発行",
      ip,
    });
    return ok(codes);
  });
}

export type CodeCheck = "ok" | "wrong" | "replayed";

/**
 * Accepts an app code for the account once: the step is stored, and a code of that step or an
 * earlier one is refused afterwards (the update's condition makes this hold for two requests at
 * the same moment too).
 */
export async function acceptTotpCode(
  db: Db,
  userId: string,
  code: string,
  at: Date,
): Promise<CodeCheck> {
  const row = await db
    .selectFrom("user_totp")
    .select(["secret", "last_step"])
    .where("user_id", "=", userId)
    .where("confirmed_at", "is not", null)
    .executeTakeFirst();
  if (!row) return "wrong";
  const step = matchingTotpStep(row.secret, code, at);
  if (step === null) return "wrong";
  const updated = await db
    .updateTable("user_totp")
    .set({ last_step: step })
    .where("user_id", "=", userId)
    .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", step)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1 ? "ok" : "replayed";
}

/** Removes the app (needs the current password or a current code). Recovery codes go with the last factor. */
export async function removeTotp(
  db: Kysely<Database>,
  actor: AccountActor,
  proof: { password?: string; code?: string },
  at: Date,
  ip: string,
): Promise<Result<undefined, "proof">> {
  // Guessing here counts with the sign-in's wrong codes: a taken-over session cannot try on.
  if (await codesThrottled(db, { userId: actor.id, failures: 0 }, at))
    return invalidField(
      "proof",
      `誤りが続いたため、しばらく受け付けません。${CODE_FAILURE_WINDOW_MINUTES}分ほど待ってから、もう一度お試しください。`,
    );
  const user = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", actor.id)
    .executeTakeFirstOrThrow();
  let proven = false;
  if (proof.code) proven = (await acceptTotpCode(db, actor.id, proof.code, at)) === "ok";
  else if (proof.password) proven = await verifyPassword(user.password_hash, proof.password);
  if (!proven) {
    await recordCodeFailure(db, actor.id, null, at);
    await recordAudit(db, {
      actor,
      action: "mfa.verify_failed",
      entity: "user",
      entityId: actor.id,
      summary: "認証アプリの解除: パスワードまたは確認コードの誤り",
      ip,
    });
    return invalidField("proof", "現在のパスワードまたは確認コードが正しくありません");
  }
  await inTransaction(db, async (trx) => {
    await trx.deleteFrom("user_totp").where("user_id", "=", actor.id).execute();
    const passkeys = await trx
      .selectFrom("user_passkeys")
      .select("id")
      .where("user_id", "=", actor.id)
      .execute();
    if (passkeys.length === 0)
      await trx.deleteFrom("user_recovery_codes").where("user_id", "=", actor.id).execute();
    await forgetSecondFactorTrust(trx, actor.id);
    await recordAudit(trx, {
      actor,
      action: "mfa.remove",
      entity: "user",
      entityId: actor.id,
      summary: "二要素認証（認証アプリ）を解除",
      ip,
    });
  });
  return ok();
}

// ---------------------------------------------------------------------------------------------
// Recovery codes

/** 10 base32 characters (50 random bits) shown as xxxxx-xxxxx. */
function newRecoveryCode(): string {
  const raw = encodeBase32UpperCaseNoPadding(randomBytes(7)).slice(0, 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

/** Case, spaces and the hyphen do not matter when a code is typed. */
function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "");
}

/** Replaces the account's recovery codes with ten new ones; returns them (the only time they are shown). */
export async function replaceRecoveryCodes(db: Db, userId: string, at: Date): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.deleteFrom("user_recovery_codes").where("user_id", "=", userId).execute();
  await db
    .insertInto("user_recovery_codes")
    .values(
      codes.map((code) => ({
        user_id: userId,
        code_sha256: sha256(normalizeRecoveryCode(code)),
        created_at: instantOf(at),
        used_at: null,
      })),
    )
    .execute();
  return codes;
}

/** Ten new recovery codes for the account (the old ones stop working); needs the current password. */
export async function regenerateRecoveryCodes(
  db: Kysely<Database>,
  actor: AccountActor,
  password: string,
  at: Date,
  ip: string,
): Promise<Result<string[], "password">> {
  const user = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", actor.id)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, password)))
    return invalidField("password", "現在のパスワードが正しくありません");
  if (!(await hasSecondFactor(db, actor.id)))
    return conflict("二要素認証を設定してから回復コードを発行してください");
  return inTransaction(db, async (trx) => {
    const codes = await replaceRecoveryCodes(trx, actor.id, at);
    await recordAudit(trx, {
      actor,
      action: "mfa.recovery_regenerate",
      entity: "user",
      entityId: actor.id,
      summary: "回復コードを再発行（以前のコードは無効）",
      ip,
    });
    return ok(codes);
  });
}

/** Uses a recovery code once; true when it was unused and is now spent. */
export async function useRecoveryCode(
  db: Db,
  userId: string,
  code: string,
  at: Date,
): Promise<boolean> {
  const normalized = normalizeRecoveryCode(code);
  if (!/^[A-Z2-7]{10}$/.test(normalized)) return false;
  const spent = await db
    .updateTable("user_recovery_codes")
    .set({ used_at: instantOf(at) })
    .where("user_id", "=", userId)
    .where("code_sha256", "=", sha256(normalized))
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(spent.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Pending sign-in: a correct password waiting for the second factor.

export interface PendingSignIn {
  id: number;
  userId: string;
  email: string;
  failures: number;
}

export async function createPendingSignIn(db: Db, userId: string, at: Date): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db
    .insertInto("pending_sign_ins")
    .values({
      token_sha256: sha256(token),
      user_id: userId,
      created_at: instantOf(at),
      expires_at: instantOf(new Date(at.getTime() + PENDING_SIGN_IN_MINUTES * 60_000)),
    })
    .execute();
  return token;
}

export function pendingSignInCookie(token: string | null): string {
  return [
    `${PENDING_COOKIE_NAME}=${token ?? ""}`,
    "Path=/",
    `Max-Age=${token ? PENDING_SIGN_IN_MINUTES * 60 : 0}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(sessionCookieIsSecure() ? ["Secure"] : []),
  ].join("; ");
}

export function readPendingToken(request: Request): string | null {
  for (const part of (request.headers.get("Cookie") ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === PENDING_COOKIE_NAME) {
      const value = rest.join("=");
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
    }
  }
  return null;
}

/** The unexpired pending sign-in of the token, of an account that is not stopped. */
export async function findPendingSignIn(
  db: Db,
  token: string | null,
  at: Date,
): Promise<PendingSignIn | undefined> {
  if (!token) return undefined;
  const row = await db
    .selectFrom("pending_sign_ins")
    .innerJoin("users", "users.id", "pending_sign_ins.user_id")
    .select([
      "pending_sign_ins.id",
      "pending_sign_ins.user_id",
      "pending_sign_ins.failures",
      "users.email",
    ])
    .where("pending_sign_ins.token_sha256", "=", sha256(token))
    .where("pending_sign_ins.expires_at", ">", instantOf(at))
    .where("users.disabled_at", "is", null)
    .executeTakeFirst();
  return row
    ? { id: row.id, userId: row.user_id, email: row.email, failures: row.failures }
    : undefined;
}

/** Ends a pending sign-in: used (its session was made) or void (too many wrong codes). */
export async function endPendingSignIn(db: Db, id: number): Promise<void> {
  await db.deleteFrom("webauthn_challenges").where("pending_sign_in_id", "=", id).execute();
  await db.deleteFrom("pending_sign_ins").where("id", "=", id).execute();
}

/** Whether codes may still be tried: fewer than 5 wrong for this sign-in and for the account in 15 minutes. */
export async function codesThrottled(
  db: Db,
  pending: { userId: string; failures: number },
  at: Date,
): Promise<boolean> {
  if (pending.failures >= MAX_CODE_FAILURES) return true;
  const since = instantOf(new Date(at.getTime() - CODE_FAILURE_WINDOW_MINUTES * 60_000));
  const row = await db
    .selectFrom("second_factor_failures")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", pending.userId)
    .where("at", ">", since)
    .executeTakeFirst();
  return Number(row?.n ?? 0) >= MAX_CODE_FAILURES;
}

export async function recordCodeFailure(
  db: Db,
  userId: string,
  pendingId: number | null,
  at: Date,
): Promise<void> {
  await db
    .insertInto("second_factor_failures")
    .values({ user_id: userId, at: instantOf(at) })
    .execute();
  if (pendingId !== null) {
    await db
      .updateTable("pending_sign_ins")
      .set((eb) => ({ failures: eb("failures", "+", 1) }))
      .where("id", "=", pendingId)
      .execute();
  }
}

/** A second factor passed: the account's wrong codes no longer count (as a password success does). */
export async function clearCodeFailures(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("second_factor_failures").where("user_id", "=", userId).execute();
}

export type SecondStepResult = Result<{ method: "totp" | "recovery" }, "code">;

/**
 * Checks a code typed at the second step (an app code or a recovery code) for a pending sign-in.
 * Wrong codes count against the sign-in and the account (a validation failure of `code`); past the
 * limit the sign-in is void (rate limited, 429 with Retry-After: the route sends back to the sign-in).
 */
export async function checkSecondStepCode(
  db: Kysely<Database>,
  pending: PendingSignIn,
  input: { kind: "totp" | "recovery"; code: string },
  at: Date,
  ip: string,
): Promise<SecondStepResult> {
  const actor = { id: pending.userId, email: pending.email };
  if (await codesThrottled(db, pending, at)) {
    await endPendingSignIn(db, pending.id);
    await recordAudit(db, {
      actor,
      action: "mfa.throttled",
      entity: "session",
      summary: "確認コードの誤りが続いたためログインを無効化",
      ip,
    });
    return rateLimited(CODE_THROTTLED_MESSAGE, CODE_FAILURE_WINDOW_MINUTES * 60);
  }
  if (input.kind === "recovery") {
    if (await useRecoveryCode(db, pending.userId, input.code, at)) {
      const left = await db
        .selectFrom("user_recovery_codes")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("user_id", "=", pending.userId)
        .where("used_at", "is", null)
        .executeTakeFirst();
      await recordAudit(db, {
        actor,
        action: "mfa.recovery_used",
        entity: "user",
        entityId: pending.userId,
        summary: `回復コードでログイン（残り${Number(left?.n ?? 0)}件）`,
        ip,
      });
      return ok({ method: "recovery" as const });
    }
    await recordCodeFailure(db, pending.userId, pending.id, at);
    await recordAudit(db, {
      actor,
      action: "mfa.verify_failed",
      entity: "session",
      summary: "ログイン: 回復コードの誤りまたは使用済み",
      ip,
    });
    return invalidField("code", "回復コードが正しくないか、すでに使われています。");
  }
  const check = await acceptTotpCode(db, pending.userId, input.code, at);
  if (check === "ok") return ok({ method: "totp" as const });
  await recordCodeFailure(db, pending.userId, pending.id, at);
  await recordAudit(db, {
    actor,
    action: "mfa.verify_failed",
    entity: "session",
    summary: check === "replayed" ? "ログイン: 使用済みの確認コード" : "ログイン: 確認コードの誤り",
    ip,
  });
  return invalidField(
    "code",
    check === "replayed"
      ? "この確認コードはすでに使われています。認証アプリに次のコードが表示されてから入力してください。"
      : "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
  );
}

// ---------------------------------------------------------------------------------------------
// Who must use a second factor (enforcement)

/**
 * An account must use a second factor when: the provider's admin requires it of its staff
 * (provider_admin, operator, finance) or of the account's reseller's managers; a reseller's
 * manager requires it of all its customers' administrators (one switch per reseller, not per
 * customer: a reseller manages its customers alike); or a customer's administrator requires it of
 * its own organisation. Any one of these is enough.
 */
export async function secondFactorRequired(
  db: Db,
  user: { role: Role; tenant: Tenant },
): Promise<boolean> {
  if (user.tenant.kind === "provider") {
    const row = await db
      .selectFrom("provider")
      .select("mfa_required_staff")
      .orderBy("id")
      .executeTakeFirst();
    return row?.mfa_required_staff === 1;
  }
  if (user.tenant.kind === "reseller") {
    const row = await db
      .selectFrom("resellers")
      .select("mfa_required")
      .where("id", "=", user.tenant.resellerId)
      .executeTakeFirst();
    return row?.mfa_required === 1;
  }
  const row = await db
    .selectFrom("customers")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select(["customers.mfa_required", "resellers.mfa_required_customers"])
    .where("customers.id", "=", user.tenant.customerId)
    .executeTakeFirst();
  return row?.mfa_required === 1 || row?.mfa_required_customers === 1;
}

/** The account must set up a second factor before anything else (it is required and it has none). */
export async function mustEnrolSecondFactor(
  db: Db,
  user: { id: string; role: Role; tenant: Tenant },
): Promise<boolean> {
  if (!(await secondFactorRequired(db, user))) return false;
  return !(await hasSecondFactor(db, user.id));
}

export interface ProviderSecondFactorPolicy {
  staff: boolean;
  resellers: { id: number; name: string; required: boolean; customersRequired: boolean }[];
}

export async function getProviderSecondFactorPolicy(db: Db): Promise<ProviderSecondFactorPolicy> {
  const provider = await db
    .selectFrom("provider")
    .select("mfa_required_staff")
    .orderBy("id")
    .executeTakeFirst();
  const resellers = await db
    .selectFrom("resellers")
    .select(["id", "name", "mfa_required", "mfa_required_customers"])
    .orderBy("ref")
    .execute();
  return {
    staff: provider?.mfa_required_staff === 1,
    resellers: resellers.map((r) => ({
      id: r.id,
      name: r.name,
      required: r.mfa_required === 1,
      customersRequired: r.mfa_required_customers === 1,
    })),
  };
}

const onOff = (on: boolean) => (on ? "必須" : "任意");

/** The provider admin's settings: its staff, and each reseller's managers (ids listed are required). */
export async function updateProviderSecondFactorPolicy(
  db: Kysely<Database>,
  policy: { staff: boolean; resellerIds: number[] },
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await getProviderSecondFactorPolicy(trx);
    await trx
      .updateTable("provider")
      .set({ mfa_required_staff: policy.staff ? 1 : 0 })
      .execute();
    const changes: string[] = [];
    if (before.staff !== policy.staff)
      changes.push(`事業者のスタッフ ${onOff(before.staff)}→${onOff(policy.staff)}`);
    for (const r of before.resellers) {
      const required = policy.resellerIds.includes(r.id);
      if (required === r.required) continue;
      await trx
        .updateTable("resellers")
        .set({ mfa_required: required ? 1 : 0 })
        .where("id", "=", r.id)
        .execute();
      changes.push(`${r.name}の担当者 ${onOff(r.required)}→${onOff(required)}`);
    }
    await recordAudit(trx, {
      actor,
      action: "mfa.policy",
      entity: "provider",
      summary: changes.length
        ? `二要素認証の設定を変更: ${changes.join("、")}`
        : "二要素認証の設定を保存（変更なし）",
      ip,
    });
  });
}

/** A reseller's own setting for all its customers, or a customer's for its own administrators. */
export async function getTenantSecondFactorPolicy(db: Db, tenant: Tenant): Promise<boolean | null> {
  if (tenant.kind === "reseller") {
    return (
      (
        await db
          .selectFrom("resellers")
          .select("mfa_required_customers")
          .where("id", "=", tenant.resellerId)
          .executeTakeFirst()
      )?.mfa_required_customers === 1
    );
  }
  if (tenant.kind === "customer") {
    return (
      (
        await db
          .selectFrom("customers")
          .select("mfa_required")
          .where("id", "=", tenant.customerId)
          .executeTakeFirst()
      )?.mfa_required === 1
    );
  }
  return null;
}

export async function updateTenantSecondFactorPolicy(
  db: Kysely<Database>,
  tenant: Tenant,
  required: boolean,
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    if (tenant.kind === "reseller") {
      await trx
        .updateTable("resellers")
        .set({ mfa_required_customers: required ? 1 : 0 })
        .where("id", "=", tenant.resellerId)
        .execute();
    } else if (tenant.kind === "customer") {
      await trx
        .updateTable("customers")
        .set({ mfa_required: required ? 1 : 0, updated_at: instantOf(now()) })
        .where("id", "=", tenant.customerId)
        .execute();
    } else return;
    const whom =
      tenant.kind === "reseller" ? "お客さまの管理者アカウント" : "自社の管理者アカウント";
    await recordAudit(trx, {
      actor,
      action: "mfa.policy",
      entity: tenant.kind,
      entityId: tenant.kind === "reseller" ? tenant.resellerId : tenant.customerId,
      summary: `二要素認証の設定を変更: ${whom}に${onOff(required)}`,
      ip,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Reset by the provider's admin or a reseller's manager

/**
 * Removes every second factor of an account (app, recovery codes, passkeys) and every browser's
 * trust, for someone who lost them; audited and mailed to the account. The provider's admin may
 * reset any account; a reseller's manager its customers' administrators only. Null when the
 * account is not in the viewer's reach (the route answers 404).
 */
export async function resetSecondFactor(
  db: Kysely<Database>,
  params: {
    tenant: Tenant;
    role: Role;
    userId?: string;
    email?: string;
    actor: AuditActor;
    ip: string;
    at: Date;
  },
): Promise<{ email: string; displayName: string } | null> {
  if (params.role !== "provider_admin" && params.role !== "reseller_manager") return null;
  return inTransaction(db, async (trx) => {
    let q = trx
      .selectFrom("users")
      .leftJoin("customers", "customers.id", "users.customer_id")
      .select([
        "users.id",
        "users.email",
        "users.display_name",
        "users.role",
        "customers.name as customer_name",
      ]);
    if (params.userId !== undefined) q = q.where("users.id", "=", params.userId);
    else if (params.email !== undefined)
      q = q.where("users.email", "=", params.email.trim().toLowerCase());
    else return null;
    if (params.tenant.kind === "reseller") {
      q = q
        .where("users.role", "=", "customer_admin")
        .where("customers.reseller_id", "=", params.tenant.resellerId);
    } else if (params.tenant.kind !== "provider") return null;
    const user = await q.executeTakeFirst();
    if (!user) return null;
    await trx.deleteFrom("user_totp").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("user_recovery_codes").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("user_passkeys").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("pending_sign_ins").where("user_id", "=", user.id).execute();
    await forgetSecondFactorTrust(trx, user.id);
    const whose = user.customer_name
      ? `${user.customer_name} の ${user.email}`
      : `${ROLE_LABELS[user.role]} ${user.email}`;
    await recordAudit(trx, {
      actor: params.actor,
      action: "mfa.reset",
      entity: "user",
      entityId: user.id,
      summary: `${whose} の二要素認証をリセット（認証アプリ・回復コード・パスキー・信頼済みブラウザを削除）`,
      ip: params.ip,
    });
    await queueMail(
      trx,
      {
        kind: "mfa_reset",
        to: user.email,
        subject: "【セキュアライン】二要素認証がリセットされました",
        text: [
          `${user.display_name} 様`,
          "",
          `${formatInstant(params.at.toISOString())}、管理者（${params.actor.email ?? "不明"}）があなたのアカウントの二要素認証をリセットしました。`,
          "認証アプリ、回復コード、パスキー、信頼済みのブラウザの設定はすべて削除されています。",
          "次回ログインしたあと、「アカウント」の「二要素認証」から設定し直してください。",
          "",
          "このリセットに心当たりがない場合は、すぐに管理者へご連絡ください。",
        ].join("\n"),
      },
      params.at,
    );
    return { email: user.email, displayName: user.display_name };
  });
}

/** Which of these accounts have a second factor in effect (for account lists). */
export async function accountsWithSecondFactor(db: Db, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const [totp, passkeys] = await Promise.all([
    db
      .selectFrom("user_totp")
      .select("user_id")
      .where("user_id", "in", userIds)
      .where("confirmed_at", "is not", null)
      .execute(),
    db.selectFrom("user_passkeys").select("user_id").where("user_id", "in", userIds).execute(),
  ]);
  return new Set([...totp, ...passkeys].map((r) => r.user_id));
}

/** Who may reset another account's second factor: the provider's admin (anyone), a reseller's manager (its customers'). */
export const SECOND_FACTOR_RESET_ROLES: readonly Role[] = ["provider_admin", "reseller_manager"];
