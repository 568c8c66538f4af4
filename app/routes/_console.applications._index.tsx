import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Pager, SortHeader } from "~/components/Pager";
import { ListFilters, FilterSelect } from "~/components/ListFilters";
import { TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { requireViewer } from "~/auth/session.server";
import {
  APPLICATION_SORT,
  pageApplications,
  type ApplicationStatus,
} from "~/contracts/applications.server";
import { APPLICATION_STATUS_LABELS } from "~/contracts/application-labels";
import { getDb } from "~/db.server";
import { AREA_LABELS } from "~/lib/labels";
import { formatDate, formatInstant } from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const params = new URL(request.url).searchParams;
  const status = (Object.keys(APPLICATION_STATUS_LABELS) as ApplicationStatus[]).find(
    (s) => s === params.get("status"),
  );
  const { applications, page } = await pageApplications(
    getDb(),
    viewer.tenant,
    { status },
    pageRequest(params, APPLICATION_SORT),
  );
  return { applications, page, status: status ?? "", canApply: viewer.tenant.kind !== "provider" };
}

export default function Applications() {
  const { applications, page, status, canApply } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>お申し込み</h1>
      {canApply ? (
        <p>
          <Link className="button" to="/applications/new">
            新しくお申し込みする
          </Link>
        </p>
      ) : null}
      <ListFilters page={page} label="お申し込みの絞り込み">
        <FilterSelect
          label="状態"
          name="status"
          defaultValue={status}
          labels={APPLICATION_STATUS_LABELS}
        />
      </ListFilters>
      {applications.length === 0 ? (
        <div className="empty">
          {status ? "条件に合うお申し込みはありません。" : "お申し込みはありません。"}
        </div>
      ) : (
        <>
          <Pager info={page} label="お申し込みのページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">申込番号</th>
                  <SortHeader info={page} column="created" first="desc">
                    申込日時
                  </SortHeader>
                  <SortHeader info={page} column="holder">
                    契約者
                  </SortHeader>
                  <th scope="col">回線ID</th>
                  <th scope="col">エリア</th>
                  <SortHeader info={page} column="wished">
                    利用開始希望日
                  </SortHeader>
                  <th scope="col">状態</th>
                </tr>
              </thead>
              <tbody>
                {applications.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Link to={`/applications/${a.id}`}>{a.ref}</Link>
                    </td>
                    <td>{formatInstant(a.created_at)}</td>
                    <td>{a.holder_name}</td>
                    <td>{a.line_id}</td>
                    <td>{AREA_LABELS[a.area]}</td>
                    <td>{formatDate(a.wished_start)}</td>
                    <td>
                      <span
                        className={`badge ${a.status === "applied" ? "warn" : a.status === "approved" ? "" : "terminated"}`}
                      >
                        {APPLICATION_STATUS_LABELS[a.status]}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="お申し込みのページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "お申し込み | セキュアライン 管理コンソール" }];
