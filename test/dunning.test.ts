// Dunning (issue 20 item 3): the daily job mails reminders of overdue invoices on the set days
// after the due date, with what is owed and the T-26 interest to that day, through a real SMTP
// server; once per invoice and step; none after payment; the last step gives the T-17 notice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runBillingMonth } from "../app/billing/billing-run.server";
import { DunningSettingsForm } from "../app/billing/dunning";
import { dunningHistory, getDunningDays, updateDunningDays } from "../app/billing/dunning.server";
import { waiveInterest } from "../app/billing/interest-waivers.server";
import { getInvoice } from "../app/billing/invoices.server";
import { recordPayment } from "../app/billing/payments.server";
import { deliverOutbox } from "../app/mail/outbox.server";
import { createMailTransport } from "../app/mail/transport.server";
import { dailyJobs, runDailyJobs } from "../app/scheduler.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { parseMime, plainText } from "./support/mime";
import { startSmtp } from "./support/smtp";
import { isoDate, yearMonth } from "../app/lib/jst";

let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const provider = { kind: "provider" } as const;
const actor = { id: null, email: "finance@example.jp" };

// Each test gets its own database with November invoiced, and replays the earlier steps of the
// dunning it builds on (the due+1 run, K-2002's payment) itself.
beforeEach(async () => {
  delete process.env.APP_NOW;
  t = await createTestDatabase({ seed: true });
  smtp = await startSmtp();
  // November's invoices, due on the last day of December (T-27-1 default).
  const result = await runBillingMonth(t.db, yearMonth("2026-11"), {
    at: new Date("2026-12-02T10:00:00+09:00"),
  });
  expect(result.issued).toBe(9);
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await smtp.close();
  await t.dispose();
});

/** Runs the scheduler's dunning job at `iso`, then delivers the outbox; returns the log line and the mails received. */
async function dunningAt(iso: string) {
  const at = new Date(iso);
  const lines: string[] = [];
  await runDailyJobs(
    dailyJobs(t.db, at).filter((j) => j.name === "dunning"),
    (l) => lines.push(l),
  );
  const before = smtp.received.length;
  await deliverOutbox(
    t.db,
    createMailTransport(smtp.url, () => undefined),
    at,
    { log: () => undefined },
  );
  const mails = smtp.received.slice(before).map((m) => {
    const message = parseMime(m.raw);
    return {
      to: m.to,
      subject: message.headers.get("subject") ?? "",
      text: plainText(message.parts[0] ?? message),
    };
  });
  return { line: lines[0], mails };
}

/** K-2002's November invoice paid in full on 2027-01-05, recorded that day. */
async function payK2002() {
  const paid = await invoiceOf("K-2002");
  process.env.APP_NOW = "2027-01-05T10:00:00+09:00";
  expect(
    await recordPayment(t.db, {
      invoiceId: paid.id,
      tenant: provider,
      payment: { paidOn: isoDate("2027-01-05"), amountYen: null },
      actor,
      ip: "",
    }),
  ).toMatchObject({ ok: true });
  delete process.env.APP_NOW;
  return paid;
}

async function invoiceOf(ref: string) {
  return t.db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .select([
      "invoices.id",
      "invoices.invoice_number",
      "invoices.total_yen",
      "invoices.due_date",
      "invoices.contract_id",
    ])
    .where("contracts.ref", "=", ref)
    .where("billing_month", "=", yearMonth("2026-11"))
    .executeTakeFirstOrThrow();
}

describe("dunning", () => {
  it("reads the days from the setting form, with Japanese errors", () => {
    expect(DunningSettingsForm.parse({ dunningDays: "10, 1" }).dunningDays).toEqual([1, 10]);
    expect(DunningSettingsForm.parse({ dunningDays: "１、２０、２０" }).dunningDays).toEqual([
      1, 20,
    ]);
    const error = (v: string) =>
      DunningSettingsForm.safeParse({ dunningDays: v }).error?.issues[0].message;
    expect(error("0,10")).toBe(
      "督促する日は支払期限の1〜60日後を半角数字で、カンマ区切りで入力してください（例: 1,10）",
    );
    expect(error("61")).toBe(
      "督促する日は支払期限の1〜60日後を半角数字で、カンマ区切りで入力してください（例: 1,10）",
    );
    expect(error("1.5")).toBe(
      "督促する日は支払期限の1〜60日後を半角数字で、カンマ区切りで入力してください（例: 1,10）",
    );
    expect(error("")).toBe("督促する日を入力してください（例: 1,10）");
    expect(error("1,2,3,4,5,6,7,8,9,10,11")).toBe("督促する日は10日までにしてください");
  });

  it("mails nothing on the due date itself", async () => {
    expect(await getDunningDays(t.db)).toEqual([1, 10]);
    const { line, mails } = await dunningAt("2026-12-31T03:00:00+09:00");
    expect(line).toBe("dunning: 0 reminders queued, 0 suspension notices");
    expect(mails).toHaveLength(0);
  });

  it("on due+1 mails each unpaid invoice what is owed and the interest to that day (none within the 15 days), once", async () => {
    const k2002 = await invoiceOf("K-2002");
    expect(k2002.due_date).toBe("2026-12-31");
    const { line, mails } = await dunningAt("2027-01-01T03:00:00+09:00");
    expect(line).toBe("dunning: 9 reminders queued, 0 suspension notices");
    expect(mails).toHaveLength(9);
    const mail = mails.find((m) => m.to.includes("info@hibari-fudosan.example"))!;
    expect(mail.subject).toBe(
      `【セキュアライン株式会社】お支払いのお願い（2026年11月分、${k2002.invoice_number}）`,
    );
    expect(mail.text).toContain(
      `未払いの額: ${k2002.total_yen.toLocaleString("ja-JP")}円（2027年1月1日現在）`,
    );
    expect(mail.text).toContain("延滞利息: 0円（2027年1月1日にお支払いの場合");
    expect(mail.text).toContain(
      "2027年1月15日までにお支払いいただければ、延滞利息はかかりません。",
    );
    expect(mail.text).not.toContain("利用を停止");

    const again = await dunningAt("2027-01-01T23:30:00+09:00");
    expect(again.line).toBe("dunning: 0 reminders queued, 0 suspension notices");
    expect(again.mails).toHaveLength(0);
    expect(await dunningHistory(t.db, k2002.id)).toMatchObject([
      {
        kind: "reminder",
        day_offset: 1,
        on_date: "2027-01-01",
        owed_yen: k2002.total_yen,
        interest_yen: 0,
      },
    ]);
  });

  it("sends nothing more to a paid invoice; the last step (due+10) gives the T-17 prior notice of suspension", async () => {
    expect((await dunningAt("2027-01-01T03:00:00+09:00")).mails).toHaveLength(9);
    const paid = await payK2002();

    const { line, mails } = await dunningAt("2027-01-10T03:00:00+09:00");
    expect(line).toBe("dunning: 8 reminders queued, 8 suspension notices");
    expect(mails.filter((m) => m.to.includes("info@hibari-fudosan.example"))).toEqual([]);
    const other = await invoiceOf("K-1001");
    const reminder = mails.find((m) => m.subject.includes(other.invoice_number))!;
    expect(reminder.text).toContain(
      `未払いの額: ${other.total_yen.toLocaleString("ja-JP")}円（2027年1月10日現在）`,
    );
    expect(reminder.text).toContain("延滞利息: 0円（2027年1月10日にお支払いの場合");
    expect(reminder.text).toContain("規約第17条に基づき2027年1月20日からご利用を停止します");
    // The suspension flow's own notice (reason, start, period), and the suspension it recorded.
    const notices = mails.filter((m) =>
      m.subject.startsWith("【重要】セキュリティサポートの利用停止のお知らせ"),
    );
    expect(notices).toHaveLength(8);
    const suspension = await t.db
      .selectFrom("suspensions")
      .selectAll()
      .where("contract_id", "=", other.contract_id)
      .where("lifted_at", "is", null)
      .executeTakeFirstOrThrow();
    expect(suspension).toMatchObject({
      reason_code: "non_payment",
      starts_on: "2027-01-20",
      ends_on: null,
      emergency: 0,
      created_by: "scheduler",
    });
    expect(await dunningHistory(t.db, other.id)).toMatchObject([
      { kind: "reminder", day_offset: 1, on_date: "2027-01-01" },
      {
        kind: "reminder",
        day_offset: 10,
        on_date: "2027-01-10",
        owed_yen: other.total_yen,
        interest_yen: 0,
      },
      {
        kind: "suspension_notice",
        day_offset: 10,
        on_date: "2027-01-10",
        note: "利用停止を予告（2027-01-20から、お支払いまで）",
      },
    ]);
    expect(await dunningHistory(t.db, paid.id)).toHaveLength(1);

    const again = await dunningAt("2027-01-10T12:00:00+09:00");
    expect(again.line).toBe("dunning: 0 reminders queued, 0 suspension notices");
    expect(again.mails).toHaveLength(0);
  });

  it("follows the set days: a reminder on due+20 states the interest of the 19 days past the due date", async () => {
    // The reminders of due+1 and due+10 (with the T-17 notices) were sent; K-2002 paid in between.
    await dunningAt("2027-01-01T03:00:00+09:00");
    await payK2002();
    expect((await dunningAt("2027-01-10T03:00:00+09:00")).line).toBe(
      "dunning: 8 reminders queued, 8 suspension notices",
    );
    await updateDunningDays(t.db, [1, 10, 20], actor, "");
    expect(await getDunningDays(t.db)).toEqual([1, 10, 20]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "provider.dunning_days")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toBe("督促する日を変更: 支払期限の1日後、10日後→1日後、10日後、20日後");
    expect((await dunningAt("2027-01-19T03:00:00+09:00")).mails).toHaveLength(0);

    const other = await invoiceOf("K-1001");
    // T-26-3: finance waived the interest of another one: its reminder states none.
    const waived = await t.db
      .selectFrom("invoices")
      .select(["id", "invoice_number"])
      .where("billing_month", "=", yearMonth("2026-11"))
      .where("id", "not in", [other.id, (await invoiceOf("K-2002")).id])
      .orderBy("id")
      .executeTakeFirstOrThrow();
    expect(
      await waiveInterest(t.db, {
        invoiceId: waived.id,
        tenant: provider,
        reason: "災害による支払遅延",
        actor,
        ip: "",
      }),
    ).toMatchObject({ ok: true });
    const { line, mails } = await dunningAt("2027-01-20T03:00:00+09:00");
    expect(mails.find((m) => m.subject.includes(waived.invoice_number))!.text).toContain(
      "延滞利息: 0円（2027年1月20日にお支払いの場合",
    );
    // Already noticed at due+10: no second suspension.
    expect(line).toBe("dunning: 8 reminders queued, 0 suspension notices");
    const reminder = mails.find((m) => m.subject.includes(other.invoice_number))!;
    // T-26: 01-01..01-19 = 19 days at 14.5 % on 365 days, floored.
    const interest = Math.floor((other.total_yen * 145 * 19) / 365_000);
    expect(interest).toBeGreaterThan(0);
    expect(reminder.text).toContain(
      `延滞利息: ${interest.toLocaleString("ja-JP")}円（2027年1月20日にお支払いの場合`,
    );
    expect(reminder.text).toContain("延滞利息はお支払いが完了した月のご請求書でご請求します。");
    // The same figure the invoice page shows.
    const page = await getInvoice(t.db, { id: other.id, tenant: provider }, isoDate("2027-01-20"));
    expect(page!.interest.accruedYen).toBe(interest);
    expect((await dunningHistory(t.db, other.id)).at(-1)).toMatchObject({
      kind: "suspension_notice",
      day_offset: 20,
      note: "未払いによる利用停止はすでに予告・実施済み",
    });
  });
});
