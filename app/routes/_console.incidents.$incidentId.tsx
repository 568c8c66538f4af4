import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { INCIDENT_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
import { parseForm } from "~/lib/form";
import { formClaim, issueFormToken, onceResponse, runFormOnce } from "~/lib/idempotency.server";
import { failureMessage, invalid } from "~/lib/result";
import { failureResponse } from "~/lib/result.server";
import { OnceForm } from "~/components/OnceForm";
import { z } from "zod";
import { INCIDENT_KIND_LABELS, INCIDENT_STATUS_LABELS } from "~/security/incident-labels";
import { NOTIFICATION_RESULT_LABELS } from "~/security/calls.server";
import {
  addIncidentNote,
  getIncident,
  mayResolve,
  transitionIncident,
} from "~/security/incidents.server";
import { formatInstant } from "~/lib/format";
import { eventActionLabel, eventTypeLabel } from "~/security/event-labels";

const CHANNEL_LABELS: Record<string, string> = { email: "メール", phone: "電話" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const found = await getIncident(getDb(), {
    id: idParam(params.incidentId),
    tenant: viewer.tenant,
  });
  if (!found) throw notFound();
  const notifications = found.notifications.map((n) => ({
    ...n,
    result: n.result ? (NOTIFICATION_RESULT_LABELS[n.result] ?? n.result) : null,
  }));
  return {
    ...found,
    notifications,
    canAct: INCIDENT_ROLES.includes(viewer.role),
    // Issue 17 item 8: a customer does not get the control to resolve what an operator handles.
    canResolve: INCIDENT_ROLES.includes(viewer.role) && mayResolve(viewer.tenant, found.incident),
    defaultAssignee: viewer.displayName,
    formToken:
      INCIDENT_ROLES.includes(viewer.role) && found.incident.status !== "resolved"
        ? await issueFormToken(getDb(), { userId: viewer.id, form: INCIDENT_FORM })
        : "",
  };
}

// Line ends as the browser sends them (CRLF) are stored as LF, so the notes read the same everywhere.
const incidentNotes = (required?: string) =>
  z
    .string()
    .default("")
    .transform((v) => v.replace(/\r\n?/g, "\n").trim())
    .refine((v) => required === undefined || v !== "", required)
    .refine((v) => v.length <= 2000, "メモは2000文字、担当者は100文字までです");
const assigneeField = z
  .string()
  .trim()
  .max(100, "メモは2000文字、担当者は100文字までです")
  .default("");

// The page's one form and its three buttons, one schema (issue 16 item 1): an intent none of them
// sends is a 400 and writes nothing.
const IncidentForm = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("note"),
    notes: incidentNotes("メモを入力してください"),
    assignee: assigneeField,
  }),
  z.object({ intent: z.literal("acknowledge"), notes: incidentNotes(), assignee: assigneeField }),
  z.object({
    intent: z.literal("resolve"),
    notes: incidentNotes("解決するときは対応内容をメモに記入してください"),
    assignee: assigneeField,
  }),
]);

/** The one-time token's form name: the note, the start and the resolution all write the record. */
const INCIDENT_FORM = "incident-note";

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: INCIDENT_ROLES });
  const form = await request.formData();
  const parsed = parseForm(IncidentForm, form);
  if (!parsed.ok) return failureResponse(parsed);
  const { intent, notes, assignee } = parsed.value;
  const id = idParam(params.incidentId);
  const actor = { id: viewer.id, email: viewer.email };
  // The note or the change and its token in one transaction (issue 17 item 1): a double click
  // or a reload adds the same note once.
  const run = await runFormOnce(
    getDb(),
    formClaim(viewer, INCIDENT_FORM, form, request),
    (trx) =>
      intent === "note"
        ? // Issue 17 item 8: a note on its own, without changing the incident's state.
          addIncidentNote(trx, {
            id,
            tenant: viewer.tenant,
            note: notes,
            at: now(),
            actor,
            ip: clientIp(request),
          })
        : transitionIncident(trx, {
            id,
            tenant: viewer.tenant,
            to: intent === "resolve" ? "resolved" : "acknowledged",
            notes,
            assignee,
            at: now(),
            actor,
            ip: clientIp(request),
          }),
    (r) => (r.ok ? { summary: RECORDED[intent] } : null),
  );
  if (run.kind !== "done") return onceResponse(INCIDENT_FORM, run);
  if (!run.value.ok) return failureResponse(run.value);
  return redirect(`/incidents/${params.incidentId}${intent === "note" ? "?noted=1" : ""}`);
}

const RECORDED = {
  note: "メモは追加済みです",
  acknowledge: "対応の開始は記録済みです",
  resolve: "解決済みにしました",
} as const;

export default function IncidentDetail() {
  const { incident, events, notifications, notes, canAct, canResolve, defaultAssignee, formToken } =
    useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const error = answer && "errors" in answer ? failureMessage(invalid(answer.errors)) : null;
  const [searchParams] = useSearchParams();
  return (
    <>
      <p>
        <Link to="/incidents">← インシデントの一覧</Link>
      </p>
      <h1>
        {incident.title}{" "}
        <span className="badge" data-testid="incident-status">
          {INCIDENT_STATUS_LABELS[incident.status]}
        </span>
      </h1>
      <dl className="facts">
        <dt>種類</dt>
        <dd>{INCIDENT_KIND_LABELS[incident.kind] ?? incident.kind}</dd>
        <dt>顧客・契約</dt>
        <dd>
          {incident.customer_name}（{incident.contract_ref}）
        </dd>
        <dt>検知</dt>
        <dd>{formatInstant(incident.opened_at)}</dd>
        <dt>対応開始</dt>
        <dd>{formatInstant(incident.acknowledged_at)}</dd>
        <dt>解決</dt>
        <dd>{formatInstant(incident.resolved_at)}</dd>
        <dt>担当</dt>
        <dd>{incident.assignee ?? "—"}</dd>
      </dl>
      <h2>対応の記録</h2>
      {notes.length === 0 ? (
        <div className="empty">記録はありません。</div>
      ) : (
        <ol className="incident-notes" aria-label="対応の記録">
          {notes.map((n) => (
            <li key={n.id}>
              <time dateTime={n.writtenAt}>{formatInstant(n.writtenAt)}</time> {n.authorName}
              <div className="pre-wrap">{n.body}</div>
            </li>
          ))}
        </ol>
      )}
      <h2>検知イベント</h2>
      {events.length === 0 ? (
        <div className="empty">イベントはありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">日時</th>
                <th scope="col">機器</th>
                <th scope="col">種類</th>
                <th scope="col">処理</th>
                <th scope="col">脅威・URL</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td>{formatInstant(e.detected_at)}</td>
                  <td>{e.device_name}</td>
                  <td>{eventTypeLabel(e.type)}</td>
                  <td>{eventActionLabel(e.action)}</td>
                  <td>{e.threat ?? e.url ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2>通知</h2>
      {notifications.length === 0 ? (
        <div className="empty">通知はありません。</div>
      ) : (
        <TableScroll label="通知のタイムライン">
          <table className="data" aria-label="通知のタイムライン">
            <thead>
              <tr>
                <th scope="col">方法</th>
                <th scope="col">予定日時</th>
                <th scope="col">実施日時</th>
                <th scope="col">宛先</th>
                <th scope="col">結果</th>
              </tr>
            </thead>
            <tbody>
              {notifications.map((n) => (
                <tr key={n.id}>
                  <td>{CHANNEL_LABELS[n.channel] ?? n.channel}</td>
                  <td>{formatInstant(n.planned_at)}</td>
                  <td>{formatInstant(n.sent_at)}</td>
                  <td>{n.recipient}</td>
                  <td>{n.result ?? "予定"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {canAct && incident.status !== "resolved" ? (
        <>
          <h2>対応を記録する</h2>
          {error ? (
            <div className="alert error" role="alert">
              {error}
            </div>
          ) : searchParams.get("noted") ? (
            <div className="alert success" role="status">
              メモを追加しました。
            </div>
          ) : null}
          {!canResolve ? (
            <p className="muted" data-testid="handled-by-provider">
              セキュアラインの担当者が対応しています。解決済みにするのは担当者です。状況やご依頼はメモでお知らせください。
            </p>
          ) : null}
          <OnceForm method="post" className="stack" token={formToken} form={INCIDENT_FORM}>
            <label>
              担当者
              <input
                type="text"
                name="assignee"
                defaultValue={incident.assignee ?? defaultAssignee}
              />
            </label>
            <label>
              メモ
              <textarea name="notes" rows={4} maxLength={2000} />
            </label>
            <div className="row">
              {incident.status === "new" ? (
                <button type="submit" name="intent" value="acknowledge" className="secondary">
                  対応を開始する
                </button>
              ) : null}
              <button type="submit" name="intent" value="note" className="secondary">
                メモを追加する
              </button>
              {canResolve ? (
                <button type="submit" name="intent" value="resolve">
                  解決済みにする
                </button>
              ) : null}
            </div>
          </OnceForm>
        </>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.incident.title ?? "インシデント"} | セキュアライン 管理コンソール` },
];
