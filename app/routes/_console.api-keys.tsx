import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import {
  API_SCOPE_LABELS,
  createApiKey,
  isKeyTenant,
  listApiKeys,
  revokeApiKey,
} from "~/api/keys.server";
import { clientIp, requireViewer } from "~/auth/session.server";
import { API_KEY_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formValues, parseForm } from "~/lib/form";
import { failureResponse } from "~/lib/result.server";
import { idField } from "~/lib/fields";
import { z } from "zod";
import { formatInstant } from "~/lib/format";
import { ApiKeyForm } from "~/api/key-form";

async function keyViewer(request: Request) {
  const viewer = await requireViewer(request, { roles: API_KEY_ROLES });
  if (!isKeyTenant(viewer.tenant))
    throw new Response("この画面を表示する権限がありません。", { status: 403 });
  return { viewer, tenant: viewer.tenant };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer, tenant } = await keyViewer(request);
  return {
    keys: await listApiKeys(getDb(), tenant),
    isReseller: tenant.kind === "reseller",
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "api-key" }),
  };
}

// The page's two forms by their intent (issue 16 item 1): an unknown one is a 400, not a new key.
const ApiKeysForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("revoke"), id: idField("APIキー") }),
  ApiKeyForm.extend({ intent: z.literal("create") }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const { viewer, tenant } = await keyViewer(request);
  const form = await request.formData();
  const values = formValues(form);
  const actor = { id: viewer.id, email: viewer.email };
  const parsed = parseForm(ApiKeysForm, form);
  if (!parsed.ok) return failureResponse(parsed, { values, created: null });
  const input = parsed.value;
  if (input.intent === "revoke") {
    const revoked = await revokeApiKey(getDb(), {
      tenant,
      id: input.id,
      at: now(),
      actor,
      ip: clientIp(request),
    });
    if (!revoked.ok) return failureResponse(revoked, { values, created: null });
    return redirect(`/api-keys?revoked=${encodeURIComponent(revoked.value.name)}`);
  }
  const { name, scope } = input;
  // A repeat cannot show the key again (it is never stored): it says the key was made.
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "api-key", form, request),
    (trx) => createApiKey(trx, { tenant, name, scope, at: now(), actor, ip: clientIp(request) }),
    (r) => (r.ok ? { summary: `APIキー「${name}」は作成済みです` } : null),
  );
  if (run.kind !== "done") return onceResponse("api-key", run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { values, created: null });
  // The key is in this one response only (no redirect): it is never stored and cannot be shown again.
  return data(
    {
      errors: {} as Record<string, string | undefined>,
      values: null,
      created: { name, key: result.value.key },
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function ApiKeys() {
  const { keys, isReseller, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const created = result?.created ?? null;
  const revoked = params.get("revoked");
  return (
    <>
      <h1>APIキー</h1>
      <p className="muted">
        業務システム（PSAツールなど）から <code>/api/v1</code> のAPIを使うためのキーです。
        {isReseller
          ? "このキーで見えるのは、貴社のお客さまの情報だけです。"
          : "プロバイダーのキーは全てのお客さまの情報を扱えます。"}
        キーは <code>Authorization: Bearer キー</code> ヘッダーで送ります。
        <Link to="/api-docs">API仕様</Link>
      </p>
      {revoked ? (
        <div className="alert success" role="status">
          APIキー「{revoked}」を失効させました。このキーでのアクセスはすでにできません。
        </div>
      ) : null}
      {created ? (
        <div className="alert success" role="status" data-testid="created-key">
          <p className="mt-0">
            APIキー「{created.name}」を発行しました。
            <strong>キーはこの画面でしか表示されません。</strong>
            今すぐコピーして、安全な場所に保管してください（選択してコピーできます）。
          </p>
          <input
            type="text"
            readOnly
            value={created.key}
            aria-label="発行したAPIキー"
            className="secret-field"
          />
        </div>
      ) : null}

      <h2>発行済みのキー</h2>
      {keys.length === 0 ? (
        <div className="empty">APIキーはまだありません。</div>
      ) : (
        <TableScroll label="APIキー">
          <table className="data" aria-label="APIキー">
            <thead>
              <tr>
                <th scope="col">名前</th>
                <th scope="col">権限</th>
                <th scope="col">キーの先頭</th>
                <th scope="col">発行</th>
                <th scope="col">最終利用</th>
                <th scope="col">状態</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>{API_SCOPE_LABELS[k.scope]}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>
                    {formatInstant(k.created_at)}
                    <br />
                    <span className="muted">{k.created_by}</span>
                  </td>
                  <td>{k.last_used_at ? formatInstant(k.last_used_at) : "未使用"}</td>
                  <td>
                    {k.revoked_at ? (
                      <span className="badge">失効（{formatInstant(k.revoked_at)}）</span>
                    ) : (
                      <span className="badge">有効</span>
                    )}
                  </td>
                  <td>
                    {k.revoked_at ? null : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="id" value={k.id} />
                        <button
                          type="submit"
                          className="secondary"
                          aria-label={`「${k.name}」を失効させる`}
                        >
                          失効させる
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <OnceForm token={formToken} form="api-key" method="post" className="stack mt-20" noValidate>
        <h2>キーを発行する</h2>
        <input type="hidden" name="intent" value="create" />
        <label>
          キーの名前（用途がわかる名前。例：PSA連携）
          <input
            type="text"
            name="name"
            maxLength={100}
            defaultValue={result?.values?.name ?? ""}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? "name-error" : undefined}
          />
          {errors.name ? (
            <span className="field-error" id="name-error">
              {errors.name}
            </span>
          ) : null}
        </label>
        <fieldset>
          <legend>権限</legend>
          <label className="check">
            <input
              type="radio"
              name="scope"
              value="read"
              defaultChecked={(result?.values?.scope ?? "read") === "read"}
            />{" "}
            読み取り（一覧・詳細の取得だけ）
          </label>
          <label className="check">
            <input
              type="radio"
              name="scope"
              value="write"
              defaultChecked={result?.values?.scope === "write"}
            />{" "}
            読み取り・書き込み（お申し込み、インシデントの対応開始・メモも）
          </label>
          {errors.scope ? <span className="field-error">{errors.scope}</span> : null}
        </fieldset>
        <button type="submit">キーを発行する</button>
      </OnceForm>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "APIキー | セキュアライン 管理コンソール" }];
