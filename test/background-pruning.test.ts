// The daily pruning of the background work's records (app/jobs/pruning.server.ts, decision
// 0035): every-minute runs kept a day, daily/monthly runs 400 days, ended webhook deliveries
// with their attempts and events 30 days, pending deliveries never; twice the same day.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pruneBackgroundRecords, backgroundRecordsSummary } from "../app/jobs/pruning.server";
import type { JobState } from "../db/schema";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { instant, type Instant } from "../app/lib/jst";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(() => t.dispose());

// 2026-12-06 00:00 JST = 2026-12-05T15:00Z. Minute runs: cut at 12-05 00:00 JST = 12-04T15:00Z.
// Period runs: 400 days before 12-06 is 2025-11-01 (00:00 JST = 2025-10-31T15:00Z).
// Webhook log: 30 days before is 11-06 (00:00 JST = 11-05T15:00Z).
const RUN = new Date("2026-12-06T03:00:00+09:00");

const run = (key: string, finishedAt: Instant | null, state: JobState = "done") => ({
  kind: "scheduled",
  key,
  state,
  created_at: finishedAt ?? instant("2026-12-06T00:00:00.000Z"),
  finished_at: finishedAt,
});

async function keys(table: "jobs"): Promise<string[]> {
  const rows = await t.db.selectFrom(table).select("key").orderBy("key").execute();
  return rows.map((r) => r.key);
}

describe("pruning the background work's records", () => {
  it("deletes the old scheduled runs and the ended webhook log, keeps the rest, once a day", async () => {
    await t.db
      .insertInto("jobs")
      .values([
        run("simulator:2026-12-04T14:59", instant("2026-12-04T14:59:30.000Z")),
        run("simulator:2026-12-04T15:00", instant("2026-12-04T15:00:30.000Z")),
        run("simulator:2026-12-01T00:00", instant("2026-12-01T00:00:30.000Z"), "failed"),
        // Still running (its process died): only the lease logic may touch it.
        run("simulator:2026-11-01T00:00", null, "running"),
        run("daily:2025-10-31", instant("2025-10-31T14:59:00.000Z")),
        run("daily:2025-11-01", instant("2025-10-31T15:00:00.000Z")),
        run("monthly reports:2026-11", instant("2026-12-01T00:00:00.000Z")),
        { ...run("2026-10", instant("2026-11-01T00:00:00.000Z")), kind: "month_close" },
      ])
      .execute();

    const endpoint = await t.db
      .insertInto("webhook_endpoints")
      .values({
        reseller_id: null,
        url: "https://psa.example/hook",
        description: "",
        secret: "whsec_x",
        secret_prefix: "whsec_x",
        owner_email: "ops@example.jp",
        created_at: instant("2026-10-01T00:00:00.000Z"),
        created_by: "ops@example.jp",
        disabled_at: null,
        disabled_reason: null,
        deleted_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const event = (id: string, at: Instant) => ({
      id,
      type: "incident.opened",
      customer_id: null,
      reseller_id: null,
      body: "{}",
      created_at: at,
    });
    await t.db
      .insertInto("webhook_events")
      .values([
        event("evt_old_ok", instant("2026-11-05T14:59:00.000Z")),
        event("evt_old_pending", instant("2026-11-01T00:00:00.000Z")),
        event("evt_recent", instant("2026-11-05T15:00:00.000Z")),
      ])
      .execute();
    const delivery = (
      eventId: string,
      status: "pending" | "succeeded" | "failed",
      at: Instant,
    ) => ({
      endpoint_id: endpoint.id,
      event_id: eventId,
      status,
      first_attempt_at: at,
      next_attempt_at: at,
      claimed_until: null,
      last_status_code: status === "succeeded" ? 200 : 500,
      last_error: null,
      succeeded_at: status === "succeeded" ? at : null,
      created_at: at,
    });
    const deliveries = await t.db
      .insertInto("webhook_deliveries")
      .values([
        delivery("evt_old_ok", "succeeded", instant("2026-11-05T14:59:00.000Z")),
        delivery("evt_old_pending", "pending", instant("2026-11-01T00:00:00.000Z")),
        delivery("evt_recent", "failed", instant("2026-11-05T15:00:00.000Z")),
      ])
      .returning("id")
      .execute();
    await t.db
      .insertInto("webhook_attempts")
      .values(
        deliveries.flatMap((d) =>
          [1, 2].map((n) => ({
            delivery_id: d.id,
            attempted_at: instant(`2026-11-0${n}T00:00:00.000Z`),
            status_code: 500,
            error: null,
            duration_ms: 12,
          })),
        ),
      )
      .execute();

    const first = await pruneBackgroundRecords(t.db, RUN);
    expect(first).toEqual({
      minuteRunsBefore: "2026-12-05",
      minuteRuns: 2,
      periodRunsBefore: "2025-11-01",
      periodRuns: 1,
      webhookLogBefore: "2026-11-06",
      webhookDeliveries: 1,
      webhookAttempts: 2,
      webhookEvents: 1,
      jobFilesBefore: "2026-11-05",
      jobFiles: 0,
    });
    expect(backgroundRecordsSummary(first)).toBe(
      "background records: deleted 2 every-minute runs finished before 2026-12-05, " +
        "1 daily/monthly runs finished before 2025-11-01, " +
        "1 webhook deliveries (2 attempts) and 1 events ended before 2026-11-06, " +
        "0 job files made before 2026-11-05",
    );
    expect(await keys("jobs")).toEqual([
      "2026-10",
      "daily:2025-11-01",
      "monthly reports:2026-11",
      "simulator:2026-11-01T00:00",
      "simulator:2026-12-04T15:00",
    ]);
    const events = await t.db.selectFrom("webhook_events").select("id").orderBy("id").execute();
    expect(events.map((e) => e.id)).toEqual(["evt_old_pending", "evt_recent"]);
    expect(await t.db.selectFrom("webhook_attempts").select("delivery_id").execute()).toHaveLength(
      4,
    );

    expect(await pruneBackgroundRecords(t.db, RUN)).toMatchObject({
      minuteRuns: 0,
      periodRuns: 0,
      webhookDeliveries: 0,
      webhookAttempts: 0,
      webhookEvents: 0,
    });
  });

  it("deletes the files jobs made 31 days ago with their chunks, keeps the newer ones", async () => {
    // Job files: 31 days before 12-06 is 11-05 (00:00 JST = 11-04T15:00Z).
    const jobs = await t.db
      .insertInto("jobs")
      .values([
        { ...run("2026-09", instant("2026-11-04T14:59:00.000Z")), kind: "invoice_pdf_zip" },
        { ...run("2026-10", instant("2026-11-04T15:00:00.000Z")), kind: "invoice_pdf_zip" },
        { ...run("2026-08", null, "failed"), kind: "invoice_pdf_zip" },
      ])
      .returning("id")
      .execute();
    const file = (jobId: number, createdAt: Instant, completed: boolean) => ({
      job_id: jobId,
      tenant: "provider",
      file_name: "請求書PDF.zip",
      content_type: "application/zip",
      size_bytes: completed ? 3 : null,
      sha256: completed ? "x" : null,
      chunk_count: completed ? 1 : null,
      created_at: createdAt,
      completed_at: completed ? createdAt : null,
    });
    const files = await t.db
      .insertInto("job_files")
      .values([
        file(jobs[0]!.id, instant("2026-11-04T14:59:00.000Z"), true),
        file(jobs[1]!.id, instant("2026-11-04T15:00:00.000Z"), true),
        // Left unfinished by a job that died.
        file(jobs[2]!.id, instant("2026-10-01T00:00:00.000Z"), false),
      ])
      .returning("id")
      .execute();
    await t.db
      .insertInto("job_file_chunks")
      .values(files.map((f) => ({ file_id: f.id, seq: 0, data: Buffer.from("zip") })))
      .execute();

    expect(await pruneBackgroundRecords(t.db, RUN)).toMatchObject({
      jobFilesBefore: "2026-11-05",
      jobFiles: 2,
    });
    const left = await t.db.selectFrom("job_files").select(["id", "created_at"]).execute();
    expect(left).toEqual([{ id: files[1]!.id, created_at: "2026-11-04T15:00:00.000Z" }]);
    const chunks = await t.db.selectFrom("job_file_chunks").select("file_id").execute();
    expect(chunks).toEqual([{ file_id: files[1]!.id }]);
    expect((await pruneBackgroundRecords(t.db, RUN)).jobFiles).toBe(0);
  });
});
