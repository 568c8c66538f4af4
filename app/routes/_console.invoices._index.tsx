import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useLocation } from "@remix-run/react";
import { Pager, SortHeader } from "~/components/Pager";
import { ListFilters, FilterSelect } from "~/components/ListFilters";
import { InvoiceStateBadge } from "~/components/InvoiceStateBadge";
import { TableScroll } from "~/components/TableScroll";
import { debitFailures } from "~/collections/collections.server";
import {
  INVOICE_SORT,
  invoiceSearchOf,
  pageInvoices,
  type StatusFilter,
} from "~/billing/invoices.server";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { jstDate } from "~/lib/jst";
import { listHref, pageRequest } from "~/lib/paging";
import { formatCount, formatDate, formatMonth, formatYen } from "~/lib/format";

const STATUS_LABELS: Record<StatusFilter, string> = {
  unpaid: "未入金",
  overdue: "支払期日超過",
  paid: "入金済み",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const params = new URL(request.url).searchParams;
  const { search, values, filtered } = invoiceSearchOf(params);
  const {
    invoices: listed,
    totals,
    page,
  } = await pageInvoices(
    getDb(),
    viewer.tenant,
    search,
    jstDate(now()),
    pageRequest(params, INVOICE_SORT),
  );
  // Issue 20: why a direct debit of an unpaid invoice failed (the bank's result code).
  const failures = await debitFailures(
    getDb(),
    listed.filter((i) => i.state !== "paid").map((i) => i.id),
  );
  const invoices = listed.map((i) => ({
    ...i,
    debitFailure: i.state === "paid" ? null : (failures.get(i.id) ?? null),
  }));
  return {
    invoices,
    totals,
    page,
    filtered,
    showCustomer: viewer.tenant.kind !== "customer",
    values,
  };
}

export default function Invoices() {
  const { invoices, totals, page, filtered, values, showCustomer } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  return (
    <>
      <h1>請求書</h1>
      <ListFilters page={page} label="請求書の検索" submit="検索">
        <label>
          発行日（から）
          <input type="date" name="from" defaultValue={values.from} />
        </label>
        <label>
          発行日（まで）
          <input type="date" name="to" defaultValue={values.to} />
        </label>
        <label>
          金額（以上）
          <input type="text" inputMode="numeric" name="min" defaultValue={values.min} size={10} />
        </label>
        <label>
          金額（以下）
          <input type="text" inputMode="numeric" name="max" defaultValue={values.max} size={10} />
        </label>
        {showCustomer ? (
          <label>
            取引先（顧客名・番号）
            <input type="search" name="q" defaultValue={values.q} />
          </label>
        ) : null}
        <label>
          請求月
          <input type="month" name="month" defaultValue={values.month} />
        </label>
        <FilterSelect
          label="状態"
          name="status"
          defaultValue={values.status}
          labels={STATUS_LABELS}
        />
      </ListFilters>
      {invoices.length === 0 ? (
        <div className="empty">
          {filtered ? "条件に合う請求書はありません。" : "発行済みの請求書はまだありません。"}
        </div>
      ) : (
        <>
          <div className="list-summary">
            <p className="muted" data-testid="invoice-totals">
              {formatCount(totals.count)}件　合計 {formatYen(totals.totalYen)}
            </p>
            <a href={`/invoices/csv${listHref(search, { page: null })}`} download>
              CSVでダウンロード（{formatCount(totals.count)}件）
            </a>
          </div>
          <Pager info={page} label="請求書のページ" />
          <TableScroll>
            <table className="data">
              <thead>
                <tr>
                  <SortHeader info={page} column="number" first="desc">
                    請求書番号
                  </SortHeader>
                  <SortHeader info={page} column="month" first="desc">
                    請求月
                  </SortHeader>
                  {showCustomer ? (
                    <SortHeader info={page} column="customer">
                      取引先
                    </SortHeader>
                  ) : null}
                  <th scope="col">契約</th>
                  <SortHeader info={page} column="issued" first="desc">
                    発行日
                  </SortHeader>
                  <SortHeader info={page} column="due" first="desc">
                    お支払期限
                  </SortHeader>
                  <SortHeader info={page} column="total" first="desc" className="num">
                    請求額（税込）
                  </SortHeader>
                  <th scope="col" className="num">
                    入金済み
                  </th>
                  <th scope="col">状態</th>
                  <th scope="col" className="num">
                    延滞利息（本日まで）
                  </th>
                </tr>
              </thead>
              <tbody>
                {invoices.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <Link to={`/invoices/${i.id}`}>{i.invoice_number}</Link>
                    </td>
                    <td>{formatMonth(i.billing_month)}分</td>
                    {showCustomer ? <td>{i.customer_name}</td> : null}
                    <td>{i.contract_ref}</td>
                    <td>{formatDate(i.issue_date)}</td>
                    <td>{formatDate(i.due_date)}</td>
                    <td className="num">{formatYen(i.total_yen)}</td>
                    <td className="num">{formatYen(i.paidYen)}</td>
                    <td>
                      <InvoiceStateBadge state={i.state} overdue={i.overdue} />
                      {i.debitFailure ? (
                        <div className="muted" data-testid="debit-failure">
                          口座振替不能：{i.debitFailure.label}（
                          {formatDate(i.debitFailure.debitDate)}）
                        </div>
                      ) : null}
                    </td>
                    <td className="num">{i.overdue ? formatYen(i.accruedInterestYen) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager info={page} label="請求書のページ（下）" />
        </>
      )}
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "請求書 | セキュアライン 管理コンソール" }];
