import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { listApplications } from "~/contracts/applications.server";
import { APPLICATION_STATUS_LABELS } from "~/contracts/application-labels";
import { getDb } from "~/db.server";
import { AREA_LABELS } from "~/lib/labels";
import { formatDate, formatInstant } from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return { applications: await listApplications(getDb(), viewer.tenant), canApply: viewer.tenant.kind !== "provider" };
}

export default function Applications() {
  const { applications, canApply } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>お申し込み</h1>
      {canApply ? <p><Link className="button" to="/applications/new">新しくお申し込みする</Link></p> : null}
      {applications.length === 0 ? <div className="empty">お申し込みはありません。</div> : (
        <table className="data">
          <thead><tr><th>申込番号</th><th>申込日時</th><th>契約者</th><th>回線ID</th><th>エリア</th><th>利用開始希望日</th><th>状態</th></tr></thead>
          <tbody>
            {applications.map((a) => (
              <tr key={a.id}>
                <td><Link to={`/applications/${a.id}`}>{a.ref}</Link></td><td>{formatInstant(a.created_at)}</td>
                <td>{a.holder_name}</td><td>{a.line_id}</td><td>{AREA_LABELS[a.area]}</td><td>{formatDate(a.wished_start)}</td>
                <td><span className={`badge ${a.status === "applied" ? "warn" : a.status === "approved" ? "" : "terminated"}`}>{APPLICATION_STATUS_LABELS[a.status]}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "お申し込み | セキュアライン 管理コンソール" }];
