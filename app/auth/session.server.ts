// Sign-in, sign-out and the guard every loader and action starts with.
import { redirect } from "@remix-run/node";
import type { Role } from "../../db/schema";
import { recordAudit } from "../audit/audit.server";
import { getDb } from "../db.server";
import { now } from "../lib/clock";
import { getLucia } from "./lucia.server";
import { dummyPasswordHash, verifyPassword } from "./password.server";
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

/**
 * The guard: the signed-in viewer, or a redirect to the login page. With `roles`, any other role
 * gets 403. Tenant scoping then happens in the repository query, not here.
 */
export async function requireViewer(request: Request, options: { roles?: readonly Role[] } = {}): Promise<Viewer> {
  const { viewer } = await getViewer(request);
  if (!viewer) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
  }
  if (options.roles && !options.roles.includes(viewer.role)) {
    throw new Response("この画面を表示する権限がありません。", { status: 403 });
  }
  return viewer;
}

export type LoginResult =
  | { ok: true; cookie: string; viewer: Viewer }
  | { ok: false; status: 401 | 429; message: string };

export async function login(email: string, password: string, ip: string): Promise<LoginResult> {
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
  const lucia = getLucia();
  const session = await lucia.createSession(user.id, {});
  await recordAudit(db, {
    actor: { id: user.id, email: user.email }, action: "login", entity: "session", entityId: null,
    summary: "ログイン", ip,
  });
  const viewer: Viewer = {
    id: user.id, email: user.email, displayName: user.display_name, role: user.role, tenant: tenantFor(user),
  };
  return { ok: true, cookie: lucia.createSessionCookie(session.id).serialize(), viewer };
}

/** Ends every session of the user and starts a new one (its password was just set); returns the cookie. */
export async function restartSessions(userId: string): Promise<string> {
  const lucia = getLucia();
  await lucia.invalidateUserSessions(userId);
  const session = await lucia.createSession(userId, {});
  return lucia.createSessionCookie(session.id).serialize();
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
