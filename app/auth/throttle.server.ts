// Login throttling (issue 15, item 2): at most 5 failed password checks per account and 20 per
// address in a window of 15 minutes; further attempts get 429 until the window passes.
// The per-address limit is higher because an office shares one address behind its router.
//
// Check and record are one step in the database: an attempt is *reserved* (counted as pending,
// only while failures + pending are under the limit) before the password is verified, and settled
// afterwards as a failure or not. Parallel requests, in one process or several against one
// database, can therefore never check more passwords than the limit. Each reservation is an upsert
// on a counter row that is conditional on the counts (`ON CONFLICT (key) DO UPDATE ... WHERE ...
// RETURNING`), portable SQL: on PostgreSQL the conflicting row is locked and the WHERE re-read;
// on SQLite the statement holds the write lock from its start (it is the transaction's first
// statement, so there is no stale read snapshot to upgrade, see db/write-transaction.ts).
//
// An attempt refused only because others are still in flight (failures under the limit) waits
// for them to settle instead of being refused: people of one office signing in at 9:00 are not
// turned away, and the limit still holds exactly. Once failures reach the limit, the answer is
// 429 at once.
//
// Known browsers (OWASP device cookie, devices.server.ts): a browser that signed in to the account
// before is counted under its own key (5 per account and browser) instead of the account's, so
// failures from elsewhere cannot lock the account's owner out. The address limit applies to all.
import { ok, rateLimited } from "../lib/result";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { instantOf } from "../lib/jst";

export const THROTTLE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_DEVICE = 5;
export const MAX_FAILURES_PER_IP = 20;
/** How long an attempt waits for others in flight to settle before it is refused. */
export const MAX_WAIT_FOR_PENDING_MS = 30_000;

const WINDOW_MS = THROTTLE_WINDOW_MINUTES * 60_000;

interface ThrottleKey {
  key: string;
  limit: number;
}

/** A reserved attempt: settle it with `settleLoginAttempt` once the password is checked. */
export interface LoginReservation {
  email: string;
  ip: string;
  address: ThrottleKey;
  /** The account's key, or the known browser's. */
  personal: ThrottleKey;
  at: Date;
}

/** Which limit refused an attempt (the audit row names it). */
export type LimitedBy = "address" | "account" | "device";

/** The reserved attempt, or a rate-limited failure (429) that names the limit it hit. */
export type ReserveResult =
  | { ok: true; value: LoginReservation }
  | (ReturnType<typeof rateLimited> & { limitedBy: LimitedBy });

/** What a refused sign-in is told: how long to wait, in whole minutes. */
export function throttledMessage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `ログインの失敗が続いたため、一時的にログインを制限しています。約${minutes}分後にもう一度お試しください。`;
}

class Limited extends Error {
  constructor(readonly which: ThrottleKey) {
    super("limited");
  }
}

/** Counts one more check in flight for the key, unless failures and checks in flight reach its limit. */
async function reserveKey(
  db: Kysely<Database>,
  { key, limit }: ThrottleKey,
  at: Date,
): Promise<boolean> {
  const windowOver = instantOf(new Date(at.getTime() - WINDOW_MS));
  const row = await db
    .insertInto("login_throttle")
    .values({ key, window_started_at: instantOf(at), failures: 0, pending: 1 })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet((eb) => {
          const over = eb("login_throttle.window_started_at", "<=", windowOver);
          return {
            // A window that is over starts again; checks still in flight from it are long dead.
            window_started_at: eb
              .case()
              .when(over)
              .then(eb.ref("excluded.window_started_at"))
              .else(eb.ref("login_throttle.window_started_at"))
              .end(),
            failures: eb
              .case()
              .when(over)
              .then(eb.lit(0))
              .else(eb.ref("login_throttle.failures"))
              .end(),
            pending: eb
              .case()
              .when(over)
              .then(eb.lit(1))
              .else(eb("login_throttle.pending", "+", 1))
              .end(),
          };
        })
        .where((eb) =>
          eb.or([
            eb("login_throttle.window_started_at", "<=", windowOver),
            eb(eb("login_throttle.failures", "+", eb.ref("login_throttle.pending")), "<", limit),
          ]),
        ),
    )
    .returning("pending")
    .executeTakeFirst();
  return row !== undefined;
}

/** One try: both counters raised in one transaction, or neither. */
async function tryReserve(
  db: Kysely<Database>,
  keys: ThrottleKey[],
  at: Date,
): Promise<ThrottleKey | null> {
  try {
    // Always the address first, then the account: one order, so PostgreSQL cannot deadlock.
    await db.transaction().execute(async (trx) => {
      for (const k of keys) {
        if (!(await reserveKey(trx, k, at))) throw new Limited(k);
      }
    });
    return null;
  } catch (error) {
    if (error instanceof Limited) return error.which;
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reserves one password check for `email` from `ip` (from a known browser of the account when
 * `deviceKey` is given), or says for how long it is refused.
 */
export async function reserveLoginAttempt(
  db: Kysely<Database>,
  params: { email: string; ip: string; deviceKey?: string | null; at: Date },
): Promise<ReserveResult> {
  const address = { key: `ip:${params.ip}`, limit: MAX_FAILURES_PER_IP };
  const personal = params.deviceKey
    ? { key: `device:${params.deviceKey}`, limit: MAX_FAILURES_PER_DEVICE }
    : { key: `account:${params.email}`, limit: MAX_FAILURES_PER_ACCOUNT };
  const giveUpAt = Date.now() + MAX_WAIT_FOR_PENDING_MS;
  for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
    const limitedBy = await tryReserve(db, [address, personal], params.at);
    if (!limitedBy)
      return ok({ email: params.email, ip: params.ip, address, personal, at: params.at });
    const row = await db
      .selectFrom("login_throttle")
      .select(["window_started_at", "failures"])
      .where("key", "=", limitedBy.key)
      .executeTakeFirst();
    const failedOut = !row || row.failures >= limitedBy.limit;
    if (failedOut || Date.now() + wait > giveUpAt) {
      const until =
        (row ? new Date(row.window_started_at).getTime() : params.at.getTime()) + WINDOW_MS;
      const retryAfterSeconds = Math.max(1, Math.ceil((until - params.at.getTime()) / 1000));
      return {
        ...rateLimited(throttledMessage(retryAfterSeconds), retryAfterSeconds),
        limitedBy: limitedBy === address ? "address" : params.deviceKey ? "device" : "account",
      };
    }
    // Only checks in flight stand in the way: wait for them to settle (a little jitter, so the
    // waiters do not all come back at once).
    await sleep(wait * (0.5 + Math.random()));
  }
}

/**
 * Settles a reserved attempt and records it in `login_attempts`. A failure counts for both keys.
 * A success is not a failure, and the account's (or the known browser's) failures start again,
 * since they count only after the last success. A known browser's success leaves the account's
 * own count alone: failures from elsewhere keep their lock.
 */
export async function settleLoginAttempt(
  db: Kysely<Database>,
  reservation: LoginReservation,
  success: boolean,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("login_attempts")
      .values({
        email: reservation.email,
        ip: reservation.ip,
        at: instantOf(reservation.at),
        success: success ? 1 : 0,
      })
      .execute();
    for (const { key } of [reservation.address, reservation.personal]) {
      const resetFailures = success && key === reservation.personal.key;
      await trx
        .updateTable("login_throttle")
        .set((eb) => ({
          // The window may have started again since the reservation (pending was reset to 1).
          pending: eb
            .case()
            .when("pending", ">", 0)
            .then(eb("pending", "-", 1))
            .else(eb.lit(0))
            .end(),
          failures: resetFailures
            ? eb.lit(0)
            : success
              ? eb.ref("failures")
              : eb("failures", "+", 1),
        }))
        .where("key", "=", key)
        .execute();
    }
    if (!success) return;
    // Counters whose window is over, with nothing in flight, only take room: dropped on the way
    // (a few rows at most, since a refused attempt makes no row).
    await trx
      .deleteFrom("login_throttle")
      .where("pending", "=", 0)
      .where("window_started_at", "<=", instantOf(new Date(reservation.at.getTime() - WINDOW_MS)))
      .execute();
  });
}
