// Bulk insert of security events inside the ingest transaction; an id already stored is
// skipped (`on conflict (id) do nothing`, portable to PostgreSQL). Dialect-aware: with the
// raw SQLite connection (the same connection the Kysely transaction runs on) one prepared
// statement is reused for every row — the statement Kysely would build, minus building and
// preparing it 200 times per 100,000 events (docs/decisions/0004-security-data.md). Any other
// database gets multi-row inserts through Kysely.
//
// Both keep the dashboard's daily aggregates (migration 000800) in the same transaction: the
// rows actually inserted (a duplicate id counts nothing) are counted in memory per contract,
// JST day and type/action, threat and device, and added with a few multi-row upserts in
// finish(); meanwhile the per-row insert trigger, which would cost three upserts per event, is
// off: dropped and recreated by the SQLite path, paused (event_daily_paused) by the other.
import type SQLite from "better-sqlite3";
import type { Insertable, Transaction } from "kysely";
import { chunks } from "../../db/chunks";
import type { Database, SecurityEventTable } from "../../db/schema";
import { DETECTION_TYPES } from "./dashboard.server";
import { instantOf, isoDate } from "../lib/jst";

export type EventRow = Insertable<SecurityEventTable>;

export interface EventWriter {
  /** Returns a promise only when the row had to wait for a batch to be written. */
  add(row: EventRow): void | Promise<void>;
  /** Writes what is pending; returns how many rows were inserted in all (duplicates excluded). */
  finish(): Promise<number>;
}

const COLUMNS = [
  "id",
  "contract_id",
  "device_id",
  "device_name",
  "source",
  "type",
  "severity",
  "action",
  "threat",
  "url",
  "detected_at",
  "ingested_at",
] as const satisfies ReadonlyArray<keyof SecurityEventTable>;
const BATCH_ROWS = 500;

export function eventWriter(trx: Transaction<Database>, sqlite?: SQLite.Database): EventWriter {
  return sqlite ? preparedWriter(trx, sqlite) : batchedWriter(trx);
}

function preparedWriter(trx: Transaction<Database>, sqlite: SQLite.Database): EventWriter {
  // Even paused, a trigger costs SQLite about as much per row as the insert itself; so this path
  // drops it for the write and recreates it from its own text before the commit. The same
  // connection, inside the caller's transaction (begun before the writer is made): DDL is
  // transactional in SQLite, a failure rolls the drop back, and no other writer runs meanwhile.
  const trigger = sqlite
    .prepare(`select "sql" from "sqlite_master" where "type" = 'trigger' and "name" = ?`)
    .get(INSERT_TRIGGER) as { sql: string } | undefined;
  if (trigger) sqlite.exec(`drop trigger "${INSERT_TRIGGER}"`);
  const statement = sqlite.prepare(
    `insert into "security_events" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) ` +
      `values (${COLUMNS.map(() => "?").join(", ")}) on conflict ("id") do nothing`,
  );
  const tally = new DailyTally();
  let inserted = 0;
  return {
    add(r) {
      const changes = statement.run(
        r.id,
        r.contract_id,
        r.device_id ?? null,
        r.device_name,
        r.source,
        r.type,
        r.severity,
        r.action ?? null,
        r.threat ?? null,
        r.url ?? null,
        r.detected_at,
        r.ingested_at,
      ).changes;
      if (changes) {
        inserted += changes;
        tally.add(r);
      }
    },
    async finish() {
      await tally.write(trx);
      if (trigger) sqlite.exec(trigger.sql);
      return inserted;
    },
  };
}

function batchedWriter(trx: Transaction<Database>): EventWriter {
  let batch: EventRow[] = [];
  let inserted = 0;
  let paused = false;
  const tally = new DailyTally();
  const flush = async () => {
    if (batch.length === 0) return;
    if (!paused) {
      await trx
        .insertInto("event_daily_paused")
        .values({ id: 1 })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
      paused = true;
    }
    // `returning` names exactly the rows inserted, duplicates excluded (SQLite ≥ 3.35, PostgreSQL).
    const rows = await trx
      .insertInto("security_events")
      .values(batch)
      .onConflict((oc) => oc.column("id").doNothing())
      .returning("id")
      .execute();
    const ids = new Set(rows.map((r) => r.id));
    for (const row of batch) {
      if (ids.delete(row.id)) tally.add(row); // of an id repeated in one batch, the first is the one stored
    }
    inserted += rows.length;
    batch = [];
  };
  return {
    add(row) {
      batch.push(row);
      return batch.length >= BATCH_ROWS ? flush() : undefined;
    },
    async finish() {
      await flush();
      if (paused) {
        await tally.write(trx);
        await trx.deleteFrom("event_daily_paused").execute();
      }
      return inserted;
    },
  };
}

/** The per-row insert trigger of the aggregates (migration 000800). */
const INSERT_TRIGGER = "security_events_daily_insert";
const DETECTIONS: ReadonlySet<string> = new Set(DETECTION_TYPES);
const JST_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** The inserted events counted per contract and JST day, as the aggregate tables hold them. */
class DailyTally {
  private counts = new Map<string, number>();
  private threats = new Map<string, number>();
  private devices = new Map<string, number>();
  // Events come in time order: the JST day of the previous one usually holds the next one too
  // (detected_at is toISOString() text, so text order is time order).
  private dayStart = "";
  private dayEnd = "";
  private day = "";

  add(r: EventRow): void {
    const at = r.detected_at;
    if (!(at >= this.dayStart && at < this.dayEnd)) {
      const t = Date.parse(at) + JST_OFFSET_MS;
      const start = t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
      this.day = new Date(start).toISOString().slice(0, 10);
      this.dayStart = instantOf(new Date(start - JST_OFFSET_MS));
      this.dayEnd = instantOf(new Date(start - JST_OFFSET_MS + DAY_MS));
    }
    const prefix = `${r.contract_id}\u0000${this.day}\u0000`;
    bump(this.counts, `${prefix}${r.type}\u0000${r.action ?? ""}`);
    if (DETECTIONS.has(r.type)) {
      if (r.threat != null) bump(this.threats, `${prefix}${r.threat}`);
      bump(this.devices, `${prefix}${r.device_name}`);
    }
  }

  /** Adds the counts to the tables. */
  async write(trx: Transaction<Database>): Promise<void> {
    const split = (key: string) => key.split("\u0000");
    for (const rows of chunks(
      [...this.counts].map(([k, count]) => {
        const [contractId, day, type, action] = split(k);
        return { contract_id: Number(contractId), day: isoDate(day), type, action, count };
      }),
    )) {
      await trx
        .insertInto("event_daily_counts")
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["contract_id", "day", "type", "action"]).doUpdateSet((eb) => ({
            count: eb("event_daily_counts.count", "+", eb.ref("excluded.count")),
          })),
        )
        .execute();
    }
    for (const rows of chunks(
      [...this.threats].map(([k, count]) => {
        const [contractId, day, threat] = split(k);
        return { contract_id: Number(contractId), day: isoDate(day), threat, count };
      }),
    )) {
      await trx
        .insertInto("event_daily_threats")
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["contract_id", "day", "threat"]).doUpdateSet((eb) => ({
            count: eb("event_daily_threats.count", "+", eb.ref("excluded.count")),
          })),
        )
        .execute();
    }
    for (const rows of chunks(
      [...this.devices].map(([k, count]) => {
        const [contractId, day, deviceName] = split(k);
        return {
          contract_id: Number(contractId),
          day: isoDate(day),
          device_name: deviceName,
          count,
        };
      }),
    )) {
      await trx
        .insertInto("event_daily_devices")
        .values(rows)
        .onConflict((oc) =>
          oc.columns(["contract_id", "day", "device_name"]).doUpdateSet((eb) => ({
            count: eb("event_daily_devices.count", "+", eb.ref("excluded.count")),
          })),
        )
        .execute();
    }
    this.counts.clear();
    this.threats.clear();
    this.devices.clear();
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
