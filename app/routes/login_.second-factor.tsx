// The second step of signing in: after a correct password, the code of the authenticator app, a
// recovery code, or a passkey. Works without JavaScript except for the passkey.
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
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import {
  checkSecondStepCode,
  findPendingSignIn,
  pendingSignInCookie,
  readPendingToken,
  secondFactorStatus,
  TRUST_BROWSER_DAYS,
} from "~/auth/second-factor.server";
import {
  clientIp,
  completeSecondFactorSignIn,
  getViewer,
  safeRedirectPath,
} from "~/auth/session.server";
import { PasskeyButton } from "~/components/PasskeyButton";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { checkboxField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { failureMessage, failureStatus } from "~/lib/result";
import { z } from "zod";

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer } = await getViewer(request);
  if (viewer) throw redirect("/home");
  const db = getDb();
  const pending = await findPendingSignIn(db, readPendingToken(request), now());
  if (!pending)
    throw redirect("/login?expired=1", { headers: { "Set-Cookie": pendingSignInCookie(null) } });
  const status = await secondFactorStatus(db, pending.userId);
  return {
    email: pending.email,
    totp: status.totp,
    passkeys: status.passkeys > 0,
    recoveryCodes: status.recoveryCodesLeft > 0,
  };
}

// The step's form, one schema (issue 16 item 1): the two buttons' intents; any other is a 400.
const SecondStepForm = z.object({
  intent: z.enum(["totp", "recovery"]),
  code: z.string().trim().default(""),
  recoveryCode: z.string().trim().default(""),
  trust: checkboxField(),
  redirectTo: z.string().default(""),
});

export async function action({ request }: ActionFunctionArgs) {
  const db = getDb();
  const at = now();
  const pending = await findPendingSignIn(db, readPendingToken(request), at);
  if (!pending)
    throw redirect("/login?expired=1", { headers: { "Set-Cookie": pendingSignInCookie(null) } });
  const parsed = parseForm(SecondStepForm, await request.formData());
  if (!parsed.ok)
    return data({ kind: "totp" as const, message: failureMessage(parsed) }, { status: 400 });
  const input = parsed.value;
  // Enter in the recovery field submits with the form's first button: the filled field decides.
  const kind =
    input.intent === "recovery" || (!input.code && input.recoveryCode) ? "recovery" : "totp";
  const code = kind === "recovery" ? input.recoveryCode : input.code;
  if (!code) {
    return data(
      {
        kind,
        message:
          kind === "recovery" ? "回復コードを入力してください。" : "確認コードを入力してください。",
      },
      { status: 400 },
    );
  }
  const result = await checkSecondStepCode(db, pending, { kind, code }, at, clientIp(request));
  if (!result.ok) {
    // Past the limit of wrong codes the sign-in is void: 429, and the pending cookie goes.
    const voided = result.kind === "rate_limited";
    const headers: Record<string, string> = voided
      ? {
          "Set-Cookie": pendingSignInCookie(null),
          "Retry-After": String(result.retryAfterSeconds),
        }
      : {};
    return data(
      { kind, message: failureMessage(result), void: voided },
      { status: failureStatus(result), headers },
    );
  }
  const headers = await completeSecondFactorSignIn(db, request, pending, {
    trust: input.trust,
    at,
    summary:
      result.value.method === "recovery"
        ? "ログイン（パスワード＋回復コード）"
        : "ログイン（パスワード＋認証アプリ）",
  });
  if (!headers) throw redirect("/login?expired=1");
  return redirect(safeRedirectPath(input.redirectTo), { headers });
}

export default function SecondFactorStep() {
  const { email, totp, passkeys, recoveryCodes } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const redirectTo = params.get("redirectTo") ?? "";
  const submitting = useNavigation().state === "submitting";
  if (result && "void" in result && result.void) {
    return (
      <main className="login-page">
        <div className="login-box">
          <h1>二要素認証</h1>
          <div className="alert error" role="alert">
            {result.message}
          </div>
          <p>
            <Link to="/login">ログイン画面へ戻る</Link>
          </p>
        </div>
      </main>
    );
  }
  return (
    <main className="login-page">
      <div className="login-box">
        <h1>二要素認証</h1>
        <p className="muted">
          {email} のパスワードを確認しました。続けて、もう一つの方法で本人確認をしてください。
        </p>
        {result?.message ? (
          <div className="alert error" role="alert">
            {result.message}
          </div>
        ) : null}
        <Form method="post" className="stack" id="second-factor-form" noValidate>
          <input type="hidden" name="redirectTo" value={redirectTo} />
          {totp ? (
            <>
              <label>
                確認コード（認証アプリに表示される6桁の数字）
                <input
                  type="text"
                  name="code"
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  pattern="[0-9]*"
                  maxLength={8}
                  autoFocus
                  aria-invalid={result?.kind === "totp" ? true : undefined}
                />
              </label>
              <button type="submit" name="intent" value="totp" disabled={submitting}>
                確認する
              </button>
            </>
          ) : null}
          <label className="check">
            <input type="checkbox" name="trust" /> このブラウザを{TRUST_BROWSER_DAYS}
            日間信頼する（共用のパソコンでは選ばないでください）
          </label>
          {recoveryCodes ? (
            <details open={result?.kind === "recovery"}>
              <summary>回復コードを使う</summary>
              <div className="stack mt-8">
                <label>
                  回復コード（xxxxx-xxxxx）
                  <input
                    type="text"
                    name="recoveryCode"
                    autoComplete="off"
                    spellCheck={false}
                    aria-invalid={result?.kind === "recovery" ? true : undefined}
                  />
                </label>
                <button
                  type="submit"
                  name="intent"
                  value="recovery"
                  className="secondary"
                  disabled={submitting}
                >
                  回復コードで確認する
                </button>
                <span className="muted hint-text">各回復コードは1回だけ使えます。</span>
              </div>
            </details>
          ) : null}
        </Form>
        {passkeys ? (
          <div className="mt-12">
            <PasskeyButton
              purpose="second_factor"
              label="パスキーで確認する"
              redirectTo={redirectTo}
              trustFormId="second-factor-form"
            />
          </div>
        ) : null}
        <p className="mt-16">
          <Link to="/login">別のアカウントでログインする</Link>
        </p>
      </div>
    </main>
  );
}

export const meta: MetaFunction = () => [{ title: "二要素認証 | セキュアライン 管理コンソール" }];
