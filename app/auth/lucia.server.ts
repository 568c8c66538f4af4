// lucia v3 is kept behind app/auth/ only: it is no longer developed upstream, and nothing
// outside this folder may depend on its API.
import { NodePostgresAdapter } from "@lucia-auth/adapter-postgresql";
import { BetterSqlite3Adapter } from "@lucia-auth/adapter-sqlite";
import { Lucia, TimeSpan, type Adapter } from "lucia";
import type pg from "pg";
import type { DatabaseHandle } from "../../db/connection";
import type { Role } from "../../db/schema";
import { environment, isLoopbackHost } from "../config.server";
import { getDatabase } from "../db.server";

interface UserAttributes {
  email: string;
  display_name: string;
  role: Role;
  reseller_id: number | null;
  customer_id: number | null;
}

/** What each session keeps of where it signed in (migration 001052). */
interface SessionAttributes {
  ip: string | null;
  user_agent: string | null;
  created_at: string | null;
  last_seen_at: string | null;
  device_id: string | null;
}

export const SESSION_COOKIE_NAME = "console_session";
export const SESSION_LIFETIME = new TimeSpan(12, "h");

/**
 * Secure cookies in production, except when the console is served on a loopback address over
 * plain http (the two-command demo): a Secure cookie would never come back there.
 */
export function sessionCookieIsSecure(): boolean {
  const env = environment();
  return env.nodeEnv === "production" && !isLoopbackHost(env.host);
}

/**
 * lucia's PostgreSQL adapter over the pool, with `sessions.expires_at` kept in Unix seconds as
 * the SQLite adapter keeps it (decision 0023): the code that lists and prunes sessions compares
 * seconds on both engines. The adapter passes and expects Date objects; this client converts.
 */
function postgresAdapter(pool: pg.Pool): Adapter {
  const client = {
    async query(text: string, values: unknown[] = []) {
      const result = await pool.query(
        text,
        values.map((v) => (v instanceof Date ? Math.floor(v.getTime() / 1000) : v)),
      );
      for (const row of result.rows as Array<Record<string, unknown>>) {
        if (typeof row.expires_at === "number" && "user_id" in row)
          row.expires_at = new Date(row.expires_at * 1000);
      }
      return result;
    },
  };
  return new NodePostgresAdapter(client as unknown as pg.Pool, {
    user: "users",
    session: "sessions",
  });
}

function createLucia(handle: DatabaseHandle) {
  const adapter: Adapter =
    handle.dialect === "postgres"
      ? postgresAdapter(handle.pool!)
      : new BetterSqlite3Adapter(handle.sqlite, { user: "users", session: "sessions" });
  return new Lucia(adapter, {
    // 12 h, extended by lucia when less than half is left and the session is used. The cookie
    // lives as long as the session (Max-Age = 12 h) and is sent again whenever the session is
    // extended (getViewer), so it neither outlives the session nor ends an active one.
    sessionExpiresIn: SESSION_LIFETIME,
    sessionCookie: {
      name: SESSION_COOKIE_NAME,
      expires: true,
      attributes: { secure: sessionCookieIsSecure(), sameSite: "lax" },
    },
    getUserAttributes: (attributes: UserAttributes) => ({
      email: attributes.email,
      displayName: attributes.display_name,
      role: attributes.role,
      resellerId: attributes.reseller_id,
      customerId: attributes.customer_id,
    }),
    getSessionAttributes: (attributes: SessionAttributes) => ({
      ip: attributes.ip,
      userAgent: attributes.user_agent,
      createdAt: attributes.created_at,
      lastSeenAt: attributes.last_seen_at,
      deviceId: attributes.device_id,
    }),
  });
}

/** One instance per database handle: a handle replaced (a test's fresh database) gets its own. */
const instances = new WeakMap<object, ReturnType<typeof createLucia>>();
export function getLucia() {
  const handle = getDatabase();
  let lucia = instances.get(handle);
  if (!lucia) {
    lucia = createLucia(handle);
    instances.set(handle, lucia);
  }
  return lucia;
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    DatabaseUserAttributes: UserAttributes;
    DatabaseSessionAttributes: SessionAttributes;
  }
}
