// アカウント › 二要素認証: the authenticator app (QR code and the secret as text, confirmed by a
// code), recovery codes (shown once), passkeys, and — for a reseller's manager or a customer's
// administrator — whether their organisation's accounts must use a second factor. An account that
// must use one and has none is kept on this page (session.server.ts requireViewer).
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigate,
  useSearchParams,
} from "@remix-run/react";
import { deletePasskey, listPasskeys } from "~/auth/passkeys.server";
import {
  cancelTotpSetup,
  confirmTotp,
  formatSecret,
  getTenantSecondFactorPolicy,
  mustEnrolSecondFactor,
  regenerateRecoveryCodes,
  removeTotp,
  secondFactorStatus,
  startTotpSetup,
  totpQrDataUrl,
  totpUri,
  updateTenantSecondFactorPolicy,
} from "~/auth/second-factor.server";
import { clientIp, requireViewer } from "~/auth/session.server";
import { PasskeyRegistration } from "~/components/PasskeyButton";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formatInstant } from "~/lib/format";
import { checkboxField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { failureMessage, failureStatus, type Failure } from "~/lib/result";
import { notFound } from "~/lib/http.server";
import { z } from "zod";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { secondFactorSetup: true });
  const db = getDb();
  const [status, passkeys, mustEnrol, policy] = await Promise.all([
    secondFactorStatus(db, viewer.id),
    listPasskeys(db, viewer.id),
    mustEnrolSecondFactor(db, viewer),
    getTenantSecondFactorPolicy(db, viewer.tenant),
  ]);
  const setup = status.pendingSecret
    ? {
        secret: formatSecret(status.pendingSecret),
        qr: await totpQrDataUrl(totpUri(status.pendingSecret, viewer.email)),
      }
    : null;
  return {
    totp: status.totp,
    recoveryCodesLeft: status.recoveryCodesLeft,
    setup,
    mustEnrol,
    passkeys,
    policy: policy === null ? null : { required: policy, kind: viewer.tenant.kind },
  };
}

type ActionResult = { recoveryCodes?: string[]; error?: string; field?: string };

// The page's forms, one schema (issue 16 item 1): an intent none of them sends is a 400.
const SecondFactorForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal(["start-totp", "cancel-totp"]) }),
  z.object({ intent: z.literal("confirm-totp"), code: z.string().default("") }),
  z.object({
    intent: z.literal("remove-totp"),
    code: z.string().trim().default(""),
    password: z.string().default(""),
  }),
  z.object({ intent: z.literal("regenerate-codes"), password: z.string().default("") }),
  z.object({ intent: z.literal("delete-passkey"), passkeyId: z.string().default("") }),
  z.object({ intent: z.literal("policy"), required: checkboxField() }),
]);

/** A failed operation as this page shows it: one message under the form named `field`. */
const failed = (failure: Failure, field?: string) =>
  data<ActionResult>({ error: failureMessage(failure), field }, { status: failureStatus(failure) });

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { secondFactorSetup: true });
  const db = getDb();
  const parsed = parseForm(SecondFactorForm, await request.formData());
  if (!parsed.ok) return failed(parsed);
  const input = parsed.value;
  const actor = { id: viewer.id, email: viewer.email };
  const ip = clientIp(request);
  const at = now();
  switch (input.intent) {
    case "start-totp":
      await startTotpSetup(db, viewer.id, at);
      return redirect("/account/second-factor#totp");
    case "cancel-totp":
      await cancelTotpSetup(db, viewer.id);
      return redirect("/account/second-factor");
    case "confirm-totp": {
      const codes = await confirmTotp(db, actor, input.code, at, ip);
      if (!codes.ok) return failed(codes, "code");
      return data<ActionResult>({ recoveryCodes: codes.value });
    }
    case "remove-totp": {
      const result = await removeTotp(
        db,
        actor,
        input.code ? { code: input.code } : { password: input.password },
        at,
        ip,
      );
      if (!result.ok) return failed(result, "remove");
      return redirect("/account/second-factor?removed=1");
    }
    case "regenerate-codes": {
      const codes = await regenerateRecoveryCodes(db, actor, input.password, at, ip);
      if (!codes.ok) return failed(codes, "regenerate");
      return data<ActionResult>({ recoveryCodes: codes.value });
    }
    case "delete-passkey": {
      const deleted = await deletePasskey(db, actor, input.passkeyId, ip);
      if (!deleted.ok) throw notFound();
      return redirect("/account/second-factor?passkeyDeleted=1");
    }
    case "policy":
      if (viewer.tenant.kind === "provider")
        throw new Response("この操作の権限がありません。", { status: 403 });
      await updateTenantSecondFactorPolicy(db, viewer.tenant, input.required, actor, ip);
      return redirect("/account/second-factor?policySaved=1");
  }
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <section className="alert warn" aria-label="回復コード">
      <h3 className="mt-0">回復コード（この画面でのみ表示します）</h3>
      <p>
        認証アプリやパスキーが使えないときに、1つにつき1回だけログインに使えます。印刷するか、パスワード管理ソフトなど安全な場所に保管してください。
      </p>
      <ul data-testid="recovery-codes" className="recovery-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
    </section>
  );
}

export default function SecondFactorSettings() {
  const { totp, recoveryCodesLeft, setup, mustEnrol, passkeys, policy } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const notice = params.get("removed")
    ? "認証アプリを解除しました。"
    : params.get("passkeyDeleted")
      ? "パスキーを削除しました。"
      : params.get("passkeyAdded")
        ? `パスキー「${params.get("passkeyAdded")}」を登録しました。`
        : params.get("policySaved")
          ? "二要素認証の設定を保存しました。"
          : null;
  return (
    <>
      <p>
        <Link to="/account">← アカウント</Link>
      </p>
      <h1>二要素認証</h1>
      {mustEnrol ? (
        <div className="alert warn" role="alert">
          このアカウントでは二要素認証が必須です。認証アプリかパスキーを設定するまで、ほかの画面は使えません。
        </div>
      ) : null}
      {notice && !result ? (
        <div className="alert success" role="status">
          {notice}
        </div>
      ) : null}
      {result?.recoveryCodes ? <RecoveryCodes codes={result.recoveryCodes} /> : null}
      <p className="muted">
        ログインのとき、パスワードに加えて認証アプリの確認コードかパスキーで本人確認をします。パスワードが漏れても、第三者はログインできません。
      </p>

      <h2 id="totp">認証アプリ</h2>
      {totp ? (
        <>
          <p>設定済みです（残りの回復コード：{recoveryCodesLeft}件）。</p>
          <Form method="post" className="stack" noValidate>
            <h3>認証アプリを解除する</h3>
            <p className="muted m-0">
              現在のパスワード、または認証アプリの確認コードのどちらかを入力してください。
            </p>
            <label>
              現在のパスワード
              <input type="password" name="password" autoComplete="current-password" />
            </label>
            <label>
              確認コード
              <input type="text" name="code" autoComplete="one-time-code" inputMode="numeric" />
            </label>
            {result?.field === "remove" ? (
              <span className="field-error">{result.error}</span>
            ) : null}
            <button type="submit" name="intent" value="remove-totp" className="secondary">
              解除する
            </button>
          </Form>
        </>
      ) : setup ? (
        <div className="stack">
          <p>
            1. 認証アプリ（Google Authenticator、Microsoft Authenticator
            など）で次のQRコードを読み取るか、セットアップキーを入力してください。
          </p>
          <div className="row wide center">
            <img src={setup.qr} alt="認証アプリ用のQRコード" width={200} height={200} />
            <dl className="facts">
              <dt>セットアップキー</dt>
              <dd>
                <code data-testid="totp-secret">{setup.secret}</code>
              </dd>
              <dt>種類</dt>
              <dd>時間ベース（30秒・6桁）</dd>
            </dl>
          </div>
          <Form method="post" className="stack" noValidate>
            <label>
              2. 認証アプリに表示された6桁の確認コード
              <input
                type="text"
                name="code"
                autoComplete="one-time-code"
                inputMode="numeric"
                pattern="[0-9]*"
                maxLength={8}
                aria-invalid={result?.field === "code" ? true : undefined}
              />
              {result?.field === "code" ? (
                <span className="field-error">{result.error}</span>
              ) : null}
            </label>
            <div className="actions">
              <button type="submit" name="intent" value="confirm-totp">
                確認して有効にする
              </button>
              <button type="submit" name="intent" value="cancel-totp" className="secondary">
                やめる
              </button>
            </div>
          </Form>
        </div>
      ) : (
        <Form method="post">
          <p>未設定です。</p>
          <button type="submit" name="intent" value="start-totp">
            認証アプリを設定する
          </button>
        </Form>
      )}

      <h2>パスキー</h2>
      <p className="muted">
        パソコンやスマートフォンの指紋・顔・PINで確認します。登録したパスキーだけでもログインできます。
      </p>
      {passkeys.length === 0 ? (
        <div className="empty">登録済みのパスキーはありません。</div>
      ) : (
        <TableScroll>
          <table className="data" data-testid="passkeys">
            <thead>
              <tr>
                <th scope="col">名前</th>
                <th scope="col">登録日時</th>
                <th scope="col">最後に使った日時</th>
                <ActionsHeader />
              </tr>
            </thead>
            <tbody>
              {passkeys.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>{formatInstant(p.createdAt)}</td>
                  <td>{p.lastUsedAt ? formatInstant(p.lastUsedAt) : "未使用"}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="passkeyId" value={p.id} />
                      <button
                        type="submit"
                        name="intent"
                        value="delete-passkey"
                        className="secondary"
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
      <PasskeyRegistration
        onDone={(name) =>
          navigate(`/account/second-factor?passkeyAdded=${encodeURIComponent(name)}`, {
            replace: true,
          })
        }
      />

      {totp || passkeys.length > 0 ? (
        <>
          <h2>回復コード</h2>
          <p>
            未使用の回復コード：{recoveryCodesLeft}
            件。新しく発行すると、以前のコードはすべて使えなくなります。
          </p>
          <Form method="post" className="stack" noValidate>
            <label>
              現在のパスワード
              <input type="password" name="password" autoComplete="current-password" />
            </label>
            {result?.field === "regenerate" ? (
              <span className="field-error">{result.error}</span>
            ) : null}
            <button type="submit" name="intent" value="regenerate-codes" className="secondary">
              回復コードを発行し直す
            </button>
          </Form>
        </>
      ) : null}

      {policy ? (
        <>
          <h2>組織の設定</h2>
          <Form method="post" className="stack">
            <label className="check">
              <input type="checkbox" name="required" defaultChecked={policy.required} />{" "}
              {policy.kind === "reseller"
                ? "担当するすべてのお客さまの管理者アカウントに二要素認証を必須にする"
                : "自社の管理者アカウントに二要素認証を必須にする"}
            </label>
            <button type="submit" name="intent" value="policy" className="secondary">
              保存する
            </button>
          </Form>
        </>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "二要素認証 | セキュアライン 管理コンソール" }];
