// The security dashboard's detection figures from small daily aggregates instead of the events:
// per contract and JST day, the events by type and action, the detections by threat and the
// detections by device (docs/decisions/0004-security-data.md, "Daily aggregates"). Counting a
// million events per page view took 1.5 s (customer) to 5 s (provider); the aggregates hold a
// few rows per contract, day and type.
//
// They are kept by triggers on security_events, so they move in the same statement — hence the
// same transaction — as the row itself, whoever writes it: the S1-4⑤ purge and a contract's
// cascade (delete: decremented, rows that reach 0 removed), corrections, direct writes (tests,
// repairs). A duplicate skipped by `on conflict ("id") do nothing` inserts nothing and so
// counts nothing. The one exception is the bulk ingest (event-writer.server.ts): three upserts
// per row would halve its rate, so inside its transaction it turns the insert trigger off — the
// prepared-statement path drops it and recreates it from sqlite_master's text, the Kysely path
// puts a row in event_daily_paused (the trigger's WHEN) — counts the rows it inserted in memory
// and adds them with a few multi-row upserts before the commit. SQLite has one writer at a time
// and neither change is ever committed, so no other write sees it. Frozen once shipped.
//
// Dialect-specific on purpose (allowed inside a migration): the JST day of an instant is
// `date(detected_at, '+9 hours')` in SQLite (Japan has no DST; detected_at is ISO 8601 UTC
// text); PostgreSQL would use `to_char((detected_at::timestamptz at time zone 'Asia/Tokyo'),
// 'YYYY-MM-DD')` and plpgsql trigger functions with the same bodies — not written yet, so the
// migration refuses to run there rather than leave the dashboard reading empty tables.
import { SqliteAdapter, sql, type Kysely } from "kysely";

/**
 * The detection types (app/security/dashboard.server.ts DETECTION_TYPES) as of this migration:
 * only detections are counted per threat and per device, as the dashboard shows them. A type
 * added later needs a migration that recreates the triggers and rebuilds the two tables.
 */
const DETECTION_TYPES_SQL =
  "('virus', 'network_virus', 'spyware', 'grayware', 'spam', 'phishing', 'cc_callback', 'web_block', 'app_block', 'intrusion', 'sandbox')";

/** The JST calendar day (YYYY-MM-DD) of an ISO 8601 UTC instant column — SQLite. */
const jstDay = (column: string) => `date(${column}, '+9 hours')`;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    throw new Error(
      "2026_11_22_000800_event_daily_counts: the aggregate triggers are written for SQLite only",
    );
  }
  // `action` is '' for an event without one: a NULL in a primary key would never conflict.
  await db.schema
    .createTable("event_daily_counts")
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_daily_counts_pk", ["contract_id", "day", "type", "action"])
    .execute();
  await db.schema
    .createTable("event_daily_threats")
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("threat", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_daily_threats_pk", ["contract_id", "day", "threat"])
    .execute();
  await db.schema
    .createTable("event_daily_devices")
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("device_name", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("event_daily_devices_pk", ["contract_id", "day", "device_name"])
    .execute();

  // Present only inside a bulk ingest's transaction: its insert trigger is off (see above).
  await db.schema
    .createTable("event_daily_paused")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .execute();

  // The dashboard's gateway figures, for a provider (every contract): the offline events and,
  // per offline event, the device's next online event. security_events_rule_idx (000101) is
  // keyed by contract first, so across all contracts SQLite walked security_events_detected_idx
  // over every event instead (≈ 130 ms at 1,000,000 events). This index holds the same few rows,
  // keyed by type and device; its condition is RULE_EVENT_CONDITION word for word, as the
  // queries state it (app/security/dashboard.server.ts inRuleIndex).
  await db.schema
    .createIndex("security_events_status_idx")
    .on("security_events")
    .columns(["type", "contract_id", "device_name", "detected_at"])
    .where(
      sql.raw<boolean>(
        "(type in ('cc_callback', 'gateway_offline', 'gateway_online') or (type in ('virus', 'network_virus') and action = 'failed'))",
      ),
    )
    .execute();

  // Backfill from the events already stored.
  await sql
    .raw(
      `insert into event_daily_counts (contract_id, day, type, action, count)
    select contract_id, ${jstDay("detected_at")}, type, coalesce(action, ''), count(*) from security_events
    group by 1, 2, 3, 4`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into event_daily_threats (contract_id, day, threat, count)
    select contract_id, ${jstDay("detected_at")}, threat, count(*) from security_events
    where threat is not null and type in ${DETECTION_TYPES_SQL}
    group by 1, 2, 3`,
    )
    .execute(db);
  await sql
    .raw(
      `insert into event_daily_devices (contract_id, day, device_name, count)
    select contract_id, ${jstDay("detected_at")}, device_name, count(*) from security_events
    where type in ${DETECTION_TYPES_SQL}
    group by 1, 2, 3`,
    )
    .execute(db);

  // `insert … select … where` with an upsert needs its WHERE (SQLite's parsing rule).
  const add = (row: string) => `
    insert into event_daily_counts (contract_id, day, type, action, count)
      values (${row}.contract_id, ${jstDay(`${row}.detected_at`)}, ${row}.type, coalesce(${row}.action, ''), 1)
      on conflict (contract_id, day, type, action) do update set count = count + 1;
    insert into event_daily_threats (contract_id, day, threat, count)
      select ${row}.contract_id, ${jstDay(`${row}.detected_at`)}, ${row}.threat, 1
      where ${row}.threat is not null and ${row}.type in ${DETECTION_TYPES_SQL}
      on conflict (contract_id, day, threat) do update set count = count + 1;
    insert into event_daily_devices (contract_id, day, device_name, count)
      select ${row}.contract_id, ${jstDay(`${row}.detected_at`)}, ${row}.device_name, 1
      where ${row}.type in ${DETECTION_TYPES_SQL}
      on conflict (contract_id, day, device_name) do update set count = count + 1;`;
  const remove = (row: string) => {
    const counts = `contract_id = ${row}.contract_id and day = ${jstDay(`${row}.detected_at`)} and type = ${row}.type and action = coalesce(${row}.action, '')`;
    const threats = `contract_id = ${row}.contract_id and day = ${jstDay(`${row}.detected_at`)} and threat = ${row}.threat`;
    const devices = `contract_id = ${row}.contract_id and day = ${jstDay(`${row}.detected_at`)} and device_name = ${row}.device_name`;
    const detection = `${row}.type in ${DETECTION_TYPES_SQL}`;
    return `
    update event_daily_counts set count = count - 1 where ${counts};
    delete from event_daily_counts where ${counts} and count <= 0;
    update event_daily_threats set count = count - 1 where ${threats} and ${detection};
    delete from event_daily_threats where ${threats} and count <= 0;
    update event_daily_devices set count = count - 1 where ${devices} and ${detection};
    delete from event_daily_devices where ${devices} and count <= 0;`;
  };
  await sql
    .raw(
      `create trigger security_events_daily_insert after insert on security_events
    when not exists (select 1 from event_daily_paused) begin${add("new")}
  end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger security_events_daily_delete after delete on security_events begin${remove("old")}
  end`,
    )
    .execute(db);
  await sql
    .raw(
      `create trigger security_events_daily_update
    after update of contract_id, device_name, type, action, threat, detected_at on security_events begin${remove("old")}${add("new")}
  end`,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("security_events_status_idx").execute();
  for (const trigger of [
    "security_events_daily_update",
    "security_events_daily_delete",
    "security_events_daily_insert",
  ]) {
    await sql.raw(`drop trigger if exists ${trigger}`).execute(db);
  }
  for (const table of [
    "event_daily_paused",
    "event_daily_devices",
    "event_daily_threats",
    "event_daily_counts",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
