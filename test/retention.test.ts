// S1-4⑤ retention: events detected before the same day 6 months ago (JST) are purged, in
// batches; incidents and their notifications stay. Against the demo data of 2026-11-22, whose
// events cover exactly the retention window.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instant, type Instant, jstDate } from "../app/lib/jst";
import type { EventRecord } from "../app/security/event-lines";
import { listIncidents } from "../app/security/incidents.server";
import { ingestRecords } from "../app/security/ingest.server";
import { purgeExpiredEvents } from "../app/security/retention.server";
import {
  createTestDatabase,
  fastPathOf,
  TEST_NOW,
  describeOnSqlite,
  type TestDatabase,
} from "./support/database";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
});
afterEach(async () => {
  await t.dispose();
});

const ev = (id: string, detectedAt: string, extra: Partial<EventRecord> = {}): EventRecord => ({
  kind: "event",
  id,
  contract: "K-1003",
  device: "PC-001",
  source: "endpoint",
  type: "virus",
  severity: "medium",
  action: "quarantined",
  threat: "TROJ_GENERIC.R002C0",
  url: null,
  detectedAt: new Date(detectedAt),
  ...extra,
});

// TEST_NOW is 2026-11-22 10:00 JST: the window starts 2026-05-22 00:00 JST (2026-05-21 15:00 UTC).
const AROUND_THE_BOUNDARY = [
  ev("ret-old", "2025-12-01T09:00:00+09:00"),
  ev("ret-failed", "2026-04-01T11:00:00+09:00", { action: "failed", threat: "WORM_DOWNAD.AD" }), // opens an incident
  ev("ret-day-before", "2026-05-21T10:00:00+09:00"),
  ev("ret-last-ms", "2026-05-21T23:59:59.999+09:00"),
  ev("ret-first-instant", "2026-05-22T00:00:00+09:00"),
  ev("ret-first-ms", "2026-05-21T15:00:00.001Z"),
];
const KEPT = ["ret-first-instant", "ret-first-ms"];

async function counts(cutoff: Instant) {
  const row = await t.db
    .selectFrom("security_events")
    .select((eb) => [
      eb.fn.countAll<number>().as("all"),
      eb.fn
        .sum<number>(eb.case().when("detected_at", "<", cutoff).then(1).else(0).end())
        .as("before"),
    ])
    .executeTakeFirstOrThrow();
  return { before: Number(row.before ?? 0), from: Number(row.all) - Number(row.before ?? 0) };
}

const retIds = async () =>
  (
    await t.db
      .selectFrom("security_events")
      .select("id")
      .where("id", "like", "ret-%")
      .orderBy("id")
      .execute()
  ).map((r) => r.id);

describe("S1-4⑤ purge", () => {
  it("deletes exactly the events detected before 00:00 JST of the same day 6 months ago, in batches", async () => {
    const demo = await counts(instant("2026-05-21T15:00:00.000Z"));
    // The demo's events are the retention window itself: nothing of theirs is expired.
    expect(demo.before).toBe(0);
    expect(demo.from).toBeGreaterThan(30_000);

    await ingestRecords(t.db, AROUND_THE_BOUNDARY, { now: TEST_NOW, sqlite: fastPathOf(t) });
    expect(await counts(instant("2026-05-21T15:00:00.000Z"))).toEqual({
      before: 4,
      from: demo.from + 2,
    });

    expect(await purgeExpiredEvents(t.db, TEST_NOW, { batchSize: 3 })).toEqual({
      before: "2026-05-22",
      deleted: 4,
      batches: 2,
    });
    expect(await counts(instant("2026-05-21T15:00:00.000Z"))).toEqual({
      before: 0,
      from: demo.from + 2,
    });
    expect(await retIds()).toEqual(KEPT);
    expect(await purgeExpiredEvents(t.db, TEST_NOW)).toEqual({
      before: "2026-05-22",
      deleted: 0,
      batches: 0,
    });
  });

  it("keeps the incident and its notifications of a purged event (S1-4①), without the link to the event", async () => {
    await ingestRecords(t.db, AROUND_THE_BOUNDARY, { now: TEST_NOW, sqlite: fastPathOf(t) });
    const incident = await t.db
      .selectFrom("incidents")
      .select(["id", "kind"])
      .where("first_event_id", "=", "ret-failed")
      .executeTakeFirstOrThrow();
    expect(incident.kind).toBe("virus_not_removed");
    const links = () =>
      t.db
        .selectFrom("incident_events")
        .select("event_id")
        .where("incident_id", "=", incident.id)
        .execute();
    expect(await links()).toEqual([{ event_id: "ret-failed" }]);

    await purgeExpiredEvents(t.db, TEST_NOW);
    expect(
      await t.db.selectFrom("incidents").select("id").where("id", "=", incident.id).execute(),
    ).toHaveLength(1);
    expect(
      (
        await t.db
          .selectFrom("notifications")
          .select("channel")
          .where("incident_id", "=", incident.id)
          .orderBy("channel")
          .execute()
      ).map((n) => n.channel),
    ).toEqual(["email", "phone"]);
    expect(await links()).toEqual([]);
    // The list still names the device of the purged event, and filters by it.
    const listed = await listIncidents(t.db, { kind: "provider" }, { device: "PC-001" });
    expect(listed.find((i) => i.id === incident.id)?.device_name).toBe("PC-001");
  });

  it("a month later purges the demo's first month, counted on both sides of 2026-06-22 00:00 JST", async () => {
    const detected = (await t.db.selectFrom("security_events").select("detected_at").execute()).map(
      (r) => jstDate(new Date(r.detected_at)),
    );
    const expired = detected.filter((d) => d < "2026-06-22").length;
    const kept = detected.length - expired;
    expect(expired).toBeGreaterThan(4_000); // a month of a six-month demo
    expect(kept).toBeGreaterThan(25_000);

    const result = await purgeExpiredEvents(t.db, new Date("2026-12-22T02:00:00+09:00"));
    expect(result).toEqual({
      before: "2026-06-22",
      deleted: expired,
      batches: Math.ceil(expired / 5_000),
    });
    expect(await counts(instant("2026-06-21T15:00:00.000Z"))).toEqual({ before: 0, from: kept });
  });
});

describeOnSqlite("S1-4⑤ purge at scale", () => {
  // SQLite's query plan: PostgreSQL chooses its own (decision 0023).
  it("finds a purged event's incident links through an index instead of scanning them for every event", () => {
    const plan = t.sqlite
      .prepare("explain query plan delete from security_events where id = ?")
      .all("x") as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail)).toContain(
      "SEARCH incident_events USING COVERING INDEX incident_events_event_idx (event_id=?)",
    );
  });
});

describe("command", () => {
  it("prints what it deleted and the first kept day", async () => {
    await ingestRecords(t.db, AROUND_THE_BOUNDARY, { now: TEST_NOW, sqlite: fastPathOf(t) });
    await t.close();
    const run = (appNow: string) =>
      execFileSync(process.execPath, ["--import", "tsx", "scripts/retention.ts"], {
        cwd: join(import.meta.dirname, ".."),
        env: { ...process.env, DATABASE_URL: t.url, APP_NOW: appNow },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    expect(run("2026-11-22T10:00:00+09:00")).toBe(
      "retention: deleted 4 events detected before 2026-05-22\n",
    );
    expect(run("2026-11-22T10:00:00+09:00")).toBe(
      "retention: deleted 0 events detected before 2026-05-22\n",
    );
  });
});
