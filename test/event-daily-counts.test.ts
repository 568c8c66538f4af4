// The dashboard's daily aggregates (migration 000800: event_daily_counts, event_daily_threats,
// event_daily_devices) always equal a GROUP BY over security_events by JST day: after an ingest
// through the prepared-statement path and through the Kysely batches (duplicates included), after
// the S1-4⑤ purge, and after the migration's backfill of events stored before it.
import { Kysely, Migrator, sql, SqliteDialect } from "kysely";
import SQLite from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instant, instantOf, isoDate, jstDate } from "../app/lib/jst";
import { DETECTION_TYPES } from "../app/security/dashboard.server";
import type { EventRecord } from "../app/security/event-lines";
import type { SecurityEventAction, SecurityEventType } from "../app/security/notification-windows";
import { ingestRecords } from "../app/security/ingest.server";
import { purgeExpiredEvents } from "../app/security/retention.server";
import type { Database } from "../db/schema";
import { migrations } from "../db/migrations";
import {
  createTestDatabase,
  describeOnSqlite,
  fastPathOf,
  TEST_NOW,
  TEST_ON_POSTGRES,
  type TestDatabase,
} from "./support/database";

type Db = Kysely<Database>;
const detection = new Set<string>(DETECTION_TYPES);
const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();

/** What the aggregates must hold: the events counted in JavaScript by JST day. */
async function expected(db: Db) {
  const events = await db
    .selectFrom("security_events")
    .select(["contract_id", "device_name", "type", "action", "threat", "detected_at"])
    .execute();
  const tally = (key: (e: (typeof events)[number]) => unknown[] | null) => {
    const m = new Map<string, number>();
    for (const e of events) {
      const k = key(e);
      if (k) m.set(JSON.stringify(k), (m.get(JSON.stringify(k)) ?? 0) + 1);
    }
    return [...m].map(([k, count]) => JSON.stringify([...JSON.parse(k), count])).sort();
  };
  const day = (e: { detected_at: string }) => jstDate(new Date(e.detected_at));
  return {
    counts: tally((e) => [e.contract_id, day(e), e.type, e.action ?? ""]),
    threats: tally((e) =>
      e.threat !== null && detection.has(e.type) ? [e.contract_id, day(e), e.threat] : null,
    ),
    devices: tally((e) => (detection.has(e.type) ? [e.contract_id, day(e), e.device_name] : null)),
  };
}

async function stored(db: Db) {
  const counts = await db
    .selectFrom("event_daily_counts")
    .select(["contract_id", "day", "type", "action", "count"])
    .execute();
  const threats = await db
    .selectFrom("event_daily_threats")
    .select(["contract_id", "day", "threat", "count"])
    .execute();
  const devices = await db
    .selectFrom("event_daily_devices")
    .select(["contract_id", "day", "device_name", "count"])
    .execute();
  return {
    counts: sorted(counts.map((r) => [r.contract_id, r.day, r.type, r.action, r.count])),
    threats: sorted(threats.map((r) => [r.contract_id, r.day, r.threat, r.count])),
    devices: sorted(devices.map((r) => [r.contract_id, r.day, r.device_name, r.count])),
  };
}

/**
 * The same GROUP BY in SQL over security_events, with the JST day as each engine's triggers
 * compute it (SQLite: date(…, '+9 hours'); PostgreSQL: at time zone 'Asia/Tokyo').
 */
async function groupedInSql(db: Db) {
  const day = TEST_ON_POSTGRES
    ? "to_char(detected_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD')"
    : "date(detected_at, '+9 hours')";
  const q = async (s: string) =>
    sorted((await sql.raw<Record<string, unknown>>(s).execute(db)).rows.map(Object.values));
  const inDetections = `type in (${DETECTION_TYPES.map((t) => `'${t}'`).join(", ")})`;
  return {
    counts: await q(
      `select contract_id, ${day} as day, type, coalesce(action, '') as action, count(*) as n from security_events group by 1, 2, 3, 4`,
    ),
    threats: await q(
      `select contract_id, ${day} as day, threat, count(*) as n from security_events where threat is not null and ${inDetections} group by 1, 2, 3`,
    ),
    devices: await q(
      `select contract_id, ${day} as day, device_name, count(*) as n from security_events where ${inDetections} group by 1, 2, 3`,
    ),
  };
}

const TYPES: SecurityEventType[] = [
  "virus",
  "spyware",
  "phishing",
  "web_block",
  "cc_callback",
  "pattern_outdated",
  "gateway_offline",
  "gateway_online",
];
const ACTIONS: Array<SecurityEventAction | null> = [
  "blocked",
  "quarantined",
  "removed",
  "failed",
  "passed",
  null,
];

/** N events over the contracts, devices, types and actions, around JST midnights and the retention boundary. */
function events(n: number, prefix: string): EventRecord[] {
  const contracts = ["K-1001", "K-1002", "K-2001"];
  const start = Date.parse("2026-05-18T14:00:00Z"); // 23:00 JST, before the window of TEST_NOW (2026-05-22)
  return Array.from({ length: n }, (_, i) => {
    const type = TYPES[i % TYPES.length];
    return {
      kind: "event",
      id: `${prefix}-${i}`,
      contract: contracts[i % 3],
      device: `PC-00${i % 4}`,
      source: "endpoint",
      type,
      severity: "medium",
      action: type.startsWith("gateway_") ? null : ACTIONS[(i * 7) % ACTIONS.length],
      threat: i % 5 === 0 ? null : `TEST.THREAT.${i % 3}`,
      url: null,
      // ~37 minutes apart: every hour of the JST day, several days either side of the cutoff.
      detectedAt: new Date(start + i * 37 * 60_000 + (i % 11) * 1000),
    } satisfies EventRecord;
  });
}

describe("daily aggregates", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase({ seed: true, events: false });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it("equal a GROUP BY over security_events after ingests (both writers, duplicates skipped) and a purge", async () => {
    const batch = events(600, "agg");
    const fast = await ingestRecords(t.db, batch.slice(0, 400), {
      now: TEST_NOW,
      sqlite: fastPathOf(t),
    });
    expect(fast.inserted).toBe(400);
    // The Kysely batches (no raw connection), overlapping the first ingest by 100 ids: not counted twice.
    const portable = await ingestRecords(t.db, batch.slice(300), { now: TEST_NOW });
    expect(portable).toMatchObject({ inserted: 200, duplicates: 100 });
    // The fast path again over ids already stored, some with another time: nothing changes.
    await ingestRecords(
      t.db,
      batch
        .slice(0, 50)
        .map((e) => ({ ...e, detectedAt: new Date(e.detectedAt.getTime() + 86_400_000) })),
      { now: TEST_NOW, sqlite: fastPathOf(t) },
    );
    expect(
      await t.db
        .selectFrom("security_events")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ).toEqual({ n: 600 });

    const before = await stored(t.db);
    expect(before).toEqual(await expected(t.db));
    expect(before).toEqual(await groupedInSql(t.db));
    expect(before.counts.length).toBeGreaterThan(100);

    const purged = await purgeExpiredEvents(t.db, TEST_NOW, { batchSize: 7 });
    expect(purged.deleted).toBeGreaterThan(50);
    const after = await stored(t.db);
    expect(after).toEqual(await expected(t.db));
    expect(after).toEqual(await groupedInSql(t.db));
    // No day before the window is left, not even with a count of 0.
    const oldest = await t.db
      .selectFrom("event_daily_counts")
      .select((eb) => eb.fn.min<string>("day").as("d"))
      .executeTakeFirstOrThrow();
    expect(oldest.d! >= "2026-05-22").toBe(true);
    expect(
      await t.db.selectFrom("event_daily_devices").select("day").where("count", "<=", 0).execute(),
    ).toEqual([]);
  });

  it("follow an event whose fields are corrected in place", async () => {
    await ingestRecords(t.db, events(40, "upd"), { now: TEST_NOW, sqlite: fastPathOf(t) });
    await t.db
      .updateTable("security_events")
      .set({ type: "spam", action: "blocked", threat: "TEST.SPAM" })
      .where("id", "like", "upd-1%")
      .execute();
    await t.db
      .updateTable("security_events")
      .set({ detected_at: instant("2026-11-20T15:00:00.000Z") })
      .where("id", "like", "upd-2%")
      .execute();
    expect(await stored(t.db)).toEqual(await expected(t.db));
  });
});

// SQLite's frozen migration history: PostgreSQL starts from its baseline (decision 0023).
describeOnSqlite("migration 000800", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("backfills the aggregates from the events stored before it", async () => {
    dir = mkdtempSync(join(tmpdir(), "agg-backfill-"));
    const sqlite = new SQLite(join(dir, "app.db"));
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    try {
      const provider = { getMigrations: async () => migrations };
      const migrator = new Migrator({ db, provider });
      const upTo = await migrator.migrateTo("2026_11_22_000600_incident_events_by_event");
      expect(upTo.error).toBeUndefined();
      await db
        .insertInto("customers")
        .values({
          ref: "C-X",
          reseller_id: null,
          name: "X",
          email: "x@x",
          phone: "0",
          address: "x",
          created_at: instantOf(TEST_NOW),
        })
        .execute();
      for (const [k, ref] of ["K-1001", "K-1002", "K-2001"].entries()) {
        await db
          .insertInto("contracts")
          .values({
            id: k + 1,
            ref,
            customer_id: 1,
            line_id: `L${k}`,
            area: "east",
            base_plan: "base.standard",
            service_start: isoDate("2026-01-01"),
            status: "active",
            termination_date: null,
            offline_threshold_minutes: 60,
            admin_email: "x@x",
            admin_phone: "0",
            created_at: instantOf(TEST_NOW),
          })
          .execute();
      }
      const contractId = (ref: string) => ["K-1001", "K-1002", "K-2001"].indexOf(ref) + 1;
      await db
        .insertInto("security_events")
        .values(
          events(300, "old").map((e) => ({
            id: e.id,
            contract_id: contractId(e.contract),
            device_id: null,
            device_name: e.device,
            source: e.source,
            type: e.type,
            severity: e.severity,
            action: e.action,
            threat: e.threat,
            url: e.url,
            detected_at: instantOf(e.detectedAt),
            ingested_at: instantOf(TEST_NOW),
          })),
        )
        .execute();

      const latest = await migrator.migrateToLatest();
      expect(latest.error).toBeUndefined();
      const backfilled = await stored(db);
      expect(backfilled.counts.length).toBeGreaterThan(50);
      expect(backfilled).toEqual(await expected(db));
    } finally {
      await db.destroy();
    }
  });
});
