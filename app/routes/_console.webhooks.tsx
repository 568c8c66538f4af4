// Webhook endpoints of the viewer's tenant (issue 19, item 4): provider admins (every customer's
// events) and reseller managers (their customers' only). Register, delete, re-enable; the secret
// is shown in the registration's answer only.
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp } from "~/auth/session.server";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { getServerConfig } from "~/config.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { fieldErrorsOf, formValues, parseForm } from "~/lib/form";
import { invalid } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { idField } from "~/lib/fields";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { z } from "zod";
import { formatInstant } from "~/lib/format";
import {
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  WebhookEndpointInput,
} from "~/webhooks/endpoints.server";
import { webhookViewer } from "~/webhooks/console.server";
import { checkWebhookUrl } from "~/webhooks/ssrf.server";
import { WEBHOOK_EVENT_LABELS, WEBHOOK_EVENT_TYPES } from "~/webhooks/event-types";

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer, tenant } = await webhookViewer(request);
  return {
    // The registration form creates an endpoint: one-time token (issue 17 item 1).
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "webhook-endpoint" }),
    endpoints: await listWebhookEndpoints(getDb(), tenant),
    isReseller: tenant.kind === "reseller",
    viewerEmail: viewer.email,
  };
}

// The page's forms (issue 16 item 1): an unknown intent is a 400. The registration's fields are
// checked by WebhookEndpointInput (shared with the partner API) after the intent.
const WebhooksForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal(["delete", "enable"]), id: idField("送信先") }),
  z.object({ intent: z.literal("create") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { viewer, tenant } = await webhookViewer(request);
  const form = await request.formData();
  const values = formValues(form);
  const actor = { id: viewer.id, email: viewer.email };
  const ip = clientIp(request);
  const intent = parseForm(WebhooksForm, form);
  if (!intent.ok)
    return data(
      { errors: intent.fields as Record<string, string>, values: null, created: null },
      { status: 400 },
    );
  if (intent.value.intent !== "create") {
    const { id } = intent.value;
    const done =
      intent.value.intent === "delete"
        ? await deleteWebhookEndpoint(getDb(), { tenant, id, at: now(), actor, ip })
        : await enableWebhookEndpoint(getDb(), { tenant, id, actor, ip });
    if (!done.ok) return failureResponse(done, { values: null, created: null });
    return redirect(`/webhooks?${intent.value.intent === "delete" ? "deleted" : "enabled"}=1`);
  }
  const input = {
    url: values.url ?? "",
    description: values.description ?? "",
    ownerEmail: values.ownerEmail ?? "",
    events: form.getAll("events").map(String),
  };
  const parsed = WebhookEndpointInput.safeParse(input);
  const failed = (errors: Record<string, string>) =>
    failureResponse(invalid(errors), { values: input, created: null });
  const allowHosts = getServerConfig().webhookAllowHosts;
  if (!parsed.success) {
    // Every error at once: the target is checked too when only other fields are wrong.
    const errors = fieldErrorsOf(parsed.error) as Record<string, string>;
    if (!errors.url && input.url.trim()) {
      const urlError = await checkWebhookUrl(input.url.trim(), allowHosts);
      if (urlError) errors.url = urlError;
    }
    return failed(errors);
  }
  // The target is checked before the token's transaction (no name lookup under the write lock).
  const urlError = await checkWebhookUrl(parsed.data.url, allowHosts);
  if (urlError) return failed({ url: urlError });
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "webhook-endpoint", form, request),
    (trx) => insertWebhookEndpoint(trx, { tenant, input: parsed.data, at: now(), actor, ip }),
    // A repeat never shows the secret again: it was in the first answer only.
    (r) =>
      r.ok
        ? {
            summary: `送信先 ${r.value.endpoint.url} は登録済みです`,
            redirect: `/webhooks/${r.value.endpoint.id}`,
          }
        : null,
  );
  if (run.kind !== "done") return onceResponse("webhook-endpoint", run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { values: input, created: null });
  const { endpoint, secret } = result.value;
  // The secret is in this one response only (no redirect), as an API key is.
  return data(
    {
      errors: {} as Record<string, string | undefined>,
      values: null,
      created: { url: endpoint.url, id: endpoint.id, secret },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function Webhooks() {
  const { endpoints, isReseller, viewerEmail, formToken } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const result = answer && "errors" in answer ? answer : undefined;
  const [params] = useSearchParams();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const created = result?.created ?? null;
  const chosen = new Set(result?.values?.events ?? []);
  return (
    <>
      <h1>Webhook</h1>
      <p className="muted">
        インシデントの発生や請求書の発行などを、業務システム（PSAツールなど）へHTTPSでお知らせします。
        {isReseller
          ? "送られるのは貴社のお客さまのイベントだけです。"
          : "プロバイダーの送信先には全てのお客さまのイベントが送られます。"}
        各リクエストには <code>Console-Signature</code>{" "}
        ヘッダーで署名が付きます。受信側は失敗（2xx以外）を返すと、72時間まで間隔を空けて再送します。
        <Link to="/api-keys">APIキー</Link>・<Link to="/api-docs">API仕様</Link>
      </p>
      {params.get("deleted") ? (
        <div className="alert success" role="status">
          送信先を削除しました。以後このURLには送信しません。
        </div>
      ) : null}
      {params.get("enabled") ? (
        <div className="alert success" role="status">
          送信を再開しました。
        </div>
      ) : null}
      {created ? (
        <div className="alert success" role="status" data-testid="created-secret">
          <p className="mt-0">
            送信先 {created.url} を登録しました。
            <strong>署名のシークレットはこの画面でしか表示されません。</strong>
            今すぐコピーして、受信側に設定してください。
          </p>
          <input
            type="text"
            readOnly
            value={created.secret}
            aria-label="署名のシークレット"
            className="secret-field"
          />
        </div>
      ) : null}

      <h2>登録済みの送信先</h2>
      {endpoints.length === 0 ? (
        <div className="empty">送信先はまだありません。</div>
      ) : (
        <TableScroll label="Webhookの送信先">
          <table className="data" aria-label="Webhookの送信先">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">イベント</th>
                <th scope="col">登録</th>
                <th scope="col">状態</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {endpoints.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Link to={`/webhooks/${e.id}`}>{e.url}</Link>
                    {e.description ? (
                      <>
                        <br />
                        <span className="muted">{e.description}</span>
                      </>
                    ) : null}
                    <br />
                    <code className="muted">{e.secretPrefix}…</code>
                  </td>
                  <td>{e.events.map((t) => WEBHOOK_EVENT_LABELS[t]).join("、")}</td>
                  <td>
                    {formatInstant(e.createdAt)}
                    <br />
                    <span className="muted">{e.createdBy}</span>
                  </td>
                  <td>
                    {e.disabledAt ? (
                      <span className="badge">停止中（{formatInstant(e.disabledAt)}）</span>
                    ) : (
                      <span className="badge">有効</span>
                    )}
                  </td>
                  <td>
                    <Link to={`/webhooks/${e.id}`}>送信履歴</Link>
                    {e.disabledAt ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="enable" />
                        <input type="hidden" name="id" value={e.id} />
                        <button
                          type="submit"
                          className="secondary"
                          aria-label={`${e.url} への送信を再開する`}
                        >
                          送信を再開する
                        </button>
                      </Form>
                    ) : null}
                    <Form method="post">
                      <input type="hidden" name="intent" value="delete" />
                      <input type="hidden" name="id" value={e.id} />
                      <button
                        type="submit"
                        className="secondary"
                        aria-label={`${e.url} を削除する`}
                      >
                        削除する
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <OnceForm
        token={formToken}
        form="webhook-endpoint"
        method="post"
        className="stack mt-20"
        noValidate
      >
        <h2>送信先を登録する</h2>
        <input type="hidden" name="intent" value="create" />
        <label>
          送信先のURL（https://…）
          <input
            type="url"
            name="url"
            maxLength={2000}
            defaultValue={result?.values?.url ?? ""}
            aria-invalid={errors.url ? true : undefined}
            aria-describedby={errors.url ? "url-error" : undefined}
          />
          {errors.url ? (
            <span className="field-error" id="url-error">
              {errors.url}
            </span>
          ) : null}
        </label>
        <label>
          説明（任意。例：PSA連携）
          <input
            type="text"
            name="description"
            maxLength={200}
            defaultValue={result?.values?.description ?? ""}
          />
          {errors.description ? <span className="field-error">{errors.description}</span> : null}
        </label>
        <fieldset>
          <legend>受け取るイベント</legend>
          {WEBHOOK_EVENT_TYPES.map((t) => (
            <label key={t} className="check">
              <input type="checkbox" name="events" value={t} defaultChecked={chosen.has(t)} />{" "}
              {WEBHOOK_EVENT_LABELS[t]}（<code>{t}</code>）
            </label>
          ))}
          {errors.events ? <span className="field-error">{errors.events}</span> : null}
        </fieldset>
        <label>
          停止時の連絡先メールアドレス（72時間送信に失敗して停止したときにお知らせします）
          <input
            type="email"
            name="ownerEmail"
            maxLength={254}
            defaultValue={result?.values?.ownerEmail ?? viewerEmail}
            aria-invalid={errors.ownerEmail ? true : undefined}
          />
          {errors.ownerEmail ? <span className="field-error">{errors.ownerEmail}</span> : null}
        </label>
        <button type="submit">送信先を登録する</button>
      </OnceForm>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Webhook | セキュアライン 管理コンソール" }];
