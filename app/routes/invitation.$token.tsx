import {
  data,
  redirect,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { INVITATION_VALID_DAYS } from "~/auth/accounts";
import {
  findInvitation,
  isInvitationToken,
  setPasswordByInvitation,
} from "~/auth/invitations.server";
import { hashPassword } from "~/auth/password.server";
import { newPasswordFor } from "~/auth/password-policy.server";
import { CONFIRM_MISMATCH, confirmsNext } from "~/auth/password-rules";
import { clientIp, signInAfterPasswordSet } from "~/auth/session.server";
import { Field } from "~/components/Field";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { fieldErrorsOf, formValues } from "~/lib/form";
import { formatInstant } from "~/lib/format";

/** The rules of a new password include the account's own address (checkNewPassword). */
const passwordForm = (email: string) =>
  z
    .object({ next: newPasswordFor(email), confirm: z.string() })
    .refine(confirmsNext, CONFIRM_MISMATCH);
type Fields = "next" | "confirm";

// The token is in the address: no cache may keep the page. (The console's Referrer-Policy,
// same-origin, already keeps the address from other sites.)
const PRIVATE_HEADERS = { "Cache-Control": "private, no-store" };
export const headers: HeadersFunction = () => PRIVATE_HEADERS;

const INVALID = `このリンクは使えません。設定済みか、より新しいリンクが送られたか、有効期限（送信から${INVITATION_VALID_DAYS}日）が過ぎています。アカウントを発行した販売店またはサポート窓口に、新しいリンクの送信をご依頼ください。`;

async function invitationOf(token: string | undefined) {
  return isInvitationToken(token) ? findInvitation(getDb(), token, now()) : undefined;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const invitation = await invitationOf(params.token);
  if (!invitation) return data({ invitation: null }, { status: 410, headers: PRIVATE_HEADERS });
  return data(
    {
      invitation: {
        email: invitation.email,
        displayName: invitation.displayName,
        expiresAt: invitation.expiresAt,
      },
    },
    { headers: PRIVATE_HEADERS },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const token = params.token;
  const invitation = isInvitationToken(token) ? await invitationOf(token) : undefined;
  if (!isInvitationToken(token) || !invitation)
    return data({ gone: true, fieldErrors: {} }, { status: 410 });
  const parsed = passwordForm(invitation.email).safeParse(formValues(await request.formData()));
  if (!parsed.success)
    return data({ gone: false, fieldErrors: fieldErrorsOf<Fields>(parsed.error) }, { status: 400 });
  const set = await setPasswordByInvitation(getDb(), {
    token,
    passwordHash: await hashPassword(parsed.data.next),
    at: now(),
    ip: clientIp(request),
  });
  if (!set) return data({ gone: true, fieldErrors: {} }, { status: 410 });
  const next = await signInAfterPasswordSet(getDb(), set.userId, request, now());
  return redirect(next.location, { headers: next.headers });
}

export default function Invitation() {
  const { invitation } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Partial<Record<Fields, string>> = result?.fieldErrors ?? {};
  return (
    <main className="login-page">
      <div className="login-box">
        <h1>パスワードの設定</h1>
        {!invitation || result?.gone ? (
          <div className="alert error" role="alert">
            {INVALID}
          </div>
        ) : (
          <>
            <p>
              {invitation.displayName} さま（{invitation.email}
              ）の管理コンソールのパスワードを設定してください。このリンクは{" "}
              {formatInstant(invitation.expiresAt)} まで、1回だけ使えます。
            </p>
            <Form method="post" className="stack" noValidate>
              {/* For password managers: the account the new password belongs to. */}
              <input
                type="hidden"
                name="username"
                autoComplete="username"
                value={invitation.email}
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
              <button type="submit">設定してログインする</button>
            </Form>
          </>
        )}
        <p className="muted">
          <a href="/login">ログイン画面へ</a>
        </p>
      </div>
    </main>
  );
}

export const meta: MetaFunction = () => [
  { title: "パスワードの設定 | セキュアライン 管理コンソール" },
];
