import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { TableScroll } from "~/components/TableScroll";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { Pager } from "~/components/Pager";
import { getDb } from "~/db.server";
import { DEVICE_SORT, NOT_SEEN_DAYS, pageDevices } from "~/home/home.server";
import { now } from "~/lib/clock";
import { formatInstant } from "~/lib/format";
import { DEVICE_TYPE_LABELS } from "~/lib/labels";
import { pageRequest } from "~/lib/paging";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const params = new URL(request.url).searchParams;
  const notSeen = params.get("seen") === "stale";
  const { devices, page } = await pageDevices(
    getDb(),
    viewer.tenant,
    { notSeen, at: now() },
    pageRequest(params, DEVICE_SORT),
  );
  return { devices, page, notSeen, notSeenDays: NOT_SEEN_DAYS };
}

export default function Devices() {
  const { devices, page, notSeen, notSeenDays } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>{notSeen ? `${notSeenDays}日以上通信のない機器` : "管理している機器"}</h1>
      <p>
        {notSeen ? (
          <Link to="/devices">すべての機器を見る</Link>
        ) : (
          <Link to="/devices?seen=stale">{notSeenDays}日以上通信のない機器だけを見る</Link>
        )}
      </p>
      {devices.length === 0 ? (
        <div className="empty">該当する機器はありません。</div>
      ) : (
        <>
          <Pager info={page} label="機器のページ" />
          <TableScroll label="機器">
            <table className="data" aria-label="機器">
              <thead>
                <tr>
                  <th scope="col">機器名</th>
                  <th scope="col">種類</th>
                  <th scope="col">契約・お客さま</th>
                  <th scope="col">最終通信</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id}>
                    <td>{d.name}</td>
                    <td>{DEVICE_TYPE_LABELS[d.device_type] ?? d.device_type}</td>
                    <td>
                      <Link to={`/contracts/${d.contract_id}`}>{d.contract_ref}</Link>{" "}
                      {d.customer_name}
                    </td>
                    <td>{d.last_seen_at ? formatInstant(d.last_seen_at) : "通信記録なし"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="機器のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "機器 | セキュアライン 管理コンソール" }];
