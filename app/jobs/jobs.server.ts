// The jobs table (issue 18 item 4): long work (a month close) is requested by a web worker as a
// row and done by the job worker, which claims the row with a lease of its own (lease_holder,
// lease_until), writes its progress into it and renews the lease with each progress report.
// A job whose worker died (lease expired while running) is claimed again and resumes: the work
// itself is restartable (billing-run.server.ts). Scheduled jobs record each period's run here
// too (kind 'scheduled', key 'daily:2026-12-06'), so a period runs once across all processes.
import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import type { Database, JobTable } from "../../db/schema";
import { instantOf } from "../lib/jst";

export type Job = Selectable<JobTable>;

/** How long a claimed job is left to its worker without a progress report. */
export const JOB_LEASE_MS = 60_000;

export const ACTIVE_STATES = ["queued", "running"] as const;

export async function findJob(
  db: Kysely<Database>,
  kind: string,
  key: string,
): Promise<Job | null> {
  return (
    (await db
      .selectFrom("jobs")
      .selectAll()
      .where("kind", "=", kind)
      .where("key", "=", key)
      .executeTakeFirst()) ?? null
  );
}

/**
 * Queues `kind`/`key` unless it is already queued or running (that row is returned); a finished
 * one (done or failed) is queued again from scratch. One conditional upsert: two requests at once
 * queue one job.
 */
export async function requestJob(
  db: Kysely<Database>,
  job: { kind: string; key: string; params?: unknown; requestedBy?: string | null },
  at: Date,
): Promise<Job> {
  const params = job.params === undefined ? null : JSON.stringify(job.params);
  await db
    .insertInto("jobs")
    .values({
      kind: job.kind,
      key: job.key,
      state: "queued",
      params,
      requested_by: job.requestedBy ?? null,
      created_at: instantOf(at),
    })
    .onConflict((oc) =>
      oc
        .columns(["kind", "key"])
        .doUpdateSet({
          state: "queued",
          params,
          requested_by: job.requestedBy ?? null,
          created_at: instantOf(at),
          progress_done: 0,
          progress_total: 0,
          result: null,
          error: null,
          started_at: null,
          finished_at: null,
          lease_holder: null,
          lease_until: null,
        })
        .where("jobs.state", "in", ["done", "failed"]),
    )
    .execute();
  return (await findJob(db, job.kind, job.key))!;
}

/**
 * Claims the oldest job of `kinds` that is queued, or running under an expired lease (its worker
 * died): the candidate is read, then taken by an UPDATE that re-checks the same condition, so of
 * two workers exactly one gets it. On PostgreSQL the candidate query may add
 * `FOR UPDATE SKIP LOCKED` (inside a transaction) so that workers do not queue on one row.
 */
export async function claimJob(
  db: Kysely<Database>,
  kinds: readonly string[],
  holder: string,
  at: Date,
  ttlMs = JOB_LEASE_MS,
): Promise<Job | null> {
  const atIso = instantOf(at);
  const claimable = (eb: ExpressionBuilder<Database, "jobs">) =>
    eb.or([
      eb("state", "=", "queued"),
      eb.and([eb("state", "=", "running"), eb("lease_until", "<=", atIso)]),
    ]);
  for (let tries = 0; tries < 5; tries++) {
    const candidate = await db
      .selectFrom("jobs")
      .select("id")
      .where("kind", "in", [...kinds])
      .where(claimable)
      .orderBy("id")
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return null;
    const result = await db
      .updateTable("jobs")
      .set((eb) => ({
        state: "running",
        lease_holder: holder,
        lease_until: instantOf(new Date(at.getTime() + ttlMs)),
        attempts: eb("attempts", "+", 1),
        started_at: eb.fn.coalesce("started_at", eb.val(atIso)),
      }))
      .where("id", "=", candidate.id)
      .where(claimable)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1)
      return (
        (await db
          .selectFrom("jobs")
          .selectAll()
          .where("id", "=", candidate.id)
          .executeTakeFirst()) ?? null
      );
  }
  return null;
}

/** Writes progress and renews the job's lease; false when the lease was lost (stop working). */
export async function reportJobProgress(
  db: Kysely<Database>,
  id: number,
  holder: string,
  progress: { done: number; total: number },
  at: Date,
  ttlMs = JOB_LEASE_MS,
): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({
      progress_done: progress.done,
      progress_total: progress.total,
      lease_until: instantOf(new Date(at.getTime() + ttlMs)),
    })
    .where("id", "=", id)
    .where("lease_holder", "=", holder)
    .where("state", "=", "running")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Renews the job's lease without new progress (work between reports takes long). */
export async function renewJobLease(
  db: Kysely<Database>,
  id: number,
  holder: string,
  at: Date,
  ttlMs = JOB_LEASE_MS,
): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ lease_until: instantOf(new Date(at.getTime() + ttlMs)) })
    .where("id", "=", id)
    .where("lease_holder", "=", holder)
    .where("state", "=", "running")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends a job the holder still has. */
export async function finishJob(
  db: Kysely<Database>,
  id: number,
  holder: string,
  end: { state: "done" | "failed" | "queued"; result?: unknown; error?: string | null },
  at: Date,
): Promise<void> {
  await db
    .updateTable("jobs")
    .set({
      state: end.state,
      result: end.result === undefined ? null : JSON.stringify(end.result),
      error: end.error ?? null,
      finished_at: end.state === "queued" ? null : instantOf(at),
      lease_holder: null,
      lease_until: null,
    })
    .where("id", "=", id)
    .where("lease_holder", "=", holder)
    .execute();
}
