// Closing a month from the browser (issue 18 item 4): the page's action queues a `jobs` row and
// returns at once; the job worker (scripts/workers.ts) runs the close, writing its progress into
// the row, and the page reads that row (it plans nothing while the job runs). The close holds the
// month's lease (`month-close:YYYY-MM`, the same one `billing run` takes), so only one close of a
// month runs anywhere. A worker that dies leaves the job running under an expired lease: another
// claims it and the run continues where it stopped (billing-run.server.ts is restartable).
import type { Kysely } from "kysely";
import type { Database, JobState } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { findJob, reportJobProgress, requestJob, type Job } from "../jobs/jobs.server";
import { holdLease, leaseHolder } from "../jobs/leases.server";
import type { YearMonth } from "../lib/jst";
import { runBillingMonth } from "./billing-run.server";

export const MONTH_CLOSE_KIND = "month_close";

/** The lease of a month's close: the job worker and the command line take the same one. */
export function monthCloseLease(month: YearMonth): string {
  return `month-close:${month}`;
}

export interface CloseProgress {
  state: JobState;
  done: number;
  total: number;
  issued: number;
  message: string | null;
}

interface CloseParams {
  at: string;
  actor: AuditActor;
  ip: string;
}

function progressOf(job: Job): CloseProgress {
  const result = job.result ? (JSON.parse(job.result) as { issued?: number }) : {};
  return {
    state: job.state,
    done: job.progress_done,
    total: job.progress_total,
    issued: result.issued ?? 0,
    message: job.error,
  };
}

/** The month's close job as the page shows it, read from its row; null when it was never requested. */
export async function closeProgress(
  db: Kysely<Database>,
  month: YearMonth,
): Promise<CloseProgress | null> {
  const job = await findJob(db, MONTH_CLOSE_KIND, month);
  return job ? progressOf(job) : null;
}

/** Queues the close of `month` unless one is queued or running already; returns at once. */
export async function requestMonthClose(
  db: Kysely<Database>,
  month: YearMonth,
  params: { at: Date; actor: AuditActor; ip: string },
): Promise<CloseProgress> {
  const job = await requestJob(
    db,
    {
      kind: MONTH_CLOSE_KIND,
      key: month,
      requestedBy: params.actor.email,
      params: {
        at: params.at.toISOString(),
        actor: params.actor,
        ip: params.ip,
      } satisfies CloseParams,
    },
    new Date(),
  );
  return progressOf(job);
}

/** Thrown from a progress report to stop between batches (shutdown, or the lease was lost). */
export class JobInterrupted extends Error {}

export interface JobContext {
  holder: string;
  /** True once the worker is stopping: the job stops after its current batch and is resumed later. */
  stopping(): boolean;
  ttlMs?: number;
}

export type JobOutcome = {
  state: "done" | "failed" | "queued";
  result?: unknown;
  error?: string | null;
};

/** Runs one claimed month-close job to its end (or to a stop between batches). */
export async function runMonthCloseJob(
  db: Kysely<Database>,
  job: Job,
  ctx: JobContext,
): Promise<JobOutcome> {
  const month = job.key as YearMonth;
  const params = JSON.parse(job.params ?? "{}") as CloseParams;
  const lease = await holdLease(db, monthCloseLease(month), {
    holder: ctx.holder,
    ttlMs: ctx.ttlMs,
  });
  if (!lease) {
    // `billing run` on the command line, or a worker that died and whose lease has not expired
    // yet: the job waits in the queue and runs after it (a month closed meanwhile issues nothing).
    const other = await leaseHolder(db, monthCloseLease(month), new Date());
    return {
      state: "queued",
      error: `${month} の締めを別の処理（${other?.holder ?? "不明"}）が実行中のため、終わるのを待っています`,
    };
  }
  const started = Date.now();
  try {
    const result = await runBillingMonth(db, month, {
      at: new Date(params.at),
      onPlanned: async (total) => {
        if (
          !(await reportJobProgress(
            db,
            job.id,
            ctx.holder,
            { done: 0, total },
            new Date(),
            ctx.ttlMs,
          ))
        )
          throw new JobInterrupted("lease lost");
      },
      onProgress: async ({ done, total }) => {
        const held = await reportJobProgress(
          db,
          job.id,
          ctx.holder,
          { done, total },
          new Date(),
          ctx.ttlMs,
        );
        if (!held || !lease.held) throw new JobInterrupted("lease lost");
        if (ctx.stopping()) throw new JobInterrupted("stopping");
      },
    });
    if (result.problems.length > 0) {
      return {
        state: "failed",
        result: { issued: result.issued },
        error:
          result.issued > 0
            ? // Data written while the month was being closed (billing-run.server.ts): a re-run continues.
              `締めの途中で記録された契約データに問題があるため、${result.issued}件を発行したところで停止しました（${result.problems.length}件）。修正してから再度締めてください`
            : `契約データに問題があるため発行できません（${result.problems.length}件）`,
      };
    }
    await recordAudit(db, {
      actor: params.actor,
      action: "billing.close",
      entity: "billing_month",
      entityId: month,
      summary: result.alreadyClosed
        ? `${month} は締め済み（発行なし）`
        : `${month} を締め、請求書 ${result.issued} 件を発行（${Date.now() - started} ms）`,
      ip: params.ip,
    });
    return {
      state: "done",
      result: { issued: result.issued, alreadyIssued: result.alreadyIssued },
    };
  } catch (error) {
    // Stopped between batches: queued again, the next claim continues the run.
    if (error instanceof JobInterrupted) return { state: "queued" };
    return { state: "failed", error: error instanceof Error ? error.message : String(error) };
  } finally {
    await lease.release();
  }
}
