import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { Field } from "~/components/Field";
import { getDb } from "~/db.server";
import { fieldErrorsOf, type FieldErrors } from "~/lib/form";
import { checkRegistrationNumber } from "~/settings/registration-number";
import { getProviderSettings, updateProviderSettings } from "~/settings/provider.server";

const ROLES = ["provider_admin"] as const;

const required = (label: string) => z.string().trim().min(1, `${label}を入力してください`).max(200, `${label}は200文字以内で入力してください`);

const SettingsForm = z.object({
  name: required("事業者名"),
  address: required("住所"),
  phone: required("電話番号").regex(/^[0-9０-９-－()（） ]+$/, "電話番号は数字とハイフンで入力してください"),
  email: required("メールアドレス").email("メールアドレスの形式が正しくありません"),
  registrationNumber: z.string().transform((value, ctx) => {
    const check = checkRegistrationNumber(value);
    if (!check.ok) {
      ctx.addIssue({ code: "custom", message: check.message });
      return z.NEVER;
    }
    return check.value;
  }),
  bankAccount: required("振込先"),
});

type Fields = keyof z.input<typeof SettingsForm>;

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: ROLES });
  return { settings: await getProviderSettings(getDb()) };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: ROLES });
  const form = Object.fromEntries(await request.formData());
  const parsed = SettingsForm.safeParse(form);
  if (!parsed.success) {
    return data({ fieldErrors: fieldErrorsOf<Fields>(parsed.error) as FieldErrors<Fields>, values: form as Record<string, string> }, { status: 400 });
  }
  await updateProviderSettings(getDb(), parsed.data, { id: viewer.id, email: viewer.email }, clientIp(request));
  return redirect("/settings?saved=1");
}

export default function Settings() {
  const { settings } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = actionData?.fieldErrors ?? {};
  const value = (k: Fields) => actionData?.values?.[k] ?? settings[k];
  return (
    <>
      <h1>事業者設定</h1>
      <p className="muted">適格請求書の発行者として請求書に印字される情報です。</p>
      {params.get("saved") && !actionData ? <div className="alert success" role="status">保存しました。</div> : null}
      {actionData ? <div className="alert error" role="alert">入力内容に誤りがあります。赤字の項目を確認してください。</div> : null}
      <Form method="post" className="stack" noValidate>
        <Field label="事業者名" name="name" defaultValue={value("name")} error={errors.name} />
        <Field label="住所" name="address" defaultValue={value("address")} error={errors.address} />
        <Field label="電話番号" name="phone" defaultValue={value("phone")} error={errors.phone} />
        <Field label="請求担当メールアドレス" name="email" type="email" defaultValue={value("email")} error={errors.email} />
        <Field label="適格請求書発行事業者登録番号" name="registrationNumber" defaultValue={value("registrationNumber")}
          error={errors.registrationNumber} hint="「T」＋13桁（例：T5010001234566）" />
        <Field label="振込先" name="bankAccount" defaultValue={value("bankAccount")} error={errors.bankAccount} />
        <button type="submit">保存する</button>
      </Form>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "事業者設定 | セキュアライン 管理コンソール" }];
