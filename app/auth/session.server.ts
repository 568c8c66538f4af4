// Sign-in, sign-out and the guard every loader and action starts with.
import { redirect } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database, Role, User } from "../../db/schema";
import { recordAudit } from "../audit/audit.server";
import { getDb } from "../db.server";
import { now } from "../lib/clock";
import { getLucia } from "./lucia.server";
import { deviceCookie, findKnownDevice, isTrustedForSecondFactor, readDeviceToken, rememberDevice, trustDeviceForSecondFactor } from "./devices.server";
import { dummyPasswordHash, verifyPassword } from "./password.server";
import {
  clearCodeFailures, createPendingSignIn, endPendingSignIn, hasSecondFactor, mustEnrolSecondFactor, pendingSignInCookie,
  TRUST_BROWSER_DAYS, type PendingSignIn,
} from "./second-factor.server";
import { tenantFor, type Viewer } from "./tenancy";
import { loginThrottle, recordLoginAttempt } from "./throttle.server";

/** The client address as the server saw it (set by the HTTP server as x-client-ip). */
export function clientIp(request: Request): string {
  return request.headers.get("x-client-ip") ?? "unknown";
}

export async function getViewer(request: Request): Promise<{ viewer: Viewer | null; sessionId: string | null }> {
  const lucia = getLucia();
  const sessionId = lucia.readSessionCookie(request.headers.get("Cookie") ?? "");
  if (!sessionId) return { viewer: null, sessionId: null };
  const { session, user } = await lucia.validateSession(sessionId);
  if (!session || !user) return { viewer: null, sessionId: null };
  const viewer: Viewer = {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    tenant: tenantFor({ role: user.role, reseller_id: user.resellerId, customer_id: user.customerId }),
  };
  return { viewer, sessionId: session.id };
}

/** Where an account that must use a second factor and has none is kept until it sets one up. */
export const SECOND_FACTOR_SETUP_PATH = "/account/second-factor";

/**
 * The guard: the signed-in viewer, or a redirect to the login page. With `roles`, any other role
 * gets 403. Tenant scoping then happens in the repository query, not here.
 * An account that must use a second factor and has none (second-factor.server.ts) reaches only
 * the setup page (`secondFactorSetup`) and logout: every other loader and action sends it there.
 */
export async function requireViewer(
  request: Request,
  options: { roles?: readonly Role[]; secondFactorSetup?: boolean } = {},
): Promise<Viewer> {
  const { viewer } = await getViewer(request);
  if (!viewer) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  if (options.roles && !options.roles.includes(viewer.role)) {
    throw new Response("この画面を表示する権限がありません。", { status: 403 });
  }
  if (!options.secondFactorSetup && (await mustEnrolSecondFactor(getDb(), viewer))) {
    throw redirect(`${SECOND_FACTOR_SETUP_PATH}?required=1`);
  }
  return viewer;
}

export type LoginResult =
  | { ok: true; cookie: string; viewer: Viewer }
  | { ok: false; status: 401 | 429; message: string }
  /** The password was right and the account has a second factor: `cookie` holds the pending sign-in. */
  | { ok: "second_factor"; cookie: string };

/**
 * The one place a session starts once the user has proved who they are (password, plus the
 * second factor when the account has one; or a passkey). At the merge this becomes startSession.
 */
export async function openSession(db: Kysely<Database>, user: User, ip: string, summary: string): Promise<{ cookie: string; viewer: Viewer }> {
  const lucia = getLucia();
  const session = await lucia.createSession(user.id, {});
  await recordAudit(db, {
    actor: { id: user.id, email: user.email }, action: "login", entity: "session", entityId: null, summary, ip,
  });
  const viewer: Viewer = {
    id: user.id, email: user.email, displayName: user.display_name, role: user.role, tenant: tenantFor(user),
  };
  return { cookie: lucia.createSessionCookie(session.id).serialize(), viewer };
}

/**
 * `deviceToken`: the browser's console_device token (devices.server.ts); a browser the account
 * trusted for 30 days is not asked for the second factor.
 */
export async function login(email: string, password: string, ip: string, options: { deviceToken?: string | null } = {}): Promise<LoginResult> {
  const db = getDb();
  const at = now();
  const normalizedEmail = email.trim().toLowerCase();
  const throttle = await loginThrottle(db, normalizedEmail, ip, at);
  if (throttle.limited) {
    const minutes = Math.ceil(throttle.retryAfterSeconds / 60);
    await recordAudit(db, {
      actor: { id: null, email: normalizedEmail }, action: "login.throttled", entity: "session",
      summary: "ログイン試行の上限により拒否", ip,
    });
    return {
      ok: false, status: 429,
      message: `ログインの失敗が続いたため、一時的にログインを制限しています。約${minutes}分後にもう一度お試しください。`,
    };
  }
  const user = await db.selectFrom("users").selectAll().where("email", "=", normalizedEmail).executeTakeFirst();
  // An account whose password is not set yet (invitations.server.ts) is checked against the
  // dummy hash too, so the time taken does not tell that it exists.
  const valid = await verifyPassword(user?.password_hash || (await dummyPasswordHash()), password) && !!user?.password_hash;
  // A stopped account (invitations.server.ts) is refused with the same words as a wrong password.
  const stopped = valid && user?.disabled_at !== null;
  await recordLoginAttempt(db, { email: normalizedEmail, ip, at, success: valid && !stopped && !!user });
  if (!user || !valid || stopped) {
    await recordAudit(db, {
      actor: { id: user?.id ?? null, email: normalizedEmail }, action: "login.failed", entity: "session",
      summary: stopped ? "停止中のアカウント" : "メールアドレスまたはパスワードの誤り", ip,
    });
    return { ok: false, status: 401, message: "メールアドレスまたはパスワードが正しくありません。" };
  }
  let summary = "ログイン";
  if (await hasSecondFactor(db, user.id)) {
    const device = await findKnownDevice(db, user.id, options.deviceToken ?? null);
    if (!isTrustedForSecondFactor(device, at)) {
      const token = await createPendingSignIn(db, user.id, at);
      await recordAudit(db, {
        actor: { id: user.id, email: user.email }, action: "login.second_factor", entity: "session",
        summary: "パスワードを確認、二要素認証の入力待ち", ip,
      });
      return { ok: "second_factor", cookie: pendingSignInCookie(token) };
    }
    summary = "ログイン（信頼済みのブラウザのため二要素認証を省略）";
  }
  return { ok: true, ...(await openSession(db, user, ip, summary)) };
}

/**
 * The second factor of a pending sign-in passed: the pending sign-in ends, the session starts, and
 * with `trust` this browser skips the second factor for TRUST_BROWSER_DAYS. Returns the
 * Set-Cookie headers to send, or null when the account was stopped meanwhile.
 */
export async function completeSecondFactorSignIn(
  db: Kysely<Database>, request: Request, pending: PendingSignIn, params: { trust: boolean; summary: string; at: Date },
): Promise<Headers | null> {
  const ip = clientIp(request);
  await endPendingSignIn(db, pending.id);
  await clearCodeFailures(db, pending.userId);
  const user = await db.selectFrom("users").selectAll().where("id", "=", pending.userId).where("disabled_at", "is", null).executeTakeFirst();
  if (!user) return null;
  const headers = new Headers();
  headers.append("Set-Cookie", pendingSignInCookie(null));
  if (params.trust) {
    const remembered = await rememberDevice(db, {
      userId: user.id, token: readDeviceToken(request), userAgent: request.headers.get("User-Agent") ?? "", ip, at: params.at,
    });
    await trustDeviceForSecondFactor(db, remembered.device.id, new Date(params.at.getTime() + TRUST_BROWSER_DAYS * 86_400_000));
    headers.append("Set-Cookie", deviceCookie(remembered.token));
  }
  const { cookie } = await openSession(db, user, ip, params.trust ? `${params.summary}（このブラウザを${TRUST_BROWSER_DAYS}日間信頼）` : params.summary);
  headers.append("Set-Cookie", cookie);
  return headers;
}

/** Ends every session of the user and starts a new one (its password was just set); returns the cookie. */
export async function restartSessions(userId: string): Promise<string> {
  const lucia = getLucia();
  await lucia.invalidateUserSessions(userId);
  const session = await lucia.createSession(userId, {});
  return lucia.createSessionCookie(session.id).serialize();
}

/**
 * After a password was set through a mailed link: every earlier session ends, then a session
 * starts — or, for an account with a second factor, the second step does (a mailed link proves the
 * mailbox, not the second factor). Returns where to go and the cookie to set.
 */
export async function signInAfterPasswordSet(db: Kysely<Database>, userId: string, at: Date): Promise<{ location: string; cookie: string }> {
  if (await hasSecondFactor(db, userId)) {
    await getLucia().invalidateUserSessions(userId);
    const token = await createPendingSignIn(db, userId, at);
    return { location: "/login/second-factor?redirectTo=%2Fhome", cookie: pendingSignInCookie(token) };
  }
  return { location: "/home", cookie: await restartSessions(userId) };
}

export async function logout(request: Request): Promise<string> {
  const lucia = getLucia();
  const { viewer, sessionId } = await getViewer(request);
  if (sessionId) await lucia.invalidateSession(sessionId);
  if (viewer) {
    await recordAudit(getDb(), {
      actor: { id: viewer.id, email: viewer.email }, action: "logout", entity: "session", summary: "ログアウト",
      ip: clientIp(request),
    });
  }
  return lucia.createBlankSessionCookie().serialize();
}

/** Stands for the console's origin when resolving a path: only whether the origin stays the same matters. */
const REDIRECT_BASE = new URL("http://console.invalid");

/**
 * Only paths of the console itself are followed after login (issue 15 item 3). The target is
 * resolved as the browser would (tabs dropped, `\\` read as `/`, `./` removed) and must stay on
 * the console's origin; the path given back is the resolved, percent-encoded one, so it can
 * neither turn into another host nor break the Location header. Anything else is `fallback`.
 */
export function safeRedirectPath(target: string | null | undefined, fallback = "/home"): string {
  if (!target || !target.startsWith("/") || /[\u0000-\u001f\u007f]/.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  // "//host" would be read by the browser as another site (e.g. from "/./\\host").
  if (url.origin !== REDIRECT_BASE.origin || !path.startsWith("/") || path.startsWith("//")) return fallback;
  return path;
}
