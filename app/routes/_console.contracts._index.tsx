import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import type { ContractStatus } from "../../db/schema";
import { requireViewer } from "~/auth/session.server";
import { listContracts } from "~/contracts/contracts.server";
import { getDb } from "~/db.server";
import { AREA_LABELS, CONTRACT_STATUS_LABELS, itemLabel } from "~/lib/labels";
import { formatDate } from "~/lib/format";

const STATUSES = Object.keys(CONTRACT_STATUS_LABELS) as ContractStatus[];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const url = new URL(request.url);
  const statusParam = url.searchParams.get("status");
  const status = STATUSES.find((s) => s === statusParam);
  const search = url.searchParams.get("q")?.trim() || undefined;
  const contracts = await listContracts(getDb(), viewer.tenant, { status, search });
  return { contracts, status: status ?? "", search: search ?? "", showCustomer: viewer.tenant.kind !== "customer" };
}

export default function Contracts() {
  const { contracts, status, search, showCustomer } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>契約</h1>
      <Form method="get" className="filters">
        <label>検索（契約番号・回線ID・顧客名）<input type="search" name="q" defaultValue={search} /></label>
        <label>状態
          <select name="status" defaultValue={status}>
            <option value="">すべて</option>
            {STATUSES.map((s) => <option key={s} value={s}>{CONTRACT_STATUS_LABELS[s]}</option>)}
          </select>
        </label>
        <button type="submit" className="secondary">絞り込む</button>
      </Form>
      {contracts.length === 0 ? (
        <div className="empty">{search || status ? "条件に合う契約はありません。" : "まだ契約がありません。"}</div>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>契約番号</th>{showCustomer ? <th>顧客</th> : null}<th>回線ID</th><th>エリア</th><th>プラン</th>
              <th>利用開始日</th><th>状態</th><th className="num">機器</th>
            </tr>
          </thead>
          <tbody>
            {contracts.map((c) => (
              <tr key={c.id}>
                <td><Link to={`/contracts/${c.id}`}>{c.ref}</Link></td>
                {showCustomer ? <td>{c.customer_name}<div className="muted">{c.reseller_name ?? "直販"}</div></td> : null}
                <td>{c.line_id}</td>
                <td>{AREA_LABELS[c.area]}</td>
                <td>{itemLabel(c.base_plan)}</td>
                <td>{formatDate(c.service_start)}</td>
                <td><span className={`badge ${c.status}`}>{CONTRACT_STATUS_LABELS[c.status]}</span></td>
                <td className="num">{c.device_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "契約 | セキュアライン 管理コンソール" }];
