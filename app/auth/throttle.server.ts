// Login throttling: after 5 failed attempts for one account within 15 minutes (since its last
// success), or 20 from one IP address within 15 minutes, further attempts are refused until the
// window passes.
// The per-IP limit is higher because an office shares one address behind its router.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";

export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 20;

export interface ThrottleState {
  limited: boolean;
  retryAfterSeconds: number;
}

async function failuresSince(
  db: Kysely<Database>,
  column: "email" | "ip",
  value: string,
  since: string,
): Promise<{ count: number; oldest: string | null }> {
  // An account's failures count only after its last success (by insertion order, which also holds
  // when the clock is pinned). An address's do not reset: one valid account must not unlock guessing.
  const lastSuccess = column === "ip" ? undefined : await db
    .selectFrom("login_attempts")
    .select((eb) => eb.fn.max("id").as("id"))
    .where(column, "=", value)
    .where("success", "=", 1)
    .executeTakeFirst();
  const row = await db
    .selectFrom("login_attempts")
    .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("at").as("oldest")])
    .where(column, "=", value)
    .where("success", "=", 0)
    .where("at", ">=", since)
    .where("id", ">", lastSuccess?.id ?? 0)
    .executeTakeFirst();
  return { count: Number(row?.count ?? 0), oldest: row?.oldest ?? null };
}

export async function loginThrottle(db: Kysely<Database>, email: string, ip: string, at: Date): Promise<ThrottleState> {
  const windowMs = THROTTLE_WINDOW_MINUTES * 60_000;
  const since = new Date(at.getTime() - windowMs).toISOString();
  const [byAccount, byIp] = await Promise.all([
    failuresSince(db, "email", email, since),
    failuresSince(db, "ip", ip, since),
  ]);
  const blocking = [
    byAccount.count >= MAX_FAILURES_PER_ACCOUNT ? byAccount.oldest : null,
    byIp.count >= MAX_FAILURES_PER_IP ? byIp.oldest : null,
  ].filter((x): x is string => x !== null);
  if (blocking.length === 0) return { limited: false, retryAfterSeconds: 0 };
  const until = Math.max(...blocking.map((t) => new Date(t).getTime() + windowMs));
  return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((until - at.getTime()) / 1000)) };
}

export async function recordLoginAttempt(
  db: Kysely<Database>,
  attempt: { email: string; ip: string; at: Date; success: boolean },
): Promise<void> {
  await db
    .insertInto("login_attempts")
    .values({ email: attempt.email, ip: attempt.ip, at: attempt.at.toISOString(), success: attempt.success ? 1 : 0 })
    .execute();
}
