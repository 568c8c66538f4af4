// Background jobs of the server process (croner): every minute, open the incidents of gateway
// outages that crossed their threshold without a new event (S1-4①), send the outbox and the
// partner webhooks; every
// day at 03:00 JST, purge the events older than the 6-month retention window (S1-4⑤), start and
// end scheduled suspensions (T-17), charge unreturned rental gateways (S4 ※3) and queue renewal
// reminders (S4 ※1), end ISP security with the customer's main services (L-4), delete expired
// sessions and login attempts older than 30 days, mail reminders of overdue invoices on the set
// days with the T-17 prior notice of suspension after the last (dunning), and prune the billing journal (decision 0010).
// The daily jobs and the monthly threat reports also run once at start, so a server that was
// down at their hour catches up; every one of them changes nothing when run again the same day. Each job skips a tick while its previous run (or the start-up run)
// is still going (protect), so nothing runs twice at once.
// Several processes and instances may run the scheduler on one database (issue 18 item 3): each
// job holds a lease in the database while it runs, and the daily jobs, the monthly reports and
// the simulator record each period's run (app/jobs/scheduled.server.ts), so each runs once per
// period across all of them. The every-minute tick also checks the daily and monthly periods, so
// when the process running them dies, another takes them over once the lease expires.
import { Cron } from "croner";
import { holdLease } from "./jobs/leases.server";
import { runOncePer } from "./jobs/scheduled.server";
import { backgroundRecordsSummary, pruneBackgroundRecords } from "./jobs/pruning.server";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { apiRecordsSummary, pruneApiRecords } from "./api/pruning.server";
import { loginRecordsSummary, pruneLoginRecords } from "./audit/login-records.server";
import { pruneBillingChanges } from "./billing/billing-changes.server";
import { runDunning } from "./billing/dunning.server";
import { queueRenewalReminders } from "./contracts/renewals.server";
import { applySuspensionSchedule, chargeUnreturnedGateways } from "./contracts/suspensions.server";
import { applyMainServiceEnds } from "./licenses/main-services.server";
import { now } from "./lib/clock";
import { jstDate } from "./lib/jst";
import { attachmentRenderer } from "./mail/attachments.server";
import { deliverOutbox } from "./mail/outbox.server";
import { getServerConfig } from "./config.server";
import { deliverWebhooks } from "./webhooks/delivery.server";
import { createMailTransport } from "./mail/transport.server";
import { notifyAllContracts } from "./security/notifications.server";
import { purgeExpiredEvents, purgeSummary } from "./security/retention.server";
import { lastMonth } from "./security/threat-report.server";
import { requestThreatReportBatch } from "./security/threat-report-jobs.server";

/** The schedules are read in Japan time, whatever the server's own time zone. */
export const SCHEDULER_TIMEZONE = "Asia/Tokyo";

export type ScheduledJob = "every minute" | "daily" | "monthly reports";

export interface Schedule {
  job: ScheduledJob;
  /** croner pattern: minute hour day-of-month month day-of-week. */
  pattern: string;
  timezone: typeof SCHEDULER_TIMEZONE;
}

/** When each background job runs. */
export function schedules(): Schedule[] {
  const at = (job: ScheduledJob, pattern: string): Schedule => ({
    job,
    pattern,
    timezone: SCHEDULER_TIMEZONE,
  });
  return [
    at("every minute", "* * * * *"),
    at("daily", "0 3 * * *"),
    // S1-4⑤: last month's threat reports, mailed on the 1st at 06:00 JST.
    at("monthly reports", "0 6 1 * *"),
  ];
}

export interface DailyJob {
  name: string;
  /** Does the day's work; returns the line to log. */
  run(): Promise<string>;
}

/** The daily jobs as of the instant `at` (their day is its date in Japan). */
export function dailyJobs(db: Kysely<Database>, at: Date): DailyJob[] {
  const today = jstDate(at);
  return [
    { name: "retention", run: async () => purgeSummary(await purgeExpiredEvents(db, at)) },
    {
      name: "suspensions",
      run: async () => {
        const r = await applySuspensionSchedule(db, today, at);
        return `suspensions: ${r.started} started, ${r.ended} ended`;
      },
    },
    {
      name: "gateway returns",
      run: async () => {
        const { charged, unpriced } = await chargeUnreturnedGateways(db, today, at);
        return `gateway returns: ${charged} charged${unpriced ? `, ${unpriced} awaiting a device price in the tariff (S4※3)` : ""}`;
      },
    },
    // Reminders of overdue invoices on the set days, then the T-17 prior notice (billing/dunning.server.ts).
    {
      name: "dunning",
      run: async () => {
        const r = await runDunning(db, today, at);
        return `dunning: ${r.reminded} reminders queued, ${r.suspensionNotices} suspension notices`;
      },
    },
    {
      name: "renewals",
      run: async () => `renewal reminders: ${await queueRenewalReminders(db, today, at)} queued`,
    },
    // L-4: ISP security ends with the customer's main services whose last day has come.
    {
      name: "isp main services",
      run: async () =>
        `isp main services: ${(await applyMainServiceEnds(db, { on: today, actor: { id: null, email: "scheduler" } })).length} security contracts ended`,
    },
    // Expired sessions; login attempts are kept 30 days as evidence (login-records.server.ts).
    {
      name: "login records",
      run: async () => loginRecordsSummary(await pruneLoginRecords(db, at)),
    },
    // Idempotency-Key answers kept a whole day, finished rate-limit minutes (api/pruning.server.ts).
    { name: "api records", run: async () => apiRecordsSummary(await pruneApiRecords(db, at)) },
    // Finished scheduled runs and the ended webhook log (jobs/pruning.server.ts, decision 0035).
    {
      name: "background records",
      run: async () => backgroundRecordsSummary(await pruneBackgroundRecords(db, at)),
    },
    // Last: the jobs above write to it too.
    {
      name: "billing journal",
      run: async () => `billing journal: ${await pruneBillingChanges(db)} rows pruned`,
    },
  ];
}

/** Runs each job on its own, in order: one failing is logged and does not stop the others. */
export async function runDailyJobs(
  jobs: readonly DailyJob[],
  log: (line: string) => void,
): Promise<void> {
  for (const job of jobs) {
    try {
      log(await job.run());
    } catch (error) {
      log(`scheduler: ${job.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

const HOUR_MS = 3_600_000;

/** The day whose 03:00 JST run is the latest at `at` (before 03:00 it is yesterday's). */
export function dailyPeriod(at: Date): string {
  return jstDate(new Date(at.getTime() - 3 * HOUR_MS));
}

/** The month whose reports are the latest due at `at` (they are due on the 1st of the next month at 06:00 JST). */
export function reportsPeriod(at: Date): string {
  return lastMonth(new Date(at.getTime() - 6 * HOUR_MS));
}

/** The minute of a tick at `at`: an added job's run in every process at that minute is one run. */
function minutePeriod(at: Date): string {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString().slice(0, 16);
}

/** A job the process adds to the product's own (the demo's simulator, db/demo/simulator.ts). */
export interface ExtraJob {
  name: string;
  /** croner pattern, read in Japan time. */
  pattern: string;
  /** Does the work; returns the line to log, or null for nothing worth a line. */
  run(): Promise<string | null>;
}

export interface RunningScheduler {
  /** No new runs; a run in progress goes on (see `busy`). */
  stop(): void;
  /** Whether a job is running now (a stopping process waits for it, bounded: scripts/shutdown.ts). */
  busy(): boolean;
  /** Settles when the start-up runs (daily jobs, monthly reports) are done; never rejects. */
  caughtUp: Promise<void>;
}

export function startScheduler(
  db: Kysely<Database>,
  log: (line: string) => void = console.error,
  options: { smtpUrl?: string | null; extraJobs?: readonly ExtraJob[] } = {},
): RunningScheduler {
  const transport = createMailTransport(
    options.smtpUrl === undefined ? undefined : options.smtpUrl,
    log,
  );
  const renderAttachment = attachmentRenderer(db);
  // Set once the crons exist: the every-minute tick also checks the daily and monthly periods.
  let catchUp: () => void = () => undefined;
  const everyMinute = async () => {
    catchUp();
    const lease = await holdLease(db, "scheduler:every minute").catch((error: unknown) => {
      log(`scheduler: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (!lease) return;
    try {
      const at = now();
      await notifyAllContracts(db, at);
      const sent = await deliverOutbox(db, transport, at, { renderAttachment, log });
      if (sent.sent || sent.failed)
        log(`mail: sent ${sent.sent}, retrying ${sent.retrying}, failed ${sent.failed}`);
    } catch (error) {
      log(`scheduler: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await lease.release().catch(() => undefined);
    }
    // Partner webhooks from their outbox (webhooks/delivery.server.ts); a failure here leaves the mail alone.
    try {
      const hooks = await deliverWebhooks(db, now(), {
        allowHosts: getServerConfig().webhookAllowHosts,
        log,
      });
      if (hooks.sent || hooks.retrying || hooks.failed) {
        log(
          `webhooks: sent ${hooks.sent}, retrying ${hooks.retrying}, failed ${hooks.failed}, endpoints disabled ${hooks.disabledEndpoints}`,
        );
      }
    } catch (error) {
      log(`scheduler: webhooks: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const daily = async () => {
    try {
      const at = now();
      await runOncePer(db, "daily", dailyPeriod(at), () => runDailyJobs(dailyJobs(db, at), log));
    } catch (error) {
      log(`scheduler: daily: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  // Skips contracts whose report exists, so the start-up run never duplicates one.
  const monthlyReports = async () => {
    try {
      const at = now();
      await runOncePer(db, "monthly reports", reportsPeriod(at), async () => {
        // Made by the job worker's queue (threat-report-jobs.server.ts), with progress and a zip.
        const id = await requestThreatReportBatch(db, lastMonth(at), {
          at,
          requestedBy: "scheduler",
        });
        log(`threat reports ${lastMonth(at)}: queued as job #${id}`);
      });
    } catch (error) {
      log(`scheduler: threat reports: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const runs: Record<ScheduledJob, () => Promise<void>> = {
    "every minute": everyMinute,
    daily,
    "monthly reports": monthlyReports,
  };
  const crons = new Map(
    schedules().map((s) => [
      s.job,
      new Cron(s.pattern, { protect: true, timezone: s.timezone }, runs[s.job]),
    ]),
  );
  const extras = (options.extraJobs ?? []).map(
    (job) =>
      new Cron(job.pattern, { protect: true, timezone: SCHEDULER_TIMEZONE }, async () => {
        try {
          // Once per tick across the processes that added it (the real clock: ticks are real minutes).
          await runOncePer(db, job.name, minutePeriod(new Date()), async () => {
            const line = await job.run();
            if (line) log(line);
          });
        } catch (error) {
          log(`scheduler: ${job.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
  );
  // Catch-up at start: trigger() marks the job busy, so a tick that comes meanwhile is skipped
  // (protect) rather than running the same day's work a second time alongside.
  const caughtUp = Promise.all([
    crons.get("daily")!.trigger(),
    crons.get("monthly reports")!.trigger(),
  ]).then(() => undefined);
  catchUp = () => {
    for (const job of ["daily", "monthly reports"] as const) {
      const cron = crons.get(job)!;
      if (!cron.isBusy()) void cron.trigger();
    }
  };
  return {
    stop: () => {
      crons.forEach((cron) => cron.stop());
      extras.forEach((cron) => cron.stop());
    },
    busy: () => [...crons.values(), ...extras].some((cron) => cron.isBusy()),
    caughtUp,
  };
}
