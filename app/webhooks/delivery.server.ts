// Sending webhook deliveries (issue 19, item 4) from the webhook_deliveries outbox: every minute
// the scheduler sends what is due (`deliverWebhooks`). Each delivery is first claimed with a
// conditional UPDATE (pending, due, not claimed by a live claim): only the process whose UPDATE
// changed the row sends it, so two processes never send one delivery twice. A 2xx answer ends it;
// anything else (another status, a timeout, a refused address) is retried with exponential
// backoff — 1, 2, 4 … minutes, at most 6 hours apart — for 72 hours from the first attempt; the
// attempt at the 72nd hour that fails too ends the delivery as failed, disables the endpoint and
// mails its owner through the mail outbox (decision 0022).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { backoffMs } from "../lib/backoff";
import { formatInstant } from "../lib/format";
import { queueMail } from "../mail/outbox.server";
import { SIGNATURE_HEADER, signatureHeader } from "./signature.server";
import { guardedLookup, hostOf, isAllowListed, refusedAddress } from "./ssrf.server";
import { conflict, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";

export const RETRY_WINDOW_MS = 72 * 3_600_000;
export const RETRY_BASE_MS = 60_000;
export const RETRY_MAX_MS = 6 * 3_600_000;
/** A receiver must answer within this (connect and response). */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** A claim outlives one send with its timeout; a process that died mid-send frees the row after it. */
const CLAIM_MS = 2 * DELIVERY_TIMEOUT_MS + 10_000;
const BATCH = 50;

export interface SendResult {
  statusCode: number | null;
  error: string | null;
}

/** Sends one POST; never throws (a failure is a result without a status code). */
export type Sender = (target: {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowHosts: readonly string[];
}) => Promise<SendResult>;

/** node:http(s) POST with the SSRF lookup hook, a check of the connected address, no redirects, a short timeout. */
export const httpSender: Sender = ({ url, body, headers, allowHosts }) =>
  new Promise((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return done({ statusCode: null, error: "URLの形式が正しくありません" });
    }
    const host = hostOf(target);
    const allowed = isAllowListed(host, allowHosts);
    if (target.protocol !== "https:" && !(target.protocol === "http:" && allowed))
      return done({ statusCode: null, error: "https 以外の送信先には送りません" });
    // An IP literal is connected to without a lookup: checked here.
    if (!allowed && isIP(host) && refusedAddress(host))
      return done({ statusCode: null, error: `送信を拒否しました: ${refusedAddress(host)}` });
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: "POST",
        agent: false,
        timeout: DELIVERY_TIMEOUT_MS,
        lookup: guardedLookup(allowHosts),
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        res.on("data", () => undefined); // the answer's body is not kept
        res.on("end", () => done({ statusCode: res.statusCode ?? null, error: null }));
        res.on("error", () => done({ statusCode: res.statusCode ?? null, error: null }));
      },
    );
    // The address actually connected to, whatever resolved it: the last line of the SSRF defence.
    req.on("socket", (socket) => {
      socket.on("connect", () => {
        const address = socket.remoteAddress ?? "";
        if (!allowed && refusedAddress(address))
          req.destroy(new Error(`送信を拒否しました: ${refusedAddress(address)}`));
      });
    });
    req.on("timeout", () =>
      req.destroy(new Error(`${DELIVERY_TIMEOUT_MS / 1000}秒以内に応答がありませんでした`)),
    );
    req.on("error", (error) => done({ statusCode: null, error: error.message.slice(0, 500) }));
    req.end(body);
  });

export interface WebhookRunSummary {
  sent: number;
  retrying: number;
  failed: number;
  disabledEndpoints: number;
}

export interface DeliverWebhookOptions {
  allowHosts: readonly string[];
  send?: Sender;
  log?: (line: string) => void;
}

/** Claims the delivery for this process; false when another has it, or it is not due (any more). */
async function claim(
  db: Kysely<Database>,
  id: number,
  at: Date,
  mustBeDue: boolean,
): Promise<boolean> {
  const nowIso = instantOf(at);
  let q = db
    .updateTable("webhook_deliveries")
    .set({ claimed_until: instantOf(new Date(at.getTime() + CLAIM_MS)) })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", nowIso)]));
  if (mustBeDue) q = q.where("next_attempt_at", "<=", nowIso);
  const result = await q.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export type AttemptOutcome = "succeeded" | "retrying" | "failed";

/** Sends one claimed delivery and records the attempt and what follows from it. */
async function attempt(
  db: Kysely<Database>,
  id: number,
  at: Date,
  options: DeliverWebhookOptions & { manual?: boolean },
): Promise<{ outcome: AttemptOutcome; statusCode: number | null; disabled: boolean }> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .innerJoin("webhook_events", "webhook_events.id", "webhook_deliveries.event_id")
    .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_deliveries.endpoint_id")
    .select([
      "webhook_deliveries.id",
      "webhook_deliveries.attempts",
      "webhook_deliveries.first_attempt_at",
      "webhook_events.id as event_id",
      "webhook_events.type",
      "webhook_events.body",
      "webhook_endpoints.id as endpoint_id",
      "webhook_endpoints.url",
      "webhook_endpoints.secret",
      "webhook_endpoints.owner_email",
      "webhook_endpoints.disabled_at",
      "webhook_endpoints.deleted_at",
    ])
    .where("webhook_deliveries.id", "=", id)
    .executeTakeFirstOrThrow();
  const started = Date.now();
  const result =
    row.disabled_at || row.deleted_at
      ? { statusCode: null, error: "送信先が停止または削除されています" }
      : await (options.send ?? httpSender)({
          url: row.url,
          body: row.body,
          allowHosts: options.allowHosts,
          headers: {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "SecureLine-Console-Webhooks/1",
            [SIGNATURE_HEADER]: signatureHeader(row.secret, at, row.body),
            "Console-Event-Id": row.event_id,
            "Console-Event-Type": row.type,
          },
        });
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const attempts = row.attempts + 1;
  const first = row.first_attempt_at ? new Date(row.first_attempt_at) : at;
  const windowEnd = first.getTime() + RETRY_WINDOW_MS;
  const giveUp = !ok && at.getTime() >= windowEnd;
  const error = ok ? null : (result.error ?? `HTTP ${result.statusCode}`);
  const nowIso = instantOf(at);
  let disabled = false;
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("webhook_attempts")
      .values({
        delivery_id: row.id,
        attempted_at: nowIso,
        status_code: result.statusCode,
        error,
        duration_ms: Date.now() - started,
        manual: options.manual ? 1 : 0,
      })
      .execute();
    await trx
      .updateTable("webhook_deliveries")
      .set({
        status: ok ? "succeeded" : giveUp ? "failed" : "pending",
        attempts,
        first_attempt_at: instantOf(first),
        claimed_until: null,
        last_status_code: result.statusCode,
        last_error: error,
        succeeded_at: ok ? nowIso : null,
        // The last retry is at the window's end exactly, so "72 hours" is 72 hours whatever the backoff.
        next_attempt_at:
          ok || giveUp
            ? nowIso
            : instantOf(
                new Date(
                  Math.min(
                    at.getTime() + backoffMs(attempts, RETRY_BASE_MS, RETRY_MAX_MS),
                    windowEnd,
                  ),
                ),
              ),
      })
      .where("id", "=", row.id)
      .execute();
    if (giveUp && !row.disabled_at && !row.deleted_at) {
      const changed = await trx
        .updateTable("webhook_endpoints")
        .set({
          disabled_at: nowIso,
          disabled_reason: `72時間送信に失敗しました（最後の応答: ${error}）`,
        })
        .where("id", "=", row.endpoint_id)
        .where("disabled_at", "is", null)
        .executeTakeFirst();
      if (changed.numUpdatedRows === 1n) {
        disabled = true;
        // Nothing more is sent to it until someone re-enables it; its other deliveries end here too.
        await trx
          .updateTable("webhook_deliveries")
          .set({ status: "failed", claimed_until: null, last_error: "送信先が停止されました" })
          .where("endpoint_id", "=", row.endpoint_id)
          .where("status", "=", "pending")
          .where("id", "!=", row.id)
          .execute();
        await queueMail(
          trx,
          {
            kind: "webhook_disabled",
            ref: `webhook:${row.endpoint_id}:disabled:${nowIso}`,
            to: row.owner_email,
            subject: `【セキュアライン】Webhookの送信先を停止しました（${row.url}）`,
            text: [
              "Webhookの送信先への送信が72時間失敗し続けたため、この送信先への送信を停止しました。",
              "",
              `送信先: ${row.url}`,
              `最初の失敗: ${formatInstant(first.toISOString())}`,
              `最後の失敗: ${formatInstant(nowIso)}（${error}）`,
              "",
              "受信側を直したうえで、管理コンソールの「Webhook」で送信を再開し、必要なイベントを再送してください。",
            ].join("\n"),
          },
          at,
        );
      }
    }
  });
  return {
    outcome: ok ? "succeeded" : giveUp ? "failed" : "retrying",
    statusCode: result.statusCode,
    disabled,
  };
}

/** Sends every due delivery once (the scheduler's every-minute job). */
export async function deliverWebhooks(
  db: Kysely<Database>,
  at: Date,
  options: DeliverWebhookOptions,
): Promise<WebhookRunSummary> {
  const summary: WebhookRunSummary = { sent: 0, retrying: 0, failed: 0, disabledEndpoints: 0 };
  const nowIso = instantOf(at);
  const due = await db
    .selectFrom("webhook_deliveries")
    .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_deliveries.endpoint_id")
    .select("webhook_deliveries.id")
    .where("webhook_deliveries.status", "=", "pending")
    .where("webhook_deliveries.next_attempt_at", "<=", nowIso)
    .where((eb) =>
      eb.or([
        eb("webhook_deliveries.claimed_until", "is", null),
        eb("webhook_deliveries.claimed_until", "<", nowIso),
      ]),
    )
    .where("webhook_endpoints.disabled_at", "is", null)
    .where("webhook_endpoints.deleted_at", "is", null)
    .orderBy("webhook_deliveries.next_attempt_at")
    .orderBy("webhook_deliveries.id")
    .limit(BATCH)
    .execute();
  for (const { id } of due) {
    if (!(await claim(db, id, at, true))) continue;
    try {
      const r = await attempt(db, id, at, options);
      if (r.outcome === "succeeded") summary.sent++;
      else if (r.outcome === "retrying") summary.retrying++;
      else summary.failed++;
      if (r.disabled) summary.disabledEndpoints++;
    } catch (error) {
      // The claim lapses by itself; the delivery is tried again after it.
      options.log?.(
        `webhooks: delivery #${id}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return summary;
}

/** Whether the delivery is one of the endpoint's (the caller has checked the endpoint is the tenant's). */
export async function deliveryExists(
  db: Kysely<Database>,
  endpointId: number,
  deliveryId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select("id")
    .where("id", "=", deliveryId)
    .where("endpoint_id", "=", endpointId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The answer of the new attempt; a disabled endpoint or a delivery being sent is a conflict. */
export type RedeliverResult = Result<{ statusCode: number | null; succeeded: boolean }>;

/**
 * The redeliver button: the delivery is sent again at once (a new 72-hour window if it fails) —
 * whether it succeeded or failed before. The endpoint must be the tenant's, live and enabled.
 */
export async function redeliverWebhook(
  db: Kysely<Database>,
  params: {
    endpointId: number;
    deliveryId: number;
    at: Date;
    allowHosts: readonly string[];
    send?: Sender;
  },
): Promise<RedeliverResult> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .innerJoin("webhook_endpoints", "webhook_endpoints.id", "webhook_deliveries.endpoint_id")
    .select(["webhook_deliveries.id", "webhook_endpoints.disabled_at"])
    .where("webhook_deliveries.id", "=", params.deliveryId)
    .where("webhook_deliveries.endpoint_id", "=", params.endpointId)
    .where("webhook_endpoints.deleted_at", "is", null)
    .executeTakeFirst();
  if (!row) return notFoundFailure();
  if (row.disabled_at)
    return conflict("この送信先は停止中です。送信を再開してから再送してください");
  const nowIso = instantOf(params.at);
  // Back to pending with a new window; a sender holding a live claim keeps it (then this is refused below).
  await db
    .updateTable("webhook_deliveries")
    .set({ status: "pending", first_attempt_at: null, next_attempt_at: nowIso })
    .where("id", "=", row.id)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", nowIso)]))
    .execute();
  if (!(await claim(db, row.id, params.at, false)))
    return conflict("この配信は送信中です。しばらくしてから履歴を確認してください");
  const r = await attempt(db, row.id, params.at, {
    allowHosts: params.allowHosts,
    send: params.send,
    manual: true,
  });
  return ok({ statusCode: r.statusCode, succeeded: r.outcome === "succeeded" });
}
