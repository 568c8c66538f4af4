import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { CUSTOMER_SORT, pageCustomers } from "~/customers/customers.server";
import { Pager, SortHeader } from "~/components/Pager";
import { ListFilters } from "~/components/ListFilters";
import { TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { getDb } from "~/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const params = new URL(request.url).searchParams;
  const search = params.get("q")?.trim().slice(0, 200) || undefined;
  const { customers, page } = await pageCustomers(
    getDb(),
    viewer.tenant,
    search,
    pageRequest(params, CUSTOMER_SORT),
  );
  return { customers, page, search: search ?? "", showReseller: viewer.tenant.kind === "provider" };
}

export default function Customers() {
  const { customers, page, search, showReseller } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>顧客</h1>
      <ListFilters page={page} submit="検索">
        <label>
          検索（顧客名・顧客番号）
          <input type="search" name="q" defaultValue={search} />
        </label>
      </ListFilters>
      {customers.length === 0 ? (
        <div className="empty">
          {search ? "条件に合う顧客はありません。" : "まだ顧客が登録されていません。"}
        </div>
      ) : (
        <>
          <Pager info={page} label="顧客のページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <SortHeader info={page} column="ref">
                    顧客番号
                  </SortHeader>
                  <SortHeader info={page} column="name">
                    顧客名
                  </SortHeader>
                  {showReseller ? <th scope="col">販売店</th> : null}
                  <th scope="col">連絡先</th>
                  <th scope="col">所在地</th>
                  <th scope="col" className="num">
                    契約中
                  </th>
                </tr>
              </thead>
              <tbody>
                {customers.map((c) => (
                  <tr key={c.id}>
                    <td>{c.ref}</td>
                    <td>
                      <Link to={`/customers/${c.id}`}>{c.name}</Link>
                    </td>
                    {showReseller ? <td>{c.reseller_name ?? "直販"}</td> : null}
                    <td>
                      {c.email}
                      <div className="muted">{c.phone}</div>
                    </td>
                    <td>{c.address}</td>
                    <td className="num">{c.live_contracts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="顧客のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "顧客 | セキュアライン 管理コンソール" }];
