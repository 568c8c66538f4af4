import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { listCustomers } from "~/customers/customers.server";
import { getDb } from "~/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const search = new URL(request.url).searchParams.get("q")?.trim() || undefined;
  const customers = await listCustomers(getDb(), viewer.tenant, search);
  return { customers, search: search ?? "", showReseller: viewer.tenant.kind === "provider" };
}

export default function Customers() {
  const { customers, search, showReseller } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>顧客</h1>
      <Form method="get" className="filters">
        <label>検索（顧客名・顧客番号）<input type="search" name="q" defaultValue={search} /></label>
        <button type="submit" className="secondary">検索</button>
      </Form>
      {customers.length === 0 ? (
        <div className="empty">{search ? "条件に合う顧客はありません。" : "まだ顧客が登録されていません。"}</div>
      ) : (
        <table className="data">
          <thead>
            <tr><th>顧客番号</th><th>顧客名</th>{showReseller ? <th>販売店</th> : null}<th>連絡先</th><th>所在地</th><th className="num">契約中</th></tr>
          </thead>
          <tbody>
            {customers.map((c) => (
              <tr key={c.id}>
                <td>{c.ref}</td>
                <td><Link to={`/customers/${c.id}`}>{c.name}</Link></td>
                {showReseller ? <td>{c.reseller_name ?? "直販"}</td> : null}
                <td>{c.email}<div className="muted">{c.phone}</div></td>
                <td>{c.address}</td>
                <td className="num">{c.live_contracts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "顧客 | セキュアライン 管理コンソール" }];
