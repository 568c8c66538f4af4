// A tenant's webhook endpoints (issue 19, item 4), registered from the console or the API with
// the same rules: the provider's endpoints get every customer's events, a reseller's only its own
// customers' (the tenancy of API keys, api/keys.server.ts). The target is checked against SSRF
// (ssrf.server.ts) before anything is stored; the secret is shown once, in the registration's answer.
import { formatCount } from "../lib/format";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import type { KeyTenant } from "../api/keys.server";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { inTransaction } from "../lib/transaction.server";
import { emailField, noteField } from "../lib/fields";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./event-types";
import type { ApiWebhookEndpoint } from "./schemas";
import { jstIso } from "../api/http.server";
import { newWebhookSecret } from "./signature.server";
import { checkWebhookUrl, WEBHOOK_URL_MAX_LENGTH, type Resolver } from "./ssrf.server";
import { invalidField, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";
import type { ListSort, PageInfo, PageRequest } from "../lib/paging";
import { countOf, fetchPage } from "../lib/paging.server";

/** How many endpoints a tenant may have: enough for every PSA, few enough to send to quickly. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

export const WebhookEndpointInput = z
  .strictObject(
    {
      url: z
        .string({ error: "送信先のURLを入力してください" })
        .trim()
        .min(1, "送信先のURLを入力してください")
        .max(
          WEBHOOK_URL_MAX_LENGTH,
          `送信先のURLは${formatCount(WEBHOOK_URL_MAX_LENGTH)}文字以内で入力してください`,
        )
        .describe("送信先のURL（https。WEBHOOK_ALLOW_HOSTS のホストだけ http も可）"),
      description: noteField("説明", { max: 200 })
        .optional()
        .default("")
        .describe("用途のメモ（200文字まで）"),
      events: z
        .array(z.enum(WEBHOOK_EVENT_TYPES, { error: "イベントの種類が正しくありません" }), {
          error: "受け取るイベントを1つ以上選んでください",
        })
        .min(1, "受け取るイベントを1つ以上選んでください")
        .describe("受け取るイベントの種類"),
      ownerEmail: emailField("停止時の連絡先メールアドレス").describe(
        "72時間失敗が続いて停止したときに知らせるメールアドレス",
      ),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `使えない項目があります: ${issue.keys.join(", ")}`
          : undefined,
    },
  )
  .meta({ id: "WebhookEndpointInput", description: "Webhookの送信先の登録" });

export type WebhookEndpointInput = z.output<typeof WebhookEndpointInput>;

/** The API's view of an endpoint (schemas.ts). */
export function presentWebhookEndpoint(e: EndpointView): ApiWebhookEndpoint {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    secretPrefix: e.secretPrefix,
    ownerEmail: e.ownerEmail,
    status: e.disabledAt ? "disabled" : "active",
    disabledAt: jstIso(e.disabledAt),
    disabledReason: e.disabledReason,
    createdAt: jstIso(e.createdAt)!,
  };
}

function resellerOf(tenant: KeyTenant): number | null {
  return tenant.kind === "provider" ? null : tenant.resellerId;
}

export interface EndpointView {
  id: number;
  url: string;
  description: string;
  events: WebhookEventType[];
  secretPrefix: string;
  ownerEmail: string;
  createdAt: string;
  createdBy: string;
  disabledAt: string | null;
  disabledReason: string | null;
}

async function eventsOf(
  db: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, WebhookEventType[]>> {
  const map = new Map<number, WebhookEventType[]>();
  if (ids.length === 0) return map;
  const rows = await db
    .selectFrom("webhook_subscriptions")
    .select(["endpoint_id", "event_type"])
    .where("endpoint_id", "in", [...ids])
    .execute();
  for (const r of rows)
    map.set(r.endpoint_id, [...(map.get(r.endpoint_id) ?? []), r.event_type as WebhookEventType]);
  for (const [id, list] of map)
    map.set(
      id,
      WEBHOOK_EVENT_TYPES.filter((t) => list.includes(t)),
    );
  return map;
}

const ENDPOINT_COLUMNS = [
  "id",
  "url",
  "description",
  "secret_prefix",
  "owner_email",
  "created_at",
  "created_by",
  "disabled_at",
  "disabled_reason",
] as const;

function present(
  r: {
    id: number;
    url: string;
    description: string;
    secret_prefix: string;
    owner_email: string;
    created_at: string;
    created_by: string;
    disabled_at: string | null;
    disabled_reason: string | null;
  },
  events: WebhookEventType[],
): EndpointView {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events,
    secretPrefix: r.secret_prefix,
    ownerEmail: r.owner_email,
    createdAt: r.created_at,
    createdBy: r.created_by,
    disabledAt: r.disabled_at,
    disabledReason: r.disabled_reason,
  };
}

export async function listWebhookEndpoints(
  db: Kysely<Database>,
  tenant: KeyTenant,
): Promise<EndpointView[]> {
  const resellerId = resellerOf(tenant);
  const rows = await db
    .selectFrom("webhook_endpoints")
    .select([...ENDPOINT_COLUMNS])
    .where("reseller_id", resellerId === null ? "is" : "=", resellerId)
    .where("deleted_at", "is", null)
    .orderBy("id")
    .execute();
  const events = await eventsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => present(r, events.get(r.id) ?? []));
}

/** One live endpoint of the tenant; null for a foreign, deleted or unknown id alike (404). */
export async function getWebhookEndpoint(
  db: Kysely<Database>,
  tenant: KeyTenant,
  id: number,
): Promise<EndpointView | null> {
  if (!Number.isSafeInteger(id) || id < 1) return null;
  const resellerId = resellerOf(tenant);
  const row = await db
    .selectFrom("webhook_endpoints")
    .select([...ENDPOINT_COLUMNS])
    .where("reseller_id", resellerId === null ? "is" : "=", resellerId)
    .where("id", "=", id)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  return present(row, (await eventsOf(db, [row.id])).get(row.id) ?? []);
}

/** The endpoint and its secret (shown once), or a validation failure of the URL. */
export type CreateEndpointResult = Result<{ endpoint: EndpointView; secret: string }, "url">;

export async function createWebhookEndpoint(
  db: Kysely<Database>,
  params: {
    tenant: KeyTenant;
    input: WebhookEndpointInput;
    at: Date;
    actor: AuditActor;
    ip: string | null;
    allowHosts: readonly string[];
    resolve?: Resolver;
  },
): Promise<CreateEndpointResult> {
  const urlError = await checkWebhookUrl(params.input.url, params.allowHosts, params.resolve);
  if (urlError) return invalidField("url", urlError);
  return insertWebhookEndpoint(db, params);
}

/**
 * The write of a registration whose URL was already checked (checkWebhookUrl): the console's form
 * checks it before its one-time token's transaction, so that no name lookup runs while that
 * transaction holds the database's write lock.
 */
export async function insertWebhookEndpoint(
  db: Kysely<Database>,
  params: {
    tenant: KeyTenant;
    input: WebhookEndpointInput;
    at: Date;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<CreateEndpointResult> {
  const { input } = params;
  const resellerId = resellerOf(params.tenant);
  const secret = newWebhookSecret();
  const at = instantOf(params.at);
  const result = await inTransaction(db, async (trx) => {
    const count = await trx
      .selectFrom("webhook_endpoints")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("reseller_id", resellerId === null ? "is" : "=", resellerId)
      .where("deleted_at", "is", null)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_ENDPOINTS_PER_TENANT) return null;
    const { id } = await trx
      .insertInto("webhook_endpoints")
      .values({
        reseller_id: resellerId,
        url: input.url,
        description: input.description,
        secret,
        secret_prefix: secret.slice(0, 12),
        owner_email: input.ownerEmail,
        created_at: at,
        created_by: params.actor.email ?? "",
        disabled_at: null,
        disabled_reason: null,
        deleted_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const events = [...new Set(input.events)];
    await trx
      .insertInto("webhook_subscriptions")
      .values(events.map((event_type) => ({ endpoint_id: id, event_type })))
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "webhook.create",
      entity: "webhook_endpoint",
      entityId: id,
      summary: `Webhookの送信先 ${input.url} を登録（${events.join(", ")}）`,
      ip: params.ip,
    });
    return id;
  });
  if (result === null)
    return invalidField(
      "url",
      `送信先は${MAX_ENDPOINTS_PER_TENANT}件まで登録できます。使わないものを削除してください`,
    );
  const endpoint = await getWebhookEndpoint(db, params.tenant, result);
  if (!endpoint) throw new Error(`webhook endpoint ${result} not found after its insert`);
  return ok({ endpoint, secret });
}

/** Deletes a live endpoint of the tenant: nothing more is sent to it (its pending deliveries end). */
export async function deleteWebhookEndpoint(
  db: Kysely<Database>,
  params: { tenant: KeyTenant; id: number; at: Date; actor: AuditActor; ip: string | null },
): Promise<Result> {
  const endpoint = await getWebhookEndpoint(db, params.tenant, params.id);
  if (!endpoint) return notFoundFailure();
  const at = instantOf(params.at);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("webhook_endpoints")
      .set({ deleted_at: at })
      .where("id", "=", endpoint.id)
      .where("deleted_at", "is", null)
      .execute();
    await trx
      .updateTable("webhook_deliveries")
      .set({ status: "failed", last_error: "送信先が削除されました" })
      .where("endpoint_id", "=", endpoint.id)
      .where("status", "=", "pending")
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "webhook.delete",
      entity: "webhook_endpoint",
      entityId: endpoint.id,
      summary: `Webhookの送信先 ${endpoint.url} を削除`,
      ip: params.ip,
    });
  });
  return ok();
}

/** Re-enables an endpoint disabled after 72 hours of failures (new events are recorded for it again). */
export async function enableWebhookEndpoint(
  db: Kysely<Database>,
  params: { tenant: KeyTenant; id: number; actor: AuditActor; ip: string | null },
): Promise<Result> {
  const endpoint = await getWebhookEndpoint(db, params.tenant, params.id);
  if (!endpoint) return notFoundFailure();
  if (endpoint.disabledAt === null) return ok();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("webhook_endpoints")
      .set({ disabled_at: null, disabled_reason: null })
      .where("id", "=", endpoint.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "webhook.enable",
      entity: "webhook_endpoint",
      entityId: endpoint.id,
      summary: `Webhookの送信先 ${endpoint.url} の送信を再開`,
      ip: params.ip,
    });
  });
  return ok();
}

export interface DeliveryLogRow {
  deliveryId: number;
  eventId: string;
  eventType: string;
  eventCreatedAt: string;
  status: "pending" | "succeeded" | "failed";
  nextAttemptAt: string;
  attempts: { at: string; statusCode: number | null; error: string | null; manual: boolean }[];
}

/** The delivery log is read newest first (deliveries are only ever added, so the id orders them). */
export type DeliverySortColumn = "sent";
export const DELIVERY_SORT: ListSort<DeliverySortColumn> = {
  columns: { sent: "desc" },
  default: "sent",
};

/**
 * One page of the endpoint's deliveries with every attempt, newest first, and the count of all of
 * them (issue 17 item 2: the log stopped at the latest 100); null when the endpoint is not the
 * tenant's.
 */
export async function webhookDeliveryLog(
  db: Kysely<Database>,
  tenant: KeyTenant,
  endpointId: number,
  request: PageRequest<DeliverySortColumn>,
): Promise<{ endpoint: EndpointView; deliveries: DeliveryLogRow[]; page: PageInfo } | null> {
  const endpoint = await getWebhookEndpoint(db, tenant, endpointId);
  if (!endpoint) return null;
  const ofEndpoint = db
    .selectFrom("webhook_deliveries")
    .where("webhook_deliveries.endpoint_id", "=", endpoint.id);
  const { rows: deliveries, page } = await fetchPage(
    request,
    () => countOf(ofEndpoint),
    (w) =>
      ofEndpoint
        .innerJoin("webhook_events", "webhook_events.id", "webhook_deliveries.event_id")
        .select([
          "webhook_deliveries.id",
          "webhook_deliveries.status",
          "webhook_deliveries.next_attempt_at",
          "webhook_events.id as event_id",
          "webhook_events.type",
          "webhook_events.created_at",
        ])
        .orderBy("webhook_deliveries.id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  const attempts =
    deliveries.length === 0
      ? []
      : await db
          .selectFrom("webhook_attempts")
          .select(["delivery_id", "attempted_at", "status_code", "error", "manual"])
          .where(
            "delivery_id",
            "in",
            deliveries.map((d) => d.id),
          )
          .orderBy("attempted_at")
          .orderBy("id")
          .execute();
  return {
    endpoint,
    page,
    deliveries: deliveries.map((d) => ({
      deliveryId: d.id,
      eventId: d.event_id,
      eventType: d.type,
      eventCreatedAt: d.created_at,
      status: d.status,
      nextAttemptAt: d.next_attempt_at,
      attempts: attempts
        .filter((a) => a.delivery_id === d.id)
        .map((a) => ({
          at: a.attempted_at,
          statusCode: a.status_code,
          error: a.error,
          manual: a.manual === 1,
        })),
    })),
  };
}
