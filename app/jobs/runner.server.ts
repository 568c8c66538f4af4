// The job worker's loop (issue 18 item 4): claims the oldest claimable job (queued, or running
// under an expired lease), runs it while renewing its lease, records how it ended, and polls
// again. Only the job worker process runs this; web workers only queue rows.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import {
  MONTH_CLOSE_KIND,
  runMonthCloseJob,
  type JobContext,
  type JobOutcome,
} from "../billing/month-close-jobs.server";
import { INVOICE_PDF_ZIP_KIND, runInvoicePdfZipJob } from "../billing/invoice-zip-jobs.server";
import {
  runThreatReportBatchJob,
  THREAT_REPORT_BATCH_KIND,
} from "../security/threat-report-jobs.server";
import { claimJob, finishJob, JOB_LEASE_MS, renewJobLease, type Job } from "./jobs.server";
import { processHolder } from "./leases.server";

export type JobHandler = (db: Kysely<Database>, job: Job, ctx: JobContext) => Promise<JobOutcome>;

export const JOB_HANDLERS: Record<string, JobHandler> = {
  [MONTH_CLOSE_KIND]: runMonthCloseJob,
  [INVOICE_PDF_ZIP_KIND]: runInvoicePdfZipJob,
  [THREAT_REPORT_BATCH_KIND]: runThreatReportBatchJob,
};

export interface RunningJobRunner {
  /** Stops claiming; a running job stops after its current batch and is queued again. */
  stop(): Promise<void>;
}

export function startJobRunner(
  db: Kysely<Database>,
  options: {
    holder?: string;
    pollMs?: number;
    ttlMs?: number;
    log?: (line: string) => void;
    handlers?: Record<string, JobHandler>;
  } = {},
): RunningJobRunner {
  const holder = options.holder ?? processHolder();
  const pollMs = options.pollMs ?? 500;
  const ttlMs = options.ttlMs ?? JOB_LEASE_MS;
  const log = options.log ?? console.error;
  const handlers = options.handlers ?? JOB_HANDLERS;
  let stopping = false;
  let wake: () => void = () => undefined;

  const runOne = async (job: Job) => {
    // Renewed also between progress reports (planning a large month takes a while).
    const renewal = setInterval(
      () => void renewJobLease(db, job.id, holder, new Date(), ttlMs).catch(() => undefined),
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    let outcome: JobOutcome;
    try {
      outcome = await handlers[job.kind](db, job, { holder, stopping: () => stopping, ttlMs });
    } catch (error) {
      outcome = { state: "failed", error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearInterval(renewal);
    }
    await finishJob(db, job.id, holder, outcome, new Date());
    log(
      `job #${job.id} ${job.kind} ${job.key}: ${outcome.state}${outcome.error ? `: ${outcome.error}` : ""}`,
    );
    return outcome.state;
  };

  const loop = (async () => {
    while (!stopping) {
      try {
        const job = await claimJob(db, Object.keys(handlers), holder, new Date(), ttlMs);
        if (job) {
          log(
            `job #${job.id} ${job.kind} ${job.key}: started${job.attempts > 1 ? ` (attempt ${job.attempts}, resumed)` : ""}`,
          );
          // Queued again (stopped, or waiting for the month's lease): polled again after a pause.
          if ((await runOne(job)) !== "queued") continue;
        }
      } catch (error) {
        log(`jobs: ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    stop: async () => {
      stopping = true;
      wake();
      await loop;
    },
  };
}
