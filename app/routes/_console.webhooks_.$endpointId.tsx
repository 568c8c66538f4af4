// The delivery log of one webhook endpoint (issue 19, item 4): each delivery with every attempt's
// time (JST) and response code, and a redeliver button (a plain form: works without JavaScript).
// A foreign or unknown endpoint is 404.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { getServerConfig } from "~/config.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatInstant } from "~/lib/format";
import { idField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { notFound } from "~/lib/http.server";
import { failureMessage } from "~/lib/result";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { z } from "zod";
import { webhookViewer } from "~/webhooks/console.server";
import { deliveryExists, redeliverWebhook } from "~/webhooks/delivery.server";
import { DELIVERY_SORT, getWebhookEndpoint, webhookDeliveryLog } from "~/webhooks/endpoints.server";
import { pageRequest } from "~/lib/paging";
import { Pager } from "~/components/Pager";
import { WEBHOOK_EVENT_LABELS, type WebhookEventType } from "~/webhooks/event-types";
import { titled } from "~/lib/meta";

const STATUS_LABELS = { pending: "再送待ち", succeeded: "成功", failed: "失敗" } as const;

function endpointIdOf(raw: string | undefined): number {
  const id = /^[1-9]\d{0,15}$/.test(raw ?? "") ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id))
    throw new Response("Webhookの送信先が見つかりません。", { status: 404 });
  return id;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { viewer, tenant } = await webhookViewer(request);
  const log = await webhookDeliveryLog(
    getDb(),
    tenant,
    endpointIdOf(params.endpointId),
    pageRequest(new URL(request.url).searchParams, DELIVERY_SORT),
  );
  if (!log) throw new Response("Webhookの送信先が見つかりません。", { status: 404 });
  // One one-time token per redeliver button (issue 17 item 1): a double click sends once.
  const formTokens = await issueFormTokens(getDb(), {
    userId: viewer.id,
    forms: log.deliveries.map((d) => redeliverForm(d.deliveryId)),
  });
  return { ...log, formTokens };
}

const redeliverForm = (deliveryId: number) => `webhook-redeliver-${deliveryId}`;

const RedeliverForm = z.object({ deliveryId: idField("配信") });

export async function action({ request, params }: ActionFunctionArgs) {
  const { viewer, tenant } = await webhookViewer(request);
  const endpointId = endpointIdOf(params.endpointId);
  // The endpoint must be the viewer's tenant's before anything is sent.
  if (!(await getWebhookEndpoint(getDb(), tenant, endpointId)))
    throw new Response("Webhookの送信先が見つかりません。", { status: 404 });
  const form = await request.formData();
  const parsed = parseForm(RedeliverForm, form);
  if (!parsed.ok) throw new Response("配信が見つかりません。", { status: 404 });
  const { deliveryId } = parsed.value;
  // The token is used before the send, which cannot run inside a transaction (it waits on the
  // network): the repeat of a click answers 「すでに記録されています」 and sends nothing.
  const name = redeliverForm(deliveryId);
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, name, form, request),
    (trx) => deliveryExists(trx, endpointId, deliveryId),
    (exists) => (exists ? { summary: "再送しました", redirect: `/webhooks/${endpointId}` } : null),
  );
  if (run.kind !== "done") return onceResponse(name, run);
  const result = await redeliverWebhook(getDb(), {
    endpointId,
    deliveryId,
    at: now(),
    allowHosts: getServerConfig().webhookAllowHosts,
  });
  if (!result.ok && result.kind === "not_found") throw notFound();
  const q = result.ok
    ? `redelivered=${result.value.statusCode ?? "none"}&ok=${result.value.succeeded ? 1 : 0}`
    : `error=${encodeURIComponent(failureMessage(result))}`;
  return redirect(`/webhooks/${endpointId}?${q}`);
}

export default function WebhookLog() {
  const { endpoint, deliveries, page, formTokens } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const redelivered = params.get("redelivered");
  const error = params.get("error");
  return (
    <>
      <p>
        <Link to="/webhooks">← Webhook</Link>
      </p>
      <h1>送信履歴: {endpoint.url}</h1>
      <p className="muted">
        {endpoint.disabledAt
          ? `停止中（${formatInstant(endpoint.disabledAt)}、${endpoint.disabledReason ?? ""}）`
          : "有効"}
        ・ 受け取るイベント: {endpoint.events.map((t) => WEBHOOK_EVENT_LABELS[t]).join("、")}
      </p>
      {redelivered ? (
        <div className={`alert ${params.get("ok") === "1" ? "success" : "error"}`} role="status">
          再送しました（応答: {redelivered === "none" ? "応答なし" : redelivered}）。
          {params.get("ok") === "1" ? "" : "失敗したため、72時間まで自動で再送します。"}
        </div>
      ) : null}
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {deliveries.length === 0 ? (
        <div className="empty">まだ送信していません。</div>
      ) : (
        <>
          <Pager info={page} label="送信履歴" />
          <TableScroll label="送信履歴">
            <table className="data" aria-label="送信履歴">
              <thead>
                <tr>
                  <th scope="col">イベント</th>
                  <th scope="col">状態</th>
                  <th scope="col">送信（日本時間）と応答</th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.deliveryId} data-delivery={d.deliveryId}>
                    <td>
                      {WEBHOOK_EVENT_LABELS[d.eventType as WebhookEventType] ?? d.eventType}
                      <br />
                      <code className="muted">{d.eventId}</code>
                      <br />
                      <span className="muted">発生 {formatInstant(d.eventCreatedAt)}</span>
                    </td>
                    <td>
                      {STATUS_LABELS[d.status]}
                      {d.status === "pending" ? (
                        <>
                          <br />
                          <span className="muted">次回 {formatInstant(d.nextAttemptAt)}</span>
                        </>
                      ) : null}
                    </td>
                    <td>
                      {d.attempts.length === 0 ? (
                        "未送信"
                      ) : (
                        <ul className="plain">
                          {d.attempts.map((a, i) => (
                            <li key={i}>
                              {formatInstant(a.at)} —{" "}
                              {a.statusCode === null
                                ? `応答なし（${a.error ?? ""}）`
                                : `HTTP ${a.statusCode}`}
                              {a.manual ? "（手動再送）" : ""}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>
                      <OnceForm
                        method="post"
                        token={formTokens[redeliverForm(d.deliveryId)]}
                        form={redeliverForm(d.deliveryId)}
                      >
                        <input type="hidden" name="deliveryId" value={d.deliveryId} />
                        <button
                          type="submit"
                          className="secondary"
                          aria-label={`${d.eventId} を再送する`}
                        >
                          再送する
                        </button>
                      </OnceForm>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="送信履歴（下）" />
        </>
      )}
    </>
  );
}

export const meta = titled("Webhookの送信履歴");
