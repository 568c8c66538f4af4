// Closing a month from the browser queues a job that the job worker runs, with its progress in
// the jobs row (issue 18 item 4).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  closeProgress,
  monthCloseLease,
  requestMonthClose,
} from "../app/billing/month-close-jobs.server";
import { findJob } from "../app/jobs/jobs.server";
import { holdLease } from "../app/jobs/leases.server";
import { startJobRunner } from "../app/jobs/runner.server";
import { generateBook } from "./support/generated-book";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { yearMonth } from "../app/lib/jst";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
  await generateBook(t, 3000, yearMonth("2025-01"));
});
afterEach(() => t.dispose());

const params = {
  at: new Date("2025-02-01T06:00:00+09:00"),
  actor: { id: null, email: "finance@demo.example" },
  ip: "127.0.0.1",
};
const quiet = () => undefined;

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function seqs(): Promise<number[]> {
  return (await t.db.selectFrom("invoices").select("seq").orderBy("seq").execute()).map(
    (r) => r.seq,
  );
}

describe("month close as a job", () => {
  it("is queued by the request, run by the job worker with progress in its row, and audited", async () => {
    const first = await requestMonthClose(t.db, yearMonth("2025-01"), params);
    expect(first).toMatchObject({ state: "queued", done: 0, total: 0 });
    // Queued, nothing runs in the requesting process.
    await new Promise((r) => setTimeout(r, 50));
    expect(await seqs()).toEqual([]);
    // A second request while queued keeps the one job.
    await requestMonthClose(t.db, yearMonth("2025-01"), params);
    expect(
      await t.db.selectFrom("jobs").select("id").where("kind", "=", "month_close").execute(),
    ).toHaveLength(1);

    const runner = startJobRunner(t.db, { pollMs: 10, log: quiet });
    const seen: number[] = [];
    try {
      await until(async () => {
        const p = await closeProgress(t.db, yearMonth("2025-01"));
        if (p?.state === "running") seen.push(p.done);
        return p?.state === "done";
      });
    } finally {
      await runner.stop();
    }
    expect(await closeProgress(t.db, yearMonth("2025-01"))).toMatchObject({
      state: "done",
      issued: 3000,
      done: 3000,
      total: 3000,
      message: null,
    });
    expect(seen.some((done) => done > 0 && done < 3000)).toBe(true);
    const job = await findJob(t.db, "month_close", "2025-01");
    expect(job?.finished_at).not.toBeNull();
    expect(job?.lease_holder).toBeNull();
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "billing.close")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toMatch(/^2025-01 を締め、請求書 3000 件を発行/);
  });

  it("stops between batches when its worker stops, and another worker resumes it without a gap or a duplicate", async () => {
    await requestMonthClose(t.db, yearMonth("2025-01"), params);
    const a = startJobRunner(t.db, { pollMs: 10, log: quiet, holder: "worker-a" });
    await until(async () => ((await closeProgress(t.db, yearMonth("2025-01")))?.done ?? 0) > 0);
    await a.stop();
    const stopped = await findJob(t.db, "month_close", "2025-01");
    expect(stopped?.state).toBe("queued");
    const issuedByA = (await seqs()).length;
    expect(issuedByA).toBeGreaterThan(0);
    expect(issuedByA).toBeLessThan(3000);

    const b = startJobRunner(t.db, { pollMs: 10, log: quiet, holder: "worker-b" });
    try {
      await until(async () => (await closeProgress(t.db, yearMonth("2025-01")))?.state === "done");
    } finally {
      await b.stop();
    }
    expect(await seqs()).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect((await findJob(t.db, "month_close", "2025-01"))?.attempts).toBe(2);
    expect(
      (
        await t.db
          .selectFrom("billing_months")
          .select("status")
          .where("month", "=", yearMonth("2025-01"))
          .executeTakeFirst()
      )?.status,
    ).toBe("closed");
  });

  it("waits while another process (billing run) holds the month's lease, then closes the month", async () => {
    const cli = await holdLease(t.db, monthCloseLease(yearMonth("2025-01")), {
      holder: "cli-elsewhere",
    });
    expect(cli).not.toBeNull();
    await requestMonthClose(t.db, yearMonth("2025-01"), params);
    const runner = startJobRunner(t.db, { pollMs: 10, log: quiet });
    try {
      await until(async () => (await closeProgress(t.db, yearMonth("2025-01")))?.message !== null);
      expect(await closeProgress(t.db, yearMonth("2025-01"))).toMatchObject({
        state: "queued",
        message: "2025-01 の締めを別の処理（cli-elsewhere）が実行中のため、終わるのを待っています",
      });
      expect(await seqs()).toEqual([]);
      await cli!.release();
      await until(async () => (await closeProgress(t.db, yearMonth("2025-01")))?.state === "done");
    } finally {
      await runner.stop();
    }
    expect(await seqs()).toHaveLength(3000);
  });
});
