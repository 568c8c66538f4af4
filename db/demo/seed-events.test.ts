// The demo's security events: the generator's shape (pure) and what seeding 2026-11-22 leaves in
// the database (incidents by age, the S1-4① cases, six months of events and no more).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dayOfWeek,
  formatJstIso,
  instantOf,
  isNationalHoliday,
  isoDate,
  type IsoDate,
  jstDate,
  jstInstant,
} from "../../app/lib/jst";
import type { EventRecord } from "../../app/security/event-lines";
import { notificationPlan } from "../../app/security/notifications.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "../../test/support/database";
import { generateEvents, type EventContract, type EventDevice } from "./seed-events";

const pcs = (n: number, extra: Partial<EventDevice> = {}): EventDevice[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `PC-${String(i + 1).padStart(3, "0")}`,
    gateway: false,
    outdated: false,
    lastSeenAt: null,
    ...extra,
  }));
const gw: EventDevice = { name: "GW-01", gateway: true, outdated: false, lastSeenAt: null };

const CONTRACTS: EventContract[] = [
  {
    ref: "K-BIG",
    from: isoDate("2026-05-22"),
    devices: [gw, ...pcs(39)],
    sandboxFrom: null,
    quiet: [
      {
        from: jstInstant(isoDate("2026-09-01"), "08:00"),
        to: jstInstant(isoDate("2026-09-03"), "12:00"),
      },
    ],
  },
  {
    ref: "K-SMALL",
    from: isoDate("2026-05-22"),
    devices: [gw, ...pcs(9)],
    sandboxFrom: isoDate("2026-10-01"),
  },
  {
    ref: "K-STALE",
    from: isoDate("2026-07-01"),
    devices: [
      gw,
      {
        name: "PC-OLD",
        gateway: false,
        outdated: true,
        lastSeenAt: jstInstant(isoDate("2026-08-01"), "12:00"),
      },
    ],
    sandboxFrom: null,
  },
];
const UNTIL = new Date("2026-11-22T10:00:00+09:00");
const generate = (until = UNTIL) => [
  ...generateEvents(CONTRACTS, { from: isoDate("2026-05-22"), until, seed: "test" }),
];

describe("event generator", () => {
  const events = generate();
  const of = (ref: string) => events.filter((e) => e.contract === ref);

  it("is deterministic, and an earlier end only cuts the tail", () => {
    expect(generate()).toEqual(events);
    const morning = new Date("2026-11-22T08:30:00+09:00");
    expect(generate(morning)).toEqual(
      events.filter((e) => e.detectedAt.getTime() <= morning.getTime()),
    );
  });

  it("stays inside the window, in time order, with unique ids", () => {
    expect(events[0].detectedAt.getTime()).toBeGreaterThanOrEqual(
      jstInstant(isoDate("2026-05-22")).getTime(),
    );
    expect(events.at(-1)!.detectedAt.getTime()).toBeLessThanOrEqual(UNTIL.getTime());
    expect(events.every((e, i) => i === 0 || events[i - 1].detectedAt <= e.detectedAt)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(of("K-STALE").every((e) => jstDate(e.detectedAt) >= "2026-07-01")).toBe(true);
  });

  it("follows the number of devices, the working week and working hours", () => {
    const ratio = of("K-BIG").length / of("K-SMALL").length;
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
    const perDay = (pick: (date: IsoDate) => boolean) => {
      const days = new Set<string>();
      let n = 0;
      for (const e of of("K-BIG")) {
        const date = jstDate(e.detectedAt);
        if (!pick(date)) continue;
        days.add(date);
        n++;
      }
      return n / days.size;
    };
    const weekday = perDay((d) => dayOfWeek(d) >= 1 && dayOfWeek(d) <= 5 && !isNationalHoliday(d));
    const weekend = perDay((d) => dayOfWeek(d) === 0 || dayOfWeek(d) === 6);
    expect(weekday).toBeGreaterThan(60); // 40 devices × 2 a day, give or take
    expect(weekday).toBeLessThan(100);
    expect(weekday / weekend).toBeGreaterThan(2);
    const office = events.filter((e) => {
      const h = Number(formatJstIso(e.detectedAt).slice(11, 13));
      return h >= 9 && h < 18;
    });
    expect(office.length / events.length).toBeGreaterThan(0.65);
  });

  it("mixes the detection types, web blocks and spam first", () => {
    const byType = new Map<string, number>();
    for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    const ranked = [...byType.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
    expect(ranked.slice(0, 2).sort()).toEqual(["spam", "web_block"]);
    for (const type of [
      "virus",
      "phishing",
      "grayware",
      "intrusion",
      "app_block",
      "sandbox",
      "pattern_outdated",
    ]) {
      expect(byType.get(type) ?? 0).toBeGreaterThan(0);
    }
    // Never one of the S1-4① cases on its own: those are placed by hand.
    expect(
      events.some(
        (e) => e.type === "cc_callback" || e.type.startsWith("gateway_") || e.action === "failed",
      ),
    ).toBe(false);
  });

  it("respects outages, devices not seen any more and the sandbox option", () => {
    const [quiet] = CONTRACTS[0].quiet!;
    const inOutage = (e: EventRecord) => e.detectedAt >= quiet.from && e.detectedAt < quiet.to;
    expect(
      of("K-BIG")
        .filter((e) => e.source !== "endpoint")
        .some(inOutage),
    ).toBe(false);
    expect(
      of("K-BIG")
        .filter((e) => e.source === "endpoint")
        .some(inOutage),
    ).toBe(true);
    const old = of("K-STALE").filter((e) => e.device === "PC-OLD");
    expect(old.length).toBeGreaterThan(0);
    expect(
      old.every(
        (e) => e.detectedAt.getTime() <= jstInstant(isoDate("2026-08-01"), "12:00").getTime(),
      ),
    ).toBe(true);
    expect(old.some((e) => e.type === "pattern_outdated")).toBe(true);
    expect(
      events
        .filter((e) => e.type === "sandbox")
        .every((e) => e.contract === "K-SMALL" && jstDate(e.detectedAt) >= "2026-10-01"),
    ).toBe(true);
    expect(
      events.every((e) =>
        CONTRACTS.find((c) => c.ref === e.contract)!.devices.some((d) => d.name === e.device),
      ),
    ).toBe(true);
  });
});

describe("demo seed of 2026-11-22", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ seed: true });
  });
  afterAll(() => t.dispose());

  it("holds six months of events of the active contracts, each on a device of the demo", async () => {
    const rows = await t.db
      .selectFrom("security_events")
      .innerJoin("contracts", "contracts.id", "security_events.contract_id")
      .select((eb) => [
        "contracts.ref",
        eb.fn.countAll<number>().as("n"),
        eb.fn.min("detected_at").as("first"),
        eb.fn.max("detected_at").as("last"),
      ])
      .groupBy("contracts.ref")
      .orderBy("contracts.ref")
      .execute();
    expect(rows.map((r) => r.ref)).toEqual([
      "K-1001",
      "K-1002",
      "K-1003",
      "K-1004",
      "K-1005",
      "K-2001",
      "K-2002",
      "K-2003",
      "K-2004",
    ]);
    const total = rows.reduce((s, r) => s + Number(r.n), 0);
    expect(total).toBeGreaterThan(30_000);
    expect(total).toBeLessThan(60_000);
    expect(
      rows.every(
        (r) =>
          String(r.first) >= "2026-05-21T15:00:00.000Z" && String(r.last) <= instantOf(TEST_NOW),
      ),
    ).toBe(true);
    const k1004 = Number(rows.find((r) => r.ref === "K-1004")!.n);
    const k1002 = Number(rows.find((r) => r.ref === "K-1002")!.n);
    expect(k1004 / k1002).toBeGreaterThan(5); // 37 devices against 4
    const orphans = await t.db
      .selectFrom("security_events")
      .select("id")
      .where("device_id", "is", null)
      .execute();
    expect(orphans).toEqual([]);
  });

  it("opens the S1-4① incidents, handled according to their age", async () => {
    const incidents = await t.db
      .selectFrom("incidents")
      .innerJoin("contracts", "contracts.id", "incidents.contract_id")
      .select([
        "contracts.ref",
        "incidents.kind",
        "incidents.status",
        "incidents.opened_at",
        "incidents.assignee",
        "incidents.id",
      ])
      .orderBy("incidents.opened_at")
      .execute();
    expect(
      incidents.map((i) => [i.ref, i.kind, i.status, formatJstIso(new Date(i.opened_at))]),
    ).toEqual([
      ["K-1003", "virus_not_removed", "resolved", "2026-06-25T16:40:00+09:00"],
      ["K-1004", "virus_not_removed", "resolved", "2026-08-14T11:15:00+09:00"],
      ["K-2001", "gateway_offline", "resolved", "2026-09-03T09:50:00+09:00"], // the outage the billing demo credits
      ["K-2003", "cc_callback", "resolved", "2026-09-22T03:12:00+09:00"],
      ["K-2001", "cc_callback", "resolved", "2026-10-17T22:30:00+09:00"], // no 12/28 in the window: a Saturday night
      ["K-2004", "gateway_offline", "resolved", "2026-11-02T03:40:00+09:00"], // offline 02:40–04:10: notified at 60 minutes
      ["K-1001", "cc_callback", "resolved", "2026-11-10T23:10:00+09:00"],
      ["K-1002", "virus_not_removed", "acknowledged", "2026-11-18T10:30:00+09:00"],
      ["K-2001", "virus_not_removed", "new", "2026-11-21T14:20:00+09:00"],
    ]);
    const handled = incidents.filter((i) => i.status !== "new");
    expect(handled.every((i) => i.assignee === "運用 花子")).toBe(true);
    // Notes are rows by the operator's display name (migration 001150), one per handled incident at least.
    const notes = await t.db
      .selectFrom("incident_notes")
      .select(["incident_id", "author_name", "body"])
      .execute();
    expect(new Set(notes.map((n) => n.incident_id))).toEqual(new Set(handled.map((i) => i.id)));
    expect(new Set(notes.map((n) => n.author_name))).toEqual(new Set(["運用 花子"]));
    expect(notes.some((n) => n.body.includes("@"))).toBe(false);
    // The 30-minute outage of K-2004 (13:05–13:35, 45 days ago) is stored but notified nobody.
    const k2004 = await t.db
      .selectFrom("security_events")
      .innerJoin("contracts", "contracts.id", "security_events.contract_id")
      .select(["security_events.type", "security_events.detected_at"])
      .where("contracts.ref", "=", "K-2004")
      .where("security_events.type", "in", ["gateway_offline", "gateway_online"])
      .orderBy("detected_at")
      .execute();
    expect(k2004.map((e) => `${e.type} ${formatJstIso(new Date(e.detected_at))}`)).toEqual([
      "gateway_offline 2026-10-08T13:05:00+09:00",
      "gateway_online 2026-10-08T13:35:00+09:00",
      "gateway_offline 2026-11-02T02:40:00+09:00",
      "gateway_online 2026-11-02T04:10:00+09:00",
    ]);
  });

  it("has sent every incident mail and made the calls of the handled incidents; the new one's call is due", async () => {
    expect(
      await t.db
        .selectFrom("outbox")
        .select("id")
        .where("kind", "=", "incident_notification")
        .where("status", "<>", "sent")
        .execute(),
    ).toEqual([]);
    const calls = await t.db
      .selectFrom("notifications")
      .innerJoin("incidents", "incidents.id", "notifications.incident_id")
      .select(["incidents.status", "notifications.sent_at", "notifications.result"])
      .where("channel", "=", "phone")
      .execute();
    expect(calls.filter((c) => c.status === "new").map((c) => [c.sent_at, c.result])).toEqual([
      [null, null],
    ]);
    expect(
      calls
        .filter((c) => c.status !== "new")
        .every((c) => c.sent_at !== null && c.result === "answered"),
    ).toBe(true);
    const plan = await notificationPlan(t.db, {
      ref: "K-1001",
      tenant: { kind: "provider" },
      now: TEST_NOW,
    });
    expect(plan?.map((n) => [n.channel, formatJstIso(n.at)])).toEqual([
      ["email", "2026-11-10T23:10:00+09:00"],
      ["phone", "2026-11-11T09:00:00+09:00"],
    ]);
  });
});
