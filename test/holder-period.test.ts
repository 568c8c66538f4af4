// After a transfer (T-10) the new holder sees the line's security records of its own holding only:
// the previous holder's detections, incidents, outages and reports stay with the provider and the
// reseller. Demo K-1004 (C3, reseller R1) is transferred on 2026-11-22 10:00 JST to a new customer.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decideHolderChange } from "../app/contracts/holder-changes.server";
import type { Tenant } from "../app/auth/tenancy";
import { firstWholeJstDay, instant, type Instant, isoDate, yearMonth } from "../app/lib/jst";
import { dashboardFigures, gatewayOutagesInPeriod } from "../app/security/dashboard.server";
import { getIncident, listIncidents } from "../app/security/incidents.server";
import {
  createThreatReport,
  generateMonthlyReports,
  getThreatReportPdf,
  pageThreatReports,
  threatReportData,
} from "../app/security/threat-report.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";

const FIRST_PAGE = { page: 1, size: 50, sort: "created", dir: "desc" } as const;

let t: TestDatabase;
let contractId: number;
let newHolder: Tenant;
let oldIncidentId: number;
let newIncidentId: number;
let oldReportId: number;
const provider: Tenant = { kind: "provider" };
let reseller: Tenant;
const HOLDER_SINCE = "2026-11-22T01:00:00.000Z"; // TEST_NOW, 10:00 JST

async function insertEvent(
  id: string,
  type: string,
  action: string | null,
  detectedAt: Instant,
  device = "PC-01",
) {
  await t.db
    .insertInto("security_events")
    .values({
      id,
      contract_id: contractId,
      device_id: null,
      device_name: device,
      source: "endpoint",
      type,
      severity: "high",
      action,
      threat: type === "virus" ? "TROJ_TEST.A" : null,
      url: null,
      detected_at: detectedAt,
      ingested_at: detectedAt,
    })
    .execute();
}

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: true });
  contractId = (
    await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-1004")
      .executeTakeFirstOrThrow()
  ).id;
  reseller = {
    kind: "reseller",
    resellerId: (
      await t.db
        .selectFrom("resellers")
        .select("id")
        .where("ref", "=", "R1")
        .executeTakeFirstOrThrow()
    ).id,
  };
  oldIncidentId = (
    await t.db
      .selectFrom("incidents")
      .select("id")
      .where("contract_id", "=", contractId)
      .executeTakeFirstOrThrow()
  ).id;
  // The previous holder's October report, made an hour before the transfer.
  oldReportId = (
    await createThreatReport(t.db, {
      contractId,
      month: yearMonth("2026-10"),
      kind: "on_demand",
      at: new Date(TEST_NOW.getTime() - 3_600_000),
    })
  ).id;

  const change = await t.db
    .selectFrom("contract_holder_changes")
    .select("id")
    .where("contract_id", "=", contractId)
    .executeTakeFirstOrThrow();
  const decided = await decideHolderChange(t.db, {
    changeId: change.id,
    contractId,
    approve: true,
    reasonCode: null,
    note: "",
    today: isoDate("2026-11-22"),
    at: TEST_NOW,
    actor: { id: null, email: "operator@demo.example" },
    ip: "",
    providerName: "セキュアライン株式会社",
    consoleUrl: "https://console.example.jp",
  });
  expect(decided).toMatchObject({ ok: true });
  const contract = await t.db
    .selectFrom("contracts")
    .select(["customer_id", "holder_since", "holder_first_day"])
    .where("id", "=", contractId)
    .executeTakeFirstOrThrow();
  expect([contract.holder_since, contract.holder_first_day]).toEqual([HOLDER_SINCE, "2026-11-23"]);
  newHolder = { kind: "customer", customerId: contract.customer_id };

  // The new holder's own records: three detections on 11-23 (one on the day of the transfer,
  // after it, which the daily figures leave out with the rest of that day) and an incident.
  await insertEvent("after-1", "virus", "quarantined", instant("2026-11-22T05:00:00.000Z"));
  await insertEvent("after-2", "virus", "quarantined", instant("2026-11-23T01:00:00.000Z"));
  await insertEvent("after-3", "spam", "blocked", instant("2026-11-23T02:00:00.000Z"));
  await insertEvent("after-4", "phishing", "blocked", instant("2026-11-23T03:00:00.000Z"));
  newIncidentId = (
    await t.db
      .insertInto("incidents")
      .values({
        contract_id: contractId,
        kind: "virus",
        severity: "high",
        title: "ウイルス検知（譲渡後）",
        opened_at: instant("2026-11-22T05:00:00.000Z"),
        acknowledged_at: null,
        resolved_at: null,
        assignee: null,
        first_event_id: "after-1",
        device_name: "PC-01",
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});
afterEach(() => t.dispose());

describe("the first whole JST day of a holding", () => {
  it("is the next day unless the holding starts at 00:00 JST", () => {
    expect(firstWholeJstDay(new Date(HOLDER_SINCE))).toBe("2026-11-23");
    expect(firstWholeJstDay(new Date("2026-11-21T15:00:00.000Z"))).toBe("2026-11-22"); // 00:00 JST
    expect(firstWholeJstDay(new Date("2026-11-21T15:00:00.001Z"))).toBe("2026-11-23");
  });
});

describe("security records after a transfer (T-10)", () => {
  const period = {
    from: isoDate("2026-05-25"),
    to: isoDate("2026-11-30"),
    contractId: undefined as number | undefined,
  };

  it("counts only the new holder's whole days in its dashboard; the provider and the reseller see the line's whole history", async () => {
    const mine = await dashboardFigures(t.db, newHolder, period);
    expect(mine.detectionTotal).toBe(3);
    expect(mine.detectionsByDay.filter((d) => d.total > 0)).toEqual([
      { day: "2026-11-23", counts: { virus: 1, spam: 1, phishing: 1 }, total: 3 },
    ]);
    expect(mine.topThreats).toEqual([{ threat: "TROJ_TEST.A", count: 1 }]);
    expect(mine.topDevices).toEqual([
      {
        contractRef: "K-1004",
        customerName: "株式会社かもめロジスティクス",
        device: "PC-01",
        count: 3,
      },
    ]);
    expect(mine.openIncidents.total).toBe(1); // the new one; the previous holder's August incident is not counted

    const detections = await t.db
      .selectFrom("event_daily_counts")
      .select((eb) => eb.fn.sum<number>("count").as("n"))
      .where("contract_id", "=", contractId)
      .where("day", ">=", period.from)
      .where("day", "<=", period.to)
      .where("type", "in", [
        "virus",
        "network_virus",
        "spyware",
        "grayware",
        "spam",
        "phishing",
        "cc_callback",
        "web_block",
        "app_block",
        "intrusion",
        "sandbox",
      ])
      .executeTakeFirstOrThrow();
    const whole = await dashboardFigures(t.db, provider, { ...period, contractId });
    expect(whole.detectionTotal).toBe(Number(detections.n));
    expect(whole.detectionTotal).toBeGreaterThan(1000);
    expect((await dashboardFigures(t.db, reseller, { ...period, contractId })).detectionTotal).toBe(
      whole.detectionTotal,
    );
  });

  it("lists and opens only the incidents opened after the transfer for the new holder (the earlier one is a 404)", async () => {
    expect((await listIncidents(t.db, newHolder)).map((i) => i.id)).toEqual([newIncidentId]);
    expect(await getIncident(t.db, { id: oldIncidentId, tenant: newHolder })).toBeNull();
    expect(await getIncident(t.db, { id: newIncidentId, tenant: newHolder })).not.toBeNull();
    expect(await getIncident(t.db, { id: oldIncidentId, tenant: reseller })).not.toBeNull();
    expect((await listIncidents(t.db, provider, {})).map((i) => i.id)).toEqual(
      expect.arrayContaining([oldIncidentId, newIncidentId]),
    );
  });

  it("starts an outage that began before the transfer at the transfer for the new holder, and drops one that ended before", async () => {
    await insertEvent(
      "gw-off-1",
      "gateway_offline",
      null,
      instant("2026-11-20T00:00:00.000Z"),
      "GW-01",
    );
    await insertEvent(
      "gw-on-1",
      "gateway_online",
      null,
      instant("2026-11-20T02:00:00.000Z"),
      "GW-01",
    );
    await insertEvent(
      "gw-off-2",
      "gateway_offline",
      null,
      instant("2026-11-21T23:00:00.000Z"),
      "GW-01",
    );
    await insertEvent(
      "gw-on-2",
      "gateway_online",
      null,
      instant("2026-11-22T03:00:00.000Z"),
      "GW-01",
    );
    const startsAt = instant("2026-11-19T15:00:00.000Z");
    const endsAt = instant("2026-11-23T15:00:00.000Z");
    const forHolder = await gatewayOutagesInPeriod(
      t.db,
      { ...newHolder, contractId },
      startsAt,
      endsAt,
    );
    expect(forHolder.filter((o) => o.device_name === "GW-01")).toEqual([
      {
        contract_id: contractId,
        device_name: "GW-01",
        offline_at: HOLDER_SINCE,
        online_at: "2026-11-22T03:00:00.000Z",
      },
    ]);
    const forProvider = await gatewayOutagesInPeriod(
      t.db,
      { ...provider, contractId },
      startsAt,
      endsAt,
    );
    expect(
      forProvider
        .filter((o) => o.device_name === "GW-01")
        .map((o) => [o.offline_at, o.online_at])
        .sort(),
    ).toEqual([
      ["2026-11-20T00:00:00.000Z", "2026-11-20T02:00:00.000Z"],
      ["2026-11-21T23:00:00.000Z", "2026-11-22T03:00:00.000Z"],
    ]);
  });

  it("hides the previous holder's reports and reports on the new holder's days only", async () => {
    expect((await pageThreatReports(t.db, newHolder, FIRST_PAGE)).reports).toEqual([]);
    expect(await getThreatReportPdf(t.db, { id: oldReportId, tenant: newHolder })).toBeUndefined();
    expect(
      (await pageThreatReports(t.db, provider, FIRST_PAGE)).reports.map((r) => r.id),
    ).toContain(oldReportId);

    await expect(
      threatReportData(t.db, { contractId, month: yearMonth("2026-10"), now: TEST_NOW }),
    ).rejects.toThrow(
      "2026年10月のレポートは作成できません。このご契約は譲渡により2026年11月23日からのご契約のため、それより前の期間は対象にできません（規約第10条）。",
    );
    // On the day of the transfer no whole day is held yet.
    await expect(
      threatReportData(t.db, { contractId, month: yearMonth("2026-11"), now: TEST_NOW }),
    ).rejects.toThrow("2026年11月23日から");
    const november = await threatReportData(t.db, {
      contractId,
      month: yearMonth("2026-11"),
      now: new Date("2026-12-01T06:00:00+09:00"),
    });
    expect([november.from, november.to, november.detectionTotal, november.previous]).toEqual([
      "2026-11-23",
      "2026-11-30",
      3,
      null,
    ]);
    expect(november.incidents.map((i) => i.title)).toEqual([]); // opened on the transfer day, before the first whole day
  });

  it("leaves the transferred contract out of the monthly reports of months before the new holding", async () => {
    const summary = await generateMonthlyReports(
      t.db,
      yearMonth("2026-10"),
      new Date("2026-11-22T12:00:00+09:00"),
    );
    expect(summary.failed).toEqual([]);
    const monthly = await t.db
      .selectFrom("threat_reports")
      .select("id")
      .where("contract_id", "=", contractId)
      .where("period_month", "=", yearMonth("2026-10"))
      .where("kind", "=", "monthly")
      .execute();
    expect(monthly).toEqual([]);
    expect(summary.generated).toBeGreaterThan(0);
  });
});
