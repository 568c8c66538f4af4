import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { Field } from "~/components/Field";
import { APPLICATION_STATUS_LABELS } from "~/contracts/application-labels";
import { REJECTION_REASONS } from "~/contracts/applications";
import {
  approveApplication,
  getApplication,
  rejectApplication,
} from "~/contracts/applications.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { dateField, idField, optionalNoteField } from "~/lib/fields";
import { parseForm } from "~/lib/form";
import { formClaim, issueFormTokens, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { OnceForm } from "~/components/OnceForm";
import { z } from "zod";
import { consoleUrl, idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";
import { AREA_LABELS, itemLabel, OWNERSHIP_LABELS } from "~/lib/labels";
import { getProviderSettings } from "~/settings/provider.server";
import { formatDate, formatInstant } from "~/lib/format";
import { firstFailureResponse, firstFieldErrorResponse } from "~/lib/result.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const application = await getApplication(getDb(), {
    id: idParam(params.applicationId),
    tenant: viewer.tenant,
  });
  if (!application) throw notFound();
  // The decisions create a contract or close the application: one-time tokens (issue 17 item 1).
  const formTokens = OPERATIONS_ROLES.includes(viewer.role)
    ? await issueFormTokens(getDb(), { userId: viewer.id, forms: DECISION_FORMS })
    : null;
  // People by display name only: the page's data never carries their e-mail addresses (issue 17 item 6).
  const { consent_by: _c, created_by: _r, decided_by: _d, ...shown } = application;
  return {
    formTokens,
    application: shown,
    canReview: OPERATIONS_ROLES.includes(viewer.role),
    today: jstDate(now()),
    reasons: REJECTION_REASONS,
  };
}

const DECISION_FORMS = ["application-approve", "application-reject", "application-revoke"] as const;

// The review's three forms, one schema (issue 16 item 1): an unknown intent is a 400 (it used to
// reject the application), and the reason is a number or a field error, never NaN.
const DecisionForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("approve"),
    serviceStart: dateField("サービス開始日"),
  }),
  z.object({
    intent: z.literal(["reject", "revoke"]),
    reasonCode: idField("理由", "理由を選んでください（規約第8条第2項）"),
    note: optionalNoteField("補足"),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const parsed = parseForm(DecisionForm, form);
  if (!parsed.ok) return firstFieldErrorResponse(parsed.fields);
  const input = parsed.value;
  const base = {
    id: idParam(params.applicationId),
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const db = getDb();
  const formName = `application-${input.intent}` as const;
  const providerName = (await getProviderSettings(db)).name;
  // The decision and its token in one transaction: a second click decides nothing twice.
  const run = await runFormOnce(
    db,
    formClaim(viewer, formName, form, request),
    (trx) =>
      input.intent === "approve"
        ? approveApplication(trx, {
            ...base,
            serviceStart: input.serviceStart,
            today: jstDate(base.at),
            providerName,
            consoleUrl: consoleUrl(),
          })
        : rejectApplication(trx, {
            ...base,
            reasonCode: input.reasonCode,
            note: input.note,
            revoke: input.intent === "revoke",
          }),
    (r) =>
      r.ok
        ? {
            summary: `お申し込みは${input.intent === "approve" ? "承認" : input.intent === "revoke" ? "承認取消し" : "不承認"}済みです`,
            redirect: `/applications/${base.id}`,
          }
        : null,
  );
  if (run.kind !== "done") return onceResponse(formName, run);
  const result = run.value;
  // A decision the application's state refuses is 409, a field's problem 400, a missing one 404.
  if (!result.ok) return firstFailureResponse(result);
  return redirect(`/applications/${params.applicationId}?decided=${input.intent}`);
}

function ReasonSelect({ reasons }: { reasons: Record<number, string> }) {
  return (
    <label>
      理由（規約第8条第2項）
      <select name="reasonCode" defaultValue="">
        <option value="">選んでください</option>
        {Object.entries(reasons).map(([code, text]) => (
          <option key={code} value={code}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

export default function ApplicationDetail() {
  const { application: a, canReview, today, reasons, formTokens } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const error = answer && "field" in answer ? answer : undefined;
  const [params] = useSearchParams();
  return (
    <>
      <p>
        <Link to="/applications">← お申し込み</Link>
      </p>
      <h1>
        お申し込み {a.ref}{" "}
        <span className="badge" data-testid="application-status">
          {APPLICATION_STATUS_LABELS[a.status]}
        </span>
      </h1>
      {params.get("submitted") ? (
        <div className="alert success" role="status">
          お申し込みを受け付けました。審査の結果はメールでお知らせします。
        </div>
      ) : null}
      {error ? (
        <div className="alert error" role="alert">
          {error.message}
        </div>
      ) : null}
      <dl className="facts">
        <dt>契約者</dt>
        <dd>{a.holder_name}</dd>
        <dt>住所</dt>
        <dd>{a.holder_address}</dd>
        <dt>連絡先</dt>
        <dd>
          {a.holder_phone} / {a.holder_email}
        </dd>
        <dt>回線ID・エリア</dt>
        <dd>
          {a.line_id}（{AREA_LABELS[a.area]}）
        </dd>
        <dt>内容</dt>
        <dd>
          {itemLabel(a.base_plan)}、エンドポイント {a.endpoint_seats}台（
          {OWNERSHIP_LABELS[a.endpoint_ownership as "rental"]}）
          {a.gateway_model
            ? `、${itemLabel(a.gateway_model)}（${OWNERSHIP_LABELS[(a.gateway_ownership ?? "rental") as "rental"]}、24時間故障対応${a.gateway_repair24h ? "あり" : "なし"}）`
            : ""}
        </dd>
        <dt>利用開始希望日</dt>
        <dd>{formatDate(a.wished_start)}</dd>
        <dt>個人情報の同意</dt>
        <dd>
          {formatInstant(a.consent_at)}（{a.consent_by_name ?? "担当者"}）
        </dd>
        {a.service_start ? (
          <>
            <dt>サービス開始日</dt>
            <dd>{formatDate(a.service_start)}</dd>
          </>
        ) : null}
        {a.contract_id ? (
          <>
            <dt>契約</dt>
            <dd>
              <Link to={`/contracts/${a.contract_id}`}>契約を見る</Link>
            </dd>
          </>
        ) : null}
        {a.reason_code ? (
          <>
            <dt>理由</dt>
            <dd>
              {reasons[a.reason_code]}
              {a.reason_note ? `（${a.reason_note}）` : ""}
            </dd>
          </>
        ) : null}
      </dl>
      {canReview && a.status === "applied" ? (
        <>
          <h2>審査</h2>
          <OnceForm
            token={formTokens?.["application-approve"] ?? ""}
            form="application-approve"
            method="post"
            className="stack"
          >
            <input type="hidden" name="intent" value="approve" />
            <Field
              label="サービス開始日（承認のお知らせに記載）"
              name="serviceStart"
              type="date"
              defaultValue={a.wished_start >= today ? a.wished_start : today}
              error={error?.field === "serviceStart" ? error.message : undefined}
            />
            <button type="submit">承認する</button>
          </OnceForm>
          <OnceForm
            token={formTokens?.["application-reject"] ?? ""}
            form="application-reject"
            method="post"
            className="stack mt-20"
          >
            <input type="hidden" name="intent" value="reject" />
            <ReasonSelect reasons={reasons} />
            <label>
              補足
              <input type="text" name="note" />
            </label>
            <button type="submit" className="secondary">
              承認しない
            </button>
          </OnceForm>
        </>
      ) : null}
      {canReview && a.status === "approved" && (a.service_start ?? "") > today ? (
        <OnceForm
          token={formTokens?.["application-revoke"] ?? ""}
          form="application-revoke"
          method="post"
          className="stack mt-20"
        >
          <h2>承認の取消し（規約第8条第3項）</h2>
          <input type="hidden" name="intent" value="revoke" />
          <ReasonSelect reasons={reasons} />
          <label>
            補足
            <input type="text" name="note" />
          </label>
          <button type="submit" className="secondary">
            承認を取り消す
          </button>
        </OnceForm>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `お申し込み ${data?.application.ref ?? ""} | セキュアライン 管理コンソール` },
];
