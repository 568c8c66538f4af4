import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { homeFigures, NOT_SEEN_DAYS } from "~/home/home.server";
import { now } from "~/lib/clock";
import { CONTRACT_STATUS_LABELS, DEVICE_TYPE_LABELS } from "~/lib/labels";
import { NOTICE_STATE_LABELS } from "~/notices/service-notice";
import { openServiceNotices } from "~/notices/service-notices.server";
import { formatInstant } from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const at = now();
  const [figures, notices] = await Promise.all([
    homeFigures(getDb(), viewer.tenant, at),
    // T-16: interruptions in progress or to come that concern the viewer's lines.
    openServiceNotices(getDb(), viewer.tenant, at),
  ]);
  return {
    figures,
    notices,
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
  const { figures, notices, tenantKind, displayName, notSeenDays } = useLoaderData<typeof loader>();
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
      <section className="cards" aria-label="主な数値">
        {tenantKind !== "customer" ? (
          <div className="card">
            <div className="label">顧客数</div>
            <div className="value" data-testid="figure-customers">
              {figures.customers}
            </div>
          </div>
        ) : null}
        <div className="card">
          <div className="label">契約中の回線</div>
          <div className="value" data-testid="figure-contracts">
            {live}
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
            {deviceTotal}
          </div>
          <div className="sub">
            {Object.entries(figures.devicesByType)
              .map(([t, n]) => `${DEVICE_TYPE_LABELS[t] ?? t} ${n}`)
              .join(" / ")}
          </div>
        </div>
        <div className="card">
          <div className="label">エンドポイント契約台数</div>
          <div className="value">
            {figures.endpointSeats.rental + figures.endpointSeats.purchased}
          </div>
          <div className="sub">
            レンタル {figures.endpointSeats.rental} / 買取 {figures.endpointSeats.purchased}
          </div>
        </div>
        <div className="card">
          <div className="label">ゲートウェイ装置</div>
          <div className="value">
            {Object.values(figures.gatewaysByModel).reduce((a, b) => a + b, 0)}
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
            {figures.devicesNotSeen}
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
