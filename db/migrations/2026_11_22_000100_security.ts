// Security data (S1-4①, S1-4⑤, S7): ingested events, incidents and their notifications, the
// e-mail outbox and the vendor API's sync cursors. Frozen: never edit after it has shipped;
// add a new migration instead.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  // One row per vendor event; `id` is the event's own id, so an event ingested twice (file or
  // API) is stored once. Instants are ISO 8601 UTC text, so text order is time order.
  await db.schema
    .createTable("security_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("device_id", "integer", (c) => c.references("devices.id").onDelete("set null"))
    .addColumn("device_name", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("action", "text")
    .addColumn("threat", "text")
    .addColumn("url", "text")
    .addColumn("detected_at", "text", (c) => c.notNull())
    .addColumn("ingested_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("security_events_contract_detected_idx")
    .on("security_events")
    .columns(["contract_id", "detected_at"])
    .execute();
  // S1-4⑤ retention purges by age across all contracts.
  await db.schema
    .createIndex("security_events_detected_idx")
    .on("security_events")
    .column("detected_at")
    .execute();

  await db.schema
    .createTable("incidents")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("new")
        .check(sql`status in ('new', 'acknowledged', 'resolved')`),
    )
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("acknowledged_at", "text")
    .addColumn("resolved_at", "text")
    .addColumn("assignee", "text")
    .addColumn("notes", "text")
    // The event that caused the incident: the same cause never opens a second incident. No
    // foreign key: incidents and notifications outlive the 6-month event retention (S1-4⑤).
    .addColumn("first_event_id", "text", (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createIndex("incidents_contract_opened_idx")
    .on("incidents")
    .columns(["contract_id", "opened_at"])
    .execute();

  await db.schema
    .createTable("incident_events")
    .addColumn("incident_id", "integer", (c) =>
      c.notNull().references("incidents.id").onDelete("cascade"),
    )
    .addColumn("event_id", "text", (c) =>
      c.notNull().references("security_events.id").onDelete("cascade"),
    )
    .addPrimaryKeyConstraint("incident_events_pk", ["incident_id", "event_id"])
    .execute();

  await db.schema
    .createTable("outbox")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("kind", "text", (c) => c.notNull())
    // The producer's key for the mail (`incident:evt-1:email`): queueing a key twice queues once.
    .addColumn("ref", "text", (c) => c.unique())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body_text", "text", (c) => c.notNull())
    .addColumn("attachment_name", "text")
    .addColumn("attachment_blob", "blob")
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .defaultTo("queued")
        .check(sql`status in ('queued', 'sent', 'failed')`),
    )
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .addColumn("next_attempt_at", "text")
    .execute();
  await db.schema
    .createIndex("outbox_status_next_idx")
    .on("outbox")
    .columns(["status", "next_attempt_at"])
    .execute();

  await db.schema
    .createTable("notifications")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("incident_id", "integer", (c) =>
      c.notNull().references("incidents.id").onDelete("cascade"),
    )
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ('email', 'phone')`))
    .addColumn("planned_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .addColumn("result", "text")
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    // The queued e-mail of an `email` notification (its delivery state lives in the outbox).
    .addColumn("outbox_id", "integer", (c) => c.references("outbox.id").onDelete("set null"))
    // S1-4①: an event notifies once per channel, however often it is ingested or planned.
    .addUniqueConstraint("notifications_event_channel_unique", ["event_id", "channel"])
    .execute();
  await db.schema
    .createIndex("notifications_contract_planned_idx")
    .on("notifications")
    .columns(["contract_id", "planned_at"])
    .execute();
  await db.schema
    .createIndex("notifications_incident_idx")
    .on("notifications")
    .column("incident_id")
    .execute();

  await db.schema
    .createTable("vendor_sync_state")
    .addColumn("source", "text", (c) => c.primaryKey())
    .addColumn("cursor", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "vendor_sync_state",
    "notifications",
    "outbox",
    "incident_events",
    "incidents",
    "security_events",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
