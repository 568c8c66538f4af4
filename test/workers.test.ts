// Several processes on one database (issue 18 items 3-4): each outbox mail is sent once, a daily
// job runs once, a dead holder's lease is taken over, and `billing run` refuses while a close of
// the month runs elsewhere. Real child processes on a real SQLite file and a real SMTP server.
import { spawn, spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { monthCloseLease } from "../app/billing/month-close-jobs.server";
import { parseWebConcurrency } from "../app/config.server";
import { holdLease, takeLease } from "../app/jobs/leases.server";
import { queueMail } from "../app/mail/outbox.server";
import { generateBook } from "./support/generated-book";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { startSmtp } from "./support/smtp";
import { yearMonth } from "../app/lib/jst";

function child(url: string, env: Record<string, string>, ...args: string[]) {
  const p = spawn(process.execPath, ["--import", "tsx", "test/support/process-child.ts", ...args], {
    env: { ...process.env, DATABASE_URL: url, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  p.stdout.on("data", (c: Buffer) => (out += c.toString()));
  p.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => p.on("exit", (code) => resolve(code)));
  return { process: p, output: () => out, exited };
}

describe("WEB_CONCURRENCY", () => {
  it("defaults to the number of cores and accepts 1 to 64 workers", () => {
    expect(parseWebConcurrency(undefined, 2)).toBe(2);
    expect(parseWebConcurrency(" ", 8)).toBe(8);
    expect(parseWebConcurrency(" 3 ", 2)).toBe(3);
    for (const bad of ["0", "65", "-1", "1.5", "many"])
      expect(() => parseWebConcurrency(bad, 2), bad).toThrow(/^WEB_CONCURRENCY: /);
  });
});

describe("two processes on one database", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(() => t.dispose());

  it("send each mail queued once exactly once", async () => {
    // A slow SMTP server, so the two senders overlap.
    const smtp = await startSmtp({
      onData(stream, _session, callback) {
        let raw = "";
        stream.on("data", (c: Buffer) => (raw += c.toString()));
        stream.on("end", () =>
          setTimeout(() => {
            smtp.received.push({ from: "", to: [], raw });
            callback();
          }, 60),
        );
      },
    });
    try {
      const at = new Date(Date.now() - 1000);
      for (let i = 1; i <= 30; i++)
        await queueMail(
          t.db,
          {
            kind: "test",
            ref: `test:${i}`,
            to: `user${i}@example.jp`,
            subject: `mail-${i}`,
            text: "本文",
          },
          at,
        );
      const a = child(t.url, { SMTP_URL: smtp.url }, "deliver");
      const b = child(t.url, { SMTP_URL: smtp.url }, "deliver");
      expect([await a.exited, await b.exited], a.output() + b.output()).toEqual([0, 0]);
      const subjects = smtp.received.map((m) => /^Subject: (mail-\d+)/m.exec(m.raw)?.[1]).sort();
      expect(subjects).toHaveLength(30);
      expect(new Set(subjects).size).toBe(30);
      const sent = [a, b].map((p) => Number(/sent (\d+)/.exec(p.output())?.[1]));
      expect(sent[0] + sent[1]).toBe(30);
      const rows = await t.db
        .selectFrom("outbox")
        .select(["status", "attempts", "claimed_by"])
        .execute();
      expect(
        rows.every((r) => r.status === "sent" && r.attempts === 1 && r.claimed_by === null),
      ).toBe(true);
    } finally {
      await smtp.close();
    }
  });

  it("run the daily jobs once per day between them", async () => {
    const a = child(t.url, { APP_NOW: "2026-12-06T10:00:00+09:00" }, "scheduler");
    const b = child(t.url, { APP_NOW: "2026-12-06T10:00:00+09:00" }, "scheduler");
    expect([await a.exited, await b.exited], a.output() + b.output()).toEqual([0, 0]);
    const runs = (a.output() + b.output()).match(/^retention: /gm) ?? [];
    expect(runs).toHaveLength(1);
    const row = await t.db
      .selectFrom("jobs")
      .select(["state", "attempts"])
      .where("kind", "=", "scheduled")
      .where("key", "=", "daily:2026-12-06")
      .executeTakeFirst();
    expect(row).toEqual({ state: "done", attempts: 1 });
    // A third process the same day: nothing more.
    const c = child(t.url, { APP_NOW: "2026-12-06T11:00:00+09:00" }, "scheduler");
    expect(await c.exited).toBe(0);
    expect(c.output()).not.toMatch(/^retention: /m);
  });

  it("take over a lease whose holder was killed (SIGKILL) once it expires", async () => {
    const holder = child(t.url, {}, "hold-lease", "scheduler:daily", "1500");
    for (let i = 0; i < 400 && !holder.output().includes("held"); i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(holder.output()).toContain("held");
    // Renewed while alive: still taken after more than its time.
    await new Promise((r) => setTimeout(r, 1700));
    expect(await takeLease(t.db, "scheduler:daily", "other", new Date(), 1500)).toBe(false);
    holder.process.kill("SIGKILL");
    await holder.exited;
    expect(await takeLease(t.db, "scheduler:daily", "other", new Date(), 1500)).toBe(false);
    await new Promise((r) => setTimeout(r, 1600));
    expect(await takeLease(t.db, "scheduler:daily", "other", new Date(), 1500)).toBe(true);
  });

  it("refuse `billing run` while a close of the month runs elsewhere", async () => {
    await generateBook(t, 50, yearMonth("2025-01"));
    const worker = await holdLease(t.db, monthCloseLease(yearMonth("2025-01")), {
      holder: "job-worker-on-host-b",
    });
    expect(worker).not.toBeNull();
    const refused = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/billing.ts", "run", "--month", "2025-01"],
      {
        env: { ...process.env, DATABASE_URL: t.url },
        encoding: "utf8",
      },
    );
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(
      /^billing 2025-01: この月の締めは別の処理（job-worker-on-host-b、\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d 開始）で実行中です。終わってから再度実行してください\n$/,
    );
    expect(
      Number(
        (
          await t.db
            .selectFrom("invoices")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    await worker!.release();
    const ran = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/billing.ts", "run", "--month", "2025-01"],
      {
        env: { ...process.env, DATABASE_URL: t.url },
        encoding: "utf8",
      },
    );
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/^billing 2025-01: issued 50 invoices/);
  });
});
