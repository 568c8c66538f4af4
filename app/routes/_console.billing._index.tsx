import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { listBillingMonths, nextMonthToClose } from "~/billing/months.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { TableScroll } from "~/components/TableScroll";
import { UPLOAD_FORMS } from "~/collections/upload-forms";
import { FormToken } from "~/components/OnceForm";
import { getDb } from "~/db.server";
import { issueFormToken } from "~/lib/idempotency.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { formatInstant, formatMonth, formatYen } from "~/lib/format";

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const months = await listBillingMonths(getDb());
  const lastClosed = months.find((m) => m.status === "closed")?.month ?? null;
  return {
    months,
    next: nextMonthToClose(lastClosed, jstDate(now())),
    // The result file's upload imports once per form (issue 17 item 1).
    uploadToken: await issueFormToken(getDb(), { userId: viewer.id, form: UPLOAD_FORMS.result }),
  };
}

export default function BillingMonths() {
  const { months, next, uploadToken } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const debitError = params.get("debitError");
  return (
    <>
      <h1>請求締め</h1>
      {next ? (
        <div className="alert success">
          次に締める月は <strong>{formatMonth(next)}</strong> です。{" "}
          <Link to={`/billing/${next}`}>発行内容を確認する（プレビュー）→</Link>
        </div>
      ) : (
        <p className="muted">締められる月はありません（当月は月末を過ぎてから締めます）。</p>
      )}
      {months.length === 0 ? (
        <div className="empty">まだ締めた月はありません。</div>
      ) : (
        <TableScroll>
          <table className="data">
            <thead>
              <tr>
                <th scope="col">請求月</th>
                <th scope="col">状態</th>
                <th scope="col" className="num">
                  請求書
                </th>
                <th scope="col" className="num">
                  請求額合計（税込）
                </th>
                <th scope="col">締め日時</th>
              </tr>
            </thead>
            <tbody>
              {months.map((m) => (
                <tr key={m.month}>
                  <td>
                    <Link to={`/billing/${m.month}`}>{formatMonth(m.month)}</Link>
                  </td>
                  <td>
                    <span className={`badge ${m.status === "closed" ? "" : "warn"}`}>
                      {m.status === "closed" ? "締め済み" : "発行中断"}
                    </span>
                  </td>
                  <td className="num">{m.invoice_count}</td>
                  <td className="num">{formatYen(m.total_yen)}</td>
                  <td>{formatInstant(m.closed_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2 id="direct-debit">口座振替</h2>
      <p className="muted">
        支払期限の日を選ぶと、その日が期限の請求書のうち口座振替の顧客で未入金の残高があるものの依頼ファイル（全銀協フォーマット、Shift_JIS）を作ります。
        引落日は支払期限の日（銀行の休業日なら翌営業日）です。
      </p>
      {debitError ? (
        <div className="alert error" role="alert">
          {debitError}
        </div>
      ) : null}
      <Form method="post" action="/billing/direct-debit" reloadDocument className="actions">
        <label>
          支払期限 <input type="date" name="date" required />
        </label>
        <button type="submit">依頼ファイルをダウンロード</button>
      </Form>
      <Form
        method="post"
        action="/collections/upload"
        encType="multipart/form-data"
        reloadDocument
        className="actions"
      >
        <input type="hidden" name="intent" value="result" />
        <FormToken token={uploadToken} />
        <label>
          振替結果ファイル <input type="file" name="file" required />
        </label>
        <button type="submit">振替結果を取り込む</button>
      </Form>
      <p>
        <Link to="/bank-credits">入金の照合（振込の入金明細の取り込み）→</Link>
      </p>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "請求締め | セキュアライン 管理コンソール" }];
