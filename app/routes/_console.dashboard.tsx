import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { TableScroll } from "~/components/TableScroll";
import { ActionsChart } from "~/components/charts/ActionsChart";
import chartStyles from "~/components/charts/charts.css";
import { DetectionsByDayChart } from "~/components/charts/DetectionsByDayChart";
import { Meter } from "~/components/charts/Meter";
import { RankingPanel } from "~/components/charts/RankingPanel";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { SEVERITIES, SEVERITY_LABELS } from "~/security/incident-labels";
import {
  dashboardFigures,
  DEFAULT_PERIOD_DAYS,
  DETECTION_ACTION_LABELS,
  DETECTION_TYPE_LABELS,
  PERIOD_DAYS,
  periodEnding,
  RETENTION_MONTHS,
} from "~/security/dashboard.server";
import { formatCount, formatDate, formatInstant } from "~/lib/format";
import { titled } from "~/lib/meta";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const asked = Number(new URL(request.url).searchParams.get("days"));
  const days = (PERIOD_DAYS as readonly number[]).includes(asked) ? asked : DEFAULT_PERIOD_DAYS;
  const at = now();
  const figures = await dashboardFigures(getDb(), viewer.tenant, {
    ...periodEnding(jstDate(at), days),
    now: at,
  });
  return {
    figures,
    days,
    periods: PERIOD_DAYS,
    tenantKind: viewer.tenant.kind,
    retentionMonths: RETENTION_MONTHS,
    typeLabels: DETECTION_TYPE_LABELS as Record<string, string>,
    actionLabels: DETECTION_ACTION_LABELS as Record<string, string>,
  };
}

const SCOPE: Record<string, string> = {
  customer: "貴社ネットワークで検知した脅威と、機器の状態です。",
  reseller: "担当しているお客さまのネットワーク全体の状況です。",
  provider: "サービス全体の検知状況と機器の状態です。",
};

const WEEKDAYS = ["日", "月", "火", "水", "木", "金", "土"];

/** 2026-11-28 → 11/28（土）; the weekday of a calendar date, whatever the browser's time zone. */
function shortDay(day: string): string {
  return `${Number(day.slice(5, 7))}/${Number(day.slice(8, 10))}（${WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]}）`;
}

const count = (n: number) => formatCount(n);

export default function Dashboard() {
  const {
    figures: f,
    days,
    periods,
    tenantKind,
    retentionMonths,
    typeLabels,
    actionLabels,
  } = useLoaderData<typeof loader>();
  const many = tenantKind !== "customer";
  const series = f.typesSeen.map((key) => ({ key, label: typeLabels[key] ?? key }));
  const severities = [
    ...SEVERITIES.filter((s) => f.openIncidents.bySeverity[s]),
    ...Object.keys(f.openIncidents.bySeverity).filter(
      (s) => !(SEVERITIES as readonly string[]).includes(s),
    ),
  ];
  const deviceName = (d: { contractRef: string; customerName: string; device: string }) =>
    many ? `${d.customerName} ${d.device}` : `${d.device}（${d.contractRef}）`;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>セキュリティダッシュボード</h1>
          <p className="muted">{SCOPE[tenantKind]}</p>
        </div>
        <Form method="get" className="period-form" aria-label="集計期間">
          <label>
            集計期間
            <select name="days" defaultValue={String(days)}>
              {periods.map((d) => (
                <option key={d} value={d}>
                  直近{d}日間
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="secondary">
            表示
          </button>
        </Form>
      </div>
      <p className="retention-note" data-testid="retention">
        集計期間: {formatDate(f.from)}〜{formatDate(f.to)}（日本時間）。
        {/* The rule id is for the provider's staff; customers get it on demand (issue 17 item 7). */}
        {tenantKind === "provider" ? (
          <>検知ログの保存期間は{retentionMonths}か月です（S1-4⑤）。</>
        ) : (
          <span title="根拠: サービス仕様 S1-4⑤">
            検知ログの保存期間は{retentionMonths}か月です。
          </span>
        )}
        {retentionMonths}か月を過ぎたログは削除され、集計とレポートの対象外になります。
      </p>

      <section className="cards kpi" aria-label="主な数値">
        <div className="card">
          <div className="label">検知件数（{days}日間）</div>
          <div className="value" data-testid="figure-detections">
            {count(f.detectionTotal)}
            <small>件</small>
          </div>
          <div className="sub">
            1日平均 {(f.detectionTotal / f.detectionsByDay.length).toFixed(1)}件
          </div>
        </div>
        <Link to="/incidents" className={`card ${f.openIncidents.total > 0 ? "danger" : "ok"}`}>
          <div className="label">未解決のインシデント</div>
          <div className="value" data-testid="figure-open-incidents">
            {count(f.openIncidents.total)}
            <small>件</small>
          </div>
          <div className="sub">
            {severities.length
              ? severities
                  .map((s) => `${SEVERITY_LABELS[s] ?? s} ${f.openIncidents.bySeverity[s]}`)
                  .join("・")
              : "対応が必要なものはありません"}
          </div>
        </Link>
        <div className={`card ${f.gatewaysOffline > 0 ? "danger" : "ok"}`}>
          <div className="label">オフラインのゲートウェイ</div>
          <div className="value" data-testid="figure-gateways-offline">
            {f.gatewaysOffline}
            <small>/ {f.gateways.length}台</small>
          </div>
          <div className="sub">
            期間中の稼働率{" "}
            {f.availabilityPercent === null ? "—" : `${f.availabilityPercent.toFixed(2)}%`}
          </div>
        </div>
        <div className={`card ${f.outdated.count > 0 ? "warn" : "ok"}`}>
          <div className="label">更新が必要な機器</div>
          <div className="value" data-testid="figure-outdated">
            {count(f.outdated.count)}
            <small>台</small>
          </div>
          <div className="sub">エージェントかパターンファイルが最新でない機器</div>
        </div>
      </section>

      <section className="panel" aria-labelledby="by-day">
        <h2 id="by-day">
          日別の検知件数 <span className="hint">種類別・日本時間の日付</span>
        </h2>
        {f.detectionTotal === 0 ? (
          <div className="empty">この期間の検知はありません。</div>
        ) : (
          <DetectionsByDayChart rows={f.detectionsByDay} series={series} height={300} />
        )}
        <TableScroll className="table-scroll by-day" label="日別の検知件数">
          <table className="data compact" aria-label="日別の検知件数">
            <thead>
              <tr>
                <th scope="col">日付</th>
                {series.map((s) => (
                  <th scope="col" key={s.key} className="num">
                    {s.label}
                  </th>
                ))}
                <th scope="col" className="num">
                  合計
                </th>
              </tr>
            </thead>
            <tbody>
              {[...f.detectionsByDay].reverse().map((d) => (
                <tr key={d.day} data-day={d.day} className={d.total === 0 ? "zero" : undefined}>
                  <td className="nowrap">{shortDay(d.day)}</td>
                  {series.map((s) => (
                    <td key={s.key} className="num" data-type={s.key}>
                      {d.counts[s.key as keyof typeof d.counts] ?? 0}
                    </td>
                  ))}
                  <td className="num strong" data-testid="day-total">
                    {d.total}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>

      <div className="panel-grid">
        <section className="panel" aria-labelledby="actions">
          <h2 id="actions">処理結果の内訳</h2>
          <div className="split even">
            {f.detectionTotal === 0 ? (
              <div className="empty">検知はありません。</div>
            ) : (
              <ActionsChart
                slices={f.actions.map((a) => ({
                  key: a.action,
                  label: actionLabels[a.action] ?? a.action,
                  count: a.count,
                }))}
              />
            )}
            <TableScroll label="処理結果の内訳の表">
              <table className="data compact" aria-label="処理結果の内訳">
                <thead>
                  <tr>
                    <th scope="col">処理</th>
                    <th scope="col" className="num">
                      件数
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {f.actions.map((a) => (
                    <tr
                      key={a.action}
                      data-action={a.action}
                      className={a.count === 0 ? "zero" : undefined}
                    >
                      <td>{actionLabels[a.action] ?? a.action}</td>
                      <td className="num">{count(a.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </div>
        </section>

        <section className="panel" aria-labelledby="gateways">
          <h2 id="gateways">
            ゲートウェイの状態 <span className="hint">稼働率は期間中のオフライン時間から算出</span>
          </h2>
          {f.gateways.length === 0 ? (
            <div className="empty">ゲートウェイ装置はありません。</div>
          ) : (
            <TableScroll className="table-scroll" label="ゲートウェイの状態">
              <table className="data compact" aria-label="ゲートウェイの状態">
                <thead>
                  <tr>
                    <th scope="col">装置</th>
                    <th scope="col">状態</th>
                    <th scope="col">最終通信</th>
                    <th scope="col" className="num">
                      稼働率
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {f.gateways.map((g) => (
                    <tr key={`${g.contractRef}/${g.device}`}>
                      <td>
                        {many ? (
                          <>
                            {g.customerName}
                            <br />
                          </>
                        ) : null}
                        {g.device}（{g.contractRef}）<br />
                        <span className="muted text-12">{g.location}</span>
                      </td>
                      <td>
                        <span className={`status nowrap ${g.status}`}>
                          {g.status === "offline" ? "オフライン" : "オンライン"}
                        </span>
                        {g.status === "offline" && g.statusSince ? (
                          <div className="muted text-12">{formatInstant(g.statusSince)}から</div>
                        ) : null}
                      </td>
                      <td>{formatInstant(g.lastSeenAt)}</td>
                      <td className="num">
                        <Meter percent={g.availabilityPercent} low={g.availabilityPercent < 99} />
                        {g.availabilityPercent.toFixed(2)}%
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      </div>

      <RankingPanel
        id="threats"
        title="検知の多い脅威"
        hint="上位10件"
        empty="脅威名のある検知はありません。"
        items={f.topThreats}
        name={(t) => t.threat}
        count={(t) => t.count}
        rowKey={(t) => t.threat}
        columns={[{ header: "脅威名", cell: (t) => t.threat, className: "name" }]}
        labelWidth={230}
      />

      <RankingPanel
        id="devices"
        title="検知の多い機器"
        hint="上位10台"
        empty="検知のあった機器はありません。"
        items={f.topDevices}
        name={deviceName}
        count={(d) => d.count}
        rowKey={(d) => `${d.contractRef}/${d.device}`}
        columns={[
          ...(many
            ? [{ header: "顧客", cell: (d: (typeof f.topDevices)[number]) => d.customerName }]
            : []),
          { header: "機器", cell: (d) => d.device },
          { header: "契約", cell: (d) => d.contractRef },
        ]}
        color="#7a5af8"
        labelWidth={many ? 230 : 150}
      />

      <section className="panel" aria-labelledby="outdated">
        <h2 id="outdated">
          エージェント・パターンファイルの更新が必要な機器
          <span className="hint">
            最新: エージェント {f.outdated.newestAgent ?? "—"}、パターン{" "}
            {f.outdated.newestPattern ?? "—"}（{many ? "表示範囲" : "貴社"}の機器で最も新しいもの）
          </span>
        </h2>
        {f.outdated.count === 0 ? (
          <div className="empty">すべての機器が最新です。</div>
        ) : (
          <>
            <TableScroll className="table-scroll" label="更新が必要な機器">
              <table className="data compact" aria-label="更新が必要な機器">
                <thead>
                  <tr>
                    {many ? <th scope="col">顧客</th> : null}
                    <th scope="col">契約</th>
                    <th scope="col">機器</th>
                    <th scope="col">エージェント</th>
                    <th scope="col">パターンファイル</th>
                  </tr>
                </thead>
                <tbody>
                  {f.outdated.devices.map((d) => (
                    <tr key={`${d.contractRef}/${d.device}`}>
                      {many ? <td>{d.customerName}</td> : null}
                      <td>{d.contractRef}</td>
                      <td>{d.device}</td>
                      <td className={d.agentOutdated ? "version-old" : undefined}>
                        {d.agentVersion ?? "—"}
                      </td>
                      <td className={d.patternOutdated ? "version-old" : undefined}>
                        {d.patternVersion ?? "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            {f.outdated.count > f.outdated.devices.length ? (
              <p className="muted">ほか{f.outdated.count - f.outdated.devices.length}台</p>
            ) : null}
          </>
        )}
      </section>
    </>
  );
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: chartStyles }];

export const meta = titled("ダッシュボード");
