import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { FilterSelect, ListFilters } from "~/components/ListFilters";
import { PagedTable, SortHeader } from "~/components/Pager";
import { getDb } from "~/db.server";
import {
  CHANNEL_LABELS,
  DISPLAY_STATE_BADGES,
  DISPLAY_STATE_LABELS,
  TERM_LABELS,
} from "~/licenses/labels";
import { LICENSE_ACTION_ROLES } from "~/licenses/licenses.server";
import { LICENSE_SORT, pageLicenses } from "~/licenses/license-list.server";
import type { Channel } from "~/licenses/license";
import type { DisplayState } from "~/licenses/overview";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { formatCount, formatDate, formatYen } from "~/lib/format";
import { titled } from "~/lib/meta";
import { pageRequest } from "~/lib/paging";

const STATES = Object.keys(DISPLAY_STATE_LABELS) as DisplayState[];
const CHANNELS = Object.keys(CHANNEL_LABELS) as Channel[];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const params = new URL(request.url).searchParams;
  const state = STATES.find((s) => s === params.get("state"));
  const channel = CHANNELS.find((c) => c === params.get("channel"));
  const search = params.get("q")?.trim() || undefined;
  // Issue 17 item 2: one page of the filter, its count and order taken in SQL over the whole
  // filter (the state each row shows is derived there from today's JST date, decision 0043).
  const { licenses, page } = await pageLicenses(
    getDb(),
    viewer.tenant,
    { state, channel, search },
    pageRequest(params, LICENSE_SORT),
    jstDate(now()),
  );
  return {
    licenses,
    page,
    values: { state: state ?? "", channel: channel ?? "", q: search ?? "" },
    filtered: Boolean(state || channel || search),
    showCustomer: viewer.tenant.kind !== "customer",
    canApply: LICENSE_ACTION_ROLES.includes(viewer.role),
    canDecideRefunds: FINANCE_ROLES.includes(viewer.role),
  };
}

export default function Licenses() {
  const { licenses, page, values, filtered, showCustomer, canApply, canDecideRefunds } =
    useLoaderData<typeof loader>();
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
      <ListFilters page={page} label="ライセンスの絞り込み">
        <label>
          {showCustomer ? "検索（ライセンス番号・製品・顧客名）" : "検索（ライセンス番号・製品）"}
          <input type="search" name="q" defaultValue={values.q} />
        </label>
        <FilterSelect
          label="状態"
          name="state"
          defaultValue={values.state}
          labels={DISPLAY_STATE_LABELS}
        />
        <FilterSelect
          label="販売経路"
          name="channel"
          defaultValue={values.channel}
          labels={CHANNEL_LABELS}
        />
      </ListFilters>
      {licenses.length === 0 ? (
        <div className="empty">
          {filtered ? "条件に合うライセンスはありません。" : "ライセンスはまだありません。"}
        </div>
      ) : (
        <>
          <p className="muted" data-testid="license-count">
            {formatCount(page.total)}件
          </p>
          <PagedTable page={page} label="ライセンスのページ">
            <thead>
              <tr>
                <SortHeader info={page} column="product">
                  製品
                </SortHeader>
                {showCustomer ? (
                  <SortHeader info={page} column="customer">
                    顧客
                  </SortHeader>
                ) : null}
                <th scope="col">販売経路</th>
                <th scope="col">期間・料金</th>
                <th scope="col">状態</th>
                <SortHeader info={page} column="ends">
                  有効期限
                </SortHeader>
                <SortHeader info={page} column="next">
                  次回請求日
                </SortHeader>
              </tr>
            </thead>
            <tbody>
              {licenses.map((l) => (
                <tr key={l.id} data-testid={`license-${l.ref}`}>
                  <td>
                    {l.mainRef ? <span className="muted">└ アドオン </span> : null}
                    <Link to={`/licenses/${l.id}`}>{l.product}</Link>
                    <div className="muted text-12">
                      {l.ref}・{l.seats}台{l.mainRef ? `（${l.mainRef} のアドオン）` : ""}
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
          </PagedTable>
        </>
      )}
    </>
  );
}

export const meta = titled("ライセンス");
