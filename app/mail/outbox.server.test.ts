// The outbox against a real SMTP server (smtp-server, in-process on 127.0.0.1): what the
// customer receives, and what is recorded when the server refuses.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/support/database";
import { parseMime, plainText } from "../../test/support/mime";
import { startSmtp } from "../../test/support/smtp";
import { incidentMail } from "../security/incident-texts";
import { deliverOutbox, queueMail } from "./outbox.server";
import { createMailTransport, DEFAULT_MAIL_FROM } from "./transport.server";

const T0 = new Date("2026-11-20T12:00:00+09:00");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtp>> | null = null;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  await smtp?.close();
  smtp = null;
  await t.dispose();
});

const outboxRows = () => t.db.selectFrom("outbox").selectAll().orderBy("id").execute();

describe("deliverOutbox over SMTP", () => {
  it("sends each queued mail once, in Japanese, with its attachment, and marks it sent", async () => {
    smtp = await startSmtp();
    const mail = incidentMail({
      facts: {
        kind: "cc_callback",
        device: "GW-01",
        at: new Date("2026-11-18T23:10:00+09:00"),
        url: "http://c2.bad.example/",
        action: "blocked",
      },
      contractRef: "K-1001",
      customerName: "株式会社みなと製作所",
      providerName: "セキュアライン株式会社",
      providerPhone: "0120-555-310",
      phoneAt: new Date("2026-11-19T09:00:00+09:00"),
    });
    await queueMail(
      t.db,
      {
        kind: "incident_notification",
        ref: "incident:evt-cc:email",
        to: "it@minato.example",
        ...mail,
      },
      T0,
    );
    await queueMail(
      t.db,
      {
        kind: "monthly_report",
        to: "admin@aoba-sekkei.example",
        subject: "【月次レポート】2026年10月 脅威レポート",
        text: "添付のとおりご報告します。",
        attachment: { name: "report-2026-10.pdf", content: Buffer.from("%PDF-1.7 test") },
      },
      T0,
    );

    const transport = createMailTransport(smtp.url);
    expect(await deliverOutbox(t.db, transport, at(1))).toEqual({
      sent: 2,
      retrying: 0,
      failed: 0,
      waiting: 0,
    });

    expect(smtp.received.map((m) => [m.from, m.to])).toEqual([
      ["noreply@secureline.example", ["it@minato.example"]],
      ["noreply@secureline.example", ["admin@aoba-sekkei.example"]],
    ]);
    const first = parseMime(smtp.received[0].raw);
    expect(first.headers.get("subject")).toBe(
      "【セキュリティ通知】C&Cサーバーとの通信を検知しました（GW-01）",
    );
    expect(first.headers.get("from")).toBe(DEFAULT_MAIL_FROM);
    expect(plainText(first)).toBe(
      [
        "株式会社みなと製作所 システム管理者さま",
        "",
        "セキュアライン株式会社です。セキュリティサポートの監視で、次のインシデントを検知しました。",
        "",
        "内容: C&Cサーバーとの通信を検知しました（GW-01）",
        "ご契約: K-1001",
        "機器: GW-01",
        "検知日時: 2026年11月18日 23:10",
        "URL: http://c2.bad.example/",
        "処理結果: ブロック",
        "",
        "担当者から 2026年11月19日 09:00 以降にお電話でもご連絡します",
        "（お電話の受付時間は 9:00〜21:00、12月29日〜1月3日を除きます）。",
        "",
        "このメールはシステムから自動で送信しています（S1-4① インシデント通知）。",
        "お問い合わせ: セキュアライン株式会社 0120-555-310",
      ].join("\n"),
    );
    const second = parseMime(smtp.received[1].raw);
    expect(second.headers.get("subject")).toBe("【月次レポート】2026年10月 脅威レポート");
    expect(plainText(second)).toBe("添付のとおりご報告します。");
    const pdf = second.parts.find((p) =>
      (p.headers.get("content-disposition") ?? "").includes("report-2026-10.pdf"),
    );
    expect(pdf?.body.toString()).toBe("%PDF-1.7 test");

    expect(
      (await outboxRows()).map((r) => [
        r.status,
        r.attempts,
        r.sent_at,
        r.last_error,
        r.next_attempt_at,
      ]),
    ).toEqual([
      ["sent", 1, "2026-11-20T03:01:00.000Z", null, null],
      ["sent", 1, "2026-11-20T03:01:00.000Z", null, null],
    ]);
    expect(await deliverOutbox(t.db, transport, at(2))).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      waiting: 0,
    });
    expect(smtp.received).toHaveLength(2);
  });

  it("records the server's refusal, retries after 1, 2, 4 and 8 minutes, and gives up after the 5th attempt", async () => {
    smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error("5.1.1 Mailbox unavailable"), { responseCode: 550 }));
      },
    });
    await queueMail(
      t.db,
      {
        kind: "incident_notification",
        to: "gone@minato.example",
        subject: "【セキュリティ通知】テスト",
        text: "本文",
      },
      T0,
    );
    const transport = createMailTransport(smtp.url);
    const log: string[] = [];
    const state = async () => {
      const [r] = await outboxRows();
      return [
        r.status,
        r.attempts,
        r.next_attempt_at && (new Date(r.next_attempt_at).getTime() - T0.getTime()) / 60_000,
      ];
    };

    expect(await deliverOutbox(t.db, transport, T0, { log: (l) => log.push(l) })).toEqual({
      sent: 0,
      retrying: 1,
      failed: 0,
      waiting: 0,
    });
    expect(await state()).toEqual(["queued", 1, 1]);
    const [first] = await outboxRows();
    expect(first.last_error).toMatch(/550 5\.1\.1 Mailbox unavailable/);
    expect(log).toEqual([
      `mail: outbox #${first.id} to gone@minato.example: attempt 1 failed: ${first.last_error}`,
    ]);

    // Not due yet: nothing is tried.
    expect(await deliverOutbox(t.db, transport, at(0.5), { log: () => {} })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      waiting: 0,
    });
    const schedule: unknown[] = [];
    for (const minute of [1, 3, 7, 15]) {
      await deliverOutbox(t.db, transport, at(minute), { log: () => {} });
      schedule.push(await state());
    }
    expect(schedule).toEqual([
      ["queued", 2, 3],
      ["queued", 3, 7],
      ["queued", 4, 15],
      ["failed", 5, null],
    ]);
    expect(smtp.received).toHaveLength(0);
    expect(await deliverOutbox(t.db, transport, at(60), { log: () => {} })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      waiting: 0,
    });
  });

  it("keeps mails queued and says so when SMTP_URL is not set", async () => {
    await queueMail(
      t.db,
      { kind: "incident_notification", to: "it@minato.example", subject: "件名", text: "本文" },
      T0,
    );
    const log: string[] = [];
    const transport = createMailTransport(null, (l) => log.push(l));
    expect(transport).toBeNull();
    expect(await deliverOutbox(t.db, transport, T0, { log: (l) => log.push(l) })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      waiting: 1,
    });
    expect(log).toEqual([
      "mail: SMTP_URL is not set; e-mails stay queued in the outbox until it is",
      "mail: no SMTP transport (SMTP_URL is not set); 1 e-mail(s) stay queued",
    ]);
    expect((await outboxRows()).map((r) => [r.status, r.attempts])).toEqual([["queued", 0]]);
  });

  it("queues a mail with the same ref once", async () => {
    const mail = {
      kind: "incident_notification",
      ref: "incident:evt-1:email",
      to: "it@minato.example",
      subject: "件名",
      text: "本文",
    };
    const id = await queueMail(t.db, mail, T0);
    expect(await queueMail(t.db, mail, at(5))).toBe(id);
    expect(await outboxRows()).toHaveLength(1);
  });
});
