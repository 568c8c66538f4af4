// Transfer (T-10) and succession (T-12) of a contract: the unpaid charges the new holder takes
// over are shown before anything is filed; operators decide with the grounds of T-10-3.
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { Field } from "~/components/Field";
import { TableScroll } from "~/components/TableScroll";
import {
  EVIDENCE_FOR,
  EVIDENCE_LABELS,
  HOLDER_CHANGE_KIND_LABELS,
  HOLDER_CHANGE_STATUS_LABELS,
  parseSuccessors,
  SUCCESSION_CAUSE_LABELS,
  SUCCESSION_RETURN_REASONS,
  TRANSFER_REFUSAL_REASONS,
} from "~/contracts/holder-change";
import {
  decideHolderChange,
  holderChangePage,
  nameRepresentative,
  requestHolderChange,
  withdrawHolderChange,
} from "~/contracts/holder-changes.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { parseForm } from "~/lib/form";
import {
  checkboxField,
  choiceField,
  idField,
  noteField,
  optionalNoteField,
  optionalIdField,
  TEXT_LIMITS,
} from "~/lib/fields";
import { failureFields, failureMessage, failureStatus, type Failure } from "~/lib/result";
import { FormToken, OnceForm } from "~/components/OnceForm";
import {
  formClaim,
  issueFormToken,
  issueFormTokens,
  onceResponse,
  runFormOnce,
} from "~/lib/idempotency.server";
import { z } from "zod";
import { consoleUrl, idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";
import { getProviderSettings } from "~/settings/provider.server";
import { formatDate, formatInstantDate, formatMonth, formatYen } from "~/lib/format";
import { CustomerOptions } from "~/components/CustomerOptions";
import { readContractForm } from "~/contracts/contract-form.server";

const decisionForm = (changeId: number) => `holder-change-decision-${changeId}`;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const page = await holderChangePage(getDb(), {
    contractId: idParam(params.contractId),
    tenant: viewer.tenant,
    today: jstDate(now()),
  });
  if (!page) throw notFound();
  // The request form creates a holder change: it carries a one-time token (issue 17 item 1).
  const formToken = await issueFormToken(getDb(), { userId: viewer.id, form: "holder-change" });
  const isOperator = OPERATIONS_ROLES.includes(viewer.role);
  // A decision approves (making the new holder's customer and contract) or refuses once: one
  // token per change under review, shared by its two buttons.
  const decisionTokens = isOperator
    ? await issueFormTokens(getDb(), {
        userId: viewer.id,
        forms: page.changes.filter((c) => c.status === "requested").map((c) => decisionForm(c.id)),
      })
    : {};
  return {
    ...page,
    formToken,
    decisionTokens: decisionTokens as Record<string, string>,
    isOperator,
    isCustomer: viewer.tenant.kind === "customer",
  };
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => v ?? "");

// The page's forms, one schema (issue 16 item 1): an unknown intent is a 400, and the kind, the
// cause and the ids are checked here instead of cast.
const TransferForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("request"),
    kind: choiceField(["transfer", "succession"], "手続きの種類"),
    cause: z
      .union([z.literal(""), z.enum(["inheritance", "merger", "split"])], {
        error: "承継の原因（相続・合併・分割）を選んでください",
      })
      .optional()
      .transform((v) => v || null),
    existingCustomerId: optionalIdField("譲受人"),
    name: optionalText,
    address: optionalText,
    phone: optionalText,
    email: optionalText,
    successors: optionalText,
    representative: optionalText,
    evidence: optionalText,
    evidenceNote: optionalText,
    consent: checkboxField(),
    note: noteField("補足").optional(),
  }),
  z.object({
    intent: z.literal(["approve", "refuse"]),
    changeId: idField("手続き"),
    reasonCode: optionalIdField("理由"),
    note: optionalNoteField("補足"),
  }),
  z.object({
    intent: z.literal(["withdraw", "representative"]),
    changeId: idField("手続き"),
    representativeName: optionalNoteField("代表者", { max: TEXT_LIMITS.name }),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const { viewer, form, values, contractId } = await readContractForm(request, params);
  const db = getDb();
  const base = {
    contractId,
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const back = (flag: string) => redirect(`/contracts/${contractId}/transfer?${flag}=1`);
  // A decision, withdrawal or representative shows its failure above the page's forms.
  const refused = (failure: Failure) => {
    if (failure.kind === "not_found") throw notFound();
    return data(
      { errors: { _form: failureMessage(failure) } as Record<string, string | undefined>, values },
      { status: failureStatus(failure) },
    );
  };

  const parsed = parseForm(TransferForm, form);
  if (!parsed.ok)
    return data(
      { errors: parsed.fields as Record<string, string>, values },
      { status: failureStatus(parsed) },
    );
  const input = parsed.value;

  if (input.intent === "approve" || input.intent === "refuse") {
    if (!OPERATIONS_ROLES.includes(viewer.role))
      throw new Response("この操作の権限がありません。", { status: 403 });
    const approve = input.intent === "approve";
    const name = decisionForm(input.changeId);
    const providerName = (await getProviderSettings(db)).name;
    const run = await runFormOnce(
      db,
      formClaim(viewer, name, form, request),
      (trx) =>
        decideHolderChange(trx, {
          ...base,
          changeId: input.changeId,
          approve,
          reasonCode: input.reasonCode,
          note: input.note,
          today: jstDate(base.at),
          providerName,
          consoleUrl: consoleUrl(),
        }),
      (r) =>
        r?.ok
          ? {
              summary: approve ? "承認済みです" : "不承認として記録済みです",
              redirect: `/contracts/${contractId}/transfer`,
            }
          : null,
    );
    if (run.kind !== "done") return onceResponse(name, run);
    const result = run.value;
    if (!result.ok) return refused(result);
    return back("decided");
  }
  if (input.intent === "withdraw" || input.intent === "representative") {
    const { changeId } = input;
    const result =
      input.intent === "withdraw"
        ? await withdrawHolderChange(db, { ...base, changeId, tenant: viewer.tenant })
        : await nameRepresentative(db, {
            ...base,
            changeId,
            tenant: viewer.tenant,
            representative: input.representativeName,
          });
    if (!result.ok) return refused(result);
    return back(input.intent === "withdraw" ? "withdrawn" : "named");
  }
  const filed = input;
  if (filed.intent !== "request") throw notFound(); // every other intent returned above
  // Filing the request and using its token in one transaction: sent twice, it files once.
  const run = await runFormOnce(
    db,
    formClaim(viewer, "holder-change", form, request),
    (trx) =>
      requestHolderChange(trx, {
        ...base,
        tenant: viewer.tenant,
        input: {
          kind: filed.kind,
          cause: filed.cause,
          existingCustomerId: filed.existingCustomerId,
          name: filed.name,
          address: filed.address,
          phone: filed.phone,
          email: filed.email,
          successors: parseSuccessors(filed.successors),
          representative: filed.representative.trim() || null,
          evidence: filed.evidence,
          evidenceNote: filed.evidenceNote,
          consent: filed.consent,
        },
      }),
    (r) =>
      r.ok
        ? {
            summary: `${filed.kind === "transfer" ? "譲渡" : "承継"}の手続きは受付済みです`,
            redirect: `/contracts/${contractId}/transfer`,
          }
        : null,
  );
  if (run.kind !== "done") return onceResponse("holder-change", run);
  const result = run.value;
  if (!result.ok) {
    if (result.kind === "not_found") throw notFound();
    return data({ errors: failureFields(result), values }, { status: failureStatus(result) });
  }
  return back("requested");
}

export default function ContractTransfer() {
  const {
    contract,
    candidates,
    changes,
    takeover,
    isOperator,
    isCustomer,
    formToken,
    decisionTokens,
  } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const result = answer && "errors" in answer ? answer : undefined;
  const [params] = useSearchParams();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const v = (k: string, fallback = "") => result?.values?.[k] ?? fallback;
  const open = changes.find((c) => c.status === "requested");
  return (
    <>
      <p>
        <Link to={`/contracts/${contract.id}`}>← 契約 {contract.ref}</Link>
      </p>
      <h1>契約の譲渡・地位の承継（{contract.ref}）</h1>
      <p className="muted">
        契約の譲渡は当社の承認を受けて効力を生じます（規約第10条）。譲受人は、未払いの料金を含め、本契約に係る一切の権利と義務を引き継ぎます。
        相続・合併・分割で契約者の地位を承継した場合は、証明書類を添えてお届けください。承継者が2人以上のときは代表者を1人定めてお届けください（第12条）。
      </p>
      {params.get("requested") ? (
        <div className="alert success" role="status">
          お申し込みを受け付けました。審査結果はメールでお知らせします。
        </div>
      ) : null}
      {params.get("decided") ? (
        <div className="alert success" role="status">
          審査結果を記録し、メールでお知らせしました。
        </div>
      ) : null}
      {params.get("withdrawn") ? (
        <div className="alert success" role="status">
          お申し込みを取り下げました。
        </div>
      ) : null}
      {params.get("named") ? (
        <div className="alert success" role="status">
          代表者のお届けを記録しました。
        </div>
      ) : null}
      {errors._form ? (
        <div className="alert error" role="alert">
          {errors._form}
        </div>
      ) : null}

      <section aria-label="引き継がれる未払い料金">
        <h2>新しい契約者に引き継がれる未払いの料金</h2>
        {takeover.invoices.length === 0 ? (
          <div className="empty">未払いの料金はありません。</div>
        ) : (
          <TableScroll>
            <table className="data max-720">
              <thead>
                <tr>
                  <th scope="col">請求書番号</th>
                  <th scope="col">請求月</th>
                  <th scope="col">支払期限</th>
                  <th scope="col" className="num">
                    未払い額
                  </th>
                  <th scope="col" className="num">
                    遅延利息（本日まで）
                  </th>
                </tr>
              </thead>
              <tbody>
                {takeover.invoices.map((i) => (
                  <tr key={i.invoiceNumber}>
                    <td>{i.invoiceNumber}</td>
                    <td>{formatMonth(i.billingMonth)}</td>
                    <td>{formatDate(i.dueDate)}</td>
                    <td className="num">{formatYen(i.outstandingYen)}</td>
                    <td className="num">{formatYen(i.accruedInterestYen)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td colSpan={3}>合計</td>
                  <td className="num" data-testid="takeover-total">
                    {formatYen(takeover.totalYen)}
                  </td>
                  <td className="num">{formatYen(takeover.interestYen)}</td>
                </tr>
              </tfoot>
            </table>
          </TableScroll>
        )}
      </section>

      {contract.status !== "terminated" && !open ? (
        <OnceForm
          token={formToken}
          form="holder-change"
          method="post"
          className="stack max-640 mt-16"
          noValidate
        >
          <input type="hidden" name="intent" value="request" />
          <label>
            手続きの種類
            <select name="kind" defaultValue={v("kind", "transfer")}>
              {Object.entries(HOLDER_CHANGE_KIND_LABELS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          {!isCustomer && candidates.length > 0 ? (
            <label>
              新しい契約者
              <select name="existingCustomerId" defaultValue={v("existingCustomerId")}>
                <option value="">新しいお客さま（下の欄に入力）</option>
                <CustomerOptions customers={candidates} />
              </select>
              {errors.existingCustomerId ? (
                <span className="field-error">{errors.existingCustomerId}</span>
              ) : null}
            </label>
          ) : null}
          <fieldset>
            <legend>新しい契約者（譲受人・承継者の連絡先）</legend>
            <Field
              label="氏名・名称（譲渡の場合）"
              name="name"
              defaultValue={v("name")}
              error={errors.name}
            />
            <Field label="住所" name="address" defaultValue={v("address")} error={errors.address} />
            <Field label="電話番号" name="phone" defaultValue={v("phone")} error={errors.phone} />
            <Field
              label="メールアドレス（請求書・通知の宛先）"
              name="email"
              type="email"
              defaultValue={v("email")}
              error={errors.email}
            />
          </fieldset>
          <fieldset>
            <legend>地位の承継の場合</legend>
            <label>
              承継の原因
              <select name="cause" defaultValue={v("cause")}>
                <option value="">（譲渡の場合は選ばない）</option>
                {Object.entries(SUCCESSION_CAUSE_LABELS).map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </select>
              {errors.cause ? <span className="field-error">{errors.cause}</span> : null}
            </label>
            <label>
              承継した方（1行に1人・1法人）
              <textarea name="successors" rows={3} defaultValue={v("successors")} />
              {errors.successors ? <span className="field-error">{errors.successors}</span> : null}
            </label>
            <Field
              label="当社に対する代表者（2人以上のとき）"
              name="representative"
              defaultValue={v("representative")}
              error={errors.representative}
              hint="お届けがあるまでは、1行目の方を代表者として取り扱います（第12条第3項）。"
            />
          </fieldset>
          <label>
            提出する書類
            <select name="evidence" defaultValue={v("evidence", "signed_by_both")}>
              {(["transfer", "succession"] as const)
                .flatMap((k) => EVIDENCE_FOR[k])
                .map((e) => (
                  <option key={e} value={e}>
                    {EVIDENCE_LABELS[e]}
                  </option>
                ))}
            </select>
            {errors.evidence ? <span className="field-error">{errors.evidence}</span> : null}
          </label>
          <Field
            label="書類の名称・受付番号など"
            name="evidenceNote"
            defaultValue={v("evidenceNote")}
            error={errors.evidenceNote}
          />
          <label className="check">
            <input type="checkbox" name="consent" defaultChecked={v("consent") === "on"} />{" "}
            新しい契約者が、上の未払いの料金（{formatYen(takeover.totalYen)}
            と遅延利息）を含む一切の権利と義務を引き継ぐことを確認しました。
            {errors.consent ? <span className="field-error block">{errors.consent}</span> : null}
          </label>
          <button type="submit">申し込む（届け出る）</button>
        </OnceForm>
      ) : contract.status === "terminated" ? (
        <p>解約済みの契約は譲渡・承継できません。</p>
      ) : null}

      <h2>お申し込みの履歴</h2>
      {changes.length === 0 ? (
        <div className="empty">譲渡・承継のお申し込みはありません。</div>
      ) : (
        changes.map((c) => (
          <article key={c.id} className="card mb-12" aria-label={`手続き #${c.id}`}>
            <h3>
              #{c.id} {HOLDER_CHANGE_KIND_LABELS[c.kind]}
              {c.cause ? `（${SUCCESSION_CAUSE_LABELS[c.cause]}）` : ""} —{" "}
              <span data-testid="holder-change-status">
                {HOLDER_CHANGE_STATUS_LABELS[c.status]}
              </span>
            </h3>
            <dl className="facts">
              <dt>現在の契約者（申込時）</dt>
              <dd>{c.from_name}</dd>
              <dt>新しい契約者</dt>
              <dd>
                {c.to_name ?? c.party_name}
                {c.to_ref ? `（${c.to_ref}）` : ""}　{c.party_email}
              </dd>
              {c.kind === "succession" ? (
                <>
                  <dt>承継した方</dt>
                  <dd>{c.successorList.join("、")}</dd>
                  <dt>代表者</dt>
                  <dd>
                    {c.representativeNow?.name}
                    {c.representativeNow?.named
                      ? "（届出済み）"
                      : "（届出まで第12条第3項により代表者として取扱い）"}
                  </dd>
                </>
              ) : null}
              <dt>書類</dt>
              <dd>
                {EVIDENCE_LABELS[c.evidence] ?? c.evidence}：{c.evidence_note}
              </dd>
              <dt>申込み</dt>
              <dd>
                {c.requested_by_name ?? "担当者"}（{formatInstantDate(c.requested_at)}）
              </dd>
              {c.status === "approved" ? (
                <>
                  <dt>効力発生日</dt>
                  <dd>{c.effective_date ? formatDate(c.effective_date) : ""}</dd>
                  <dt>引き継いだ未払い</dt>
                  <dd>
                    {formatYen(c.taken_over_yen ?? 0)}
                    {c.takenOverInvoices.length ? `（${c.takenOverInvoices.join("、")}）` : ""}
                  </dd>
                </>
              ) : null}
              {c.status === "refused" && c.refusal_reason !== null ? (
                <>
                  <dt>理由</dt>
                  <dd>
                    {
                      (c.kind === "transfer"
                        ? TRANSFER_REFUSAL_REASONS
                        : SUCCESSION_RETURN_REASONS)[c.refusal_reason]
                    }
                    {c.refusal_note ? `（${c.refusal_note}）` : ""}
                  </dd>
                </>
              ) : null}
            </dl>
            {c.status === "requested" && isOperator && c.transfereeOverdueYen > 0 ? (
              <div className="alert error" role="alert">
                譲受人に支払期限を過ぎた未払いが {formatYen(c.transfereeOverdueYen)}{" "}
                あります（第10条第3項第2号）。
              </div>
            ) : null}
            {c.status === "requested" ? (
              <div className="row">
                {isOperator ? (
                  <>
                    <OnceForm
                      method="post"
                      token={decisionTokens[decisionForm(c.id)] ?? ""}
                      form={decisionForm(c.id)}
                    >
                      <input type="hidden" name="changeId" value={c.id} />
                      <button type="submit" name="intent" value="approve">
                        承認する
                      </button>
                    </OnceForm>
                    <Form method="post" className="row tight center" autoComplete="off">
                      <FormToken token={decisionTokens[decisionForm(c.id)] ?? ""} />
                      <input type="hidden" name="changeId" value={c.id} />
                      <select
                        name="reasonCode"
                        aria-label="不承認の理由"
                        defaultValue=""
                        className="max-380"
                      >
                        <option value="">理由を選ぶ</option>
                        {Object.entries(
                          c.kind === "transfer"
                            ? TRANSFER_REFUSAL_REASONS
                            : SUCCESSION_RETURN_REASONS,
                        ).map(([k, label]) => (
                          <option key={k} value={k}>
                            {label}
                          </option>
                        ))}
                      </select>
                      <input
                        type="text"
                        name="note"
                        placeholder="補足"
                        aria-label="補足"
                        size={12}
                      />
                      <button type="submit" name="intent" value="refuse" className="secondary">
                        不承認
                      </button>
                    </Form>
                  </>
                ) : null}
                <Form method="post">
                  <input type="hidden" name="changeId" value={c.id} />
                  <button type="submit" name="intent" value="withdraw" className="secondary">
                    取り下げる
                  </button>
                </Form>
              </div>
            ) : null}
            {c.kind === "succession" && c.status === "approved" && c.successorList.length > 1 ? (
              <Form method="post" className="row tight">
                <input type="hidden" name="changeId" value={c.id} />
                <select
                  name="representativeName"
                  aria-label="代表者"
                  defaultValue={c.representativeNow?.name}
                >
                  {c.successorList.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
                <button type="submit" name="intent" value="representative" className="secondary">
                  代表者を届け出る
                </button>
              </Form>
            ) : null}
          </article>
        ))
      )}
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "契約の譲渡・承継 | セキュアライン 管理コンソール" },
];
