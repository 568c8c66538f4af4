import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { TableScroll } from "~/components/TableScroll";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { APPLICANT_ROLES } from "~/auth/tenancy";
import { Field, FieldError } from "~/components/Field";
import { OnceForm } from "~/components/OnceForm";
import { ApplicationForm, GATEWAY_MODELS } from "~/contracts/applications";
import { applicableCustomers, submitApplication } from "~/contracts/applications.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { fieldErrorsOf } from "~/lib/form";
import { failureFields } from "~/lib/result";
import { failureData } from "~/lib/result.server";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { addDays, isIsoDate, jstDate, monthOf } from "~/lib/jst";
import { AREA_LABELS, itemLabel } from "~/lib/labels";
import { loadTariffs } from "~/billing/history.server";
import { findTariffForMonth } from "~/billing/tariff";
import { applicationMonthlyPrice, priceInputOfForm } from "~/contracts/application-price";
import { areaOfAddress, prefectureOf } from "~/contracts/prefecture-area";
import { formatDate, formatYen } from "~/lib/format";
import { CustomerOptions } from "~/components/CustomerOptions";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: APPLICANT_ROLES });
  return {
    customers: await applicableCustomers(getDb(), viewer.tenant),
    isCustomer: viewer.tenant.kind === "customer",
    minStart: addDays(jstDate(now()), 1),
    // Every tariff version: the form prices the month of the wished start (T-2), also in the browser.
    tariffs: await loadTariffs(getDb()),
    formToken: await issueFormToken(getDb(), { userId: viewer.id, form: "application" }),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: APPLICANT_ROLES });
  const form = Object.fromEntries(await request.formData()) as Record<string, string>;
  // 料金を確認 without JavaScript: the page again with the entered values priced, nothing submitted.
  if (form.intent === "quote") return data({ fieldErrors: {}, values: form, quoted: true });
  const parsed = ApplicationForm.safeParse(form);
  if (!parsed.success)
    return data(
      { fieldErrors: fieldErrorsOf<string>(parsed.error), values: form },
      { status: 400 },
    );
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "application", form, request),
    (trx) =>
      submitApplication(trx, {
        tenant: viewer.tenant,
        input: parsed.data,
        at: now(),
        actor: { id: viewer.id, email: viewer.email },
        ip: clientIp(request),
      }),
    (r) =>
      r.ok
        ? { summary: "お申し込みは受付済みです", redirect: `/applications/${r.value.id}` }
        : null,
  );
  if (run.kind !== "done") return onceResponse("application", run);
  const result = run.value;
  if (!result.ok)
    return failureData(result, {
      fieldErrors: failureFields(result) as Record<string, string>,
      values: form,
    });
  return redirect(`/applications/${result.value.id}?submitted=1`);
}

export default function NewApplication() {
  const { customers, isCustomer, minStart, tariffs, formToken } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const actionData = answer && "fieldErrors" in answer ? answer : undefined;
  const quoted = actionData && "quoted" in actionData;
  const errors: Record<string, string | undefined> = actionData?.fieldErrors ?? {};
  const v = (k: string, fallback = "") => actionData?.values?.[k] ?? fallback;
  const self = isCustomer ? customers[0] : undefined;
  // What the price and the area suggestion read, kept up to date as the form changes (with
  // JavaScript); the server renders them from the same values.
  const [values, setValues] = useState<Record<string, string | undefined>>(() => ({
    holderAddress: v("holderAddress", self?.address),
    area: v("area"),
    endpointSeats: v("endpointSeats", "5"),
    endpointOwnership: v("endpointOwnership", "rental"),
    gatewayModel: v("gatewayModel", "gateway.gw10"),
    gatewayOwnership: v("gatewayOwnership", "rental"),
    gatewayRepair24h: actionData ? actionData.values?.gatewayRepair24h : "on",
    wishedStart: v("wishedStart", minStart),
  }));
  const onFormChange = (event: React.FormEvent<HTMLFormElement>) => {
    const form = new FormData(event.currentTarget);
    setValues(Object.fromEntries([...form.entries()].map(([k, x]) => [k, String(x)])));
  };
  const suggestedArea = areaOfAddress(values.holderAddress ?? "");
  const prefecture = prefectureOf(values.holderAddress ?? "");
  const start = isIsoDate(values.wishedStart) ? values.wishedStart : minStart;
  const tariff = findTariffForMonth(tariffs, monthOf(start));
  const price = tariff ? applicationMonthlyPrice(tariff, priceInputOfForm(values)) : null;
  return (
    <>
      <p>
        <Link to="/applications">← お申し込み</Link>
      </p>
      <h1>セキュリティサポートのお申し込み</h1>
      <p className="muted">
        規約第7条に基づくお申し込みです。審査のうえ、承認のお知らせに記載したサービス開始日から契約が始まります（第8条）。
      </p>
      {errors._form ? (
        <div className="alert error" role="alert">
          {errors._form}
        </div>
      ) : null}
      {actionData && !errors._form ? (
        <div className="alert error" role="alert">
          入力内容に誤りがあります。赤字の項目を確認してください。
        </div>
      ) : null}
      <OnceForm
        token={formToken}
        form="application"
        method="post"
        className="stack"
        noValidate
        onChange={onFormChange}
      >
        {!isCustomer ? (
          <label>
            お客さま
            <select name="customerId" defaultValue={v("customerId")}>
              <option value="">新しいお客さま（下の契約者情報で登録）</option>
              <CustomerOptions customers={customers} />
            </select>
            <FieldError name="customerId" errors={errors} />
          </label>
        ) : null}
        <Field
          label="契約者名（法人名）"
          name="holderName"
          defaultValue={v("holderName", self?.name)}
          error={errors.holderName}
        />
        <Field
          label="住所"
          name="holderAddress"
          defaultValue={v("holderAddress", self?.address)}
          error={errors.holderAddress}
        />
        <Field
          label="電話番号"
          name="holderPhone"
          defaultValue={v("holderPhone", self?.phone)}
          error={errors.holderPhone}
        />
        <Field
          label="メールアドレス（承認のお知らせの宛先）"
          name="holderEmail"
          type="email"
          defaultValue={v("holderEmail", self?.email)}
          error={errors.holderEmail}
        />
        <Field
          label="回線ID（フレッツ回線のお客さまID）"
          name="lineId"
          defaultValue={v("lineId")}
          error={errors.lineId}
          hint="例：CAF1234567（東日本）、COP1234567（西日本）"
        />
        <label>
          エリア
          <select
            name="area"
            value={values.area ?? ""}
            onChange={(e) => setValues((old) => ({ ...old, area: e.target.value }))}
          >
            <option value="">
              {suggestedArea
                ? `都道府県から自動判定（${AREA_LABELS[suggestedArea]}）`
                : "都道府県から自動判定"}
            </option>
            <option value="east">東日本</option>
            <option value="west">西日本</option>
          </select>
          {errors.area ? <span className="field-error">{errors.area}</span> : null}
        </label>
        {/* Outside the label: the select's name stays エリア. */}
        <p className="muted" data-testid="area-suggestion" aria-live="polite">
          {suggestedArea && prefecture
            ? `${prefecture}はNTT${AREA_LABELS[suggestedArea]}のエリアです。`
            : "住所の都道府県からNTT東日本・西日本を判定します。"}
        </p>
        <Field
          label="エンドポイントセキュリティの台数"
          name="endpointSeats"
          defaultValue={v("endpointSeats", "5")}
          error={errors.endpointSeats}
        />
        <label>
          エンドポイントの区分
          <select name="endpointOwnership" defaultValue={v("endpointOwnership", "rental")}>
            <option value="rental">レンタル（月額）</option>
            <option value="purchased">買取</option>
          </select>
        </label>
        <label>
          ゲートウェイ装置
          <select name="gatewayModel" defaultValue={v("gatewayModel", "gateway.gw10")}>
            <option value="">なし</option>
            {GATEWAY_MODELS.map((m) => (
              <option key={m} value={m}>
                {itemLabel(m)}
              </option>
            ))}
          </select>
        </label>
        <label>
          ゲートウェイの区分
          <select name="gatewayOwnership" defaultValue={v("gatewayOwnership", "rental")}>
            <option value="rental">レンタル（月額）</option>
            <option value="purchased">買取</option>
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="gatewayRepair24h"
            defaultChecked={v("gatewayRepair24h", "on") === "on"}
          />{" "}
          24時間故障対応オプション
        </label>
        <Field
          label="利用開始希望日"
          name="wishedStart"
          type="date"
          defaultValue={v("wishedStart", minStart)}
          error={errors.wishedStart}
        />
        <label className="check">
          <input
            type="checkbox"
            name="consent"
            value="yes"
            aria-invalid={errors.consent ? true : undefined}
          />
          <span>
            契約者さまから、お申し込みのために個人情報を当社に提供し、当社が規約に従って取り扱うことへの同意を得ています。
            {errors.consent ? <span className="field-error block">{errors.consent}</span> : null}
          </span>
        </label>
        {price ? (
          <section aria-label="月額料金の目安" data-testid="application-price">
            <h2>月額料金（{formatDate(tariff!.effectiveFrom)}からの料金表）</h2>
            <TableScroll label="月額料金">
              <table className="data">
                <tbody>
                  {price.lines.map((l) => (
                    <tr key={l.code}>
                      <th scope="row">
                        {l.code === "base.standard" ? "基本料金（プラン①）" : itemLabel(l.code)}
                      </th>
                      <td>
                        {formatYen(l.unitPriceYen)} × {l.quantity}
                      </td>
                      <td className="num">{formatYen(l.amountYen)}</td>
                    </tr>
                  ))}
                  <tr>
                    <th scope="row">小計（税抜）</th>
                    <td />
                    <td className="num" data-testid="price-subtotal">
                      {formatYen(price.subtotalYen)}
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">消費税（10%）</th>
                    <td />
                    <td className="num">{formatYen(price.taxYen)}</td>
                  </tr>
                  <tr>
                    <th scope="row">月額合計（税込）</th>
                    <td />
                    <td className="num" data-testid="price-total">
                      {formatYen(price.totalYen)}
                    </td>
                  </tr>
                </tbody>
              </table>
            </TableScroll>
            {quoted ? (
              <p className="muted" role="status">
                入力内容で料金を計算しました。まだお申し込みは送信されていません。
              </p>
            ) : null}
          </section>
        ) : null}
        <button type="submit" name="intent" value="quote" className="secondary" formNoValidate>
          料金を確認
        </button>
        <button type="submit" name="intent" value="submit">
          申し込む
        </button>
      </OnceForm>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "お申し込み | セキュアライン 管理コンソール" }];
