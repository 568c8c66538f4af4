// Two whole console instances (`npm start`, scripts/start.ts) on one PostgreSQL database (issue
// 18 item 3, "done when"): every mail queued once is sent once through a real SMTP server, and the
// daily jobs run once between them. Runs in the PostgreSQL run only (test/postgres-files.txt).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueMail } from "../app/mail/outbox.server";
import { startConsole, type ConsoleServer } from "./e2e/support/server";
import { startSmtp } from "./support/smtp";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";

const MAILS = 12;

async function until(check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const outboxCount = async (t: TestDatabase, op: "is" | "is not") =>
  (
    await t.db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("sent_at", op, null)
      .executeTakeFirstOrThrow()
  ).n;
const unsent = (t: TestDatabase) => outboxCount(t, "is");
const sent = (t: TestDatabase) => outboxCount(t, "is not");

describe("two instances on one PostgreSQL database", () => {
  let t: TestDatabase;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const servers: ConsoleServer[] = [];
  /** Sent before the instances start (the demo's history). */
  let sentAtStart = 0;

  beforeAll(async () => {
    expect(TEST_ON_POSTGRES, "run with TEST_DATABASE=postgres (test/postgres-files.txt)").toBe(
      true,
    );
    t = await createTestDatabase({ seed: true });
    smtp = await startSmtp();
    // Whatever the demo left queued is sent too: the check is on every unsent row.
    for (let i = 0; i < MAILS; i++)
      await queueMail(
        t.db,
        {
          kind: "test",
          ref: `two-instances-${i}`,
          to: `it${i}@two.example`,
          subject: `テスト ${i}`,
          text: `本文 ${i}`,
        },
        new Date(),
      );
    expect(await unsent(t)).toBeGreaterThanOrEqual(MAILS);
    sentAtStart = await sent(t);
    // Both at once, the scheduler on in each: each catches up the day's jobs at start and ticks
    // every minute, delivering the outbox.
    const env = { DATABASE_URL: t.url, SCHEDULER: "on", SMTP_URL: smtp.url };
    servers.push(...(await Promise.all([startConsole(env), startConsole(env)])));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await smtp?.close();
    await t?.dispose();
  });

  it("sends each queued mail exactly once", async () => {
    // The first whole minute after start delivers (both instances tick at that minute).
    await until(async () => (await unsent(t)) === 0, 120_000);
    // Let a late duplicate arrive if one were on its way.
    await new Promise((r) => setTimeout(r, 2000));
    const ours = smtp.received.filter((m) => m.to[0]?.endsWith("@two.example"));
    expect(ours.map((m) => m.to[0]).sort()).toEqual(
      Array.from({ length: MAILS }, (_, i) => `it${i}@two.example`).sort(),
    );
    // Every mail marked sent since the start (ours, the demo's queue and what the daily jobs
    // queued meanwhile) reached the server once: a mail both instances sent would be one more.
    expect(smtp.received).toHaveLength((await sent(t)) - sentAtStart);
    expect(smtp.received.length).toBeGreaterThan(MAILS);
  }, 150_000);

  it("runs the day's jobs once between them", { timeout: 90_000 }, async () => {
    // The daily jobs' first line, in whichever instance's log ran them.
    const ran = () =>
      servers.map((s) => s.output().match(/retention: deleted \d+ events/g)?.length ?? 0);
    await until(() => ran().some((n) => n > 0), 60_000);
    // The other instance's catch-up has answered by now ("done before" or "held elsewhere").
    await new Promise((r) => setTimeout(r, 2000));
    expect(ran().sort()).toEqual([0, 1]);
    const runs = await t.db
      .selectFrom("jobs")
      .select(["key", "state", "attempts"])
      .where("kind", "=", "scheduled")
      .where("key", "like", "daily:%")
      .execute();
    expect(runs).toEqual([
      { key: expect.stringMatching(/^daily:\d{4}-\d\d-\d\d$/), state: "done", attempts: 1 },
    ]);
  });
});
