import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { clientIp, getViewer, login, safeRedirectPath } from "~/auth/session.server";

const LoginForm = z.object({
  email: z.string().trim().min(1, "メールアドレスを入力してください").email("メールアドレスの形式が正しくありません"),
  password: z.string().min(1, "パスワードを入力してください"),
  redirectTo: z.string().optional(),
});

type ActionData = { formError?: string; fieldErrors?: Partial<Record<"email" | "password", string>>; email?: string };

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer } = await getViewer(request);
  if (viewer) throw redirect("/home");
  return null;
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
    return data<ActionData>({ fieldErrors, email: String(form.email ?? "") }, { status: 400 });
  }
  const result = await login(parsed.data.email, parsed.data.password, clientIp(request));
  if (!result.ok) {
    return data<ActionData>({ formError: result.message, email: parsed.data.email }, { status: result.status });
  }
  return redirect(safeRedirectPath(parsed.data.redirectTo), { headers: { "Set-Cookie": result.cookie } });
}

export default function Login() {
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const submitting = useNavigation().state === "submitting";
  return (
    <main className="login-page">
      <div className="login-box">
        <h1>セキュアライン 管理コンソール</h1>
        <p className="muted">登録済みのメールアドレスとパスワードでログインしてください。</p>
        {actionData?.formError ? <div className="alert error" role="alert">{actionData.formError}</div> : null}
        <Form method="post" className="stack" noValidate>
          <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
          <label>
            メールアドレス
            <input type="email" name="email" autoComplete="username" defaultValue={actionData?.email}
              aria-invalid={actionData?.fieldErrors?.email ? true : undefined} />
            {actionData?.fieldErrors?.email ? <span className="field-error">{actionData.fieldErrors.email}</span> : null}
          </label>
          <label>
            パスワード
            <input type="password" name="password" autoComplete="current-password"
              aria-invalid={actionData?.fieldErrors?.password ? true : undefined} />
            {actionData?.fieldErrors?.password ? <span className="field-error">{actionData.fieldErrors.password}</span> : null}
          </label>
          <button type="submit" disabled={submitting}>{submitting ? "ログイン中…" : "ログイン"}</button>
        </Form>
      </div>
    </main>
  );
}

export const meta: MetaFunction = () => [{ title: "ログイン | セキュアライン 管理コンソール" }];
