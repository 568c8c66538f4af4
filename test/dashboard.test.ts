// The security dashboard's figures (dashboardFigures), counted in SQL per tenant, against a fresh
// SQLite file with the demo data plus the events below; and the operators' repositories behind
// /calls and /dispatch. The demo data is seeded on 2026-06-01, so whatever events the seed
// brings end months before the November week measured here: every count below is exact.
import type { Insertable } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SecurityEventTable } from "../db/schema";
import type { Tenant } from "../app/auth/tenancy";
import { instant, instantOf, isoDate, jstInstant } from "../app/lib/jst";
import { CALL_RESULT_LABELS, dueCalls, recordCall } from "../app/security/calls.server";
import { compareVersions, dashboardFigures, periodEnding } from "../app/security/dashboard.server";
import {
  contractGateway,
  contractsWithGateway,
  dispatchRuleText,
  quoteDispatch,
  recentGatewayFailures,
  recordGatewayFailure,
} from "../app/security/gateway-failures.server";
import { createTestDatabase, type TestDatabase } from "./support/database";

const SEED_AT = new Date("2026-06-01T10:00:00+09:00");
const WEEK = {
  from: isoDate("2026-11-01"),
  to: isoDate("2026-11-07"),
  now: new Date("2026-11-08T00:00:00+09:00"),
};

let t: TestDatabase;
let contract: (ref: string) => number;
let customer: (ref: string) => Tenant;
let reseller: (ref: string) => Tenant;
const provider: Tenant = { kind: "provider" };

const ev = (
  id: string,
  ref: string,
  device: string,
  type: string,
  at: string,
  extra: Partial<Insertable<SecurityEventTable>> = {},
) => ({ id, ref, device, type, at, extra });

// C1 (株式会社みなと製作所: K-1001, K-1002) and C5 (株式会社あおば設計: K-2001).
const EVENTS = [
  // JST midnight is 15:00 UTC the day before: it belongs to 11/01 in Japan.
  ev("d-1", "K-1001", "PC-001", "virus", "2026-11-01T00:00:00+09:00", {
    action: "quarantined",
    threat: "TEST.TROJ.ALPHA",
    source: "endpoint",
  }),
  ev("d-2", "K-1001", "PC-001", "virus", "2026-11-01T23:59:59+09:00", {
    action: "removed",
    threat: "TEST.TROJ.ALPHA",
    source: "endpoint",
  }),
  // 08:59 JST on 11/02 is still 11/01 in UTC.
  ev("d-3", "K-1001", "PC-002", "spyware", "2026-11-02T08:59:00+09:00", {
    action: "quarantined",
    threat: "TEST.SPY.BETA",
    source: "endpoint",
  }),
  ev("d-4", "K-1001", "GW-01", "cc_callback", "2026-11-03T12:00:00+09:00", {
    action: "blocked",
    url: "http://c2.test.example/",
    source: "gateway",
  }),
  ev("d-5", "K-1001", "PC-002", "web_block", "2026-11-04T10:00:00+09:00", {
    action: "blocked",
    url: "http://bad.test.example/",
    source: "gateway",
  }),
  ev("d-6", "K-1001", "PC-003", "virus", "2026-11-07T23:30:00+09:00", {
    action: "failed",
    threat: "TEST.TROJ.ALPHA",
    source: "endpoint",
  }),
  // Outside the week: the end is exclusive, the start inclusive.
  ev("d-out-1", "K-1001", "PC-001", "virus", "2026-11-08T00:00:00+09:00", {
    action: "removed",
    threat: "TEST.TROJ.ALPHA",
  }),
  ev("d-out-2", "K-1001", "PC-001", "virus", "2026-10-31T23:59:59+09:00", {
    action: "removed",
    threat: "TEST.TROJ.ALPHA",
  }),
  // Status events are not detections.
  ev("s-pattern", "K-1001", "PC-003", "pattern_outdated", "2026-11-04T09:00:00+09:00", {
    severity: "low",
  }),
  // Gateways: each starts the week online (this also closes any outage the seed left open,
  // so that only the outages below are measured).
  ev("g-1", "K-1001", "GW-01", "gateway_online", "2026-11-01T00:00:00+09:00"),
  ev("g-2", "K-1002", "GW-01", "gateway_online", "2026-11-01T00:00:00+09:00"),
  // K-1001 offline 10:00–13:00 (a second offline report inside the outage is the same outage)…
  ev("g-3", "K-1001", "GW-01", "gateway_offline", "2026-11-05T10:00:00+09:00"),
  ev("g-4", "K-1001", "GW-01", "gateway_offline", "2026-11-05T10:30:00+09:00"),
  ev("g-5", "K-1001", "GW-01", "gateway_online", "2026-11-05T13:00:00+09:00"),
  // …and again from 22:00 on the last day, still offline at the end of the week: 5 h in all.
  ev("g-6", "K-1001", "GW-01", "gateway_offline", "2026-11-07T22:00:00+09:00"),
  // C5's own detections.
  ev("e-1", "K-2001", "PC-001", "virus", "2026-11-02T10:00:00+09:00", {
    action: "failed",
    threat: "TEST.TROJ.ALPHA",
    source: "endpoint",
  }),
  ev("e-2", "K-2001", "PC-004", "phishing", "2026-11-03T10:00:00+09:00", {
    action: "passed",
    threat: "TEST.PHISH.GAMMA",
    source: "gateway",
  }),
  ev("g-7", "K-2001", "GW-01", "gateway_online", "2026-11-01T00:00:00+09:00"),
  // Every other live gateway starts the week online too, whatever the seed's events left.
  ...["K-1003", "K-1004", "K-1005", "K-2002", "K-2003", "K-2004"].map((ref) =>
    ev(`g-start-${ref}`, ref, "GW-01", "gateway_online", "2026-11-01T00:00:00+09:00"),
  ),
];

beforeAll(async () => {
  t = await createTestDatabase({ seed: true, at: SEED_AT });
  const contracts = await t.db.selectFrom("contracts").select(["id", "ref"]).execute();
  const customers = await t.db.selectFrom("customers").select(["id", "ref"]).execute();
  const resellers = await t.db.selectFrom("resellers").select(["id", "ref"]).execute();
  contract = (ref) => contracts.find((c) => c.ref === ref)!.id;
  customer = (ref) => ({ kind: "customer", customerId: customers.find((c) => c.ref === ref)!.id });
  reseller = (ref) => ({ kind: "reseller", resellerId: resellers.find((r) => r.ref === ref)!.id });
  await t.db
    .insertInto("security_events")
    .values(
      EVENTS.map((e) => ({
        id: `test-${e.id}`,
        contract_id: contract(e.ref),
        device_id: null,
        device_name: e.device,
        source: e.type.startsWith("gateway_") ? "gateway" : "endpoint",
        type: e.type,
        severity: "medium",
        action: null,
        threat: null,
        url: null,
        detected_at: instantOf(new Date(e.at)),
        ingested_at: instantOf(SEED_AT),
        ...e.extra,
      })),
    )
    .execute();
});
afterAll(async () => {
  await t?.dispose();
});

describe("dashboardFigures", () => {
  it("counts a customer's detections per JST day and type, by action, threat and device", async () => {
    const f = await dashboardFigures(t.db, customer("C1"), WEEK);
    expect(f.detectionTotal).toBe(6);
    expect(f.detectionsByDay).toEqual([
      { day: "2026-11-01", counts: { virus: 2 }, total: 2 },
      { day: "2026-11-02", counts: { spyware: 1 }, total: 1 },
      { day: "2026-11-03", counts: { cc_callback: 1 }, total: 1 },
      { day: "2026-11-04", counts: { web_block: 1 }, total: 1 },
      { day: "2026-11-05", counts: {}, total: 0 },
      { day: "2026-11-06", counts: {}, total: 0 },
      { day: "2026-11-07", counts: { virus: 1 }, total: 1 },
    ]);
    expect(f.typesSeen).toEqual(["virus", "spyware", "cc_callback", "web_block"]);
    expect(f.actions).toEqual([
      { action: "blocked", count: 2 },
      { action: "quarantined", count: 2 },
      { action: "removed", count: 1 },
      { action: "failed", count: 1 },
      { action: "passed", count: 0 },
    ]);
    expect(f.topThreats).toEqual([
      { threat: "TEST.TROJ.ALPHA", count: 3 },
      { threat: "TEST.SPY.BETA", count: 1 },
    ]);
    expect(f.topDevices).toEqual([
      { contractRef: "K-1001", customerName: "株式会社みなと製作所", device: "PC-001", count: 2 },
      { contractRef: "K-1001", customerName: "株式会社みなと製作所", device: "PC-002", count: 2 },
      { contractRef: "K-1001", customerName: "株式会社みなと製作所", device: "GW-01", count: 1 },
      { contractRef: "K-1001", customerName: "株式会社みなと製作所", device: "PC-003", count: 1 },
    ]);
  });

  it("shows each gateway's status and its availability over the period from offline/online pairs", async () => {
    const f = await dashboardFigures(t.db, customer("C1"), WEEK);
    expect(
      f.gateways.map((g) => [
        g.contractRef,
        g.device,
        g.status,
        g.statusSince,
        g.downtimeMinutes,
        g.availabilityPercent,
      ]),
    ).toEqual([
      // 5 h of 168 h: 163 / 168 = 97.0238 %, rounded down.
      ["K-1001", "GW-01", "offline", instantOf(new Date("2026-11-07T22:00:00+09:00")), 300, 97.02],
      ["K-1002", "GW-01", "online", instantOf(new Date("2026-11-01T00:00:00+09:00")), 0, 100],
    ]);
    expect(f.gateways[0].lastSeenAt).not.toBeNull();
    expect(f.gatewaysOffline).toBe(1);
    // Both gateways together: (336 h − 5 h) / 336 h = 98.5119 %.
    expect(f.availabilityPercent).toBe(98.51);
  });

  it("measures availability only up to now while the period is running", async () => {
    // On 11/05 at 12:00 the outage that began at 10:00 has lasted 2 h of the 4.5 days so far.
    const f = await dashboardFigures(t.db, customer("C1"), {
      ...WEEK,
      now: new Date("2026-11-05T12:00:00+09:00"),
    });
    const gw = f.gateways.find((g) => g.contractRef === "K-1001")!;
    expect(gw.downtimeMinutes).toBe(120);
    expect(gw.availabilityPercent).toBe(Math.floor(((108 - 2) / 108) * 10_000) / 100); // 98.14
    expect(gw.availabilityPercent).toBe(98.14);
  });

  it("lets a customer see only its own network", async () => {
    const f = await dashboardFigures(t.db, customer("C5"), WEEK);
    expect(f.detectionTotal).toBe(2);
    expect(f.detectionsByDay.filter((d) => d.total > 0)).toEqual([
      { day: "2026-11-02", counts: { virus: 1 }, total: 1 },
      { day: "2026-11-03", counts: { phishing: 1 }, total: 1 },
    ]);
    expect(f.actions.filter((a) => a.count > 0)).toEqual([
      { action: "failed", count: 1 },
      { action: "passed", count: 1 },
    ]);
    expect(f.topThreats).toEqual([
      { threat: "TEST.PHISH.GAMMA", count: 1 },
      { threat: "TEST.TROJ.ALPHA", count: 1 },
    ]);
    expect(f.topDevices.map((d) => d.contractRef)).toEqual(["K-2001", "K-2001"]);
    expect(f.gateways.map((g) => [g.contractRef, g.status, g.availabilityPercent])).toEqual([
      ["K-2001", "online", 100],
    ]);
    expect(JSON.stringify(f)).not.toContain("K-1001");
    expect(JSON.stringify(f)).not.toContain("みなと製作所");
  });

  it("gives a reseller its portfolio and the provider everything", async () => {
    const r1 = await dashboardFigures(t.db, reseller("R1"), WEEK); // C1–C4, west
    const r2 = await dashboardFigures(t.db, reseller("R2"), WEEK); // C5–C8, east
    const all = await dashboardFigures(t.db, provider, WEEK);
    expect([r1.detectionTotal, r2.detectionTotal, all.detectionTotal]).toEqual([6, 2, 8]);
    expect(all.topThreats[0]).toEqual({ threat: "TEST.TROJ.ALPHA", count: 4 });
    expect(r2.topThreats.find((x) => x.threat === "TEST.SPY.BETA")).toBeUndefined();
    // Every live gateway of the scope is listed (K-1006 is terminated).
    expect(r1.gateways.map((g) => g.contractRef)).toEqual([
      "K-1001",
      "K-1002",
      "K-1003",
      "K-1004",
      "K-1005",
    ]);
    expect(all.gateways).toHaveLength(9);
    expect(all.gatewaysOffline).toBe(1);
  });

  it("finds devices behind the newest agent or pattern of the tenant, comparing versions as numbers", async () => {
    const c5 = customer("C5");
    const k2001 = contract("K-2001");
    const before = await dashboardFigures(t.db, c5, WEEK);
    // A text comparison would call 9.9.0 newer than 14.0.6 and 19.1000.00 older than 19.915.00.
    await t.db
      .insertInto("devices")
      .values([
        {
          contract_id: k2001,
          name: "TEST-OLD",
          device_type: "pc",
          os: "Windows 10 Pro",
          ip: "",
          location: "",
          agent_version: "9.9.0",
          pattern_version: null,
          last_seen_at: null,
        },
        {
          contract_id: k2001,
          name: "TEST-NEW",
          device_type: "pc",
          os: "Windows 11 Pro",
          ip: "",
          location: "",
          agent_version: null,
          pattern_version: "19.1000.00",
          last_seen_at: null,
        },
      ])
      .execute();
    try {
      const after = await dashboardFigures(t.db, c5, WEEK);
      expect(before.outdated.newestPattern).not.toBe("19.1000.00");
      expect(after.outdated.newestPattern).toBe("19.1000.00");
      expect(after.outdated.newestAgent).toBe(before.outdated.newestAgent);
      // Now every other C5 device with a pattern lags, and TEST-OLD lags on its agent.
      const withPattern = await t.db
        .selectFrom("devices")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("contract_id", "=", k2001)
        .where("pattern_version", "is not", null)
        .where("name", "<>", "TEST-NEW")
        .executeTakeFirstOrThrow();
      expect(after.outdated.count).toBe(Number(withPattern.n) + 1);
      expect(after.outdated.devices.find((d) => d.device === "TEST-OLD")).toMatchObject({
        agentOutdated: true,
        patternOutdated: false,
      });
      expect(after.outdated.devices.find((d) => d.device === "TEST-NEW")).toBeUndefined();
      // Another customer's figures do not move.
      const c1 = await dashboardFigures(t.db, customer("C1"), WEEK);
      expect(c1.outdated.newestPattern).not.toBe("19.1000.00");
      expect(c1.outdated.devices.every((d) => d.contractRef.startsWith("K-100"))).toBe(true);
    } finally {
      await t.db.deleteFrom("devices").where("name", "in", ["TEST-OLD", "TEST-NEW"]).execute();
    }
  });

  it("counts open incidents by severity within the tenant", async () => {
    const before = await dashboardFigures(t.db, customer("C1"), WEEK);
    const other = await dashboardFigures(t.db, customer("C5"), WEEK);
    const incident = (
      first: string,
      severity: string,
      status: "new" | "acknowledged" | "resolved",
    ) => ({
      contract_id: contract("K-1001"),
      kind: "cc_callback",
      status,
      severity,
      title: "テスト",
      opened_at: instant("2026-11-03T03:00:00.000Z"),
      acknowledged_at: null,
      resolved_at: null,
      assignee: null,
      first_event_id: first,
    });
    await t.db
      .insertInto("incidents")
      .values([
        incident("test-i-1", "critical", "new"),
        incident("test-i-2", "high", "acknowledged"),
        incident("test-i-3", "high", "resolved"),
      ])
      .execute();
    try {
      const after = await dashboardFigures(t.db, customer("C1"), WEEK);
      expect(after.openIncidents.total).toBe(before.openIncidents.total + 2);
      expect(after.openIncidents.bySeverity.critical ?? 0).toBe(
        (before.openIncidents.bySeverity.critical ?? 0) + 1,
      );
      expect(after.openIncidents.bySeverity.high ?? 0).toBe(
        (before.openIncidents.bySeverity.high ?? 0) + 1,
      );
      expect((await dashboardFigures(t.db, customer("C5"), WEEK)).openIncidents).toEqual(
        other.openIncidents,
      );
    } finally {
      await t.db.deleteFrom("incidents").where("first_event_id", "like", "test-i-%").execute();
    }
  });

  it("compares versions part by part and ends periods on today", () => {
    expect(compareVersions("9.9.0", "14.0.6")).toBe(-1);
    expect(compareVersions("19.1000.00", "19.915.00")).toBe(1);
    expect(compareVersions("14.0", "14.0.0")).toBe(0);
    expect(periodEnding(isoDate("2026-11-28"), 30)).toEqual({
      from: "2026-10-30",
      to: "2026-11-28",
    });
    expect(periodEnding(isoDate("2026-11-28"), 7)).toEqual({
      from: "2026-11-22",
      to: "2026-11-28",
    });
  });
});

describe("phone calls (S1-4①)", () => {
  const actor = { id: "demo-user-2", email: "operator@demo.example" };

  it("lists calls due within the hour in planned order and records a result once, audited", async () => {
    const k1001 = contract("K-1001");
    const { id: incidentId } = await t.db
      .insertInto("incidents")
      .values({
        contract_id: k1001,
        kind: "cc_callback",
        severity: "critical",
        title: "C&Cサーバーとの通信を検知しました（GW-01）",
        opened_at: instant("2026-11-03T03:00:00.000Z"),
        acknowledged_at: null,
        resolved_at: null,
        assignee: null,
        first_event_id: "test-d-4",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const phone = (event: string, planned: string) => ({
      incident_id: incidentId,
      contract_id: k1001,
      event_id: event,
      channel: "phone" as const,
      planned_at: instantOf(new Date(planned)),
      sent_at: null,
      result: null,
      recipient: "06-6571-0001",
      last_error: null,
      outbox_id: null,
    });
    await t.db
      .insertInto("notifications")
      .values([
        phone("test-call-b", "2026-11-03T12:00:00+09:00"),
        phone("test-call-a", "2026-11-03T09:00:00+09:00"),
        phone("test-call-later", "2026-11-03T13:30:00+09:00"), // more than an hour ahead at 12:10
      ])
      .execute();
    const at = new Date("2026-11-03T12:10:00+09:00");
    const due = await dueCalls(t.db, provider, at);
    const mine = due.filter((c) => c.incident_id === incidentId);
    expect(mine.map((c) => instantOf(new Date(c.planned_at)))).toEqual([
      instantOf(new Date("2026-11-03T09:00:00+09:00")),
      instantOf(new Date("2026-11-03T12:00:00+09:00")),
    ]);
    expect(mine[0]).toMatchObject({
      contract_ref: "K-1001",
      customer_name: "株式会社みなと製作所",
      recipient: "06-6571-0001",
    });
    expect(
      (await dueCalls(t.db, customer("C5"), at)).some((c) => c.incident_id === incidentId),
    ).toBe(false);

    // Another tenant cannot record it: it does not exist for them.
    expect(
      await recordCall(t.db, {
        id: mine[0].id,
        tenant: customer("C5"),
        result: "answered",
        note: "",
        at,
        actor,
        ip: "127.0.0.1",
      }),
    ).toEqual({ ok: false, kind: "not_found", message: "電話連絡が見つかりません" });
    expect(
      await recordCall(t.db, {
        id: mine[0].id,
        tenant: provider,
        result: "answered",
        note: "総務の田中さまに説明",
        at,
        actor,
        ip: "127.0.0.1",
      }),
    ).toEqual({ ok: true });
    expect(
      await recordCall(t.db, {
        id: mine[0].id,
        tenant: provider,
        result: "no_answer",
        note: "",
        at,
        actor,
        ip: "127.0.0.1",
      }),
    ).toEqual({ ok: false, kind: "conflict", message: "この電話連絡はすでに記録されています" });
    const stored = await t.db
      .selectFrom("notifications")
      .select(["sent_at", "result"])
      .where("id", "=", mine[0].id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ sent_at: instantOf(at), result: "answered" });
    const notes = await t.db
      .selectFrom("incident_notes")
      .select(["written_at", "author_user_id", "author_name", "body"])
      .where("incident_id", "=", incidentId)
      .execute();
    expect(notes).toEqual([
      {
        written_at: instantOf(at),
        author_user_id: "demo-user-2",
        author_name: "運用 花子",
        body: `電話連絡（06-6571-0001）${CALL_RESULT_LABELS.answered}: 総務の田中さまに説明`,
      },
    ]);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "notification.call")
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      user_email: "operator@demo.example",
      entity_id: String(mine[0].id),
    });
    expect(audit[0].summary).toContain(
      "電話連絡 K-1001 株式会社みなと製作所（06-6571-0001）: 通話済み — 総務の田中さまに説明",
    );
    expect(
      (await dueCalls(t.db, provider, at)).filter((c) => c.incident_id === incidentId),
    ).toHaveLength(1);

    // A call planned later is outside the phone window until then.
    const later = (await dueCalls(t.db, provider, new Date("2026-11-03T12:45:00+09:00"))).find(
      (c) =>
        c.incident_id === incidentId &&
        c.planned_at === instantOf(new Date("2026-11-03T13:30:00+09:00")),
    );
    expect(later).toBeDefined();
    const early = await recordCall(t.db, {
      id: later!.id,
      tenant: provider,
      result: "answered",
      note: "",
      at,
      actor,
      ip: "127.0.0.1",
    });
    expect(early).toEqual({
      ok: false,
      kind: "conflict",
      message: "予定時刻（2026年11月3日 13:30）より前には記録できません。電話連絡は9:00〜21:00です",
    });
  });
});

describe("gateway failures (S1-4④)", () => {
  const actor = { id: "demo-user-2", email: "operator@demo.example" };
  // Saturday 2026-11-28 10:00: east gw10 waits for Monday 11/30 09:00; the others go at once.
  const SATURDAY = jstInstant(isoDate("2026-11-28"), "10:00");

  it("quotes the earliest dispatch from the contract's gateway, area and option, with the rule in words", async () => {
    const choices = await contractsWithGateway(t.db, provider, isoDate("2026-11-28"));
    expect(choices.map((c) => `${c.contractRef} ${c.area} ${c.model} ${c.repair24h}`)).toEqual([
      "K-1001 west gw50 true",
      "K-1002 west gw10 true",
      "K-1003 west gw10 true",
      "K-1004 west gw100 true",
      "K-1005 west gw10 false",
      "K-2001 east gw50 true",
      "K-2002 east gw10 false",
      "K-2003 east gw100 true",
      "K-2004 east gw50 true",
    ]);
    expect(
      (await contractsWithGateway(t.db, customer("C1"), isoDate("2026-11-28"))).map(
        (c) => c.contractRef,
      ),
    ).toEqual(["K-1001", "K-1002"]);

    const gw10East = (await contractGateway(t.db, {
      contractId: contract("K-2002"),
      tenant: provider,
      at: SATURDAY,
    }))!;
    const quote = quoteDispatch(gw10East, SATURDAY);
    expect(quote.earliestDispatchAt).toBe(instantOf(jstInstant(isoDate("2026-11-30"), "09:00")));
    expect(quote.rule).toContain("東日本エリアの10クライアントモデルは平日9:00〜17:00のみ");
    const west = quoteDispatch(
      (await contractGateway(t.db, {
        contractId: contract("K-1005"),
        tenant: provider,
        at: SATURDAY,
      }))!,
      jstInstant(isoDate("2026-11-28"), "18:00"),
    );
    expect(west.earliestDispatchAt).toBe(instantOf(jstInstant(isoDate("2026-11-29"), "09:00")));
    expect(dispatchRuleText({ area: "west", model: "gw50", repair24h: true })).toContain(
      "受付後すぐに出動",
    );
    // A contract outside the tenant has no gateway for it.
    expect(
      await contractGateway(t.db, {
        contractId: contract("K-2002"),
        tenant: customer("C1"),
        at: SATURDAY,
      }),
    ).toBeNull();

    const id = await recordGatewayFailure(t.db, {
      quote,
      customerFault: true,
      notes: "電源が入らない",
      at: SATURDAY,
      actor,
      ip: "127.0.0.1",
    });
    const recent = await recentGatewayFailures(t.db, provider);
    expect(recent[0]).toMatchObject({
      id,
      contract_ref: "K-2002",
      reported_at: instantOf(SATURDAY),
      earliest_dispatch_at: instantOf(jstInstant(isoDate("2026-11-30"), "09:00")),
      customer_fault: 1,
      notes: "電源が入らない",
      recorded_by: "operator@demo.example",
    });
    expect(await recentGatewayFailures(t.db, customer("C1"))).toEqual([]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "gateway_failure.record")
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      "ゲートウェイ故障の受付 K-2002 合同会社ひばり不動産: 受付 2026年11月28日 10:00、最短出動 2026年11月30日 09:00（お客さま起因・有償）",
    ]);
  });
});
