// The daily pruning of the background work's own records (decision 0035):
// - scheduled runs (`jobs` rows of kind 'scheduled'): a period's row only keeps that period from
//   running twice, so once the period is over it is history. Rows of the every-minute jobs (the
//   demo's simulator, 1,440 a day) are kept one day; daily and monthly runs 400 days, a year of
//   "did last month's reports run" with a margin.
// - webhook deliveries that ended (succeeded, or failed for good) 30 days ago, with their attempts,
//   and the events no delivery refers to any more: the delivery log shows the last 30 days.
// Pending deliveries and their events are never pruned, however old.
// - files made by jobs (the month's invoice PDF zip, the threat-report batch zip) 31 days after
//   they were made (decision 0042): each is a copy of originals kept elsewhere (the archive of
//   issued PDFs, the reports), about 88 MB a month for 2,000 invoices, and the page makes it again.
// Cut at whole JST days, so a second run the same day deletes nothing (scheduler.server.ts).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { addDays, jstDate, jstInstant, type IsoDate, instantOf } from "../lib/jst";
import { JOB_FILES_KEPT_DAYS } from "./job-file-retention";
import { SCHEDULED_KIND } from "./scheduled.server";

export const MINUTE_RUNS_KEPT_DAYS = 1;
export const PERIOD_RUNS_KEPT_DAYS = 400;
export const WEBHOOK_LOG_KEPT_DAYS = 30;

/** A minute period's key ends in `YYYY-MM-DDTHH:MM` (scheduler.server.ts minutePeriod). */
const MINUTE_KEY = "%:____-__-__T__:__";

export interface BackgroundRecordsPruned {
  /** Rows that finished before 00:00 JST of this day were deleted (minute runs). */
  minuteRunsBefore: IsoDate;
  minuteRuns: number;
  periodRunsBefore: IsoDate;
  periodRuns: number;
  webhookLogBefore: IsoDate;
  webhookDeliveries: number;
  webhookAttempts: number;
  webhookEvents: number;
  jobFilesBefore: IsoDate;
  jobFiles: number;
}

export async function pruneBackgroundRecords(
  db: Kysely<Database>,
  at: Date,
): Promise<BackgroundRecordsPruned> {
  const today = jstDate(at);
  const minuteRunsBefore = addDays(today, -MINUTE_RUNS_KEPT_DAYS);
  const periodRunsBefore = addDays(today, -PERIOD_RUNS_KEPT_DAYS);
  const webhookLogBefore = addDays(today, -WEBHOOK_LOG_KEPT_DAYS);
  const jobFilesBefore = addDays(today, -JOB_FILES_KEPT_DAYS);
  // Instants are stored as toISOString() text (UTC): text order is time order.
  const cut = (d: IsoDate) => instantOf(jstInstant(d));
  return db.transaction().execute(async (trx) => {
    const minuteRuns = await trx
      .deleteFrom("jobs")
      .where("kind", "=", SCHEDULED_KIND)
      .where("state", "in", ["done", "failed"])
      .where("key", "like", MINUTE_KEY)
      .where("finished_at", "<", cut(minuteRunsBefore))
      .executeTakeFirst();
    const periodRuns = await trx
      .deleteFrom("jobs")
      .where("kind", "=", SCHEDULED_KIND)
      .where("state", "in", ["done", "failed"])
      .where("key", "not like", MINUTE_KEY)
      .where("finished_at", "<", cut(periodRunsBefore))
      .executeTakeFirst();

    // The ended deliveries, stated once: their attempts go first (foreign key), then they.
    const ended = trx
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("status", "in", ["succeeded", "failed"])
      .where("created_at", "<", cut(webhookLogBefore));
    const attempts = await trx
      .deleteFrom("webhook_attempts")
      .where("delivery_id", "in", ended)
      .executeTakeFirst();
    const deliveries = await trx
      .deleteFrom("webhook_deliveries")
      .where("id", "in", ended)
      .executeTakeFirst();
    const events = await trx
      .deleteFrom("webhook_events")
      .where("created_at", "<", cut(webhookLogBefore))
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("webhook_deliveries")
              .select("webhook_deliveries.id")
              .whereRef("webhook_deliveries.event_id", "=", "webhook_events.id"),
          ),
        ),
      )
      .executeTakeFirst();
    // A file still being written is younger than any cut (a job's attempt lasts minutes); an
    // unfinished one left by a job that died is removed with the finished ones. Chunks cascade.
    const jobFiles = await trx
      .deleteFrom("job_files")
      .where("created_at", "<", cut(jobFilesBefore))
      .executeTakeFirst();
    return {
      minuteRunsBefore,
      minuteRuns: Number(minuteRuns.numDeletedRows),
      periodRunsBefore,
      periodRuns: Number(periodRuns.numDeletedRows),
      webhookLogBefore,
      webhookDeliveries: Number(deliveries.numDeletedRows),
      webhookAttempts: Number(attempts.numDeletedRows),
      webhookEvents: Number(events.numDeletedRows),
      jobFilesBefore,
      jobFiles: Number(jobFiles.numDeletedRows),
    };
  });
}

/** The scheduler's log line. */
export function backgroundRecordsSummary(r: BackgroundRecordsPruned): string {
  return (
    `background records: deleted ${r.minuteRuns} every-minute runs finished before ${r.minuteRunsBefore}, ` +
    `${r.periodRuns} daily/monthly runs finished before ${r.periodRunsBefore}, ` +
    `${r.webhookDeliveries} webhook deliveries (${r.webhookAttempts} attempts) and ${r.webhookEvents} events ` +
    `ended before ${r.webhookLogBefore}, ${r.jobFiles} job files made before ${r.jobFilesBefore}`
  );
}
