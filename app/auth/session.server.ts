// Sign-in, sign-out and the guard every loader and action starts with.
import { ok, rateLimited, unauthenticated, type Result } from "../lib/result";
import { redirect } from "@remix-run/node";
import type { Kysely } from "kysely";
import type { Database, Role } from "../../db/schema";
import { recordAudit } from "../audit/audit.server";
import { getDb } from "../db.server";
import { now } from "../lib/clock";
import { queueMail } from "../mail/outbox.server";
import { browserName } from "./browser-name";
import {
  deviceCookie,
  findKnownDevice,
  isTrustedForSecondFactor,
  readDeviceToken,
  rememberDevice,
  trustDeviceForSecondFactor,
} from "./devices.server";
import { getLucia } from "./lucia.server";
import { dummyPasswordHash, verifyPassword } from "./password.server";
import {
  clearCodeFailures,
  createPendingSignIn,
  endPendingSignIn,
  findPendingSignIn,
  hasSecondFactor,
  mustEnrolSecondFactor,
  pendingSignInCookie,
  readPendingToken,
  TRUST_BROWSER_DAYS,
  type PendingSignIn,
} from "./second-factor.server";
import { sendWithResponse } from "./response-cookies.server";
import { tenantFor, type Viewer } from "./tenancy";
import { reserveLoginAttempt, settleLoginAttempt } from "./throttle.server";
import { formatInstant } from "../lib/format";
import { instantOf } from "../lib/jst";

/** The client address as the server saw it (set by the HTTP server as x-client-ip). */
export function clientIp(request: Request): string {
  return request.headers.get("x-client-ip") ?? "unknown";
}

/** A session's "last seen" is written at most this often, not on every request. */
export const LAST_SEEN_RESOLUTION_MS = 5 * 60_000;
/** What is stored of a browser's description (as for user_devices). */
const USER_AGENT_MAX_LENGTH = 200;

/** The session id in the request's cookie (not validated: requireViewer does that). */
export function currentSessionId(request: Request): string | null {
  return getLucia().readSessionCookie(request.headers.get("Cookie") ?? "");
}

export async function getViewer(
  request: Request,
): Promise<{ viewer: Viewer | null; sessionId: string | null }> {
  const lucia = getLucia();
  const sessionId = currentSessionId(request);
  if (!sessionId) return { viewer: null, sessionId: null };
  const { session, user } = await lucia.validateSession(sessionId);
  if (!session || !user) return { viewer: null, sessionId: null };
  // lucia has just extended the session (in use with less than half its 12 h left): the browser
  // gets the cookie again with the new lifetime, on whatever response this request ends in.
  if (session.fresh) sendWithResponse(lucia.createSessionCookie(session.id).serialize());
  await noteSessionSeen(getDb(), session.id, session.lastSeenAt, now());
  const viewer: Viewer = {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    tenant: tenantFor({
      role: user.role,
      reseller_id: user.resellerId,
      customer_id: user.customerId,
    }),
  };
  return { viewer, sessionId: session.id };
}

/** Where an account that must use a second factor and has none is kept until it sets one up. */
export const SECOND_FACTOR_SETUP_PATH = "/account/second-factor";

/** Writes the session's "last seen" when the stored one is older than 5 minutes (or missing). */
async function noteSessionSeen(
  db: Kysely<Database>,
  sessionId: string,
  lastSeenAt: string | null,
  at: Date,
): Promise<void> {
  const stale = instantOf(new Date(at.getTime() - LAST_SEEN_RESOLUTION_MS));
  if (lastSeenAt && lastSeenAt > stale) return;
  await db
    .updateTable("sessions")
    .set({ last_seen_at: instantOf(at) })
    .where("id", "=", sessionId)
    .where((eb) => eb.or([eb("last_seen_at", "is", null), eb("last_seen_at", "<=", stale)]))
    .execute();
}

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

/**
 * Starts a session for a user who has proven who they are (password, and later a second factor):
 * the lucia session with where it signed in from, the browser remembered as known for the account
 * (its device cookie), and a mail to the account when the browser is new to it. Returns the
 * Set-Cookie headers (session and device cookies) for the response.
 *
 * The new-browser mail is not sent for an account's very first sign-in (no browser on record yet:
 * an invitation's password being set, or the first sign-in after this feature came): there is
 * nothing to compare with, and the person has just done it themselves.
 */
export async function startSession(
  db: Kysely<Database>,
  user: { id: string },
  request: Request,
): Promise<{ headers: Headers; sessionId: string; deviceId: string }> {
  const at = now();
  const ip = clientIp(request);
  const userAgent = (request.headers.get("User-Agent") ?? "").slice(0, USER_AGENT_MAX_LENGTH);
  const { device, token } = await db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom("users")
      .select(["email", "display_name"])
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    const hadBrowsers = await trx
      .selectFrom("user_devices")
      .select("id")
      .where("user_id", "=", user.id)
      .limit(1)
      .executeTakeFirst();
    const remembered = await rememberDevice(trx, {
      userId: user.id,
      token: readDeviceToken(request),
      userAgent,
      ip,
      at,
    });
    if (remembered.isNew && hadBrowsers) {
      await queueMail(
        trx,
        newBrowserMail({
          to: account.email,
          displayName: account.display_name,
          at,
          userAgent,
          ip,
          deviceId: remembered.device.id,
        }),
        at,
      );
    }
    return remembered;
  });
  const lucia = getLucia();
  const session = await lucia.createSession(user.id, {
    ip,
    user_agent: userAgent,
    created_at: at.toISOString(),
    last_seen_at: at.toISOString(),
    device_id: device.id,
  });
  const headers = new Headers();
  headers.append("Set-Cookie", lucia.createSessionCookie(session.id).serialize());
  headers.append("Set-Cookie", deviceCookie(token));
  return { headers, sessionId: session.id, deviceId: device.id };
}

export const NEW_BROWSER_MAIL_KIND = "login_new_browser";

function newBrowserMail(p: {
  to: string;
  displayName: string;
  at: Date;
  userAgent: string;
  ip: string;
  deviceId: string;
}) {
  return {
    kind: NEW_BROWSER_MAIL_KIND,
    ref: `login-new-browser:${p.deviceId}`,
    to: p.to,
    subject: "【セキュアライン】新しいブラウザから管理コンソールにログインがありました",
    text: [
      `${p.displayName} さま`,
      "",
      `セキュアライン 管理コンソールのアカウント（${p.to}）に、これまで使われたことのないブラウザからログインがありました。`,
      "",
      `日時: ${formatInstant(p.at.toISOString())}（日本時間）`,
      `ブラウザ: ${browserName(p.userAgent)}`,
      `IPアドレス: ${p.ip}`,
      "",
      "ご自身のログインであれば、対応は不要です。",
      "お心当たりがない場合は、すぐに管理コンソールの「アカウント」でパスワードを変更し、「ほかのセッションをすべて終了」を押してください。",
    ].join("\n"),
  };
}

/** A session started: the Set-Cookie headers to send and who signed in. */
export interface SignedIn {
  headers: Headers;
  viewer: Viewer;
}

/**
 * A sign-in in the one result type (decision 0046): a session, or a failure — unauthenticated
 * (401: wrong address or password, a stopped account) or rate limited (429, with the seconds to
 * wait) — or, the password being right for an account with a second factor, the pending sign-in
 * its `cookie` holds, which is neither a success nor a failure yet.
 */
export type LoginResult = Result<SignedIn> | { ok: "second_factor"; cookie: string };

/**
 * A browser the account trusted for 30 days (devices.server.ts) is not asked for the second
 * factor; any other is sent to the second step with a pending sign-in instead of a session.
 */
export async function login(
  email: string,
  password: string,
  request: Request,
): Promise<LoginResult> {
  const db = getDb();
  const at = now();
  const ip = clientIp(request);
  const normalizedEmail = email.trim().toLowerCase();
  const user = await db
    .selectFrom("users")
    .selectAll()
    .where("email", "=", normalizedEmail)
    .executeTakeFirst();
  // A browser that has signed in to this account before has its own failure count (OWASP device
  // cookie): failures from elsewhere do not lock it out.
  const device = user ? await findKnownDevice(db, user.id, readDeviceToken(request)) : undefined;
  // The attempt is reserved before the password is checked, so parallel requests cannot check more
  // than the limit allows (throttle.server.ts).
  const reserved = await reserveLoginAttempt(db, {
    email: normalizedEmail,
    ip,
    deviceKey: user && device ? `${user.id}:${device.id}` : null,
    at,
  });
  if (!reserved.ok) {
    const by = { address: "IPアドレス", account: "アカウント", device: "このブラウザ" }[
      reserved.limitedBy
    ];
    await recordAudit(db, {
      actor: { id: user?.id ?? null, email: normalizedEmail },
      action: "login.throttled",
      entity: "session",
      summary: `ログイン試行の上限により拒否（${by}ごとの上限）`,
      ip,
    });
    return rateLimited(reserved.message, reserved.retryAfterSeconds);
  }
  // An account whose password is not set yet (invitations.server.ts) is checked against the
  // dummy hash too, so the time taken does not tell that it exists.
  const valid =
    (await verifyPassword(user?.password_hash || (await dummyPasswordHash()), password)) &&
    !!user?.password_hash;
  // A stopped account (invitations.server.ts) is refused with the same words as a wrong password.
  const stopped = valid && user?.disabled_at !== null;
  await settleLoginAttempt(db, reserved.value, valid && !stopped && !!user);
  if (!user || !valid || stopped) {
    await recordAudit(db, {
      actor: { id: user?.id ?? null, email: normalizedEmail },
      action: "login.failed",
      entity: "session",
      summary: stopped ? "停止中のアカウント" : "メールアドレスまたはパスワードの誤り",
      ip,
    });
    return unauthenticated("メールアドレスまたはパスワードが正しくありません。");
  }
  if ((await hasSecondFactor(db, user.id)) && !isTrustedForSecondFactor(device, at)) {
    const token = await createPendingSignIn(db, user.id, at);
    await recordAudit(db, {
      actor: { id: user.id, email: user.email },
      action: "login.second_factor",
      entity: "session",
      summary: "パスワードを確認、二要素認証の入力待ち",
      ip,
    });
    return { ok: "second_factor", cookie: pendingSignInCookie(token) };
  }
  const { headers } = await startSession(db, user, request);
  const skipped =
    device && isTrustedForSecondFactor(device, at)
      ? "、信頼済みのブラウザのため二要素認証を省略"
      : "";
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    action: "login",
    entity: "session",
    entityId: null,
    summary: `ログイン（${browserName(request.headers.get("User-Agent"))}${skipped}）`,
    ip,
  });
  const viewer: Viewer = {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    role: user.role,
    tenant: tenantFor(user),
  };
  return ok({ headers, viewer });
}

/**
 * The second factor of a pending sign-in passed: the pending sign-in ends, the session starts, and
 * with `trust` this browser skips the second factor for TRUST_BROWSER_DAYS. Returns the
 * Set-Cookie headers to send, or null when the account was stopped meanwhile.
 */
export async function completeSecondFactorSignIn(
  db: Kysely<Database>,
  request: Request,
  pending: PendingSignIn,
  params: { trust: boolean; summary: string; at: Date },
): Promise<Headers | null> {
  await endPendingSignIn(db, pending.id);
  await clearCodeFailures(db, pending.userId);
  const user = await db
    .selectFrom("users")
    .select(["id", "email"])
    .where("id", "=", pending.userId)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  if (!user) return null;
  const { headers, deviceId } = await startSession(db, user, request);
  if (params.trust) {
    await trustDeviceForSecondFactor(
      db,
      deviceId,
      new Date(params.at.getTime() + TRUST_BROWSER_DAYS * 86_400_000),
    );
  }
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    action: "login",
    entity: "session",
    entityId: null,
    ip: clientIp(request),
    summary: params.trust
      ? `${params.summary}（このブラウザを${TRUST_BROWSER_DAYS}日間信頼）`
      : params.summary,
  });
  headers.append("Set-Cookie", pendingSignInCookie(null));
  return headers;
}

/**
 * A passkey signed the user in on its own (no password, no further factor): a pending sign-in of
 * this browser is no longer needed, the session starts. Returns the Set-Cookie headers, or null
 * when the account is stopped.
 */
export async function completePasskeySignIn(
  db: Kysely<Database>,
  request: Request,
  params: { userId: string; passkeyName: string; at: Date },
): Promise<Headers | null> {
  const user = await db
    .selectFrom("users")
    .select(["id", "email"])
    .where("id", "=", params.userId)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  if (!user) return null;
  const stale = await findPendingSignIn(db, readPendingToken(request), params.at);
  if (stale) await endPendingSignIn(db, stale.id);
  const { headers } = await startSession(db, user, request);
  await recordAudit(db, {
    actor: { id: user.id, email: user.email },
    action: "login",
    entity: "session",
    entityId: null,
    summary: `ログイン（パスキー「${params.passkeyName}」）`,
    ip: clientIp(request),
  });
  headers.append("Set-Cookie", pendingSignInCookie(null));
  return headers;
}

/**
 * Ends every session of the user and starts a new one in this browser (its password was just
 * set); returns the Set-Cookie headers.
 */
export async function restartSessions(
  db: Kysely<Database>,
  userId: string,
  request: Request,
): Promise<Headers> {
  await getLucia().invalidateUserSessions(userId);
  return (await startSession(db, { id: userId }, request)).headers;
}

/**
 * After a password was set through a mailed link: every earlier session ends, then a session
 * starts — or, for an account with a second factor, the second step does (a mailed link proves the
 * mailbox, not the second factor). Returns where to go and the cookie to set.
 */
export async function signInAfterPasswordSet(
  db: Kysely<Database>,
  userId: string,
  request: Request,
  at: Date,
): Promise<{ location: string; headers: Headers }> {
  if (await hasSecondFactor(db, userId)) {
    await getLucia().invalidateUserSessions(userId);
    const token = await createPendingSignIn(db, userId, at);
    return {
      location: "/login/second-factor?redirectTo=%2Fhome",
      headers: new Headers({ "Set-Cookie": pendingSignInCookie(token) }),
    };
  }
  return { location: "/home", headers: await restartSessions(db, userId, request) };
}

export async function logout(request: Request): Promise<string> {
  const lucia = getLucia();
  const { viewer, sessionId } = await getViewer(request);
  if (sessionId) await lucia.invalidateSession(sessionId);
  if (viewer) {
    await recordAudit(getDb(), {
      actor: { id: viewer.id, email: viewer.email },
      action: "logout",
      entity: "session",
      summary: "ログアウト",
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
  // Control characters are what the check is for.
  // eslint-disable-next-line no-control-regex
  if (!target || !target.startsWith("/") || /[\u0000-\u001f\u007f]/.test(target)) return fallback;
  let url: URL;
  try {
    url = new URL(target, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  // "//host" would be read by the browser as another site (e.g. from "/./\\host").
  if (url.origin !== REDIRECT_BASE.origin || !path.startsWith("/") || path.startsWith("//"))
    return fallback;
  return path;
}
