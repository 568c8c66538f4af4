import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { customerAgenda, homeFigures, NOT_SEEN_DAYS } from "~/home/home.server";
import { SearchBox } from "~/components/SearchBox";
import { now } from "~/lib/clock";
import { CONTRACT_STATUS_LABELS, DEVICE_TYPE_LABELS } from "~/lib/labels";
import { NOTICE_STATE_LABELS } from "~/notices/service-notice";
import { openServiceNotices } from "~/notices/service-notices.server";
import {
  formatDate,
  formatDateWithWeekday,
  formatInstant,
  formatMonth,
  formatYen,
} from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const at = now();
  const [figures, notices, agenda] = await Promise.all([
    homeFigures(getDb(), viewer.tenant, at),
    // T-16: interruptions in progress or to come that concern the viewer's lines.
    openServiceNotices(getDb(), viewer.tenant, at),
    viewer.tenant.kind === "customer" ? customerAgenda(getDb(), viewer.tenant, at) : null,
  ]);
  return {
    figures,
    notices,
    agenda,
    tenantKind: viewer.tenant.kind,
    displayName: viewer.displayName,
    notSeenDays: NOT_SEEN_DAYS,
  };
}

const GREETING: Record<string, string> = {
  provider: "サービス全体の状況です。",
  reseller: "担当しているお客さまの状況です。",
  customer: "貴社の契約と機器の状況です。",
};

export default function Home() {
  const { figures, notices, agenda, tenantKind, displayName, notSeenDays } =
    useLoaderData<typeof loader>();
  const live = (figures.contractsByStatus.active ?? 0) + (figures.contractsByStatus.suspended ?? 0);
  const deviceTotal = Object.values(figures.devicesByType).reduce((a, b) => a + b, 0);
  return (
    <>
      <h1>ホーム</h1>
      <p>
        {displayName}さん、こんにちは。{GREETING[tenantKind]}
      </p>
      {notices.length > 0 ? (
        <section className="alert warn" aria-label="利用中止のお知らせ" data-testid="home-notices">
          <strong>サービスの利用中止のお知らせ</strong>
          <ul>
            {notices.map((n) => (
              <li key={n.id}>
                【{NOTICE_STATE_LABELS[n.state]}】{formatInstant(n.startsAt)}〜
                {n.endsAt ? formatInstant(n.endsAt) : "未定"} {n.title}
              </li>
            ))}
          </ul>
          <Link to="/notices">お知らせの詳細 →</Link>
        </section>
      ) : null}
      {tenantKind !== "customer" ? <SearchBox /> : null}
      {agenda ? (
        <section aria-label="お支払いと訪問の予定" className="cards">
          <div className="card" data-testid="home-unpaid">
            <div className="label">未払いの請求書</div>
            <div className="value">
              <Link to="/invoices?status=unpaid">{agenda.unpaid.length}</Link>
            </div>
            {agenda.unpaid.length === 0 ? (
              <div className="sub">未払いの請求書はありません</div>
            ) : (
              <ul className="sub">
                {agenda.unpaid.slice(0, 5).map((i) => (
                  <li key={i.id}>
                    <Link to={`/invoices/${i.id}`}>{i.number}</Link> {formatMonth(i.billingMonth)}分
                    残額 {formatYen(i.owedYen)}（{i.overdue ? "期限超過・" : ""}期限{" "}
                    {formatDate(i.dueDate)}）
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div className="card" data-testid="home-next-visit">
            <div className="label">次の訪問</div>
            {agenda.nextVisit ? (
              <>
                <div className="value">
                  {formatDateWithWeekday(agenda.nextVisit.visit_date)} {agenda.nextVisit.start_time}
                </div>
                <div className="sub">
                  <Link to={`/contracts/${agenda.nextVisit.contract_id}/visits`}>
                    {agenda.nextVisit.contract_ref} の訪問サポート
                  </Link>
                </div>
              </>
            ) : (
              <div className="sub">予約中の訪問はありません</div>
            )}
          </div>
        </section>
      ) : null}
      <section className="cards" aria-label="主な数値">
        {tenantKind !== "customer" ? (
          <div className="card">
            <div className="label">顧客数</div>
            <div className="value" data-testid="figure-customers">
              <Link to="/customers">{figures.customers}</Link>
            </div>
          </div>
        ) : null}
        <div className="card">
          <div className="label">契約中の回線</div>
          <div className="value" data-testid="figure-contracts">
            <Link to="/contracts?status=live">{live}</Link>
          </div>
          <div className="sub">
            {Object.entries(figures.contractsByStatus)
              .map(
                ([status, n]) =>
                  `${CONTRACT_STATUS_LABELS[status as keyof typeof CONTRACT_STATUS_LABELS] ?? status} ${n}`,
              )
              .join(" / ")}
          </div>
        </div>
        <div className="card">
          <div className="label">管理している機器</div>
          <div className="value" data-testid="figure-devices">
            <Link to="/devices">{deviceTotal}</Link>
          </div>
          <div className="sub">
            {Object.entries(figures.devicesByType)
              .map(([t, n]) => `${DEVICE_TYPE_LABELS[t] ?? t} ${n}`)
              .join(" / ")}
          </div>
        </div>
        <div className="card">
          <div className="label">エンドポイント契約台数</div>
          <div className="value" data-testid="figure-endpoint-seats">
            <Link to="/contracts?item=endpoint">
              {figures.endpointSeats.rental + figures.endpointSeats.purchased}
            </Link>
          </div>
          <div className="sub">
            レンタル {figures.endpointSeats.rental} / 買取 {figures.endpointSeats.purchased}
          </div>
        </div>
        <div className="card">
          <div className="label">ゲートウェイ装置</div>
          <div className="value" data-testid="figure-gateways">
            <Link to="/contracts?item=gateway">
              {Object.values(figures.gatewaysByModel).reduce((a, b) => a + b, 0)}
            </Link>
          </div>
          <div className="sub">
            {Object.entries(figures.gatewaysByModel)
              .map(([m, n]) => `${m.toUpperCase()} ${n}`)
              .join(" / ") || "なし"}
          </div>
        </div>
        <div className="card">
          <div className="label">{notSeenDays}日以上通信のない機器</div>
          <div className="value" data-testid="figure-not-seen">
            <Link to="/devices?seen=stale">{figures.devicesNotSeen}</Link>
          </div>
          <div className="sub">
            {figures.devicesNotSeen > 0 ? "電源や接続をご確認ください" : "すべて通信しています"}
          </div>
        </div>
      </section>
      <p className="mt-24">
        <Link to="/contracts">契約の一覧を見る →</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "ホーム | セキュアライン 管理コンソール" }];
