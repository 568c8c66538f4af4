import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ReactNode } from "react";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { TableScroll } from "~/components/TableScroll";
import { getDb } from "~/db.server";
import { PROCESSING_NOTICE } from "~/licenses/auto-renewal";
import {
  DISPLAY_STATE_BADGES,
  DISPLAY_STATE_LABELS,
  REFUND_STATE_LABELS,
  RENEWAL_STATE_LABELS,
} from "~/licenses/labels";
import { licenseResult } from "~/licenses/license-views.server";
import { REFUND_TIMING_NOTICE, UNINSTALL_NOTICE } from "~/licenses/refund";
import { now } from "~/lib/clock";
import { idParam, notFound } from "~/lib/http.server";
import { jstDate } from "~/lib/jst";
import { formatDate, formatYen } from "~/lib/format";

const ACTIONS = ["stop_renewal", "cancel", "isp_cancel", "isp_revoke"] as const;
type DoneAction = (typeof ACTIONS)[number];

const TITLES: Record<DoneAction, string> = {
  stop_renewal: "自動延長の停止を受け付けました",
  cancel: "解約を受け付けました",
  isp_cancel: "ISPセキュリティの解約を受け付けました",
  isp_revoke: "解約予約を取り消しました",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const today = jstDate(now());
  const result = await licenseResult(
    getDb(),
    { id: idParam(params.licenseId), tenant: viewer.tenant },
    today,
  );
  if (!result) throw notFound();
  const requested = new URL(request.url).searchParams.get("action");
  const action = ACTIONS.find((a) => a === requested) ?? "stop_renewal";
  // The rule modules' texts travel with the data: the page's bundle stays free of the rules.
  return {
    ...result,
    action,
    today,
    notices: {
      processing: PROCESSING_NOTICE,
      uninstall: UNINSTALL_NOTICE,
      refundTiming: REFUND_TIMING_NOTICE,
    },
  };
}

type DoneRow = ReturnType<typeof useLoaderData<typeof loader>>["rows"][number];

/** The licences a change touched (the main one and its add-ons), one row each with its own columns. */
function DoneRows({
  rows,
  mainId,
  headers,
  numericLast = false,
  cells,
}: {
  rows: DoneRow[];
  mainId: number;
  headers: string[];
  numericLast?: boolean;
  cells: (row: DoneRow) => ReactNode;
}) {
  return (
    <TableScroll>
      <table className="data" data-testid="done-rows">
        <thead>
          <tr>
            <th scope="col">ライセンス</th>
            {headers.map((h, i) => (
              <th
                key={h}
                scope="col"
                className={numericLast && i === headers.length - 1 ? "num" : undefined}
              >
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.ref} data-testid={`done-${r.ref}`}>
              <td>
                {r.product}（{r.ref}）
                {r.id === mainId ? "" : <span className="muted">・アドオン</span>}
              </td>
              {cells(r)}
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export default function LicenseChangeDone() {
  const { view, rows, action, notices } = useLoaderData<typeof loader>();
  const l = view.overview.license;
  const totalRefund = rows.reduce((sum, r) => sum + (r.refund?.amountYen ?? 0), 0);
  return (
    <>
      <p>
        <Link to={`/licenses/${view.id}`}>
          ← {l.product}（{l.ref}）
        </Link>
      </p>
      <h1 data-testid="done-title">{TITLES[action]}</h1>
      {action === "stop_renewal" ? (
        <>
          <p className="alert success" role="status">
            {notices.processing} 状態は「{RENEWAL_STATE_LABELS.stop_requested}
            」から、メーカーでの処理が終わると「{RENEWAL_STATE_LABELS.stopped}」になります。
            各ライセンスは下の期限まで利用でき、その後は延長されません。
          </p>
          <DoneRows
            rows={rows}
            mainId={view.id}
            headers={["自動延長", "利用できる期限"]}
            cells={(r) => (
              <>
                <td>
                  <span className={`badge ${r.renewalState === "active" ? "" : "warn"}`}>
                    {RENEWAL_STATE_LABELS[r.renewalState]}
                  </span>
                  {r.renewalState === "stop_requested" ? (
                    <span className="muted"> → 処理後「{RENEWAL_STATE_LABELS.stopped}」</span>
                  ) : null}
                </td>
                <td>{formatDate(r.endsOn)}</td>
              </>
            )}
          />
        </>
      ) : action === "cancel" ? (
        <>
          <p className="alert success" role="status">
            {notices.uninstall}
            {totalRefund > 0
              ? ` 返金 ${formatYen(totalRefund)} を申請しました。${notices.refundTiming}`
              : " 返金はありません。"}
          </p>
          <DoneRows
            rows={rows}
            mainId={view.id}
            headers={["状態", "利用できる最終日", "返金"]}
            numericLast
            cells={(r) => (
              <>
                <td>
                  <span className={`badge ${DISPLAY_STATE_BADGES[r.displayState]}`}>
                    {DISPLAY_STATE_LABELS[r.displayState]}
                  </span>
                </td>
                <td>{formatDate(r.endsOn)}</td>
                <td className="num">
                  {r.refund
                    ? `${formatYen(r.refund.amountYen)}（${REFUND_STATE_LABELS[r.refund.state]}）`
                    : "なし"}
                </td>
              </>
            )}
          />
        </>
      ) : (
        <p className="alert success" role="status" data-testid="done-isp">
          {action === "isp_cancel"
            ? `解約日は ${formatDate(view.overview.status.effectiveEnd)} です。解約月の料金は日割りされません。解約日までは解約予約を取り消せます。`
            : "ISPセキュリティは引き続きご利用いただけます。"}
        </p>
      )}
      <p>
        <Link to={`/licenses/${view.id}`}>ライセンスの詳細へ</Link> ・{" "}
        <Link to="/licenses">ライセンスの一覧へ</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "お手続きの結果 | セキュアライン 管理コンソール" },
];
