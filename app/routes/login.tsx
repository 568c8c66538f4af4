import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { failureMessage, failureStatus } from "~/lib/result";
import { failureHeaders } from "~/lib/result.server";
import {
  Form,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import { z } from "zod";
import { getViewer, login, safeRedirectPath } from "~/auth/session.server";
import { PasskeyButton } from "~/components/PasskeyButton";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { emailField, passwordField, TEXT_LIMITS } from "~/lib/fields";
import { NOTICE_AREAS, NOTICE_STATE_LABELS } from "~/notices/service-notice";
import { openServiceNotices } from "~/notices/service-notices.server";
import { formatInstant } from "~/lib/format";

const LoginForm = z.object({
  email: emailField(),
  password: passwordField(),
  redirectTo: z.string().optional(),
});

type ActionData = {
  formError?: string;
  fieldErrors?: Partial<Record<"email" | "password", string>>;
  email?: string;
};

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer } = await getViewer(request);
  if (viewer) throw redirect("/home");
  // T-16: interruptions in progress or to come are public: readable before logging in, also when
  // the interruption is of the console itself.
  const notices = (await openServiceNotices(getDb(), { kind: "provider" }, now())).map((n) => ({
    id: n.id,
    title: n.title,
    area: n.area,
    state: n.state,
    startsAt: n.startsAt,
    endsAt: n.endsAt,
  }));
  return { notices };
}

export async function action({ request }: ActionFunctionArgs) {
  const form = Object.fromEntries(await request.formData());
  const parsed = LoginForm.safeParse(form);
  if (!parsed.success) {
    const fieldErrors: ActionData["fieldErrors"] = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as "email" | "password";
      fieldErrors[key] ??= issue.message;
    }
    // Refused before login(): no attempt or audit row is written for a value no account can have.
    return data<ActionData>(
      { fieldErrors, email: String(form.email ?? "").slice(0, TEXT_LIMITS.email) },
      { status: 400 },
    );
  }
  const result = await login(parsed.data.email, parsed.data.password, request);
  if (result.ok === false) {
    return data<ActionData>(
      { formError: failureMessage(result), email: parsed.data.email },
      { status: failureStatus(result), headers: failureHeaders(result) },
    );
  }
  if (result.ok === "second_factor") {
    const back = safeRedirectPath(parsed.data.redirectTo);
    return redirect(`/login/second-factor?redirectTo=${encodeURIComponent(back)}`, {
      headers: { "Set-Cookie": result.cookie },
    });
  }
  return redirect(safeRedirectPath(parsed.data.redirectTo), { headers: result.value.headers });
}

export default function Login() {
  const { notices } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  return (
    <main className="login-page">
      <div className="login-box">
        <h1>セキュアライン 管理コンソール</h1>
        <p className="muted">登録済みのメールアドレスとパスワードでログインしてください。</p>
        {params.get("expired") ? (
          <div className="alert error" role="alert">
            確認の有効期限が切れました。もう一度ログインしてください。
          </div>
        ) : null}
        {actionData?.formError ? (
          <div className="alert error" role="alert">
            {actionData.formError}
          </div>
        ) : null}
        <Form method="post" className="stack" noValidate>
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
          <label>
            メールアドレス
            <input
              type="email"
              name="email"
              autoComplete="username"
              defaultValue={actionData?.email}
              aria-invalid={actionData?.fieldErrors?.email ? true : undefined}
            />
            {actionData?.fieldErrors?.email ? (
              <span className="field-error">{actionData.fieldErrors.email}</span>
            ) : null}
          </label>
          <label>
            パスワード
            <input
              type="password"
              name="password"
              autoComplete="current-password"
              aria-invalid={actionData?.fieldErrors?.password ? true : undefined}
            />
            {actionData?.fieldErrors?.password ? (
              <span className="field-error">{actionData.fieldErrors.password}</span>
            ) : null}
          </label>
          <button type="submit" disabled={submitting}>
            {submitting ? "ログイン中…" : "ログイン"}
          </button>
        </Form>
        <div className="mt-12">
          <PasskeyButton
            purpose="sign_in"
            label="パスキーでログイン"
            redirectTo={params.get("redirectTo") ?? ""}
          />
        </div>
        {notices.length > 0 ? (
          <section aria-label="サービスの利用中止のお知らせ" className="mt-20">
            <h2 className="text-15">サービスの利用中止のお知らせ</h2>
            <ul className="muted pl-18">
              {notices.map((n) => (
                <li key={n.id}>
                  【{NOTICE_STATE_LABELS[n.state]}・{NOTICE_AREAS[n.area]}】
                  {formatInstant(n.startsAt)}〜{n.endsAt ? formatInstant(n.endsAt) : "未定"}{" "}
                  {n.title}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </main>
  );
}

export const meta: MetaFunction = () => [{ title: "ログイン | セキュアライン 管理コンソール" }];
