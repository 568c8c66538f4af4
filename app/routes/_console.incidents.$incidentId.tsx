import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { INCIDENT_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
import { INCIDENT_KIND_LABELS, INCIDENT_STATUS_LABELS } from "~/security/incident-labels";
import { NOTIFICATION_RESULT_LABELS } from "~/security/calls.server";
import { getIncident, transitionIncident } from "~/security/incidents.server";
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
    defaultAssignee: viewer.displayName,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: INCIDENT_ROLES });
  const form = await request.formData();
  const to = form.get("intent") === "resolve" ? "resolved" : "acknowledged";
  const notes = String(form.get("notes") ?? "").trim();
  const assignee = String(form.get("assignee") ?? "").trim();
  if (to === "resolved" && notes === "")
    return data({ error: "解決するときは対応内容をメモに記入してください" }, { status: 400 });
  if (notes.length > 2000 || assignee.length > 100)
    return data({ error: "メモは2000文字、担当者は100文字までです" }, { status: 400 });
  const result = await transitionIncident(getDb(), {
    id: idParam(params.incidentId),
    tenant: viewer.tenant,
    to,
    notes,
    assignee,
    at: now(),
    actor: { id: viewer.id, email: viewer.email },
    ip: clientIp(request),
  });
  if (!result) throw notFound();
  if (!result.ok) return data({ error: result.message }, { status: 400 });
  return redirect(`/incidents/${params.incidentId}`);
}

export default function IncidentDetail() {
  const { incident, events, notifications, notes, canAct, defaultAssignee } =
    useLoaderData<typeof loader>();
  const error = useActionData<typeof action>()?.error;
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
          ) : null}
          <Form method="post" className="stack">
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
              <input type="text" name="notes" />
            </label>
            <div className="row">
              {incident.status === "new" ? (
                <button type="submit" name="intent" value="acknowledge" className="secondary">
                  対応を開始する
                </button>
              ) : null}
              <button type="submit" name="intent" value="resolve">
                解決済みにする
              </button>
            </div>
          </Form>
        </>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.incident.title ?? "インシデント"} | セキュアライン 管理コンソール` },
];
