import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { MANUAL_LINE_ROLES, OPERATIONS_ROLES } from "~/auth/tenancy";
import { PagedTable, SortHeader } from "~/components/Pager";
import { TableScroll } from "~/components/TableScroll";
import { DEVICE_SORT, getContract, pageContractDevices } from "~/contracts/contracts.server";
import { renewalFacts } from "~/contracts/renewals.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { idParam, notFound } from "~/lib/http.server";
import {
  AREA_LABELS,
  CONTRACT_STATUS_LABELS,
  DEVICE_TYPE_LABELS,
  OWNERSHIP_LABELS,
  itemLabel,
} from "~/lib/labels";
import { formatCount, formatDate, formatInstant, formatMonth } from "~/lib/format";
import { pageRequest } from "~/lib/paging";

/** Devices a page on the contract page (issue 17 item 2, decision 0044): the facts above stay in view. */
const DEVICES_PAGE_SIZE = 25;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const found = await getContract(getDb(), {
    id: idParam(params.contractId),
    tenant: viewer.tenant,
  });
  if (!found) throw notFound();
  const { devices, page: devicesPage } = await pageContractDevices(
    getDb(),
    found.contract.id,
    pageRequest(new URL(request.url).searchParams, DEVICE_SORT, {
      prefix: "devices",
      size: DEVICES_PAGE_SIZE,
    }),
  );
  const renewal =
    found.contract.status === "terminated"
      ? null
      : renewalFacts(found.contract.service_start, jstDate(now()));
  return {
    ...found,
    devices,
    devicesPage,
    renewal,
    showCustomer: viewer.tenant.kind !== "customer",
    isOperator: OPERATIONS_ROLES.includes(viewer.role),
    entersManualLines: MANUAL_LINE_ROLES.includes(viewer.role),
  };
}

export default function ContractDetail() {
  const {
    contract,
    items,
    devices,
    devicesPage,
    showCustomer,
    renewal,
    isOperator,
    entersManualLines,
  } = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to="/contracts">← 契約の一覧</Link>
      </p>
      <h1>
        契約 {contract.ref}{" "}
        <span className={`badge ${contract.status}`}>
          {CONTRACT_STATUS_LABELS[contract.status]}
        </span>
      </h1>
      <dl className="facts">
        {showCustomer ? (
          <>
            <dt>顧客</dt>
            <dd>
              <Link to={`/customers/${contract.customer_id}`}>{contract.customer_name}</Link>（
              {contract.customer_ref}）
            </dd>
          </>
        ) : null}
        <dt>販売店</dt>
        <dd>{contract.reseller_name ?? "直販"}</dd>
        <dt>回線ID</dt>
        <dd>{contract.line_id}</dd>
        <dt>エリア</dt>
        <dd>{AREA_LABELS[contract.area]}</dd>
        <dt>基本プラン</dt>
        <dd>{itemLabel(contract.base_plan)}</dd>
        <dt>利用開始日</dt>
        <dd>{formatDate(contract.service_start)}</dd>
        <dt>解約日</dt>
        <dd>{formatDate(contract.termination_date)}</dd>
        {renewal ? (
          <>
            <dt>契約年度</dt>
            <dd>{renewal.contractYear}年目（最低利用期間1年・以後1年ごとに自動更新）</dd>
            <dt>次の契約更新月</dt>
            <dd data-testid="renewal-month">
              {formatMonth(renewal.renewalMonth)}（この月の解約は違約金なし。
              {formatDate(renewal.reminderDate)}にご案内）
            </dd>
          </>
        ) : null}
        <dt>管理者連絡先</dt>
        <dd>
          {contract.admin_email} / {contract.admin_phone}
        </dd>
        <dt>オフライン通知</dt>
        <dd>ゲートウェイが{contract.offline_threshold_minutes}分以上オフラインのとき通知</dd>
      </dl>

      {contract.status !== "terminated" ? (
        <p className="row">
          <Link className="button" to={`/contracts/${contract.id}/changes`}>
            契約内容の変更
          </Link>
          <Link className="button" to={`/contracts/${contract.id}/visits`}>
            訪問サポートの予約
          </Link>
          <Link className="button" to={`/contracts/${contract.id}/cancel`}>
            解約の手続き（費用の確認）
          </Link>
          <Link className="button" to={`/contracts/${contract.id}/transfer`}>
            譲渡・承継
          </Link>
          {isOperator ? (
            <Link className="button" to={`/contracts/${contract.id}/admin`}>
              利用停止・契約解除
            </Link>
          ) : null}
        </p>
      ) : null}
      {entersManualLines ? (
        <p>
          <Link className="button" to={`/contracts/${contract.id}/manual-lines`}>
            手動明細（割増金・減免・故障対応・見積り）
          </Link>
        </p>
      ) : null}
      <h2>契約内容</h2>
      {items.length === 0 ? (
        <div className="empty">サービス品目はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">品目</th>
                <th scope="col" className="num">
                  数量
                </th>
                <th scope="col">区分</th>
                <th scope="col">24時間修理</th>
                <th scope="col">開始日</th>
                <th scope="col">終了日</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>{itemLabel(item.code)}</td>
                  <td className="num">{item.quantity}</td>
                  <td>{OWNERSHIP_LABELS[item.ownership]}</td>
                  <td>
                    {item.code.startsWith("gateway.") ? (item.repair24h ? "あり" : "なし") : "—"}
                  </td>
                  <td>{formatDate(item.from_date)}</td>
                  <td>{formatDate(item.to_date)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2 id="devices">機器（{formatCount(devicesPage.total)}台）</h2>
      {devices.length === 0 ? (
        <div className="empty">登録された機器はありません。</div>
      ) : (
        <PagedTable page={devicesPage} label="機器のページ">
          <thead>
            <tr>
              <SortHeader info={devicesPage} column="name">
                名前
              </SortHeader>
              <SortHeader info={devicesPage} column="type">
                種類
              </SortHeader>
              <th scope="col">OS</th>
              <th scope="col">IPアドレス</th>
              <th scope="col">設置場所</th>
              <th scope="col">エージェント</th>
              <th scope="col">パターン</th>
              <SortHeader info={devicesPage} column="seen" first="desc">
                最終通信
              </SortHeader>
            </tr>
          </thead>
          <tbody data-testid="contract-devices">
            {devices.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{DEVICE_TYPE_LABELS[d.device_type] ?? d.device_type}</td>
                <td>{d.os}</td>
                <td>{d.ip}</td>
                <td>{d.location}</td>
                <td>{d.agent_version ?? "—"}</td>
                <td>{d.pattern_version ?? "—"}</td>
                <td>{formatInstant(d.last_seen_at)}</td>
              </tr>
            ))}
          </tbody>
        </PagedTable>
      )}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `契約 ${data?.contract.ref ?? ""} | セキュアライン 管理コンソール` },
];
