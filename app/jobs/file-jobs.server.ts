// Jobs whose result is a file (issue 18 item 4): the month's invoice PDF zip and the monthly
// threat-report batch. The page reads the job's row and its finished file, nothing else, so a
// refresh while the job runs recomputes nothing.
import type { Kysely } from "kysely";
import type { Database, JobState } from "../../db/schema";
import { findJob, reportJobProgress } from "./jobs.server";
import { latestJobFile, type StoredJobFile } from "./job-files.server";

export interface FileJobProgress {
  jobId: number;
  state: JobState;
  done: number;
  total: number;
  message: string | null;
  /** The finished file (also while a new run is queued: the previous one stays until replaced). */
  file: StoredJobFile | null;
  finishedAt: string | null;
}

export async function fileJobProgress(
  db: Kysely<Database>,
  kind: string,
  key: string,
): Promise<FileJobProgress | null> {
  const job = await findJob(db, kind, key);
  if (!job) return null;
  return {
    jobId: job.id,
    state: job.state,
    done: job.progress_done,
    total: job.progress_total,
    message: job.error,
    file: await latestJobFile(db, job.id),
    finishedAt: job.finished_at,
  };
}

/** Thrown from a progress report to stop (shutdown, or the lease was lost); the job is queued again. */
export class FileJobStopped extends Error {}

/**
 * A progress reporter that writes at most every `everyMs` (and always the last item), renewing
 * the lease with each write; it throws FileJobStopped when the lease is lost or the worker stops.
 */
export function progressReporter(
  db: Kysely<Database>,
  job: { id: number },
  ctx: { holder: string; stopping(): boolean; ttlMs?: number },
  everyMs = 500,
): (done: number, total: number) => Promise<void> {
  let last = 0;
  return async (done, total) => {
    if (ctx.stopping()) throw new FileJobStopped("stopping");
    const nowMs = Date.now();
    if (done < total && nowMs - last < everyMs) return;
    last = nowMs;
    const held = await reportJobProgress(
      db,
      job.id,
      ctx.holder,
      { done, total },
      new Date(),
      ctx.ttlMs,
    );
    if (!held) throw new FileJobStopped("lease lost");
  };
}
