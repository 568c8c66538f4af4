import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { changePassword } from "~/auth/password-change.server";
import { newPasswordFor } from "~/auth/password-policy.server";
import { CONFIRM_MISMATCH, confirmsNext } from "~/auth/password-rules";
import { clientIp, currentSessionId, requireViewer } from "~/auth/session.server";
import { endOtherOwnSessions, endOwnSession, listOwnSessions } from "~/auth/sessions.server";
import { ROLE_LABELS, type Viewer } from "~/auth/tenancy";
import { AccountSessions } from "~/components/AccountSessions";
import { Field } from "~/components/Field";
import { getDb } from "~/db.server";
import { fieldErrorsOf, formValues } from "~/lib/form";

/** The rules of a new password include the account's own address (checkNewPassword). */
const passwordForm = (email: string) =>
  z
    .object({
      current: z.string().min(1, "現在のパスワードを入力してください"),
      next: newPasswordFor(email),
      confirm: z.string(),
    })
    .refine(confirmsNext, CONFIRM_MISMATCH)
    .refine((v) => v.next !== v.current, {
      path: ["next"],
      message: "現在と異なるパスワードにしてください",
    });

type Fields = "current" | "next" | "confirm";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const sessions = await listOwnSessions(getDb(), viewer, currentSessionId(request));
  return {
    email: viewer.email,
    displayName: viewer.displayName,
    roleLabel: ROLE_LABELS[viewer.role],
    sessions,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const form = await request.formData();
  switch (form.get("intent")) {
    case "change-password":
      return changePasswordIntent(viewer, form, request);
    case "end-session":
      return endSessionIntent(viewer, form, request);
    case "end-other-sessions":
      return endOtherSessionsIntent(viewer, request);
    default:
      throw new Response("不明な操作です。", { status: 400 });
  }
}

async function changePasswordIntent(viewer: Viewer, form: FormData, request: Request) {
  const parsed = passwordForm(viewer.email).safeParse(formValues(form));
  if (!parsed.success)
    return data({ fieldErrors: fieldErrorsOf<Fields>(parsed.error) }, { status: 400 });
  const result = await changePassword(viewer, parsed.data.current, parsed.data.next, request);
  if (!result.ok)
    return data(
      { fieldErrors: { [result.field]: result.message } as Partial<Record<Fields, string>> },
      { status: 400 },
    );
  return redirect("/account?changed=1", { headers: result.headers });
}

async function endSessionIntent(viewer: Viewer, form: FormData, request: Request) {
  const handle = String(form.get("session") ?? "");
  // Only the viewer's own sessions can be named: any other is not found.
  if (!(await endOwnSession(getDb(), viewer, handle, clientIp(request)))) {
    throw new Response("このセッションは見つかりません。", { status: 404 });
  }
  return redirect("/account?sessions=ended");
}

async function endOtherSessionsIntent(viewer: Viewer, request: Request) {
  const current = currentSessionId(request);
  if (!current) throw new Response("ログインしていません。", { status: 400 });
  const count = await endOtherOwnSessions(getDb(), viewer, current, clientIp(request));
  return redirect(`/account?sessions=ended-others&count=${count}`);
}

const SESSION_NOTICES: Record<string, (count: string | null) => string> = {
  ended: () => "セッションを終了しました。",
  "ended-others": (count) => `ほかのセッションを${count ?? "0"}件終了しました。`,
};

export default function Account() {
  const { email, displayName, roleLabel, sessions } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.fieldErrors ?? {};
  const [params] = useSearchParams();
  const sessionNotice =
    SESSION_NOTICES[params.get("sessions") ?? ""]?.(params.get("count")) ?? null;
  return (
    <>
      <h1>アカウント</h1>
      <dl className="facts">
        <dt>氏名</dt>
        <dd>{displayName}</dd>
        <dt>メールアドレス</dt>
        <dd>{email}</dd>
        <dt>役割</dt>
        <dd>{roleLabel}</dd>
      </dl>
      <h2>二要素認証</h2>
      <p>
        <Link to="/account/second-factor">
          二要素認証の設定（認証アプリ・パスキー・回復コード）
        </Link>
      </p>
      <h2>パスワードの変更</h2>
      {params.get("changed") ? (
        <div className="alert success" role="status">
          パスワードを変更しました。ほかの端末のログインは終了しました。
        </div>
      ) : null}
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="intent" value="change-password" />
        <Field
          label="現在のパスワード"
          name="current"
          type="password"
          autoComplete="current-password"
          error={errors.current}
        />
        <Field
          label="新しいパスワード（12文字以上）"
          name="next"
          type="password"
          autoComplete="new-password"
          error={errors.next}
          hint="よく使われるパスワード、同じ文字の繰り返しや連続した並び、メールアドレスを含むものは使えません。"
        />
        <Field
          label="新しいパスワード（確認）"
          name="confirm"
          type="password"
          autoComplete="new-password"
          error={errors.confirm}
        />
        <button type="submit">変更する</button>
      </Form>
      <AccountSessions sessions={sessions} notice={sessionNotice} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "アカウント | セキュアライン 管理コンソール" }];
