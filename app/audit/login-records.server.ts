// The daily pruning of what logging in leaves behind (issue 15): lucia's sessions once expired,
// the login attempts once older than they are worth keeping, the throttle counters and the
// second factor's pending sign-ins, challenges and failures once their windows are over, and the
// browsers not seen since their cookie ran out. None of them was ever deleted.
// Both cut-offs are whole JST days, so a second run the same day deletes nothing, like every
// other daily job (scheduler.server.ts).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { THROTTLE_WINDOW_MINUTES } from "../auth/throttle.server";
import { addDays, instantOf, type IsoDate, jstDate, jstInstant } from "../lib/jst";

/**
 * Login attempts are kept 30 days, far longer than the 15-minute throttle window needs
 * (auth/throttle.server.ts): they are the evidence of a password-guessing attack or of a
 * disputed login when a customer asks, weeks later, who got into the console.
 */
export const LOGIN_ATTEMPT_RETENTION_DAYS = 30;
/** A browser's `console_device` cookie lives a year from its last sign-in (devices.server.ts). */
export const KNOWN_BROWSER_RETENTION_DAYS = 365;

export interface LoginRecordsPruned {
  /** Sessions expired by 00:00 JST of this day (today) were deleted. */
  sessionsExpiredBefore: IsoDate;
  sessions: number;
  /** Login attempts made before 00:00 JST of this day were deleted. */
  attemptsBefore: IsoDate;
  loginAttempts: number;
  /** Throttle counters, pending sign-ins with their passkey challenges, second-factor failures: windows over before today. */
  finishedWindows: number;
  /** Known browsers not seen since this day were forgotten. */
  browsersUnseenSince: IsoDate;
  browsers: number;
}

export async function pruneLoginRecords(
  db: Kysely<Database>,
  at: Date,
): Promise<LoginRecordsPruned> {
  const today = jstDate(at);
  const attemptsBefore = addDays(today, -LOGIN_ATTEMPT_RETENTION_DAYS);
  // lucia's SQLite adapter stores expires_at in whole seconds since the epoch and holds a session
  // expired from that second on; its own cleanup deletes `expires_at <= now`. Cut at today's
  // start rather than the run's instant, so the day's second run finds nothing new.
  const sessionCutoff = Math.floor(jstInstant(today).getTime() / 1000);
  // `at` is toISOString() text (UTC), so text order is time order.
  const attemptCutoff = instantOf(jstInstant(attemptsBefore));
  // Every throttle window (15 minutes) begun this long before today's start was over by then.
  const windowCutoff = instantOf(
    new Date(jstInstant(today).getTime() - THROTTLE_WINDOW_MINUTES * 60_000),
  );
  const browsersUnseenSince = addDays(today, -KNOWN_BROWSER_RETENTION_DAYS);
  const browserCutoff = instantOf(jstInstant(browsersUnseenSince));
  const todayStart = instantOf(jstInstant(today));
  return db.transaction().execute(async (trx) => {
    const sessions = await trx
      .deleteFrom("sessions")
      .where("expires_at", "<=", sessionCutoff)
      .executeTakeFirst();
    const attempts = await trx
      .deleteFrom("login_attempts")
      .where("at", "<", attemptCutoff)
      .executeTakeFirst();
    const counters = await trx
      .deleteFrom("login_throttle")
      .where("window_started_at", "<", windowCutoff)
      .executeTakeFirst();
    const challenges = await trx
      .deleteFrom("webauthn_challenges")
      .where("expires_at", "<", todayStart)
      .executeTakeFirst();
    const pending = await trx
      .deleteFrom("pending_sign_ins")
      .where("expires_at", "<", todayStart)
      .executeTakeFirst();
    const failures = await trx
      .deleteFrom("second_factor_failures")
      .where("at", "<", windowCutoff)
      .executeTakeFirst();
    const browsers = await trx
      .deleteFrom("user_devices")
      .where("last_seen_at", "<", browserCutoff)
      .executeTakeFirst();
    return {
      sessionsExpiredBefore: today,
      sessions: Number(sessions.numDeletedRows),
      attemptsBefore,
      loginAttempts: Number(attempts.numDeletedRows),
      finishedWindows: [counters, challenges, pending, failures].reduce(
        (n, r) => n + Number(r.numDeletedRows),
        0,
      ),
      browsersUnseenSince,
      browsers: Number(browsers.numDeletedRows),
    };
  });
}

/** The scheduler's log line. */
export function loginRecordsSummary(r: LoginRecordsPruned): string {
  return (
    `login records: deleted ${r.sessions} sessions expired before ${r.sessionsExpiredBefore}, ${r.loginAttempts} login attempts before ${r.attemptsBefore}, ` +
    `${r.finishedWindows} finished throttle and second-factor records, ${r.browsers} browsers unseen since ${r.browsersUnseenSince}`
  );
}
