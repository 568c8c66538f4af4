import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { z } from "zod";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { GATEWAY_MODELS } from "~/contracts/applications";
import { CHANGE_KIND_LABELS, type ContractChange } from "~/contracts/contract-change";
import {
  contactHistory,
  decideChange,
  holderContact,
  listChanges,
  previewChange,
  requestChange,
} from "~/contracts/contract-changes.server";
import { getContract } from "~/contracts/contracts.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { addressField, emailField, idField, nameField, optionalNoteField } from "~/lib/fields";
import { failureMessage } from "~/lib/result";
import { parseForm } from "~/lib/form";
import { idParam, notFound } from "~/lib/http.server";
import { isIsoDate, jstDate } from "~/lib/jst";
import { itemLabel } from "~/lib/labels";
import { formatDate, formatMonth, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";
import { readContractForm } from "~/contracts/contract-form.server";
import { failureData } from "~/lib/result.server";

const ChangeForm = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("endpoint_seats"),
    quantity: z.coerce
      .number({ error: "台数を入力してください" })
      .int("台数は整数で入力してください")
      .min(0, "台数は0以上です")
      .max(1000, "台数は1000までです"),
  }),
  z.object({
    kind: z.literal("gateway_add"),
    model: z.enum(GATEWAY_MODELS, { error: "モデルを選んでください" }),
    ownership: z.enum(["rental", "purchased"]),
    repair24h: z
      .string()
      .optional()
      .transform((v) => v === "on"),
  }),
  z.object({
    kind: z.literal("gateway_remove"),
    model: z.enum(GATEWAY_MODELS, { error: "モデルを選んでください" }),
  }),
  z.object({
    kind: z.literal("base_plan"),
    basePlan: z.string().regex(/^base\.[a-z0-9_]+$/, "プランを選んでください"),
  }),
  z.object({
    kind: z.literal("contact"),
    name: nameField("名義"),
    address: addressField(),
    phone: z
      .string()
      .trim()
      .min(1, "電話番号を入力してください")
      .max(20, "電話番号は20文字以内で入力してください"),
    email: emailField(),
  }),
]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const db = getDb();
  const found = await getContract(db, { id: idParam(params.contractId), tenant: viewer.tenant });
  if (!found) throw notFound();
  const customer = await holderContact(db, {
    contractId: found.contract.id,
    tenant: viewer.tenant,
  });
  if (!customer) throw notFound();
  return {
    contract: { id: found.contract.id, ref: found.contract.ref, status: found.contract.status },
    customer,
    changes: await listChanges(db, found.contract.id),
    history: await contactHistory(db, found.contract.customer_id),
    isOperator: OPERATIONS_ROLES.includes(viewer.role),
    today: jstDate(now()),
    formToken: await issueFormToken(db, { userId: viewer.id, form: "contract-change" }),
  };
}

// The page's intents (issue 16 item 1): an unknown one is a 400, not a change request; the change
// itself is read by ChangeForm (discriminated by its kind).
const ChangesIntent = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal(["approve", "reject"]),
    changeId: idField("変更"),
    reason: optionalNoteField("理由"),
  }),
  z.looseObject({ intent: z.literal(["preview", "request"]) }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { viewer, form, values, contractId } = await readContractForm(request, params);
  const db = getDb();
  const actor = { id: viewer.id, email: viewer.email };
  const intent = parseForm(ChangesIntent, form);
  if (!intent.ok)
    return data({ error: failureMessage(intent), values, impact: null }, { status: 400 });
  if (intent.value.intent === "approve" || intent.value.intent === "reject") {
    if (!OPERATIONS_ROLES.includes(viewer.role))
      throw new Response("この操作の権限がありません。", { status: 403 });
    const { changeId, reason } = intent.value;
    if (!(await listChanges(db, contractId)).some((c) => c.id === changeId)) throw notFound();
    const result = await decideChange(db, {
      changeId,
      approve: intent.value.intent === "approve",
      reason,
      at: now(),
      actor,
      ip: clientIp(request),
    });
    // A change decided meanwhile is 409.
    if (!result.ok)
      return failureData(result, { error: failureMessage(result), values, impact: null });
    return redirect(`/contracts/${contractId}/changes?decided=1`);
  }
  const parsed = ChangeForm.safeParse(values);
  const date = values.effectiveDate ?? "";
  if (!parsed.success || !isIsoDate(date)) {
    return data(
      {
        error: parsed.success
          ? "変更日を正しい日付で入力してください"
          : parsed.error.issues[0].message,
        values,
        impact: null,
      },
      { status: 400 },
    );
  }
  const change = parsed.data as ContractChange;
  if (intent.value.intent === "preview") {
    const impact = await previewChange(db, { contractId, tenant: viewer.tenant, change, date });
    if (!impact) throw notFound();
    return data({ error: null, values, impact });
  }
  const run = await runFormOnce(
    db,
    formClaim(viewer, "contract-change", form, request),
    (trx) =>
      requestChange(trx, {
        contractId,
        tenant: viewer.tenant,
        change,
        date,
        today: jstDate(now()),
        at: now(),
        actor,
        ip: clientIp(request),
      }),
    (r) =>
      r.ok
        ? {
            summary: "変更のお申し込みは受付済みです",
            redirect: `/contracts/${contractId}/changes`,
          }
        : null,
  );
  if (run.kind !== "done") return onceResponse("contract-change", run);
  const result = run.value;
  // A terminated contract is 409, a date before today or the service start 400.
  if (!result.ok)
    return failureData(result, { error: failureMessage(result), values, impact: null });
  return redirect(`/contracts/${contractId}/changes?requested=1`);
}

export default function ContractChanges() {
  const { contract, customer, changes, history, isOperator, today, formToken } =
    useLoaderData<typeof loader>();
  const onceAnswer = useActionData<typeof action>();
  const result = onceAnswer && "once" in onceAnswer ? undefined : onceAnswer;
  const [params] = useSearchParams();
  const v = (k: string, fallback = "") => result?.values?.[k] ?? fallback;
  const kind = v("kind", "endpoint_seats");
  return (
    <>
      <p>
        <Link to={`/contracts/${contract.id}`}>← 契約 {contract.ref}</Link>
      </p>
      <h1>契約内容の変更（{contract.ref}）</h1>
      <p className="muted">
        変更は当社の審査のうえ反映されます（規約第9条）。月額料金は変更日の月から、品目ごとに「追加した月は全額・撤去した月はかからない」ルールで計算します。基本プランを安いプランに変更すると、旧プランの月額×残り月数の違約金がかかります（別紙4
        注※1）。金額は本日時点の料金表で計算しています。
      </p>
      {params.get("requested") ? (
        <div className="alert success" role="status">
          変更のお申し込みを受け付けました。
        </div>
      ) : null}
      {params.get("decided") ? (
        <div className="alert success" role="status">
          審査結果を記録しました。
        </div>
      ) : null}
      {result?.error ? (
        <div className="alert error" role="alert">
          {result.error}
        </div>
      ) : null}
      {contract.status !== "terminated" ? (
        <OnceForm token={formToken} form="contract-change" method="post" className="stack max-560">
          <label>
            変更の種類
            <select name="kind" defaultValue={kind}>
              {Object.entries(CHANGE_KIND_LABELS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            変更日
            <input
              type="date"
              name="effectiveDate"
              min={today}
              defaultValue={v("effectiveDate", today)}
            />
          </label>
          <fieldset>
            <legend>内容（選んだ種類の欄だけ入力してください）</legend>
            <label>
              レンタルのエンドポイント台数（変更後の合計）
              <input type="number" name="quantity" min={0} defaultValue={v("quantity")} />
            </label>
            <label>
              ゲートウェイのモデル
              <select name="model" defaultValue={v("model", "gateway.gw10")}>
                {GATEWAY_MODELS.map((m) => (
                  <option key={m} value={m}>
                    {itemLabel(m)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              ゲートウェイの区分
              <select name="ownership" defaultValue={v("ownership", "rental")}>
                <option value="rental">レンタル</option>
                <option value="purchased">買取</option>
              </select>
            </label>
            <label className="check">
              <input type="checkbox" name="repair24h" defaultChecked /> 24時間故障対応
            </label>
            <label>
              基本プラン
              <select name="basePlan" defaultValue={v("basePlan", "base.standard")}>
                <option value="base.standard">基本料金（プラン①）</option>
                <option value="base.lite">ライトプラン</option>
              </select>
            </label>
            <label>
              名義
              <input type="text" name="name" defaultValue={v("name", customer.name)} />
            </label>
            <label>
              住所
              <input type="text" name="address" defaultValue={v("address", customer.address)} />
            </label>
            <label>
              電話番号
              <input type="text" name="phone" defaultValue={v("phone", customer.phone)} />
            </label>
            <label>
              メールアドレス（請求書・通知の宛先）
              <input type="email" name="email" defaultValue={v("email", customer.email)} />
            </label>
          </fieldset>
          <div className="row">
            <button type="submit" name="intent" value="preview" className="secondary">
              料金への影響を確認する
            </button>
            <button type="submit" name="intent" value="request">
              変更を申し込む
            </button>
          </div>
        </OnceForm>
      ) : (
        <p>解約済みの契約は変更できません。</p>
      )}
      {result?.impact ? (
        <TableScroll label="変更の影響">
          <table className="data max-640 mt-16" aria-label="変更の影響">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">項目</span>
                </th>
                <th scope="col" className="num">
                  変更前
                </th>
                <th scope="col" className="num">
                  変更後
                </th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>{formatMonth(result.impact.month)}の月額（税抜）</td>
                <td className="num">{formatYen(result.impact.monthlyBeforeYen)}</td>
                <td className="num" data-testid="impact-after">
                  {formatYen(result.impact.monthlyAfterYen)}
                </td>
              </tr>
              <tr>
                <td>翌月以降の月額（税抜）</td>
                <td className="num">{formatYen(result.impact.nextMonthlyBeforeYen)}</td>
                <td className="num">{formatYen(result.impact.nextMonthlyAfterYen)}</td>
              </tr>
              <tr>
                <td>解約違約金（不課税）</td>
                <td />
                <td className="num" data-testid="impact-etf">
                  {formatYen(result.impact.etfYen)}
                  {result.impact.etfDescription ? `（${result.impact.etfDescription}）` : ""}
                </td>
              </tr>
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      <h2>変更のお申し込み</h2>
      {changes.length === 0 ? (
        <div className="empty">変更のお申し込みはありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">番号</th>
                <th scope="col">種類</th>
                <th scope="col">変更日</th>
                <th scope="col">申込者</th>
                <th scope="col">状態</th>
                {isOperator ? <ActionsHeader /> : null}
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.id}>
                  <td>#{c.id}</td>
                  <td>{CHANGE_KIND_LABELS[c.kind as ContractChange["kind"]] ?? c.kind}</td>
                  <td>{formatDate(c.effective_date)}</td>
                  <td>{c.requested_by_name ?? "担当者"}</td>
                  <td>
                    {c.status === "requested"
                      ? "審査中"
                      : c.status === "approved"
                        ? "承認"
                        : `不承認${c.reason ? `（${c.reason}）` : ""}`}
                  </td>
                  {isOperator ? (
                    <td>
                      {c.status === "requested" ? (
                        <Form method="post" className="row tight">
                          <input type="hidden" name="changeId" value={c.id} />
                          <input
                            type="text"
                            name="reason"
                            placeholder="不承認の理由"
                            aria-label="不承認の理由"
                            size={12}
                          />
                          <button type="submit" name="intent" value="approve">
                            承認
                          </button>
                          <button type="submit" name="intent" value="reject" className="secondary">
                            不承認
                          </button>
                        </Form>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2>名義・住所・連絡先の履歴（規約第13条）</h2>
      {history.length === 0 ? (
        <div className="empty">変更の履歴はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">変更日</th>
                <th scope="col">項目</th>
                <th scope="col">変更前</th>
                <th scope="col">変更後</th>
                <th scope="col">記録者</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td>{formatDate(h.effective_date)}</td>
                  <td>
                    {(
                      {
                        name: "名義",
                        address: "住所",
                        phone: "電話番号",
                        email: "メールアドレス",
                      } as Record<string, string>
                    )[h.field] ?? h.field}
                  </td>
                  <td>{h.old_value}</td>
                  <td>{h.new_value}</td>
                  <td>{h.changed_by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}

export const meta = titled("契約内容の変更");
