// Login throttling (issue 15, item 2): at most 5 failed password checks per account and 20 per
// address in a window of 15 minutes; further attempts get 429 until the window passes.
// The per-address limit is higher because an office shares one address behind its router.
//
// Check and record are one step in the database: an attempt is *reserved* (its counter raised,
// only while under the limit) before the password is verified, and settled afterwards. Parallel
// requests, in one process or several against one database, can therefore never check more
// passwords than the limit. Each reservation is an upsert on a counter row that is conditional on
// the count (`ON CONFLICT (key) DO UPDATE ... WHERE attempts < limit RETURNING`), portable SQL:
// on PostgreSQL the conflicting row is locked and the WHERE re-read; on SQLite the statement holds
// the write lock from its start (the transaction's first statement is this write, so there is no
// stale read snapshot to upgrade, see db/write-transaction.ts).
//
// Known browsers (OWASP device cookie, devices.server.ts): a browser that signed in to the account
// before is counted under its own key (5 per account and browser) instead of the account's, so
// failures from elsewhere cannot lock the account's owner out. The address limit applies to all.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";

export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_DEVICE = 5;
export const MAX_FAILURES_PER_IP = 20;

const WINDOW_MS = THROTTLE_WINDOW_MINUTES * 60_000;

interface ThrottleKey {
  key: string;
  limit: number;
}

/** A reserved attempt: settle it with `settleLoginAttempt` once the password is checked. */
export interface LoginReservation {
  email: string;
  ip: string;
  /** The address's key, then the account's (or the known browser's). */
  address: ThrottleKey;
  personal: ThrottleKey;
  at: Date;
}

export type ReserveResult =
  | { ok: true; reservation: LoginReservation }
  | { ok: false; retryAfterSeconds: number; limitedBy: "address" | "account" | "device" };

class Limited extends Error {
  constructor(readonly which: ThrottleKey) {
    super("limited");
  }
}

/** Raises the key's counter unless it has reached its limit in the current window. */
async function reserveKey(db: Kysely<Database>, { key, limit }: ThrottleKey, at: Date): Promise<boolean> {
  const startedAt = at.toISOString();
  const windowOver = new Date(at.getTime() - WINDOW_MS).toISOString();
  const row = await db
    .insertInto("login_throttle")
    .values({ key, window_started_at: startedAt, attempts: 1 })
    .onConflict((oc) => oc.column("key")
      .doUpdateSet((eb) => ({
        window_started_at: eb.case().when("login_throttle.window_started_at", "<=", windowOver)
          .then(eb.ref("excluded.window_started_at")).else(eb.ref("login_throttle.window_started_at")).end(),
        attempts: eb.case().when("login_throttle.window_started_at", "<=", windowOver)
          .then(eb.lit(1)).else(eb("login_throttle.attempts", "+", 1)).end(),
      }))
      .where((eb) => eb.or([
        eb("login_throttle.window_started_at", "<=", windowOver),
        eb("login_throttle.attempts", "<", limit),
      ])))
    .returning("attempts")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Reserves one password check for `email` from `ip` (from a known browser of the account when
 * `deviceKey` is given), or says for how long it is refused. Both counters are raised in one
 * transaction: a refused attempt raises neither.
 */
export async function reserveLoginAttempt(
  db: Kysely<Database>,
  params: { email: string; ip: string; deviceKey?: string | null; at: Date },
): Promise<ReserveResult> {
  const address = { key: `ip:${params.ip}`, limit: MAX_FAILURES_PER_IP };
  const personal = params.deviceKey
    ? { key: `device:${params.deviceKey}`, limit: MAX_FAILURES_PER_DEVICE }
    : { key: `account:${params.email}`, limit: MAX_FAILURES_PER_ACCOUNT };
  try {
    // Always the address first, then the account: one order, so PostgreSQL cannot deadlock.
    await db.transaction().execute(async (trx) => {
      for (const k of [address, personal]) {
        if (!(await reserveKey(trx, k, params.at))) throw new Limited(k);
      }
    });
  } catch (error) {
    if (!(error instanceof Limited)) throw error;
    const row = await db.selectFrom("login_throttle").select("window_started_at")
      .where("key", "=", error.which.key).executeTakeFirst();
    const until = (row ? new Date(row.window_started_at).getTime() : params.at.getTime()) + WINDOW_MS;
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((until - params.at.getTime()) / 1000)),
      limitedBy: error.which === address ? "address" : params.deviceKey ? "device" : "account",
    };
  }
  return { ok: true, reservation: { email: params.email, ip: params.ip, address, personal, at: params.at } };
}

/**
 * Settles a reserved attempt and records it in `login_attempts`. A failure stays counted. A
 * success is not a failure: the address's reservation is given back, and the account's (or the
 * known browser's) count starts again, since failures count only after the last success. A known
 * browser's success leaves the account's own count alone: failures from elsewhere keep their lock.
 */
export async function settleLoginAttempt(db: Kysely<Database>, reservation: LoginReservation, success: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.insertInto("login_attempts")
      .values({ email: reservation.email, ip: reservation.ip, at: reservation.at.toISOString(), success: success ? 1 : 0 })
      .execute();
    if (!success) return;
    await trx.updateTable("login_throttle").set((eb) => ({ attempts: eb("attempts", "-", 1) }))
      .where("key", "=", reservation.address.key).where("attempts", ">", 0).execute();
    await trx.deleteFrom("login_throttle").where("key", "=", reservation.personal.key).execute();
    // Counters whose window is over only take room: dropped on the way (a few rows at most,
    // since a refused attempt never makes a row).
    await trx.deleteFrom("login_throttle")
      .where("window_started_at", "<=", new Date(reservation.at.getTime() - WINDOW_MS).toISOString()).execute();
  });
}
