// Recording webhook events (issue 19, item 4) in the transaction of the change that causes them,
// and only when some live endpoint wants them: the provider's endpoints get every customer's
// events, a reseller's only its own customers'. An event is one row with the exact JSON body every
// delivery sends, plus one delivery row per endpoint (the outbox delivery.server.ts sends from).
import { randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { chunks } from "../../db/chunks";
import type { Database } from "../../db/schema";
import type { WebhookEventType } from "./event-types";
import { instantOf, type Instant } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

export { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types";

/** A live endpoint subscribed to a type: who it is for decides which customers' events it gets. */
export interface Subscriber {
  endpointId: number;
  resellerId: number | null;
}

/** The live endpoints subscribed to `type`: one indexed query, the cheap check before any work. */
export async function webhookSubscribers(db: Db, type: WebhookEventType): Promise<Subscriber[]> {
  const rows = await db
    .selectFrom("webhook_subscriptions")
    .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_subscriptions.endpoint_id")
    .select(["webhook_endpoints.id", "webhook_endpoints.reseller_id"])
    .where("webhook_subscriptions.event_type", "=", type)
    .where("webhook_endpoints.disabled_at", "is", null)
    .where("webhook_endpoints.deleted_at", "is", null)
    .execute();
  return rows.map((r) => ({ endpointId: r.id, resellerId: r.reseller_id }));
}

export function newEventId(): string {
  return `evt_${randomBytes(18).toString("base64url")}`;
}

/** ISO 8601 with the +09:00 offset, as the API writes times. */
export function createdIso(at: Date): string {
  return `${new Date(at.getTime() + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;
}

export interface NewWebhookEvent {
  customerId: number;
  /** The customer's reseller (null: a direct customer of the provider). */
  resellerId: number | null;
  data: Record<string, unknown>;
}

/**
 * Records events of one type for the given subscribers (from `webhookSubscribers`, read once per
 * run or batch): each event goes to the provider's endpoints and to its own reseller's. Returns
 * how many events were recorded.
 */
export async function recordWebhookEventsFor(
  trx: Db,
  type: WebhookEventType,
  subscribers: readonly Subscriber[],
  events: readonly NewWebhookEvent[],
  at: Date,
): Promise<number> {
  if (subscribers.length === 0 || events.length === 0) return 0;
  const createdAt = instantOf(at);
  const eventRows: Database["webhook_events"][] = [];
  const deliveryRows: {
    endpoint_id: number;
    event_id: string;
    status: "pending";
    next_attempt_at: Instant;
    created_at: Instant;
  }[] = [];
  for (const e of events) {
    const targets = subscribers.filter(
      (s) => s.resellerId === null || s.resellerId === e.resellerId,
    );
    if (targets.length === 0) continue;
    const id = newEventId();
    const body = JSON.stringify({ id, type, created: createdIso(at), data: e.data });
    eventRows.push({
      id,
      type,
      customer_id: e.customerId,
      reseller_id: e.resellerId,
      body,
      created_at: createdAt,
    });
    for (const t of targets)
      deliveryRows.push({
        endpoint_id: t.endpointId,
        event_id: id,
        status: "pending",
        next_attempt_at: createdAt,
        created_at: createdAt,
      });
  }
  for (const part of chunks(eventRows, 100))
    await trx.insertInto("webhook_events").values(part).execute();
  for (const part of chunks(deliveryRows, 100))
    await trx.insertInto("webhook_deliveries").values(part).execute();
  return eventRows.length;
}

/** Records one event about a customer (looked up with its reseller) when any endpoint wants it. */
export async function recordWebhookEvent(
  trx: Db,
  type: WebhookEventType,
  event: { customerId: number; data: Record<string, unknown> },
  at: Date,
): Promise<number> {
  const subscribers = await webhookSubscribers(trx, type);
  if (subscribers.length === 0) return 0;
  const customer = await trx
    .selectFrom("customers")
    .select("reseller_id")
    .where("id", "=", event.customerId)
    .executeTakeFirst();
  if (!customer) return 0;
  return recordWebhookEventsFor(
    trx,
    type,
    subscribers,
    [{ ...event, resellerId: customer.reseller_id }],
    at,
  );
}
