import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireViewer } from "~/auth/session.server";
import { INVOICE_SORT, invoiceChunks, invoiceSearchOf } from "~/billing/invoices.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { csvStreamResponse } from "~/lib/csv-stream.server";
import { jstDate } from "~/lib/jst";
import { pageRequest } from "~/lib/paging";

// The invoice list's whole filter as CSV, in the list's order (issue 17 item 2): the same
// search, tenant and sort as the page, every row, streamed.
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const params = new URL(request.url).searchParams;
  const { search } = invoiceSearchOf(params);
  const { sort, dir } = pageRequest(params, INVOICE_SORT);
  const today = jstDate(now());
  const showCustomer = viewer.tenant.kind !== "customer";
  async function* rows() {
    for await (const chunk of invoiceChunks(getDb(), viewer.tenant, search, today, { sort, dir })) {
      yield chunk.map((i) => [
        i.invoice_number,
        i.billing_month,
        ...(showCustomer ? [i.customer_ref, i.customer_name] : []),
        i.contract_ref,
        i.issue_date,
        i.due_date,
        i.total_yen,
        i.creditedYen,
        i.paidYen,
        i.state === "paid"
          ? "入金済み"
          : i.overdue
            ? "期日超過"
            : i.state === "partial"
              ? "一部入金"
              : "未入金",
        i.overdue ? i.accruedInterestYen : "",
      ]);
    }
  }
  const header = [
    "請求書番号",
    "請求月",
    ...(showCustomer ? ["顧客番号", "取引先"] : []),
    "契約番号",
    "発行日",
    "お支払期限",
    "請求額（税込）",
    "返還額",
    "入金済み",
    "状態",
    "延滞利息（本日まで）",
  ];
  return csvStreamResponse(`請求書一覧_${today}.csv`, header, rows());
}
