import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { clientIp, requireViewer } from "~/auth/session.server";
import { INCIDENT_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
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
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: INCIDENT_ROLES });
  const form = await request.formData();
  const intent = form.get("intent");
  const to = intent === "resolve" ? "resolved" : "acknowledged";
  // Line ends as the browser sends them (CRLF) are stored as LF, so the notes read the same everywhere.
  const notes = String(form.get("notes") ?? "")
    .replace(/\r\n?/g, "\n")
    .trim();
  const assignee = String(form.get("assignee") ?? "").trim();
  if ((to === "resolved" || intent === "note") && notes === "")
    return data(
      {
        error:
          intent === "note"
            ? "メモを入力してください"
            : "解決するときは対応内容をメモに記入してください",
      },
      { status: 400 },
    );
  if (notes.length > 2000 || assignee.length > 100)
    return data({ error: "メモは2000文字、担当者は100文字までです" }, { status: 400 });
  if (intent === "note") {
    // Issue 17 item 8: a note on its own, without changing the incident's state.
    const added = await addIncidentNote(getDb(), {
      id: idParam(params.incidentId),
      tenant: viewer.tenant,
      note: notes,
      at: now(),
      actor: { id: viewer.id, email: viewer.email },
      ip: clientIp(request),
    });
    if (!added) throw notFound();
    return redirect(`/incidents/${params.incidentId}?noted=1`);
  }
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
  if (!result.ok)
    return data({ error: result.message }, { status: result.kind === "not_allowed" ? 403 : 409 });
  return redirect(`/incidents/${params.incidentId}`);
}

export default function IncidentDetail() {
  const { incident, events, notifications, notes, canAct, canResolve, defaultAssignee } =
    useLoaderData<typeof loader>();
  const error = useActionData<typeof action>()?.error;
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
          <Form method="post" className="stack" key={notes.length}>
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
          </Form>
        </>
      ) : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.incident.title ?? "インシデント"} | セキュアライン 管理コンソール` },
];
