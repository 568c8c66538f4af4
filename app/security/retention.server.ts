// S1-4⑤: purges the security events detected before the retention window (retention.ts).
// Deleted in batches, each in its own short transaction, so that a first purge of a large
// backlog does not hold the SQLite write lock for long (an ingest or the scheduler can run in
// between). Incidents and notifications stay (they carry no foreign key to the events); their
// links to purged events (incident_events) go with the events.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { IsoDate } from "../lib/jst";
import { retentionCutoff, retentionStart } from "./retention";
import { instantOf } from "../lib/jst";

export interface PurgeResult {
  /** The retention window's first day (JST): events detected before it were deleted. */
  before: IsoDate;
  deleted: number;
  batches: number;
}

const DEFAULT_BATCH_SIZE = 5_000;

export async function purgeExpiredEvents(
  db: Kysely<Database>,
  now: Date,
  options: { batchSize?: number } = {},
): Promise<PurgeResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize <= 0)
    throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  // detected_at is ISO 8601 UTC text written by toISOString(), so text order is time order.
  const cutoff = instantOf(retentionCutoff(now));
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const result = await db
      .deleteFrom("security_events")
      .where("id", "in", (eb) =>
        eb
          .selectFrom("security_events")
          .select("id")
          .where("detected_at", "<", cutoff)
          .orderBy("detected_at")
          .limit(batchSize),
      )
      .executeTakeFirst();
    const n = Number(result.numDeletedRows);
    if (n === 0) break;
    deleted += n;
    batches++;
    if (n < batchSize) break;
  }
  return { before: retentionStart(now), deleted, batches };
}

/** The line the command and the server print. */
export function purgeSummary(result: PurgeResult): string {
  return `retention: deleted ${result.deleted} events detected before ${result.before}`;
}
