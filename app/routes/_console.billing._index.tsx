import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listBillingMonths, nextMonthToClose } from "~/billing/months.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { formatInstantJa } from "~/lib/labels";
import { yen } from "~/lib/money";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const months = await listBillingMonths(getDb());
  const lastClosed = months.find((m) => m.status === "closed")?.month ?? null;
  return { months, next: nextMonthToClose(lastClosed, jstDate(now())) };
}

export default function BillingMonths() {
  const { months, next } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>請求締め</h1>
      {next ? (
        <div className="alert success">
          次に締める月は <strong>{next.replace("-", "年")}月</strong> です。{" "}
          <Link to={`/billing/${next}`}>発行内容を確認する（プレビュー）→</Link>
        </div>
      ) : <p className="muted">締められる月はありません（当月は月末を過ぎてから締めます）。</p>}
      {months.length === 0 ? <div className="empty">まだ締めた月はありません。</div> : (
        <table className="data">
          <thead><tr><th>請求月</th><th>状態</th><th className="num">請求書</th><th className="num">請求額合計（税込）</th><th>締め日時</th></tr></thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <td><Link to={`/billing/${m.month}`}>{m.month.replace("-", "年")}月</Link></td>
                <td><span className={`badge ${m.status === "closed" ? "" : "warn"}`}>{m.status === "closed" ? "締め済み" : "発行中断"}</span></td>
                <td className="num">{m.invoice_count}</td>
                <td className="num">{yen(m.total_yen)}</td>
                <td>{formatInstantJa(m.closed_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "請求締め | セキュアライン 管理コンソール" }];
