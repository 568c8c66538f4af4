// Known browsers (migration 001050), after OWASP's device-cookie guidance: a browser that has
// signed in to an account successfully carries a random token in the `console_device` cookie,
// and the account keeps a row for it (the token's SHA-256 only). One token serves every account
// signed in from that browser. What the row is for:
// - login throttling counts a known browser's failures on their own, so failures from elsewhere
//   cannot lock the account's owner out (throttle.server.ts);
// - a sign-in from a browser not on record is mailed to the account;
// - "trust this browser for 30 days" skips the second factor there until `mfa_trusted_until`.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database, UserDeviceTable } from "../../db/schema";
import { sessionCookieIsSecure } from "./lucia.server";
import { instantOf } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

export const DEVICE_COOKIE_NAME = "console_device";
/** The cookie outlives any one session: a browser stays known for a year after its last sign-in. */
const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;
/** What is stored of a browser's description: enough to recognise it in a list. */
const USER_AGENT_MAX_LENGTH = 200;

export interface KnownDevice {
  id: string;
  userId: string;
  userAgent: string;
  ip: string;
  createdAt: string;
  lastSeenAt: string;
  mfaTrustedUntil: string | null;
}

function tokenDigest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The browser's device token from the request's cookies, when it has a well-formed one. */
export function readDeviceToken(request: Request): string | null {
  const header = request.headers.get("Cookie") ?? "";
  for (const part of header.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name !== DEVICE_COOKIE_NAME) continue;
    const value = rest.join("=");
    return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
  }
  return null;
}

/** The Set-Cookie header that keeps (or gives) the browser its token. */
export function deviceCookie(token: string): string {
  return [
    `${DEVICE_COOKIE_NAME}=${token}`,
    "Path=/",
    `Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(sessionCookieIsSecure() ? ["Secure"] : []),
  ].join("; ");
}

function toKnownDevice(row: Selectable<UserDeviceTable>): KnownDevice {
  return {
    id: row.id,
    userId: row.user_id,
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    mfaTrustedUntil: row.mfa_trusted_until,
  };
}

/** The account's row for this browser, if the browser has signed in to it before. */
export async function findKnownDevice(
  db: Db,
  userId: string,
  token: string | null,
): Promise<KnownDevice | undefined> {
  if (!token) return undefined;
  const row = await db
    .selectFrom("user_devices")
    .selectAll()
    .where("user_id", "=", userId)
    .where("token_sha256", "=", tokenDigest(token))
    .executeTakeFirst();
  return row ? toKnownDevice(row) : undefined;
}

/**
 * Records a successful sign-in from this browser: the account's row is refreshed, or made when
 * the browser is new to the account (`isNew`: the account is told by mail). A browser without a
 * token gets one; one with a token keeps it, so it stays known to its other accounts.
 */
export async function rememberDevice(
  db: Db,
  params: { userId: string; token: string | null; userAgent: string; ip: string; at: Date },
): Promise<{ device: KnownDevice; token: string; isNew: boolean }> {
  const token = params.token ?? randomBytes(32).toString("base64url");
  const at = instantOf(params.at);
  const userAgent = params.userAgent.slice(0, USER_AGENT_MAX_LENGTH);
  const known = await findKnownDevice(db, params.userId, token);
  if (known) {
    await db
      .updateTable("user_devices")
      .set({ last_seen_at: at, ip: params.ip, user_agent: userAgent })
      .where("id", "=", known.id)
      .execute();
    return { device: { ...known, lastSeenAt: at, ip: params.ip, userAgent }, token, isNew: false };
  }
  const row = {
    id: randomUUID(),
    user_id: params.userId,
    token_sha256: tokenDigest(token),
    user_agent: userAgent,
    ip: params.ip,
    created_at: at,
    last_seen_at: at,
    mfa_trusted_until: null,
  };
  await db.insertInto("user_devices").values(row).execute();
  return { device: toKnownDevice(row), token, isNew: true };
}

/** "Trust this browser": the second factor is not asked here until `until`. */
export async function trustDeviceForSecondFactor(
  db: Db,
  deviceId: string,
  until: Date,
): Promise<void> {
  await db
    .updateTable("user_devices")
    .set({ mfa_trusted_until: instantOf(until) })
    .where("id", "=", deviceId)
    .execute();
}

export function isTrustedForSecondFactor(device: KnownDevice | undefined, at: Date): boolean {
  return !!device?.mfaTrustedUntil && device.mfaTrustedUntil > at.toISOString();
}

/** Ends every browser's trust for the account (its second factor was reset or changed). */
export async function forgetSecondFactorTrust(db: Db, userId: string): Promise<void> {
  await db
    .updateTable("user_devices")
    .set({ mfa_trusted_until: null })
    .where("user_id", "=", userId)
    .execute();
}
