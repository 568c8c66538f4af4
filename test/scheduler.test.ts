// The server's background schedule (app/scheduler.server.ts): the instants each croner pattern
// fires in Japan time, the daily runner (every job, one line each, a failing job logged without
// stopping the rest), the daily jobs run twice the same day changing nothing the second time
// (what makes the start-up catch-up safe), the pruning of expired sessions and old login attempts
// row by row, and startScheduler itself under a fake clock: the
// daily jobs and the monthly reports once at start, then the daily jobs at 03:00 JST.
import { Cron } from "croner";
import type { Kysely } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "../db/schema";
import { applySuspensionSchedule, suspendContract } from "../app/contracts/suspensions.server";
import {
  dailyJobs,
  runDailyJobs,
  SCHEDULER_TIMEZONE,
  schedules,
  startScheduler,
  type DailyJob,
  type ScheduledJob,
} from "../app/scheduler.server";
import { SIMULATOR_PATTERN } from "../db/demo/simulator";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { instant, type Instant, instantOf, isoDate } from "../app/lib/jst";

const operator = { id: null, email: "operator@demo.example" };

function schedule(job: ScheduledJob | "simulator") {
  if (job === "simulator")
    return new Cron(SIMULATOR_PATTERN, { timezone: SCHEDULER_TIMEZONE, paused: true });
  const s = schedules().find((x) => x.job === job);
  if (!s) throw new Error(`no schedule for ${job}`);
  return new Cron(s.pattern, { timezone: s.timezone, paused: true });
}
/** The next `n` instants (UTC, ISO) the job fires strictly after `from`. */
const nextRuns = (job: ScheduledJob | "simulator", from: string, n = 1) =>
  schedule(job)
    .nextRuns(n, new Date(from))
    .map((d) => instantOf(d));

describe("schedules (croner patterns read in Asia/Tokyo)", () => {
  it("lists each job with its pattern (the demo simulator is not among them: db/demo/simulator.ts)", () => {
    expect(schedules().map((s) => [s.job, s.pattern, s.timezone])).toEqual([
      ["every minute", "* * * * *", "Asia/Tokyo"],
      ["daily", "0 3 * * *", "Asia/Tokyo"],
      ["monthly reports", "0 6 1 * *", "Asia/Tokyo"],
    ]);
    expect(SIMULATOR_PATTERN).toBe("*/10 * * * *");
  });

  it("every minute: on the next whole minute", () => {
    expect(nextRuns("every minute", "2026-11-22T02:59:30+09:00", 2)).toEqual([
      "2026-11-21T18:00:00.000Z",
      "2026-11-21T18:01:00.000Z",
    ]);
    expect(nextRuns("every minute", "2026-11-22T03:00:00+09:00")).toEqual([
      "2026-11-21T18:01:00.000Z",
    ]);
  });

  it("daily: 03:00 JST (18:00 UTC the day before), once a day", () => {
    expect(nextRuns("daily", "2026-11-22T02:59:30+09:00")).toEqual(["2026-11-21T18:00:00.000Z"]);
    // Just past 03:00: tomorrow's.
    expect(nextRuns("daily", "2026-11-22T03:00:00+09:00")).toEqual(["2026-11-22T18:00:00.000Z"]);
    // 02:30 JST is still the previous day in UTC; the run is that same JST night.
    expect(nextRuns("daily", "2026-11-21T17:30:00Z")).toEqual(["2026-11-21T18:00:00.000Z"]);
    // Across the month and year end.
    expect(nextRuns("daily", "2026-12-30T12:00:00+09:00", 3)).toEqual([
      "2026-12-30T18:00:00.000Z", // 2026-12-31 03:00 JST
      "2026-12-31T18:00:00.000Z", // 2027-01-01 03:00 JST
      "2027-01-01T18:00:00.000Z", // 2027-01-02 03:00 JST
    ]);
  });

  it("monthly reports: the 1st at 06:00 JST (21:00 UTC on the last day of the month before)", () => {
    expect(nextRuns("monthly reports", "2026-11-22T10:00:00+09:00")).toEqual([
      "2026-11-30T21:00:00.000Z",
    ]); // 2026-12-01 06:00 JST
    expect(nextRuns("monthly reports", "2026-12-01T05:59:59+09:00")).toEqual([
      "2026-11-30T21:00:00.000Z",
    ]);
    // At 06:00 on the 1st: the next month's, across the year end and a 28-day February.
    expect(nextRuns("monthly reports", "2026-12-01T06:00:00+09:00", 4)).toEqual([
      "2026-12-31T21:00:00.000Z", // 2027-01-01 06:00 JST
      "2027-01-31T21:00:00.000Z", // 2027-02-01
      "2027-02-28T21:00:00.000Z", // 2027-03-01
      "2027-03-31T21:00:00.000Z", // 2027-04-01
    ]);
  });

  it("simulator: every 10 minutes on the clock, across midnight JST", () => {
    expect(nextRuns("simulator", "2026-11-22T02:59:30+09:00", 2)).toEqual([
      "2026-11-21T18:00:00.000Z",
      "2026-11-21T18:10:00.000Z",
    ]);
    expect(nextRuns("simulator", "2026-11-22T23:55:00+09:00")).toEqual([
      "2026-11-22T15:00:00.000Z",
    ]); // 2026-11-23 00:00 JST
  });
});

describe("runDailyJobs", () => {
  it("runs every job in order, logs its line, and logs a failing one as `scheduler: <name>: <message>` without stopping the rest", async () => {
    const ran: string[] = [];
    const job = (name: string, run: () => Promise<string>): DailyJob => ({
      name,
      run: () => {
        ran.push(name);
        return run();
      },
    });
    const lines: string[] = [];
    await runDailyJobs(
      [
        job("first", async () => "first: done"),
        job("second", async () => {
          throw new Error("database is locked");
        }),
        job("third", () => Promise.reject("not an Error")),
        job("fourth", async () => "fourth: done"),
      ],
      (line) => lines.push(line),
    );
    expect(ran).toEqual(["first", "second", "third", "fourth"]);
    expect(lines).toEqual([
      "first: done",
      "scheduler: second: database is locked",
      "scheduler: third: not an Error",
      "fourth: done",
    ]);
  });
});

/**
 * Seeded demo data (TEST_NOW 2026-11-22 10:00 JST) plus one case due for each daily job on
 * 2026-11-22: an event detected just before the retention window, a suspension starting today
 * and one that ended yesterday, a rental gateway due back yesterday, C1's main ISP services
 * recorded earlier as ending yesterday, two sessions expired by 00:00 JST and a login attempt made
 * before 2026-10-23 (30 days). The seed itself leaves K-2002's renewal reminder due.
 */
async function dailyCases(t: TestDatabase) {
  const db = t.db;
  const id = async (ref: string) =>
    (await db.selectFrom("contracts").select("id").where("ref", "=", ref).executeTakeFirstOrThrow())
      .id;
  const event = (eventId: string, detectedAt: Instant) => ({
    id: eventId,
    contract_id: 0,
    device_id: null,
    device_name: "PC-01",
    source: "agent",
    type: "virus_detected",
    severity: "high",
    action: "removed",
    threat: "Test.Eicar",
    url: null,
    detected_at: detectedAt,
    ingested_at: detectedAt,
  });
  const k1001 = await id("K-1001");
  // The window of 2026-11-22 starts at 2026-05-22 00:00 JST = 2026-05-21T15:00:00Z.
  await db
    .insertInto("security_events")
    .values([
      { ...event("sched-expired", instant("2026-05-21T14:59:59.000Z")), contract_id: k1001 },
      { ...event("sched-kept", instant("2026-05-21T15:00:00.000Z")), contract_id: k1001 },
    ])
    .execute();
  const notice = {
    reason: "non_payment" as const,
    note: "",
    emergency: false,
    at: TEST_NOW,
    actor: operator,
    ip: "",
  };
  expect(
    await suspendContract(db, {
      ...notice,
      contractId: await id("K-1002"),
      startsOn: isoDate("2026-11-01"),
      endsOn: isoDate("2026-11-20"),
      today: isoDate("2026-10-30"),
    }),
  ).toEqual({ ok: true });
  expect(await applySuspensionSchedule(db, isoDate("2026-11-01"), TEST_NOW)).toEqual({
    started: 1,
    ended: 0,
  });
  expect(
    await suspendContract(db, {
      ...notice,
      contractId: k1001,
      startsOn: isoDate("2026-11-22"),
      endsOn: null,
      today: isoDate("2026-11-20"),
    }),
  ).toEqual({ ok: true });
  await db
    .insertInto("gateway_returns")
    .values({
      contract_id: await id("K-2001"),
      model: "gateway.gw50",
      due_on: isoDate("2026-11-21"),
      returned_on: null,
      charged_manual_line_id: null,
      status: "awaiting",
    })
    .execute();
  const c1 = await db
    .selectFrom("customers")
    .select("id")
    .where("ref", "=", "C1")
    .executeTakeFirstOrThrow();
  await db
    .updateTable("isp_main_services")
    .set({ status: "ended", last_day: isoDate("2026-11-21") })
    .where("customer_id", "=", c1.id)
    .execute();
  await loginRecords(db);
}

/** Sessions around 00:00 JST of 2026-11-22, login attempts around 00:00 JST of 2026-10-23. */
async function loginRecords(db: Kysely<Database>) {
  const user = await db.selectFrom("users").select("id").orderBy("id").executeTakeFirstOrThrow();
  // lucia's adapter stores whole seconds since the epoch.
  const seconds = (iso: string) => new Date(iso).getTime() / 1000;
  await db
    .insertInto("sessions")
    .values([
      {
        id: "sess-expired-yesterday",
        user_id: user.id,
        expires_at: seconds("2026-11-21T20:00:00+09:00"),
      },
      {
        id: "sess-expired-at-midnight",
        user_id: user.id,
        expires_at: seconds("2026-11-22T00:00:00+09:00"),
      },
      // Expired this morning, before the run: kept until tomorrow's, so the day's second run deletes nothing.
      {
        id: "sess-expired-this-morning",
        user_id: user.id,
        expires_at: seconds("2026-11-22T00:00:01+09:00"),
      },
      { id: "sess-live", user_id: user.id, expires_at: seconds("2026-11-23T09:00:00+09:00") },
    ])
    .execute();
  const attempt = (at: string, success: number) => ({
    at: instantOf(new Date(at)),
    email: "admin@secureline.example",
    ip: "203.0.113.7",
    success,
  });
  await db
    .insertInto("login_attempts")
    .values([
      attempt("2026-10-22T23:59:59.999+09:00", 0),
      attempt("2026-10-23T00:00:00+09:00", 0),
      attempt("2026-11-22T09:59:00+09:00", 1),
    ])
    .execute();
}

/** Everything the daily jobs write, in a comparable form. */
async function written(db: Kysely<Database>) {
  return {
    events: await db.selectFrom("security_events").select("id").orderBy("id").execute(),
    contracts: await db.selectFrom("contracts").select(["ref", "status"]).orderBy("ref").execute(),
    suspensions: await db
      .selectFrom("suspensions")
      .select(["id", "lifted_at", "lifted_reason"])
      .orderBy("id")
      .execute(),
    gatewayReturns: await db
      .selectFrom("gateway_returns")
      .select(["id", "status", "charged_manual_line_id"])
      .orderBy("id")
      .execute(),
    manualLines: await db
      .selectFrom("manual_lines")
      .select(["id", "contract_id", "code", "amount_yen", "line_date"])
      .orderBy("id")
      .execute(),
    outbox: await db
      .selectFrom("outbox")
      .select(["id", "kind", "ref", "to_address"])
      .orderBy("id")
      .execute(),
    ispApplications: await db
      .selectFrom("isp_applications")
      .select(["contract_number", "ended_on"])
      .orderBy("contract_number")
      .execute(),
    licenses: await db
      .selectFrom("licenses")
      .select(["ref", "state", "effective_end", "renewal_state"])
      .orderBy("ref")
      .execute(),
    audit: await db.selectFrom("audit_log").select(["id", "action"]).orderBy("id").execute(),
    billingChanges: await db.selectFrom("billing_changes").select("id").orderBy("id").execute(),
    billingChangesPruned: await db.selectFrom("billing_changes_pruned").select("through").execute(),
    sessions: await db.selectFrom("sessions").select("id").orderBy("id").execute(),
    loginAttempts: await db.selectFrom("login_attempts").select("at").orderBy("id").execute(),
  };
}

describe("the daily jobs against a real database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    delete process.env.APP_NOW;
    t = await createTestDatabase({ seed: true, events: false });
    await dailyCases(t);
  });
  afterAll(() => t.dispose());

  it("run every job, one line each; the second run the same day logs nothing done and writes nothing", async () => {
    const before = await written(t.db);
    const lines: string[] = [];
    await runDailyJobs(dailyJobs(t.db, TEST_NOW), (line) => lines.push(line));
    // The journal as the seed and the cases left it, plus the charged gateway's manual line.
    const journal = before.billingChanges.length + 1;
    expect(lines).toEqual([
      "retention: deleted 1 events detected before 2026-05-22",
      "suspensions: 1 started, 1 ended",
      "gateway returns: 1 charged",
      "dunning: 0 reminders queued, 0 suspension notices",
      "renewal reminders: 2 queued",
      "isp main services: 1 security contracts ended",
      "login records: deleted 2 sessions expired before 2026-11-22, 1 login attempts before 2026-10-23, 0 finished throttle and second-factor records, 0 browsers unseen since 2025-11-22",
      "api records: deleted 0 idempotency keys stored before 2026-11-21, 0 finished rate-limit windows",
      "background records: deleted 0 every-minute runs finished before 2026-11-21, 0 daily/monthly runs finished before 2025-10-18, 0 webhook deliveries (0 attempts) and 0 events ended before 2026-10-23, 0 job files made before 2026-10-22",
      `billing journal: ${journal} rows pruned`,
    ]);
    const first = await written(t.db);
    expect(first.billingChanges).toEqual([]);
    expect(first.billingChangesPruned).toEqual([{ through: before.billingChanges.at(-1)!.id + 1 }]);
    expect(first.events.length).toBe(before.events.length - 1);
    expect(first.contracts.filter((c) => c.status === "suspended").map((c) => c.ref)).toEqual([
      "K-1001",
    ]);
    expect(first.manualLines.length).toBe(before.manualLines.length + 1);
    expect(first.manualLines.at(-1)).toMatchObject({
      code: "device.gw50",
      amount_yen: 68000,
      line_date: "2026-11-22",
    });
    expect(first.outbox.length).toBe(before.outbox.length + 2);
    expect(first.ispApplications.filter((a) => a.ended_on === "2026-11-21").length).toBe(
      before.ispApplications.filter((a) => a.ended_on === "2026-11-21").length + 1,
    );
    expect(before.sessions.map((x) => x.id)).toEqual([
      "sess-expired-at-midnight",
      "sess-expired-this-morning",
      "sess-expired-yesterday",
      "sess-live",
    ]);
    expect(first.sessions.map((x) => x.id)).toEqual(["sess-expired-this-morning", "sess-live"]);
    expect(before.loginAttempts).toHaveLength(3);
    expect(first.loginAttempts).toEqual([
      { at: "2026-10-22T15:00:00.000Z" },
      { at: "2026-11-22T00:59:00.000Z" },
    ]);

    // Later the same JST day (a restart's catch-up after the 03:00 run, say).
    const again: string[] = [];
    await runDailyJobs(dailyJobs(t.db, new Date("2026-11-22T23:59:00+09:00")), (line) =>
      again.push(line),
    );
    expect(again).toEqual([
      "retention: deleted 0 events detected before 2026-05-22",
      "suspensions: 0 started, 0 ended",
      "gateway returns: 0 charged",
      "dunning: 0 reminders queued, 0 suspension notices",
      "renewal reminders: 0 queued",
      "isp main services: 0 security contracts ended",
      "login records: deleted 0 sessions expired before 2026-11-22, 0 login attempts before 2026-10-23, 0 finished throttle and second-factor records, 0 browsers unseen since 2025-11-22",
      "api records: deleted 0 idempotency keys stored before 2026-11-21, 0 finished rate-limit windows",
      "background records: deleted 0 every-minute runs finished before 2026-11-21, 0 daily/monthly runs finished before 2025-10-18, 0 webhook deliveries (0 attempts) and 0 events ended before 2026-10-23, 0 job files made before 2026-10-22",
      "billing journal: 0 rows pruned",
    ]);
    expect(await written(t.db)).toEqual(first);

    // The next day's run: this morning's expired session goes, the attempt of 2026-10-23 too.
    const nextDay: string[] = [];
    await runDailyJobs(
      dailyJobs(t.db, new Date("2026-11-23T03:00:00+09:00")).filter(
        (job) => job.name === "login records",
      ),
      (line) => nextDay.push(line),
    );
    expect(nextDay).toEqual([
      "login records: deleted 1 sessions expired before 2026-11-23, 1 login attempts before 2026-10-24, 0 finished throttle and second-factor records, 0 browsers unseen since 2025-11-23",
    ]);
    const third = await written(t.db);
    expect(third.sessions.map((x) => x.id)).toEqual(["sess-live"]);
    expect(third.loginAttempts).toEqual([{ at: "2026-11-22T00:59:00.000Z" }]);
  });
});

describe("a failing daily job against a real database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    delete process.env.APP_NOW;
    t = await createTestDatabase({ seed: true, events: false });
    await dailyCases(t);
  });
  afterAll(() => t.dispose());

  it("is logged as `scheduler: <name>: <message>` and the jobs after it still run", async () => {
    const before = await written(t.db);
    const jobs = dailyJobs(t.db, TEST_NOW).map((job): DailyJob =>
      job.name === "suspensions"
        ? { ...job, run: () => Promise.reject(new Error("SQLITE_BUSY: database is locked")) }
        : job,
    );
    const lines: string[] = [];
    await runDailyJobs(jobs, (line) => lines.push(line));
    expect(lines).toEqual([
      "retention: deleted 1 events detected before 2026-05-22",
      "scheduler: suspensions: SQLITE_BUSY: database is locked",
      "gateway returns: 1 charged",
      "dunning: 0 reminders queued, 0 suspension notices",
      "renewal reminders: 2 queued",
      "isp main services: 1 security contracts ended",
      "login records: deleted 2 sessions expired before 2026-11-22, 1 login attempts before 2026-10-23, 0 finished throttle and second-factor records, 0 browsers unseen since 2025-11-22",
      "api records: deleted 0 idempotency keys stored before 2026-11-21, 0 finished rate-limit windows",
      "background records: deleted 0 every-minute runs finished before 2026-11-21, 0 daily/monthly runs finished before 2025-10-18, 0 webhook deliveries (0 attempts) and 0 events ended before 2026-10-23, 0 job files made before 2026-10-22",
      `billing journal: ${before.billingChanges.length + 1} rows pruned`,
    ]);
    const after = await written(t.db);
    expect(after.contracts).toEqual(before.contracts); // K-1001 not suspended: that job did not run
    expect(after.manualLines.length).toBe(before.manualLines.length + 1);
    expect(after.outbox.length).toBe(before.outbox.length + 2);
  });
});

describe("startScheduler under a fake clock", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    delete process.env.APP_NOW;
    t = await createTestDatabase({ seed: true, events: false });
  });
  afterEach(() => vi.useRealTimers());
  afterAll(() => t.dispose());

  /**
   * Lets the jobs' database work (promises, no timers) finish: until `done` or `ms` of real time
   * (performance.now is not faked; PostgreSQL answers over a socket, not within a few turns).
   */
  const settle = async (done: () => boolean, ms = 15_000) => {
    const end = performance.now() + ms;
    while (!done() && performance.now() < end) await new Promise((r) => setImmediate(r));
  };

  it("runs the daily jobs and the monthly reports once at start, then the daily jobs again at 03:00 JST", async () => {
    vi.useFakeTimers({
      toFake: ["setTimeout", "clearTimeout", "Date"],
      now: new Date("2026-11-22T02:59:30+09:00"),
    });
    const journal = (await t.db.selectFrom("billing_changes").select("id").execute()).length;
    expect(journal).toBeGreaterThan(0);
    const lines: string[] = [];
    const scheduler = startScheduler(t.db, (line) => lines.push(line), { smtpUrl: null });
    try {
      await scheduler.caughtUp;
      // The start-up runs: K-2002's renewal reminder was due and nobody had queued it; October's
      // threat reports had not been made (their job is queued).
      // The monthly run only queues a job now, so its line comes amid the daily jobs' lines.
      const threatLines = lines.filter((l) => l.startsWith("threat reports "));
      expect(threatLines).toEqual([
        expect.stringMatching(/^threat reports 2026-10: queued as job #\d+$/),
      ]);
      expect(lines.filter((l) => !l.startsWith("threat reports "))).toEqual([
        "mail: SMTP_URL is not set; e-mails stay queued in the outbox until it is",
        "retention: deleted 0 events detected before 2026-05-22",
        "suspensions: 0 started, 0 ended",
        "gateway returns: 0 charged",
        "dunning: 0 reminders queued, 0 suspension notices",
        "renewal reminders: 2 queued",
        "isp main services: 0 security contracts ended",
        "login records: deleted 0 sessions expired before 2026-11-22, 0 login attempts before 2026-10-23, 0 finished throttle and second-factor records, 0 browsers unseen since 2025-11-22",
        "api records: deleted 0 idempotency keys stored before 2026-11-21, 0 finished rate-limit windows",
        "background records: deleted 0 every-minute runs finished before 2026-11-21, 0 daily/monthly runs finished before 2025-10-18, 0 webhook deliveries (0 attempts) and 0 events ended before 2026-10-23, 0 job files made before 2026-10-22",
        `billing journal: ${journal} rows pruned`,
      ]);
      // October's reports are the job worker's (threat-report-jobs.server.ts): queued, not made here.
      const batch = await t.db
        .selectFrom("jobs")
        .select(["id", "state", "requested_by"])
        .where("kind", "=", "threat_report_batch")
        .where("key", "=", "2026-10")
        .executeTakeFirstOrThrow();
      expect(threatLines).toEqual([`threat reports 2026-10: queued as job #${batch.id}`]);
      expect(batch).toMatchObject({ state: "queued", requested_by: "scheduler" });
      const daily = (l: string) =>
        /^(retention|suspensions|gateway returns|dunning|renewal reminders|isp main services|login records|api records|background records|billing journal):/.test(
          l,
        );
      lines.length = 0;
      await vi.advanceTimersByTimeAsync(29_000); // 02:59:59: nothing yet
      await settle(() => false, 300);
      expect(lines.filter(daily)).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_000); // 03:00:00
      await settle(() => lines.filter(daily).length === 10);
      expect(lines.filter(daily)).toEqual([
        "retention: deleted 0 events detected before 2026-05-22",
        "suspensions: 0 started, 0 ended",
        "gateway returns: 0 charged",
        "dunning: 0 reminders queued, 0 suspension notices",
        "renewal reminders: 0 queued",
        "isp main services: 0 security contracts ended",
        "login records: deleted 0 sessions expired before 2026-11-22, 0 login attempts before 2026-10-23, 0 finished throttle and second-factor records, 0 browsers unseen since 2025-11-22",
        "api records: deleted 0 idempotency keys stored before 2026-11-21, 0 finished rate-limit windows",
        "background records: deleted 0 every-minute runs finished before 2026-11-21, 0 daily/monthly runs finished before 2025-10-18, 0 webhook deliveries (0 attempts) and 0 events ended before 2026-10-23, 0 job files made before 2026-10-22",
        "billing journal: 0 rows pruned",
      ]);
      // The every-minute job's first tick, at the same instant: the outbox waits for SMTP_URL.
      await settle(() => lines.some((l) => l.startsWith("mail: ")));
      expect(lines.filter((l) => l.startsWith("mail: "))).toEqual([
        expect.stringMatching(/^mail: no SMTP transport .* stay queued$/),
      ]);
    } finally {
      scheduler.stop();
    }
  });
});
