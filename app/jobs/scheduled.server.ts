// Scheduled work that must run once per period across every process and instance sharing the
// database (issue 18 item 3): the job's lease keeps two processes from running it at once, and a
// `jobs` row per period (kind 'scheduled', key 'daily:2026-12-06') records that the period's run
// is done, so a process that comes later (its own tick, a start-up catch-up) does not run it
// again. A run whose process died leaves its row 'running' and its lease expires: the next check
// after that runs the period again (every job is safe to run again on the same day).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { findJob } from "./jobs.server";
import { holdLease, processHolder } from "./leases.server";
import { instantOf } from "../lib/jst";

export type PeriodRun = "ran" | "done before" | "held elsewhere";

export const SCHEDULED_KIND = "scheduled";

export async function runOncePer(
  db: Kysely<Database>,
  name: string,
  period: string,
  work: () => Promise<void>,
  options: { holder?: string; ttlMs?: number; at?: Date } = {},
): Promise<PeriodRun> {
  const holder = options.holder ?? processHolder();
  const lease = await holdLease(db, `scheduler:${name}`, { holder, ttlMs: options.ttlMs });
  if (!lease) return "held elsewhere";
  try {
    const key = `${name}:${period}`;
    const previous = await findJob(db, SCHEDULED_KIND, key);
    if (previous?.state === "done") return "done before";
    const startedAt = instantOf(options.at ?? new Date());
    await db
      .insertInto("jobs")
      .values({
        kind: SCHEDULED_KIND,
        key,
        state: "running",
        created_at: startedAt,
        started_at: startedAt,
        attempts: 1,
        lease_holder: holder,
      })
      .onConflict((oc) =>
        oc.columns(["kind", "key"]).doUpdateSet((eb) => ({
          state: "running",
          started_at: startedAt,
          attempts: eb("jobs.attempts", "+", 1),
          lease_holder: holder,
          error: null,
        })),
      )
      .execute();
    let error: string | null = null;
    try {
      await work();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    // A failed period is not retried every minute: the next period runs as usual, and the error
    // stays on the row (and in the log, where the work writes it).
    await db
      .updateTable("jobs")
      .set({
        state: error ? "failed" : "done",
        error,
        finished_at: instantOf(new Date()),
        lease_holder: null,
      })
      .where("kind", "=", SCHEDULED_KIND)
      .where("key", "=", key)
      .execute();
    if (error) throw new Error(error);
    return "ran";
  } finally {
    await lease.release();
  }
}
