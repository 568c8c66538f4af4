// S1-4⑤ monthly threat report against the seeded demo data (six months of events up to
// 2026-11-22): the PDF's figures are the database's counts and the dashboard's; an empty month
// says what was monitored; a month before retention is refused; the 100th report evicts the
// oldest; the monthly run mails each active contract once.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantOf, isoDate, type IsoDate, jstInstant, yearMonth } from "../app/lib/jst";
import { DETECTION_TYPES, dashboardFigures } from "../app/security/dashboard.server";
import {
  createThreatReport,
  generateMonthlyReports,
  MAX_REPORTS_PER_CONTRACT,
  threatReportData,
  ThreatReportRefused,
} from "../app/security/threat-report.server";
import { deliverOutbox } from "../app/mail/outbox.server";
import { createMailTransport } from "../app/mail/transport.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { parseMime } from "./support/mime";
import { startSmtp } from "./support/smtp";

let t: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), "threat-report-"));
const contractId = async (ref: string) =>
  (await t.db.selectFrom("contracts").select("id").where("ref", "=", ref).executeTakeFirstOrThrow())
    .id;

function pdfText(pdf: Buffer, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

/** Detections of a contract in a JST month, counted straight from the table. */
async function countDetections(
  id: number,
  from: IsoDate,
  toExclusive: IsoDate,
  extra: { type?: string; action?: string } = {},
) {
  let q = t.db
    .selectFrom("security_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("contract_id", "=", id)
    .where("type", "in", DETECTION_TYPES)
    .where("detected_at", ">=", instantOf(jstInstant(from)))
    .where("detected_at", "<", instantOf(jstInstant(toExclusive)));
  if (extra.type) q = q.where("type", "=", extra.type);
  if (extra.action) q = q.where("action", "=", extra.action);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

beforeAll(async () => {
  t = await createTestDatabase({ seed: true, at: TEST_NOW });
});
afterAll(async () => {
  await t?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("threat report figures", () => {
  it("prints the database's counts, equal to the dashboard's for the same month", async () => {
    const id = await contractId("K-2001"); // C5's only contract: the customer's dashboard is this contract's
    const data = await threatReportData(t.db, {
      contractId: id,
      month: yearMonth("2026-10"),
      now: TEST_NOW,
    });
    const total = await countDetections(id, isoDate("2026-10-01"), isoDate("2026-11-01"));
    expect(total).toBeGreaterThan(0);
    expect(data.detectionTotal).toBe(total);
    const customerId = (
      await t.db
        .selectFrom("customers")
        .select("id")
        .where("ref", "=", "C5")
        .executeTakeFirstOrThrow()
    ).id;
    const dashboard = await dashboardFigures(
      t.db,
      { kind: "customer", customerId },
      { from: isoDate("2026-10-01"), to: isoDate("2026-10-31"), now: TEST_NOW },
    );
    expect(data.detectionTotal).toBe(dashboard.detectionTotal);
    expect(data.byAction.map((a) => a.count)).toEqual(dashboard.actions.map((a) => a.count));
    expect(data.topThreats).toEqual(dashboard.topThreats);

    const text = pdfText(
      (
        await createThreatReport(t.db, {
          contractId: id,
          month: yearMonth("2026-10"),
          kind: "on_demand",
          at: TEST_NOW,
        })
      ).pdf,
      "k2001.pdf",
    );
    expect(text).toContain("2026年10月分");
    expect(text).toContain("株式会社あおば設計");
    expect(text).toMatch(new RegExp(`脅威の検知件数\\s+${total.toLocaleString("ja-JP")}件`));
    const previous = await countDetections(id, isoDate("2026-09-01"), isoDate("2026-10-01"));
    expect(text).toMatch(
      new RegExp(
        `脅威の検知件数\\s+${total.toLocaleString("ja-JP")}件\\s+${previous.toLocaleString("ja-JP")}件`,
      ),
    );
    for (const type of data.byType.filter((x) => x.count > 0)) {
      const n = await countDetections(id, isoDate("2026-10-01"), isoDate("2026-11-01"), {
        type: type.type,
      });
      expect(text).toMatch(
        new RegExp(`\\n${type.label}\\s+${n.toLocaleString("ja-JP")}\\s+[\\d.]+%`),
      );
    }
    const blocked = await countDetections(id, isoDate("2026-10-01"), isoDate("2026-11-01"), {
      action: "blocked",
    });
    expect(text).toMatch(new RegExp(`\\nブロック\\s+${blocked.toLocaleString("ja-JP")}\\n`));
    expect(text).toContain("総合評価");
    expect(text).toContain("推奨する対応");
    expect(text).toContain("用語集");
    expect(text).toMatch(/1 \/ \d/);
  });

  it("states what was monitored and that nothing was found in a month without detections", async () => {
    const id = await contractId("K-1004");
    await t.db
      .deleteFrom("security_events")
      .where("contract_id", "=", id)
      .where("type", "in", DETECTION_TYPES)
      .where("detected_at", ">=", instantOf(jstInstant(isoDate("2026-09-01"))))
      .where("detected_at", "<", instantOf(jstInstant(isoDate("2026-10-01"))))
      .execute();
    const devices = Number(
      (
        await t.db
          .selectFrom("devices")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("contract_id", "=", id)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const { pdf } = await createThreatReport(t.db, {
      contractId: id,
      month: yearMonth("2026-09"),
      kind: "on_demand",
      at: TEST_NOW,
    });
    const text = pdfText(pdf, "empty.pdf");
    expect(text).toContain("2026年9月1日〜2026年9月30日）に脅威は検知されませんでした。");
    expect(text).toContain(`監視対象：${devices}台`);
    expect(text).toMatch(/脅威の検知件数\s+0件/);
  });

  it("refuses a month that starts before the retention window, storing nothing", async () => {
    const id = await contractId("K-1001");
    const before = await t.db
      .selectFrom("threat_reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    // Retention at 2026-11-22 starts 2026-05-22: May starts before it, June does not.
    await expect(
      createThreatReport(t.db, {
        contractId: id,
        month: yearMonth("2026-05"),
        kind: "on_demand",
        at: TEST_NOW,
      }),
    ).rejects.toThrow(
      new ThreatReportRefused(
        "2026年5月のレポートは作成できません。ログの保存期間は6か月のため、2026年5月22日より前に始まる期間は対象にできません。",
      ),
    );
    const after = await t.db
      .selectFrom("threat_reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    await expect(
      threatReportData(t.db, { contractId: id, month: yearMonth("2026-06"), now: TEST_NOW }),
    ).resolves.toMatchObject({ month: "2026-06" });
  });
});

describe("threat report storage", () => {
  it("keeps at most 99 per contract: the 100th deletes the oldest", async () => {
    const id = await contractId("K-1003");
    await t.db.deleteFrom("threat_reports").where("contract_id", "=", id).execute();
    const rows = Array.from({ length: MAX_REPORTS_PER_CONTRACT }, (_, i) => ({
      contract_id: id,
      period_month: yearMonth("2026-10"),
      kind: "on_demand" as const,
      pdf: Buffer.from(`old ${i}`),
      created_at: instantOf(new Date(Date.parse("2026-11-01T00:00:00Z") + i * 60_000)),
    }));
    await t.db.insertInto("threat_reports").values(rows).execute();
    const ids = (
      await t.db
        .selectFrom("threat_reports")
        .select("id")
        .where("contract_id", "=", id)
        .orderBy("id")
        .execute()
    ).map((r) => r.id);
    expect(ids).toHaveLength(99);
    const made = await createThreatReport(t.db, {
      contractId: id,
      month: yearMonth("2026-10"),
      kind: "on_demand",
      at: TEST_NOW,
    });
    const left = (
      await t.db
        .selectFrom("threat_reports")
        .select("id")
        .where("contract_id", "=", id)
        .orderBy("id")
        .execute()
    ).map((r) => r.id);
    expect(left).toHaveLength(99);
    expect(left).not.toContain(ids[0]);
    expect(left).toContain(ids[1]);
    expect(left).toContain(made.id);
  });

  it("makes and mails the monthly report of every active contract once; a second run queues nothing", async () => {
    const active = await t.db
      .selectFrom("contracts")
      .select(["ref", "admin_email"])
      .where("status", "=", "active")
      .where("service_start", "<=", isoDate("2026-10-31"))
      .orderBy("ref")
      .execute();
    const first = await generateMonthlyReports(t.db, yearMonth("2026-10"), TEST_NOW);
    expect(first).toEqual({ generated: active.length, skipped: 0, failed: [] });
    const mails = await t.db
      .selectFrom("outbox")
      .select([
        "ref",
        "to_address",
        "attachment_name",
        sql<number>`length(attachment_blob)`.as("size"),
      ])
      .where("ref", "like", "report:%:2026-10")
      .orderBy("ref")
      .execute();
    expect(mails.map((m) => [m.ref, m.to_address])).toEqual(
      active.map((c) => [`report:${c.ref}:2026-10`, c.admin_email]),
    );
    for (const m of mails) expect(Number(m.size)).toBeGreaterThan(10_000);
    const monthly = await t.db
      .selectFrom("threat_reports")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "monthly")
      .executeTakeFirstOrThrow();
    expect(Number(monthly.n)).toBe(active.length);

    // Delivered to a real SMTP server, each with its PDF; a second run sends nothing new.
    const smtp = await startSmtp();
    try {
      const transport = createMailTransport(smtp.url, () => undefined);
      const deliver = () => deliverOutbox(t.db, transport, TEST_NOW, { log: () => undefined });
      let sent = 0;
      for (let round = await deliver(); round.sent > 0; round = await deliver()) sent += round.sent;
      const reports = smtp.received.filter((m) =>
        parseMime(m.raw).headers.get("subject")?.includes("脅威レポート"),
      );
      expect(reports.map((m) => m.to[0]).sort()).toEqual(active.map((c) => c.admin_email).sort());
      for (const m of reports) {
        expect(
          parseMime(m.raw).parts.some(
            (p) =>
              (p.headers.get("content-type") ?? "").startsWith("application/pdf") &&
              p.body.subarray(0, 5).toString() === "%PDF-",
          ),
        ).toBe(true);
      }
      const received = smtp.received.length;

      const second = await generateMonthlyReports(t.db, yearMonth("2026-10"), TEST_NOW);
      expect(second).toEqual({ generated: 0, skipped: 0, failed: [] });
      const again = await t.db
        .selectFrom("outbox")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("ref", "like", "report:%:2026-10")
        .executeTakeFirstOrThrow();
      expect(Number(again.n)).toBe(active.length);
      expect((await deliver()).sent).toBe(0);
      expect(smtp.received).toHaveLength(received);
      expect(sent).toBeGreaterThanOrEqual(active.length);
    } finally {
      await smtp.close();
    }
  }, 60_000);
});
