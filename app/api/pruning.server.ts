// The daily pruning of what the partner API leaves behind (issue 19): stored Idempotency-Key
// answers (and the console's one-time form tokens, decision 0027) once a whole day old (a client retries within minutes; a day is the usual promise),
// and rate-limit counters whose minute ended before today began. Cut at whole JST days, so a
// second run the same day deletes nothing, like every other daily job (scheduler.server.ts).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { pruneIdempotencyKeys } from "../lib/idempotency.server";
import { addDays, instantOf, type IsoDate, jstDate, jstInstant } from "../lib/jst";

export interface ApiRecordsPruned {
  /** Idempotency-Key answers stored before 00:00 JST of this day were deleted. */
  idempotencyBefore: IsoDate;
  idempotencyKeys: number;
  rateWindows: number;
}

export async function pruneApiRecords(db: Kysely<Database>, at: Date): Promise<ApiRecordsPruned> {
  const today = jstDate(at);
  const idempotencyBefore = addDays(today, -1);
  // `created_at` and `window_started_at` are toISOString() text (UTC): text order is time order.
  const idempotencyCutoff = instantOf(jstInstant(idempotencyBefore));
  const windowCutoff = instantOf(new Date(jstInstant(today).getTime() - 60_000));
  return db.transaction().execute(async (trx) => {
    // The one table of decision 0027: the console's form tokens go with the API's keys.
    const keys = await pruneIdempotencyKeys(trx, idempotencyCutoff);
    const windows = await trx
      .deleteFrom("api_rate_windows")
      .where("window_started_at", "<", windowCutoff)
      .executeTakeFirst();
    return {
      idempotencyBefore,
      idempotencyKeys: keys,
      rateWindows: Number(windows.numDeletedRows),
    };
  });
}

/** The scheduler's log line. */
export function apiRecordsSummary(r: ApiRecordsPruned): string {
  return `api records: deleted ${r.idempotencyKeys} idempotency keys stored before ${r.idempotencyBefore}, ${r.rateWindows} finished rate-limit windows`;
}
