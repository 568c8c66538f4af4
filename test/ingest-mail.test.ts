// An events file through ingest, the notification engine and the outbox to a real SMTP server
// (S1-4①): e-mails arrive at once to the contract's administrators, phone calls are planned at
// the next window, and ingesting the same file again sends nothing new.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverOutbox } from "../app/mail/outbox.server";
import { createMailTransport } from "../app/mail/transport.server";
import { ingestFile } from "../app/security/ingest.server";
import { createTestDatabase, describeOnSqlite, type TestDatabase } from "./support/database";
import { parseMime, plainText } from "./support/mime";
import { startSmtp } from "./support/smtp";

const AT = new Date("2026-11-20T12:00:00+09:00");
const dir = mkdtempSync(join(tmpdir(), "ingest-mail-"));
let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtp>>;

// A database and an SMTP server per test: what one test ingested or mailed is not the next one's.
beforeEach(async () => {
  t = await createTestDatabase({ seed: true, at: AT, events: false });
  smtp = await startSmtp();
});
afterEach(async () => {
  await smtp.close();
  await t.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE =
  [
    {
      id: "m-cc",
      contract: "K-1001",
      device: "GW-01",
      source: "gateway",
      type: "cc_callback",
      severity: "critical",
      detectedAt: "2026-11-19T23:10:00+09:00",
      url: "http://c2.bad.example/",
      action: "blocked",
    },
    {
      id: "m-virus",
      contract: "K-2001",
      device: "PC-004",
      source: "endpoint",
      type: "virus",
      severity: "high",
      detectedAt: "2026-11-20T08:15:00+09:00",
      threat: "TROJ_EMOTET.A",
      action: "failed",
    },
    {
      id: "m-ok",
      contract: "K-2001",
      device: "PC-005",
      source: "endpoint",
      type: "virus",
      severity: "medium",
      detectedAt: "2026-11-20T09:00:00+09:00",
      threat: "TROJ_GENERIC",
      action: "quarantined",
    },
  ]
    .map((o) => JSON.stringify(o))
    .join("\n") + "\n";

async function ingestAndDeliver() {
  const path = join(dir, "events.ndjson");
  writeFileSync(path, FILE);
  const result = await ingestFile(t.db, path, { now: AT });
  const delivered = await deliverOutbox(
    t.db,
    createMailTransport(smtp.url, () => undefined),
    AT,
    { log: () => undefined },
  );
  return { result, delivered };
}

describe("ingest → notifications → SMTP", () => {
  it("e-mails each notifiable event at once and plans its phone call at the next window", async () => {
    const { result, delivered } = await ingestAndDeliver();
    expect(result.ok).toBe(true);
    expect(delivered.sent).toBe(2);
    const byRecipient = Object.fromEntries(smtp.received.map((m) => [m.to[0], parseMime(m.raw)]));
    expect(Object.keys(byRecipient).sort()).toEqual([
      "admin@aoba-sekkei.example",
      "it@minato.example",
    ]);
    expect(byRecipient["it@minato.example"].headers.get("subject")).toContain(
      "C&Cサーバーとの通信を検知しました（GW-01）",
    );
    expect(plainText(byRecipient["admin@aoba-sekkei.example"])).toContain("TROJ_EMOTET.A");
    // The e-mail notifications are marked sent when the SMTP server took their mail.
    const email = await t.db
      .selectFrom("notifications")
      .select(["event_id", "sent_at", "result", "recipient"])
      .where("channel", "=", "email")
      .orderBy("event_id")
      .execute();
    expect(email).toEqual([
      {
        event_id: "m-cc",
        sent_at: AT.toISOString(),
        result: "sent",
        recipient: "it@minato.example",
      },
      {
        event_id: "m-virus",
        sent_at: AT.toISOString(),
        result: "sent",
        recipient: "admin@aoba-sekkei.example",
      },
    ]);
    const phone = await t.db
      .selectFrom("notifications")
      .select(["event_id", "planned_at", "recipient"])
      .where("channel", "=", "phone")
      .orderBy("event_id")
      .execute();
    expect(phone).toEqual([
      // 23:10 is outside 09:00–21:00: the call waits for 09:00 the next day.
      {
        event_id: "m-cc",
        planned_at: new Date("2026-11-20T09:00:00+09:00").toISOString(),
        recipient: "06-6571-0001",
      },
      // 08:15 → 09:00 the same day.
      {
        event_id: "m-virus",
        planned_at: new Date("2026-11-20T09:00:00+09:00").toISOString(),
        recipient: "03-5321-0005",
      },
    ]);
  });

  it("changes nothing and sends nothing when the same file comes again", async () => {
    expect((await ingestAndDeliver()).delivered.sent).toBe(2);
    const before = await t.db
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const { delivered } = await ingestAndDeliver();
    expect(delivered.sent).toBe(0);
    expect(smtp.received).toHaveLength(2);
    const after = await t.db
      .selectFrom("notifications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe("an incident e-mail the SMTP server refuses", () => {
  it("shows the attempts and the reason on the notification, and 送信失敗 after the 5th attempt", async () => {
    const refusing = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("5.1.1 Mailbox unavailable"), { responseCode: 550 }));
      },
    });
    try {
      const path = join(dir, "refused.ndjson");
      writeFileSync(
        path,
        JSON.stringify({
          id: "m-refused",
          contract: "K-1001",
          device: "GW-01",
          source: "gateway",
          type: "cc_callback",
          severity: "critical",
          detectedAt: "2026-11-20T11:00:00+09:00",
          url: "http://c2.bad.example/x",
          action: "blocked",
        }) + "\n",
      );
      expect((await ingestFile(t.db, path, { now: AT })).ok).toBe(true);
      const transport = createMailTransport(refusing.url, () => undefined);
      const notification = () =>
        t.db
          .selectFrom("notifications")
          .select(["sent_at", "result", "attempts", "last_error"])
          .where("event_id", "=", "m-refused")
          .where("channel", "=", "email")
          .executeTakeFirstOrThrow();
      await deliverOutbox(t.db, transport, AT, { log: () => undefined });
      expect(await notification()).toMatchObject({
        sent_at: null,
        result: "queued",
        attempts: 1,
        last_error: expect.stringContaining("Mailbox unavailable"),
      });
      for (const minutes of [1, 3, 7, 15])
        await deliverOutbox(t.db, transport, new Date(AT.getTime() + minutes * 60_000), {
          log: () => undefined,
        });
      expect(await notification()).toMatchObject({ sent_at: null, result: "failed", attempts: 5 });
    } finally {
      await refusing.close();
    }
  });
});

describeOnSqlite("marking notifications on delivery", () => {
  // SQLite's query plan: PostgreSQL chooses its own (decision 0023).
  it("finds the notification of a mail through an index, not a scan (every mail sent looks it up)", () => {
    const plan = t.sqlite
      .prepare(
        "explain query plan update notifications set result = 'sent' where outbox_id = ? and sent_at is null",
      )
      .all(1) as { detail: string }[];
    expect(plan.map((p) => p.detail)).toContain(
      "SEARCH notifications USING INDEX notifications_outbox_idx (outbox_id=?)",
    );
  });
});
