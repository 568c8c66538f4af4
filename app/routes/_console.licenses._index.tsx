import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import {
  CHANNEL_LABELS,
  DISPLAY_STATE_BADGES,
  DISPLAY_STATE_LABELS,
  TERM_LABELS,
} from "~/licenses/labels";
import { LICENSE_ACTION_ROLES } from "~/licenses/licenses.server";
import { listLicenses } from "~/licenses/license-views.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { formatDate, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  return {
    licenses: await listLicenses(getDb(), viewer.tenant, today),
    showCustomer: viewer.tenant.kind !== "customer",
    canApply: LICENSE_ACTION_ROLES.includes(viewer.role),
    canDecideRefunds: FINANCE_ROLES.includes(viewer.role),
  };
}

export default function Licenses() {
  const { licenses, showCustomer, canApply, canDecideRefunds } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>ライセンス</h1>
      <p className="filters">
        <Link className="button" to="/licenses/find">
          ご契約のライセンスを探す（停止・解約）
        </Link>
        {canApply ? (
          <Link className="button" to="/licenses/isp">
            ISPセキュリティを申し込む
          </Link>
        ) : null}
        {canApply ? (
          <Link className="button" to="/licenses/isp/main-services">
            ISPの主契約
          </Link>
        ) : null}
        {canDecideRefunds ? (
          <Link className="button" to="/licenses/refunds">
            返金の処理
          </Link>
        ) : null}
      </p>
      {licenses.length === 0 ? (
        <div className="empty">ライセンスはまだありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">製品</th>
                {showCustomer ? <th scope="col">顧客</th> : null}
                <th scope="col">販売経路</th>
                <th scope="col">期間・料金</th>
                <th scope="col">状態</th>
                <th scope="col">有効期限</th>
                <th scope="col">次回請求日</th>
              </tr>
            </thead>
            <tbody>
              {licenses.map((l) => (
                <tr key={l.id}>
                  <td>
                    {l.mainRef ? <span className="muted">└ アドオン </span> : null}
                    <Link to={`/licenses/${l.id}`}>{l.product}</Link>
                    <div className="muted text-12">
                      {l.ref}・{l.seats}台
                    </div>
                  </td>
                  {showCustomer ? <td>{l.customerName}</td> : null}
                  <td>{CHANNEL_LABELS[l.channel]}</td>
                  <td>
                    {TERM_LABELS[l.term]} {formatYen(l.priceYen)}
                  </td>
                  <td>
                    <span className={`badge ${DISPLAY_STATE_BADGES[l.displayState]}`}>
                      {DISPLAY_STATE_LABELS[l.displayState]}
                    </span>
                  </td>
                  <td>{formatDate(l.endsOn)}</td>
                  <td>{formatDate(l.nextRenewalOn)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}

export const meta = titled("ライセンス");
