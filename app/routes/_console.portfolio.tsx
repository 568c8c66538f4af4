import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { CUSTOMER_VIEW_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { portfolio } from "~/contracts/portfolio.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { CONTRACT_STATUS_LABELS } from "~/lib/labels";
import { formatDate, formatMonth, formatYen } from "~/lib/format";
import { ContractRefCells } from "~/components/ContractRefCells";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: CUSTOMER_VIEW_ROLES });
  return portfolio(getDb(), viewer.tenant, jstDate(now()));
}

export default function Portfolio() {
  const p = useLoaderData<typeof loader>();
  return (
    <>
      <h1>ポートフォリオ</h1>
      <section className="cards" aria-label="主な数値">
        <div className="card">
          <div className="label">月額売上（税抜・今月）</div>
          <div className="value" data-testid="mrr">
            {formatYen(p.mrrYen)}
          </div>
        </div>
        <div className="card">
          <div className="label">90日以内の契約更新</div>
          <div className="value">{p.renewals.length}</div>
        </div>
        <div className="card">
          <div className="label">解約予定</div>
          <div className="value" data-testid="cancellation-count">
            {p.cancellations.length}
          </div>
        </div>
        <div className="card">
          <div className="label">利用停止中</div>
          <div className="value">{p.suspended.length}</div>
        </div>
        <div className="card">
          <div className="label">未入金の請求書</div>
          <div className="value">{p.unpaid.length}</div>
        </div>
      </section>
      <p className="mt-12">
        <a href="/portfolio/csv">契約一覧をCSVでダウンロード</a>
      </p>

      <h2>解約予定（違約金つき）</h2>
      {p.cancellations.length === 0 ? (
        <div className="empty">解約予定の契約はありません。</div>
      ) : (
        <TableScroll label="解約予定">
          <table className="data" aria-label="解約予定">
            <thead>
              <tr>
                <th scope="col">契約</th>
                <th scope="col">顧客</th>
                <th scope="col">解約希望日</th>
                <th scope="col">状態</th>
                <th scope="col">解約日</th>
                <th scope="col" className="num">
                  解約違約金
                </th>
              </tr>
            </thead>
            <tbody>
              {p.cancellations.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/contracts/${c.id}`}>{c.ref}</Link>
                  </td>
                  <td>{c.customerName}</td>
                  <td>{formatDate(c.wishedDate)}</td>
                  <td>{c.confirmedOn ? "確認済み" : "確認待ち"}</td>
                  <td>
                    {formatDate(c.terminationDate)}
                    {c.confirmedOn ? "" : "（見込み）"}
                  </td>
                  <td className="num">{formatYen(c.etfYen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2>90日以内に契約更新月を迎える契約</h2>
      {p.renewals.length === 0 ? (
        <div className="empty">該当する契約はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">契約</th>
                <th scope="col">顧客</th>
                <th scope="col">契約更新月</th>
                <th scope="col">ご案内日（60日前）</th>
              </tr>
            </thead>
            <tbody>
              {p.renewals.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/contracts/${r.id}`}>{r.ref}</Link>
                  </td>
                  <td>{r.customerName}</td>
                  <td>{formatMonth(r.renewalMonth)}</td>
                  <td>{formatDate(r.reminderDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2>未入金の請求書</h2>
      {p.unpaid.length === 0 ? (
        <div className="empty">未入金の請求書はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">請求書</th>
                <th scope="col">顧客</th>
                <th scope="col">契約</th>
                <th scope="col">お支払期限</th>
                <th scope="col" className="num">
                  残高
                </th>
                <th scope="col">状態</th>
              </tr>
            </thead>
            <tbody>
              {p.unpaid.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link to={`/invoices/${i.id}`}>{i.number}</Link>
                  </td>
                  <td>{i.customerName}</td>
                  <td>{i.contractRef}</td>
                  <td>{formatDate(i.dueDate)}</td>
                  <td className="num">{formatYen(i.outstandingYen)}</td>
                  <td>{i.overdue ? "期日超過" : "期日前"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2>契約（{p.contracts.length}件）</h2>
      <TableScroll>
        <table className="data">
          <thead>
            <tr>
              <th scope="col">契約</th>
              <th scope="col">顧客</th>
              <th scope="col">回線ID</th>
              <th scope="col">状態</th>
              <th scope="col" className="num">
                月額（税抜）
              </th>
            </tr>
          </thead>
          <tbody>
            {p.contracts.map((c) => (
              <tr key={c.id}>
                <ContractRefCells contract={c} />
                <td>{c.line_id}</td>
                <td>{CONTRACT_STATUS_LABELS[c.status]}</td>
                <td className="num">{formatYen(c.mrrYen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

export const meta: MetaFunction = () => [
  { title: "ポートフォリオ | セキュアライン 管理コンソール" },
];
