// The daily pruning of what logging in leaves behind (issue 15): lucia's sessions once expired,
// and the login attempts once older than they are worth keeping. Neither was ever deleted.
// Both cut-offs are whole JST days, so a second run the same day deletes nothing, like every
// other daily job (scheduler.server.ts).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { addDays, jstDate, jstInstant, type IsoDate } from "../lib/jst";

/**
 * Login attempts are kept 30 days, far longer than the 15-minute throttle window needs
 * (auth/throttle.server.ts): they are the evidence of a password-guessing attack or of a
 * disputed login when a customer asks, weeks later, who got into the console.
 */
export const LOGIN_ATTEMPT_RETENTION_DAYS = 30;

export interface LoginRecordsPruned {
  /** Sessions expired by 00:00 JST of this day (today) were deleted. */
  sessionsExpiredBefore: IsoDate;
  sessions: number;
  /** Login attempts made before 00:00 JST of this day were deleted. */
  attemptsBefore: IsoDate;
  loginAttempts: number;
}

export async function pruneLoginRecords(db: Kysely<Database>, at: Date): Promise<LoginRecordsPruned> {
  const today = jstDate(at);
  const attemptsBefore = addDays(today, -LOGIN_ATTEMPT_RETENTION_DAYS);
  // lucia's SQLite adapter stores expires_at in whole seconds since the epoch and holds a session
  // expired from that second on; its own cleanup deletes `expires_at <= now`. Cut at today's
  // start rather than the run's instant, so the day's second run finds nothing new.
  const sessionCutoff = Math.floor(jstInstant(today).getTime() / 1000);
  // `at` is toISOString() text (UTC), so text order is time order.
  const attemptCutoff = jstInstant(attemptsBefore).toISOString();
  return db.transaction().execute(async (trx) => {
    const sessions = await trx.deleteFrom("sessions").where("expires_at", "<=", sessionCutoff).executeTakeFirst();
    const attempts = await trx.deleteFrom("login_attempts").where("at", "<", attemptCutoff).executeTakeFirst();
    return {
      sessionsExpiredBefore: today,
      sessions: Number(sessions.numDeletedRows),
      attemptsBefore,
      loginAttempts: Number(attempts.numDeletedRows),
    };
  });
}

/** The scheduler's log line. */
export function loginRecordsSummary(r: LoginRecordsPruned): string {
  return `login records: deleted ${r.sessions} sessions expired before ${r.sessionsExpiredBefore}, ${r.loginAttempts} login attempts before ${r.attemptsBefore}`;
}
