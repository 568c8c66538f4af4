import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ContractStatus } from "../../db/schema";
import { requireViewer } from "~/auth/session.server";
import {
  CONTRACT_ITEM_FILTERS,
  CONTRACT_SORT,
  LIVE_STATUS,
  pageContracts,
  type ContractItemFilter,
} from "~/contracts/contracts.server";
import { Pager, SortHeader } from "~/components/Pager";
import { ListFilters } from "~/components/ListFilters";
import { TableScroll } from "~/components/TableScroll";
import { pageRequest } from "~/lib/paging";
import { getDb } from "~/db.server";
import { AREA_LABELS, CONTRACT_STATUS_LABELS, itemLabel } from "~/lib/labels";
import { formatDate } from "~/lib/format";

const STATUSES = Object.keys(CONTRACT_STATUS_LABELS) as ContractStatus[];

/** The equipment filter, named as on the home page's cards it serves (issue 17 item 10). */
const ITEM_FILTER_LABELS: Record<ContractItemFilter, { option: string; units: string }> = {
  endpoint: { option: "エンドポイントの契約があるもの", units: "エンドポイント契約台数" },
  gateway: { option: "ゲートウェイ装置があるもの", units: "ゲートウェイ装置" },
};
// The component's own list: CONTRACT_ITEM_FILTERS (a .server value) is undefined in the browser.
const ITEM_FILTERS = Object.keys(ITEM_FILTER_LABELS) as ContractItemFilter[];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const url = new URL(request.url);
  const statusParam = url.searchParams.get("status");
  const status =
    statusParam === LIVE_STATUS ? LIVE_STATUS : STATUSES.find((s) => s === statusParam);
  const search = url.searchParams.get("q")?.trim() || undefined;
  const item = CONTRACT_ITEM_FILTERS.find((i) => i === url.searchParams.get("item"));
  const { contracts, page, units } = await pageContracts(
    getDb(),
    viewer.tenant,
    { status, search, item },
    pageRequest(url.searchParams, CONTRACT_SORT),
  );
  return {
    contracts,
    page,
    status: status ?? "",
    search: search ?? "",
    item: item ?? null,
    units,
    showCustomer: viewer.tenant.kind !== "customer",
  };
}

export default function Contracts() {
  const { contracts, page, status, search, item, units, showCustomer } =
    useLoaderData<typeof loader>();
  return (
    <>
      <h1>契約</h1>
      <ListFilters page={page}>
        <label>
          検索（契約番号・回線ID・顧客名）
          <input type="search" name="q" defaultValue={search} />
        </label>
        <label>
          状態
          <select name="status" defaultValue={status}>
            <option value="">すべて</option>
            <option value={LIVE_STATUS}>契約中（利用中・利用停止中）</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {CONTRACT_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          機器
          <select name="item" defaultValue={item ?? ""}>
            <option value="">すべて</option>
            {ITEM_FILTERS.map((i) => (
              <option key={i} value={i}>
                {ITEM_FILTER_LABELS[i].option}
              </option>
            ))}
          </select>
        </label>
      </ListFilters>
      {contracts.length === 0 ? (
        <div className="empty">
          {search || status || item ? "条件に合う契約はありません。" : "まだ契約がありません。"}
        </div>
      ) : (
        <>
          {item && units !== null ? (
            <p className="muted" data-testid="contract-units">
              {page.total}件の契約　{ITEM_FILTER_LABELS[item].units} 合計 {units}
              台（解約済みを除く）
            </p>
          ) : null}
          <Pager info={page} label="契約のページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <SortHeader info={page} column="ref">
                    契約番号
                  </SortHeader>
                  {showCustomer ? (
                    <SortHeader info={page} column="customer">
                      顧客
                    </SortHeader>
                  ) : null}
                  <th scope="col">回線ID</th>
                  <th scope="col">エリア</th>
                  <th scope="col">プラン</th>
                  <SortHeader info={page} column="start" first="desc">
                    利用開始日
                  </SortHeader>
                  <th scope="col">状態</th>
                  <th scope="col" className="num">
                    機器
                  </th>
                </tr>
              </thead>
              <tbody>
                {contracts.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/contracts/${c.id}`}>{c.ref}</Link>
                    </td>
                    {showCustomer ? (
                      <td>
                        {c.customer_name}
                        <div className="muted">{c.reseller_name ?? "直販"}</div>
                      </td>
                    ) : null}
                    <td>{c.line_id}</td>
                    <td>{AREA_LABELS[c.area]}</td>
                    <td>{itemLabel(c.base_plan)}</td>
                    <td>{formatDate(c.service_start)}</td>
                    <td>
                      <span className={`badge ${c.status}`}>
                        {CONTRACT_STATUS_LABELS[c.status]}
                      </span>
                    </td>
                    <td className="num">{c.device_count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="契約のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "契約 | セキュアライン 管理コンソール" }];
