// Partner webhooks (issue 19, item 4): a tenant's endpoints (the provider's, or one reseller's),
// the event types each subscribes to, the events recorded with the change that caused them, one
// delivery per endpoint and event (the outbox the delivery job claims from), and each attempt
// with its response code for the delivery log. Schema builder only, so it runs on PostgreSQL too.
import { idColumn, idType } from "./portable";
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", idType(db), idColumn(db))
    // null: the provider's endpoint (every customer's events); otherwise the reseller whose customers' events it gets.
    .addColumn("reseller_id", "integer", (c) => c.references("resellers.id"))
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    // Kept as is: the server signs with it (decision 0022); shown once at registration.
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("secret_prefix", "text", (c) => c.notNull())
    // Who is mailed when the endpoint is disabled after 72 hours of failures.
    .addColumn("owner_email", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("disabled_at", "text")
    .addColumn("disabled_reason", "text")
    .addColumn("deleted_at", "text")
    .execute();
  await db.schema
    .createIndex("webhook_endpoints_by_reseller")
    .on("webhook_endpoints")
    .columns(["reseller_id", "deleted_at"])
    .execute();

  await db.schema
    .createTable("webhook_subscriptions")
    .addColumn("endpoint_id", "integer", (c) => c.notNull().references("webhook_endpoints.id"))
    .addColumn("event_type", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("webhook_subscriptions_pk", ["endpoint_id", "event_type"])
    .execute();
  // The recording check: "is any live endpoint subscribed to this type?" reads this index only.
  await db.schema
    .createIndex("webhook_subscriptions_by_type")
    .on("webhook_subscriptions")
    .columns(["event_type", "endpoint_id"])
    .execute();

  await db.schema
    .createTable("webhook_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("type", "text", (c) => c.notNull())
    // The customer the event is about and its reseller (null: a direct customer), for scoping.
    .addColumn("customer_id", "integer")
    .addColumn("reseller_id", "integer")
    // The exact JSON body every delivery sends (signed as is).
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", idType(db), idColumn(db))
    .addColumn("endpoint_id", "integer", (c) => c.notNull().references("webhook_endpoints.id"))
    .addColumn("event_id", "text", (c) => c.notNull().references("webhook_events.id"))
    // pending → succeeded | failed
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    // The start of the 72-hour retry window (the first attempt; a redelivery starts a new one).
    .addColumn("first_attempt_at", "text")
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    // A sender's claim: no other process sends this delivery before it lapses.
    .addColumn("claimed_until", "text")
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "text")
    .addColumn("succeeded_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_endpoint_event")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "event_id"])
    .unique()
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_due")
    .on("webhook_deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();

  await db.schema
    .createTable("webhook_attempts")
    .addColumn("id", idType(db), idColumn(db))
    .addColumn("delivery_id", "integer", (c) => c.notNull().references("webhook_deliveries.id"))
    .addColumn("attempted_at", "text", (c) => c.notNull())
    // null: no HTTP answer (refused address, timeout, network error; see error).
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .addColumn("duration_ms", "integer", (c) => c.notNull())
    // 1: the redeliver button (or API) rather than the scheduled job.
    .addColumn("manual", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("webhook_attempts_by_delivery")
    .on("webhook_attempts")
    .columns(["delivery_id", "attempted_at"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("webhook_attempts").execute();
  await db.schema.dropTable("webhook_deliveries").execute();
  await db.schema.dropTable("webhook_events").execute();
  await db.schema.dropTable("webhook_subscriptions").execute();
  await db.schema.dropTable("webhook_endpoints").execute();
}
