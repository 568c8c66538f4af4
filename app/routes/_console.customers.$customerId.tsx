import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { listContracts } from "~/contracts/contracts.server";
import { getCustomer } from "~/customers/customers.server";
import { getDb } from "~/db.server";
import { idParam, notFound } from "~/lib/http.server";
import { AREA_LABELS, CONTRACT_STATUS_LABELS, formatDateJa } from "~/lib/labels";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  const db = getDb();
  const customer = await getCustomer(db, { id: idParam(params.customerId), tenant: viewer.tenant });
  if (!customer) throw notFound();
  const contracts = await listContracts(db, viewer.tenant, { customerId: customer.id });
  return { customer, contracts };
}

export default function CustomerDetail() {
  const { customer, contracts } = useLoaderData<typeof loader>();
  return (
    <>
      <p><Link to="/customers">← 顧客の一覧</Link></p>
      <h1>{customer.name}</h1>
      <dl className="facts">
        <dt>顧客番号</dt><dd>{customer.ref}</dd>
        <dt>販売店</dt><dd>{customer.reseller_name ?? "直販"}</dd>
        <dt>メール</dt><dd>{customer.email}</dd>
        <dt>電話</dt><dd>{customer.phone}</dd>
        <dt>所在地</dt><dd>{customer.address}</dd>
      </dl>
      <h2>契約</h2>
      {contracts.length === 0 ? <div className="empty">この顧客の契約はまだありません。</div> : (
        <table className="data">
          <thead><tr><th>契約番号</th><th>回線ID</th><th>エリア</th><th>利用開始日</th><th>状態</th></tr></thead>
          <tbody>
            {contracts.map((c) => (
              <tr key={c.id}>
                <td><Link to={`/contracts/${c.id}`}>{c.ref}</Link></td>
                <td>{c.line_id}</td>
                <td>{AREA_LABELS[c.area]}</td>
                <td>{formatDateJa(c.service_start)}</td>
                <td><span className={`badge ${c.status}`}>{CONTRACT_STATUS_LABELS[c.status]}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.customer.name ?? "顧客"} | セキュアライン 管理コンソール` },
];
