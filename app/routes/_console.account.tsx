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
import { parseForm, type FieldErrors } from "~/lib/form";
import { failureFields } from "~/lib/result";

/**
 * The page's forms, one schema (issue 16 item 1): an intent none of them sends is a 400. The rules
 * of a new password include the account's own address (checkNewPassword).
 */
const accountForm = (email: string) =>
  z.discriminatedUnion("intent", [
    z
      .object({
        intent: z.literal("change-password"),
        current: z.string().min(1, "現在のパスワードを入力してください"),
        next: newPasswordFor(email),
        confirm: z.string(),
      })
      .refine(confirmsNext, CONFIRM_MISMATCH)
      .refine((v) => v.next !== v.current, {
        path: ["next"],
        message: "現在と異なるパスワードにしてください",
      }),
    z.object({ intent: z.literal("end-session"), session: z.string().default("") }),
    z.object({ intent: z.literal("end-other-sessions") }),
  ]);

type FormErrors = FieldErrors<"current" | "next" | "confirm" | "_form">;

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
  const parsed = parseForm(accountForm(viewer.email), await request.formData());
  if (!parsed.ok) return data({ fieldErrors: parsed.fields as FormErrors }, { status: 400 });
  const input = parsed.value;
  switch (input.intent) {
    case "change-password":
      return changePasswordIntent(viewer, input, request);
    case "end-session":
      return endSessionIntent(viewer, input.session, request);
    case "end-other-sessions":
      return endOtherSessionsIntent(viewer, request);
  }
}

async function changePasswordIntent(
  viewer: Viewer,
  input: { current: string; next: string },
  request: Request,
) {
  const result = await changePassword(viewer, input.current, input.next, request);
  if (!result.ok)
    return data({ fieldErrors: failureFields(result) as FormErrors }, { status: 400 });
  return redirect("/account?changed=1", { headers: result.value });
}

async function endSessionIntent(viewer: Viewer, handle: string, request: Request) {
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
      {errors._form ? (
        <div className="alert error" role="alert">
          {errors._form}
        </div>
      ) : null}
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
