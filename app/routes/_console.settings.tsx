import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import {
  getProviderSecondFactorPolicy,
  resetSecondFactor,
  updateProviderSecondFactorPolicy,
} from "~/auth/second-factor.server";
import { clientIp, requireViewer } from "~/auth/session.server";
import { SecondFactorPolicyForms } from "~/components/SecondFactorPolicyForms";
import { Field } from "~/components/Field";
import { getDb } from "~/db.server";
import { formValues, parseForm, type FieldErrors } from "~/lib/form";
import { checkboxField, idField } from "~/lib/fields";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { checkPeppolId } from "~/billing/peppol-id";
import { failureFields, failureMessage } from "~/lib/result";
import { checkRegistrationNumber } from "~/settings/registration-number";
import {
  getBillingSettings,
  getProviderSettings,
  updateBillingSettings,
  updateProviderSettings,
} from "~/settings/provider.server";
import {
  dunningDaysLabel,
  dunningDaysText,
  DunningSettingsForm,
  MAX_DUNNING_DAY,
  SUSPENSION_NOTICE_DAYS,
} from "~/billing/dunning";
import { getDunningDays, updateDunningDays } from "~/billing/dunning.server";
import {
  BillingSettingsForm,
  dueDateOf,
  dueRuleLabel,
  MIN_DAYS_TO_PAY,
} from "~/billing/billing-settings";
import { now } from "~/lib/clock";
import { addMonths, jstDate, monthOf } from "~/lib/jst";
import { checkDebitAccount } from "~/collections/account-check.server";
import { toZenginKana, zenginKanaProblem } from "~/collections/zengin";
import { getDebitSettings, updateDebitSettings } from "~/settings/provider.server";
import { formatDate, formatMonth } from "~/lib/format";

const ROLES = ["provider_admin"] as const;

const required = (label: string) =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(200, `${label}は200文字以内で入力してください`);

const SettingsForm = z.object({
  name: required("事業者名"),
  address: required("住所"),
  phone: required("電話番号").regex(
    /^[0-9０-９-－()（） ]+$/,
    "電話番号は数字とハイフンで入力してください",
  ),
  email: required("メールアドレス").email("メールアドレスの形式が正しくありません"),
  registrationNumber: z.string().transform((value, ctx) => {
    const check = checkRegistrationNumber(value);
    if (!check.ok) {
      ctx.addIssue({ code: "custom", message: failureMessage(check) });
      return z.NEVER;
    }
    return check.value;
  }),
  bankAccount: required("振込先"),
  peppolId: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const check = checkPeppolId(value);
      if (!check.ok) {
        ctx.addIssue({ code: "custom", message: failureMessage(check) });
        return z.NEVER;
      }
      return check.value;
    }),
});

type Fields = keyof z.input<typeof SettingsForm>;

// The page's six forms, one schema (issue 16 item 1): an intent none of them sends is a 400 and
// writes nothing. The direct debit's account is checked by checkDebitAccount below.
const SettingsPageForm = z.discriminatedUnion("intent", [
  SettingsForm.extend({ intent: z.literal("provider") }),
  BillingSettingsForm.safeExtend({ intent: z.literal("billing") }),
  DunningSettingsForm.extend({ intent: z.literal("dunning") }),
  z.looseObject({ intent: z.literal("debit") }),
  z.object({
    intent: z.literal("mfa-policy"),
    staffRequired: checkboxField(),
    resellerRequired: z.preprocess(
      (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
      z.array(idField("販売店")),
    ),
  }),
  z.object({ intent: z.literal("mfa-reset"), email: z.string().trim().default("") }),
]);

/** The failure slots the page reads, one per form; only the failed form's slot is set. */
interface SettingsFailure {
  fieldErrors: FieldErrors<Fields | "_form"> | null;
  billingErrors: FieldErrors | null;
  dunningErrors: FieldErrors | null;
  mfaResetError: string | null;
  debitErrors?: FieldErrors;
  values: Record<string, string>;
}
const NO_ERRORS = {
  fieldErrors: null,
  billingErrors: null,
  dunningErrors: null,
  mfaResetError: null,
};

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: ROLES });
  const db = getDb();
  const billing = await getBillingSettings(db);
  // The month being billed next: the one before this month.
  const example = addMonths(monthOf(jstDate(now())), -1);
  return {
    settings: await getProviderSettings(db),
    billing,
    example: { month: example, dueDate: dueDateOf(example, billing) },
    secondFactor: await getProviderSecondFactorPolicy(db),
    debit: await getDebitSettings(db),
    dunningDays: await getDunningDays(db),
    // Resetting a second factor mails the account: it carries a one-time token (issue 17 item 1).
    mfaResetToken: await issueFormToken(db, { userId: viewer.id, form: "mfa-reset" }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: ROLES });
  const formData = await request.formData();
  const form = formValues(formData);
  const actor = { id: viewer.id, email: viewer.email };
  const parsed = parseForm(SettingsPageForm, formData);
  if (!parsed.ok) {
    // Each form shows its own errors; an unknown intent shows its message above the first form.
    const slot =
      form.intent === "billing"
        ? "billingErrors"
        : form.intent === "dunning"
          ? "dunningErrors"
          : "fieldErrors";
    return data<SettingsFailure>(
      { ...NO_ERRORS, [slot]: parsed.fields, values: form },
      { status: 400 },
    );
  }
  const input = parsed.value;
  switch (input.intent) {
    case "mfa-policy":
      await updateProviderSecondFactorPolicy(
        getDb(),
        { staff: input.staffRequired, resellerIds: input.resellerRequired },
        actor,
        clientIp(request),
      );
      return redirect("/settings?mfaSaved=1#second-factor");
    case "mfa-reset": {
      const email = input.email;
      const run = await runFormOnce(
        getDb(),
        formClaim(viewer, "mfa-reset", formData, request),
        async (trx) =>
          email
            ? resetSecondFactor(trx, {
                tenant: viewer.tenant,
                role: viewer.role,
                email,
                actor,
                ip: clientIp(request),
                at: now(),
              })
            : null,
        (reset) => (reset ? { summary: `${reset.email} の二要素認証はリセット済みです` } : null),
      );
      if (run.kind !== "done") return onceResponse("mfa-reset", run);
      const reset = run.value;
      if (!reset)
        return data<SettingsFailure>(
          {
            ...NO_ERRORS,
            mfaResetError: "そのメールアドレスのアカウントは見つかりません",
            values: form,
          },
          { status: 404 },
        );
      return redirect(`/settings?mfaReset=${encodeURIComponent(reset.email)}#second-factor`);
    }
    case "debit":
      return saveDebitSettings(request, actor, form);
    case "dunning":
      await updateDunningDays(getDb(), input.dunningDays, actor, clientIp(request));
      return redirect("/settings?dunningSaved=1#dunning");
    case "billing": {
      const { intent: _intent, ...billing } = input;
      await updateBillingSettings(getDb(), billing, actor, clientIp(request));
      return redirect("/settings?billingSaved=1");
    }
    case "provider": {
      const { intent: _intent, ...settings } = input;
      await updateProviderSettings(getDb(), settings, actor, clientIp(request));
      return redirect("/settings?saved=1");
    }
  }
}

/** 口座振替 (issue 20): the account is checked as a customer's is; the holder is the provider itself. */
async function saveDebitSettings(
  request: Request,
  actor: { id: string; email: string },
  form: Record<string, string>,
) {
  const debitErrors: FieldErrors = {};
  const code = String(form.consignorCode ?? "")
    .normalize("NFKC")
    .trim();
  if (!/^\d{10}$/.test(code))
    debitErrors.consignorCode = "委託者コードは銀行から通知された数字10桁で入力してください";
  const kanaProblem = zenginKanaProblem("委託者名（カナ）", String(form.consignorKana ?? ""), 40);
  if (kanaProblem) debitErrors.consignorKana = kanaProblem;
  const account = checkDebitAccount({ ...form, holderKana: "ｱ" });
  if (!account.ok) Object.assign(debitErrors, failureFields(account));
  if (Object.keys(debitErrors).length > 0 || !account.ok) {
    return data<SettingsFailure>({ ...NO_ERRORS, debitErrors, values: form }, { status: 400 });
  }
  await updateDebitSettings(
    getDb(),
    {
      consignorCode: code,
      consignorKana: toZenginKana(String(form.consignorKana))!,
      bankCode: account.value.bankCode,
      branchCode: account.value.branchCode,
      accountType: account.value.accountType,
      accountNumber: account.value.accountNumber,
    },
    actor,
    clientIp(request),
  );
  return redirect("/settings?debitSaved=1#direct-debit");
}

export default function Settings() {
  const { settings, billing, example, secondFactor, debit, dunningDays, mfaResetToken } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const actionData = answer && "values" in answer ? answer : undefined;
  const [params] = useSearchParams();
  const errors: FieldErrors<Fields> = actionData?.fieldErrors ?? {};
  const billingErrors: FieldErrors = actionData?.billingErrors ?? {};
  const dunningErrors: FieldErrors | null = actionData?.dunningErrors ?? null;
  const value = (k: Fields) =>
    (actionData?.fieldErrors ? actionData.values[k] : undefined) ?? settings[k] ?? "";
  const debitErrors: FieldErrors =
    (actionData && "debitErrors" in actionData ? actionData.debitErrors : null) ?? {};
  const debitValue = (k: string, stored: string | undefined) =>
    (actionData && "debitErrors" in actionData ? actionData.values[k] : undefined) ?? stored ?? "";
  const billingValue = (k: string, stored: string) =>
    (actionData?.billingErrors ? actionData.values[k] : undefined) ?? stored;
  return (
    <>
      <h1>事業者設定</h1>
      <p className="muted">適格請求書の発行者として請求書に印字される情報です。</p>
      {params.get("saved") && !actionData ? (
        <div className="alert success" role="status">
          保存しました。
        </div>
      ) : null}
      {actionData?.fieldErrors ? (
        <div className="alert error" role="alert">
          {actionData.fieldErrors._form ??
            "入力内容に誤りがあります。赤字の項目を確認してください。"}
        </div>
      ) : null}
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="intent" value="provider" />
        <Field label="事業者名" name="name" defaultValue={value("name")} error={errors.name} />
        <Field label="住所" name="address" defaultValue={value("address")} error={errors.address} />
        <Field label="電話番号" name="phone" defaultValue={value("phone")} error={errors.phone} />
        <Field
          label="請求担当メールアドレス"
          name="email"
          type="email"
          defaultValue={value("email")}
          error={errors.email}
        />
        <Field
          label="適格請求書発行事業者登録番号"
          name="registrationNumber"
          defaultValue={value("registrationNumber")}
          error={errors.registrationNumber}
          hint="「T」＋13桁（例：T5010001234566）"
        />
        <Field
          label="振込先"
          name="bankAccount"
          defaultValue={value("bankAccount")}
          error={errors.bankAccount}
        />
        <Field
          label="Peppol ID（任意）"
          name="peppolId"
          defaultValue={value("peppolId")}
          error={errors.peppolId}
          hint="電子インボイス（JP PINT）の送信者ID。「0221:T＋登録番号13桁」または「0188:法人番号13桁」。未登録なら空欄"
        />
        <button type="submit">保存する</button>
      </Form>

      <h2>請求の設定</h2>
      <p className="muted">
        これから発行する請求書に適用します。発行済みの請求書の支払期限は変わりません。現在：支払期限は
        {dueRuleLabel(billing)}（{formatMonth(example.month)}分なら {formatDate(example.dueDate)}
        ）、延滞利息だけの請求書は
        {billing.leaveInterestOnlyUnbilled ? "発行しません" : "発行します"}。
      </p>
      {params.get("billingSaved") && !actionData ? (
        <div className="alert success" role="status">
          請求の設定を保存しました。
        </div>
      ) : null}
      {actionData?.billingErrors ? (
        <div className="alert error" role="alert">
          {Object.values(actionData.billingErrors)[0]}
        </div>
      ) : null}
      <Form method="post" className="stack" noValidate>
        <input type="hidden" name="intent" value="billing" />
        <label>
          支払期限の月（規約第27条第1項）
          <select
            name="dueMonthOffset"
            defaultValue={billingValue("dueMonthOffset", String(billing.dueMonthOffset))}
          >
            <option value="1">翌月（発行月）</option>
            <option value="2">翌々月</option>
          </select>
        </label>
        <label>
          支払期限の日
          <select
            name="dueDay"
            defaultValue={billingValue(
              "dueDay",
              billing.dueDay === null ? "end" : String(billing.dueDay),
            )}
            aria-invalid={billingErrors.dueDay ? true : undefined}
            aria-describedby={billingErrors.dueDay ? "dueDay-error" : undefined}
          >
            <option value="end">末日</option>
            {Array.from({ length: 28 }, (_, i) => (
              <option key={i + 1} value={String(i + 1)}>
                {i + 1}日
              </option>
            ))}
          </select>
          <span className="muted hint-text">
            請求書は翌月1日に発行します。支払期限は発行日から{MIN_DAYS_TO_PAY}
            日以上あとにしてください。
          </span>
          {billingErrors.dueDay ? (
            <span className="field-error" id="dueDay-error">
              {billingErrors.dueDay}
            </span>
          ) : null}
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="leaveInterestOnlyUnbilled"
            defaultChecked={
              actionData?.billingErrors
                ? actionData.values.leaveInterestOnlyUnbilled === "on"
                : billing.leaveInterestOnlyUnbilled
            }
          />{" "}
          延滞利息だけの請求書は発行しない（規約第26条第3項：その利息は請求しません）
        </label>
        <button type="submit">請求の設定を保存する</button>
      </Form>

      <h3 id="dunning">督促</h3>
      <p className="muted">
        支払期限を過ぎた未払いの請求書に、設定した日（支払期限の何日後か）にお支払いのお願いをメールします。未払いの額とその日までの延滞利息（規約第26条）を記載します。
        最後の日には、規約第17条の利用停止の予告（{SUSPENSION_NOTICE_DAYS}
        日後から、お支払いまで）も送ります。入金済みの請求書には送りません。現在：
        {dunningDaysLabel(dunningDays)}
      </p>
      {params.get("dunningSaved") && !actionData ? (
        <div className="alert success" role="status">
          督促する日を保存しました。
        </div>
      ) : null}
      {/* Keyed by the stored days: after saving, the field shows them as stored (sorted), not as typed. */}
      <Form method="post" className="stack" noValidate key={dunningDaysText(dunningDays)}>
        <input type="hidden" name="intent" value="dunning" />
        <Field
          label="督促する日（支払期限の何日後か、カンマ区切り）"
          name="dunningDays"
          defaultValue={
            dunningErrors
              ? String(actionData?.values.dunningDays ?? "")
              : dunningDaysText(dunningDays)
          }
          error={dunningErrors?.dunningDays}
          hint={`1〜${MAX_DUNNING_DAY}日後。例: 1,10`}
        />
        <button type="submit">督促する日を保存する</button>
      </Form>

      <h2 id="direct-debit">口座振替</h2>
      <p className="muted">
        口座振替の依頼ファイル（全銀協フォーマット）のヘッダーに書く委託者の情報です。委託者コードは取引銀行との契約で通知されます。
      </p>
      {params.get("debitSaved") && !actionData ? (
        <div className="alert success" role="status">
          口座振替の設定を保存しました。
        </div>
      ) : null}
      {Object.keys(debitErrors).length > 0 ? (
        <div className="alert error" role="alert">
          入力内容に誤りがあります。赤字の項目を確認してください。
        </div>
      ) : null}
      {/* Keyed by what is stored: after saving, the fields show the values as normalised (half-width kana). */}
      <Form
        method="post"
        className="stack"
        noValidate
        key={["debit", ...Object.values(debit ?? {})].join("|")}
      >
        <input type="hidden" name="intent" value="debit" />
        <Field
          label="委託者コード"
          name="consignorCode"
          defaultValue={debitValue("consignorCode", debit?.consignorCode)}
          error={debitErrors.consignorCode}
          hint="数字10桁"
        />
        <Field
          label="委託者名（カナ）"
          name="consignorKana"
          defaultValue={debitValue("consignorKana", debit?.consignorKana)}
          error={debitErrors.consignorKana}
          hint="半角40文字以内（全角カナは半角に直して保存します）"
        />
        <Field
          label="取引銀行コード"
          name="bankCode"
          defaultValue={debitValue("bankCode", debit?.bankCode)}
          error={debitErrors.bankCode}
          hint="数字4桁"
        />
        <Field
          label="取引支店コード"
          name="branchCode"
          defaultValue={debitValue("branchCode", debit?.branchCode)}
          error={debitErrors.branchCode}
          hint="数字3桁"
        />
        <label>
          預金種目
          <select
            name="accountType"
            defaultValue={debitValue(
              "accountType",
              debit ? (debit.accountType === 2 ? "当座" : "普通") : "普通",
            )}
          >
            <option value="普通">普通</option>
            <option value="当座">当座</option>
          </select>
        </label>
        <Field
          label="口座番号"
          name="accountNumber"
          defaultValue={debitValue("accountNumber", debit?.accountNumber)}
          error={debitErrors.accountNumber}
          hint="数字7桁以内"
        />
        <button type="submit">口座振替の設定を保存する</button>
      </Form>

      <SecondFactorPolicyForms
        policy={secondFactor}
        saved={!!params.get("mfaSaved")}
        resetDone={params.get("mfaReset")}
        resetError={actionData?.mfaResetError ?? null}
        resetToken={mfaResetToken}
      />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "事業者設定 | セキュアライン 管理コンソール" }];
