// The operator's queue of requests waiting for review (T-9, T-10, T-12).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { OPERATIONS_ROLES } from "~/auth/tenancy";
import { Pager } from "~/components/Pager";
import { ActionsHeader, TableScroll } from "~/components/TableScroll";
import { pagePendingReviews, REVIEW_SORT } from "~/contracts/reviews.server";
import { getDb } from "~/db.server";
import { formatInstant } from "~/lib/format";
import { titled } from "~/lib/meta";
import { pageRequest } from "~/lib/paging";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: OPERATIONS_ROLES });
  return pagePendingReviews(
    getDb(),
    viewer.tenant,
    pageRequest(new URL(request.url).searchParams, REVIEW_SORT),
  );
}

export default function Reviews() {
  const { reviews, page } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>審査待ち</h1>
      <p className="muted">
        契約内容の変更（規約第9条）、契約の譲渡（第10条）、地位の承継の届出（第12条）のうち、まだ審査していないものです。古い順に表示します。
      </p>
      {reviews.length === 0 ? (
        <div className="empty">審査待ちのお申し込みはありません。</div>
      ) : (
        <>
          <Pager info={page} label="審査待ちのページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">受付日時</th>
                  <th scope="col">契約</th>
                  <th scope="col">顧客</th>
                  <th scope="col">手続き</th>
                  <th scope="col">内容</th>
                  <th scope="col">申込者</th>
                  <ActionsHeader />
                </tr>
              </thead>
              <tbody>
                {reviews.map((r, i) => (
                  <tr key={i}>
                    <td>{formatInstant(r.requestedAt)}</td>
                    <td>{r.contractRef}</td>
                    <td>{r.customerName}</td>
                    <td>{r.label}</td>
                    <td>{r.detail}</td>
                    <td>{r.requestedBy}</td>
                    <td>
                      <Link to={`/contracts/${r.contractId}/${r.page}`}>審査する</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="審査待ちのページ（下）" />
        </>
      )}
    </>
  );
}

export const meta = titled("審査待ち");
