import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { FieldError, FormErrorAlerts } from "~/components/Field";
import { OnceForm } from "~/components/OnceForm";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES, TARIFF_VIEW_ROLES } from "~/auth/tenancy";
import { isWithdrawable, tariffCodeLabel } from "~/billing/tariff-editor";
import {
  listTariffVersions,
  publishTariffVersion,
  withdrawTariffVersion,
} from "~/billing/tariffs.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { formValues, parseForm } from "~/lib/form";
import { failureResponse } from "~/lib/result.server";
import { z } from "zod";
import { addMonths, firstDayOf, jstDate, monthOf } from "~/lib/jst";
import { formatDate, formatInstantDate, formatYen } from "~/lib/format";

/** Rows for codes a version may add: blank by default. */
const NEW_CODE_ROWS = 2;

// The page's two forms, one schema (issue 16 item 1): an intent neither sends is a 400. The
// prices (price.CODE, newCode.N, newPrice.N) are checked per field by draftTariffVersion.
const TariffForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("withdraw"), effectiveFrom: z.string().trim().default("") }),
  z.looseObject({ intent: z.literal("publish"), effectiveFrom: z.string().default("") }),
]);

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: TARIFF_VIEW_ROLES });
  const today = jstDate(now());
  return {
    versions: await listTariffVersions(getDb()),
    today,
    nextMonthStart: firstDayOf(addMonths(monthOf(today), 1)),
    canEdit: OPERATIONS_ROLES.includes(viewer.role),
    formToken: OPERATIONS_ROLES.includes(viewer.role)
      ? await issueFormToken(getDb(), { userId: viewer.id, form: "tariff-version" })
      : "",
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: TARIFF_VIEW_ROLES });
  if (!OPERATIONS_ROLES.includes(viewer.role))
    throw new Response("この操作の権限がありません。", { status: 403 });
  const form = await request.formData();
  const values = formValues(form);
  const parsed = parseForm(TariffForm, form);
  if (!parsed.ok) return failureResponse(parsed, { values: null });
  const context = {
    today: jstDate(now()),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  if (parsed.value.intent === "withdraw") {
    const result = await withdrawTariffVersion(getDb(), {
      ...context,
      effectiveFrom: parsed.value.effectiveFrom,
    });
    if (!result.ok) return failureResponse(result, { values: null });
    return redirect(`/tariffs?withdrawn=${result.value.effectiveFrom}`);
  }
  const prices = Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith("price."))
      .map(([k, v]) => [k.slice("price.".length), v]),
  );
  const newCodes = Array.from({ length: NEW_CODE_ROWS }, (_, i) => ({
    code: values[`newCode.${i}`] ?? "",
    price: values[`newPrice.${i}`] ?? "",
  }));
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, "tariff-version", form, request),
    (trx) =>
      publishTariffVersion(trx, {
        ...context,
        at: now(),
        input: { effectiveFrom: parsed.value.effectiveFrom, prices, newCodes },
      }),
    (r) => (r.ok ? { summary: `${r.value.effectiveFrom} 版は公開済みです` } : null),
  );
  if (run.kind !== "done") return onceResponse("tariff-version", run);
  const result = run.value;
  if (!result.ok) return failureResponse(result, { values });
  return redirect(`/tariffs?published=${result.value.effectiveFrom}`);
}

export default function Tariffs() {
  const { versions, today, nextMonthStart, canEdit, formToken } = useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const v = (k: string) => result?.values?.[k] ?? "";
  const latest = versions[versions.length - 1];
  const inForce =
    [...versions].reverse().find((version) => version.effectiveFrom <= today) ?? versions[0];
  const codes = Object.keys(latest.prices);
  const error = (name: string) => <FieldError name={name} errors={errors} />;
  return (
    <>
      <h1>料金表</h1>
      <p className="muted">
        各月の料金は、その月の初日に適用されている版で計算します（規約第2条）。新しい版は前の版の料金を引き継ぎ、変わる料金だけを持ちます。金額はすべて税抜です。
      </p>
      {params.get("published") ? (
        <div className="alert success" role="status">
          {formatDate(params.get("published"))} から適用する版を登録しました。
        </div>
      ) : null}
      {params.get("withdrawn") ? (
        <div className="alert success" role="status">
          {formatDate(params.get("withdrawn"))} 版を取り下げました。
        </div>
      ) : null}
      <FormErrorAlerts errors={errors} refused={Boolean(result?.values)} />

      <h2>版の一覧</h2>
      <TableScroll label="料金表の版">
        <table className="data" aria-label="料金表の版">
          <thead>
            <tr>
              <th scope="col">適用開始日</th>
              <th scope="col">状態</th>
              <th scope="col" className="num">
                変更した料金
              </th>
              <th scope="col">登録日時</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((version) => (
              <tr key={version.effectiveFrom}>
                <td>{formatDate(version.effectiveFrom)}</td>
                <td>
                  {version === inForce ? (
                    <span className="badge">適用中</span>
                  ) : version.effectiveFrom > today ? (
                    <span className="badge warn">適用予定</span>
                  ) : (
                    "過去の版"
                  )}
                </td>
                <td className="num">
                  {version.builtIn ? "料金表（当初）" : `${version.changed.length}件`}
                </td>
                <td>{version.createdAt ? formatInstantDate(version.createdAt) : "—"}</td>
                <td>
                  {canEdit && !version.builtIn && isWithdrawable(version, today) ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="withdraw" />
                      <input type="hidden" name="effectiveFrom" value={version.effectiveFrom} />
                      <button type="submit" className="secondary">
                        {formatDate(version.effectiveFrom)} 版を取り下げる
                      </button>
                    </Form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>

      <h2>料金（版ごと）</h2>
      <TableScroll label="版ごとの料金">
        <table className="data" aria-label="版ごとの料金">
          <thead>
            <tr>
              <th scope="col">料金コード</th>
              <th scope="col">内容</th>
              {versions.map((version) => (
                <th scope="col" key={version.effectiveFrom} className="num">
                  {version.effectiveFrom}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {codes.map((code) => (
              <tr key={code}>
                <td>
                  <code>{code}</code>
                </td>
                <td>{tariffCodeLabel(code)}</td>
                {versions.map((version) => {
                  const price = version.prices[code];
                  const set = !version.builtIn && version.changed.includes(code);
                  return (
                    <td
                      key={version.effectiveFrom}
                      className="num"
                      style={set ? { fontWeight: 700 } : undefined}
                    >
                      {price === undefined ? "—" : formatYen(price)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p className="muted">太字はその版で変更した料金です。</p>

      {canEdit ? (
        <OnceForm
          token={formToken}
          form="tariff-version"
          method="post"
          className="stack mt-20"
          noValidate
        >
          <h2>新しい版を登録する</h2>
          <input type="hidden" name="intent" value="publish" />
          <label>
            適用開始日（月の初日、明日以降）
            <input
              type="date"
              name="effectiveFrom"
              defaultValue={v("effectiveFrom") || nextMonthStart}
              min={nextMonthStart}
              aria-invalid={errors.effectiveFrom ? true : undefined}
              aria-describedby={errors.effectiveFrom ? "effectiveFrom-error" : undefined}
            />
            {error("effectiveFrom")}
          </label>
          <p className="muted">
            変わる料金だけを入力してください。空欄は {formatDate(latest.effectiveFrom)}{" "}
            版の料金を引き継ぎます。
          </p>
          <TableScroll label="新しい版の料金">
            <table className="data" aria-label="新しい版の料金">
              <thead>
                <tr>
                  <th scope="col">料金コード</th>
                  <th scope="col">内容</th>
                  <th scope="col" className="num">
                    現在の料金
                  </th>
                  <th scope="col">新しい料金（円）</th>
                </tr>
              </thead>
              <tbody>
                {codes.map((code) => (
                  <tr key={code}>
                    <td>
                      <code>{code}</code>
                    </td>
                    <td>{tariffCodeLabel(code)}</td>
                    <td className="num">{formatYen(latest.prices[code])}</td>
                    <td>
                      <input
                        type="text"
                        inputMode="numeric"
                        name={`price.${code}`}
                        defaultValue={v(`price.${code}`)}
                        aria-label={`${tariffCodeLabel(code)} の新しい料金`}
                        aria-invalid={errors[`price.${code}`] ? true : undefined}
                        aria-describedby={
                          errors[`price.${code}`] ? `price.${code}-error` : undefined
                        }
                      />
                      {error(`price.${code}`)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <fieldset>
            <legend>
              新しい料金コード（新しい基本プラン base.〇〇、ゲートウェイ gateway.gw数字、装置代金
              device.gw数字）
            </legend>
            {Array.from({ length: NEW_CODE_ROWS }, (_, i) => (
              <div key={i} className="row start">
                <label>
                  コード
                  <input
                    type="text"
                    name={`newCode.${i}`}
                    defaultValue={v(`newCode.${i}`)}
                    aria-invalid={errors[`newCode.${i}`] ? true : undefined}
                  />
                </label>
                <label>
                  料金（円）
                  <input
                    type="text"
                    inputMode="numeric"
                    name={`newPrice.${i}`}
                    defaultValue={v(`newPrice.${i}`)}
                  />
                </label>
                {error(`newCode.${i}`)}
              </div>
            ))}
          </fieldset>
          <button type="submit">この版を登録する</button>
        </OnceForm>
      ) : null}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "料金表 | セキュアライン 管理コンソール" }];
