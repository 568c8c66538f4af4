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
import { APPLICATION_STATUS_LABELS } from "~/contracts/application-labels";
import { REJECTION_REASONS } from "~/contracts/applications";
import {
  approveApplication,
  getApplication,
  rejectApplication,
} from "~/contracts/applications.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { textTooLong } from "~/lib/fields";
import { consoleUrl, idParam, notFound } from "~/lib/http.server";
import { isIsoDate, jstDate } from "~/lib/jst";
import { AREA_LABELS, itemLabel, OWNERSHIP_LABELS } from "~/lib/labels";
import { getProviderSettings } from "~/settings/provider.server";
import { formatDate, formatInstant } from "~/lib/format";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const application = await getApplication(getDb(), {
    id: idParam(params.applicationId),
    tenant: viewer.tenant,
  });
  if (!application) throw notFound();
  // People by display name only: the page's data never carries their e-mail addresses (issue 17 item 6).
  const { consent_by: _c, created_by: _r, decided_by: _d, ...shown } = application;
  return {
    application: shown,
    canReview: OPERATIONS_ROLES.includes(viewer.role),
    today: jstDate(now()),
    reasons: REJECTION_REASONS,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  const form = await request.formData();
  const intent = String(form.get("intent"));
  const base = {
    id: idParam(params.applicationId),
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  };
  const db = getDb();
  let result;
  if (intent === "approve") {
    const serviceStart = String(form.get("serviceStart") ?? "");
    if (!isIsoDate(serviceStart))
      return data(
        { field: "serviceStart", message: "サービス開始日を正しい日付で入力してください" },
        { status: 400 },
      );
    result = await approveApplication(db, {
      ...base,
      serviceStart,
      today: jstDate(base.at),
      providerName: (await getProviderSettings(db)).name,
      consoleUrl: consoleUrl(),
    });
  } else {
    const note = String(form.get("note") ?? "").trim();
    const tooLong = textTooLong(note, "note", "補足");
    if (tooLong) return data({ field: "note", message: tooLong }, { status: 400 });
    result = await rejectApplication(db, {
      ...base,
      reasonCode: Number(form.get("reasonCode")),
      note,
      revoke: intent === "revoke",
    });
  }
  if (!result) throw notFound();
  if (!result.ok) return data({ field: result.field, message: result.message }, { status: 400 });
  return redirect(`/applications/${params.applicationId}?decided=${intent}`);
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
  const { application: a, canReview, today, reasons } = useLoaderData<typeof loader>();
  const error = useActionData<typeof action>();
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
          <Form method="post" className="stack">
            <input type="hidden" name="intent" value="approve" />
            <Field
              label="サービス開始日（承認のお知らせに記載）"
              name="serviceStart"
              type="date"
              defaultValue={a.wished_start >= today ? a.wished_start : today}
              error={error?.field === "serviceStart" ? error.message : undefined}
            />
            <button type="submit">承認する</button>
          </Form>
          <Form method="post" className="stack mt-20">
            <input type="hidden" name="intent" value="reject" />
            <ReasonSelect reasons={reasons} />
            <label>
              補足
              <input type="text" name="note" />
            </label>
            <button type="submit" className="secondary">
              承認しない
            </button>
          </Form>
        </>
      ) : null}
      {canReview && a.status === "approved" && (a.service_start ?? "") > today ? (
        <Form method="post" className="stack mt-20">
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
        </Form>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `お申し込み ${data?.application.ref ?? ""} | セキュアライン 管理コンソール` },
];
