import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { changePassword } from "~/auth/password-change.server";
import { CONFIRM_MISMATCH, confirmsNext, newPassword } from "~/auth/password-rules";
import { requireViewer } from "~/auth/session.server";
import { ROLE_LABELS } from "~/auth/tenancy";
import { Field } from "~/components/Field";
import { fieldErrorsOf } from "~/lib/form";

const PasswordForm = z
  .object({
    current: z.string().min(1, "現在のパスワードを入力してください"),
    next: newPassword,
    confirm: z.string(),
  })
  .refine(confirmsNext, CONFIRM_MISMATCH)
  .refine((v) => v.next !== v.current, { path: ["next"], message: "現在と異なるパスワードにしてください" });

type Fields = "current" | "next" | "confirm";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return { email: viewer.email, displayName: viewer.displayName, roleLabel: ROLE_LABELS[viewer.role] };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const parsed = PasswordForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ fieldErrors: fieldErrorsOf<Fields>(parsed.error) }, { status: 400 });
  const result = await changePassword(viewer, parsed.data.current, parsed.data.next, request);
  if (!result.ok) return data({ fieldErrors: { [result.field]: result.message } as Partial<Record<Fields, string>> }, { status: 400 });
  return redirect("/account?changed=1", { headers: result.headers });
}

export default function Account() {
  const { email, displayName, roleLabel } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.fieldErrors ?? {};
  const [params] = useSearchParams();
  return (
    <>
      <h1>アカウント</h1>
      <dl className="facts">
        <dt>氏名</dt><dd>{displayName}</dd>
        <dt>メールアドレス</dt><dd>{email}</dd>
        <dt>役割</dt><dd>{roleLabel}</dd>
      </dl>
      <h2>パスワードの変更</h2>
      {params.get("changed") ? <div className="alert success" role="status">パスワードを変更しました。ほかの端末のログインは終了しました。</div> : null}
      <Form method="post" className="stack" noValidate>
        <Field label="現在のパスワード" name="current" type="password" autoComplete="current-password" error={errors.current} />
        <Field label="新しいパスワード（12文字以上）" name="next" type="password" autoComplete="new-password" error={errors.next} />
        <Field label="新しいパスワード（確認）" name="confirm" type="password" autoComplete="new-password" error={errors.confirm} />
        <button type="submit">変更する</button>
      </Form>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "アカウント | セキュアライン 管理コンソール" }];
