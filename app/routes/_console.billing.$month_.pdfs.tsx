import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { invoicePdfZipProgress, requestInvoicePdfZip } from "~/billing/invoice-zip-jobs.server";
import { issuedInMonth } from "~/billing/months.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { FileJobStatus } from "~/components/FileJobStatus";
import { getDb } from "~/db.server";
import { formatCount, formatMonth } from "~/lib/format";
import { notFound } from "~/lib/http.server";
import { isYearMonth } from "~/lib/jst";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const month = params.month;
  if (!isYearMonth(month)) throw notFound();
  const db = getDb();
  const issued = await issuedInMonth(db, month);
  return { month, invoices: issued.count, job: await invoicePdfZipProgress(db, month) };
}

/** Queues the zip (one job per month: a second submit while it runs shows the same job). */
export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { roles: FINANCE_ROLES });
  const month = params.month;
  if (!isYearMonth(month)) throw notFound();
  await requestInvoicePdfZip(getDb(), month, { actor: { id: viewer.id, email: viewer.email } });
  return redirect(`/billing/${month}/pdfs`);
}

export default function InvoicePdfZip() {
  const { month, invoices, job } = useLoaderData<typeof loader>();
  const submitting = useNavigation().state === "submitting";
  const active = job?.state === "queued" || job?.state === "running";
  return (
    <>
      <p>
        <Link to={`/billing/${month}`}>← {formatMonth(month)}の請求</Link>
      </p>
      <h1>{formatMonth(month)}の請求書PDF（ZIP）</h1>
      <p className="muted">
        発行済みの請求書 {formatCount(invoices)}{" "}
        件のPDF（保存されている原本）を1つのZIPファイルにまとめます。件数が多いと数分かかります。作成はサーバーの裏側で進むので、このページを閉じてもかまいません。
      </p>
      {job ? <FileJobStatus job={job} unit="件" /> : null}
      {active || invoices === 0 ? null : (
        <Form method="post">
          <button type="submit" disabled={submitting}>
            {job?.file ? "ZIPを作り直す" : "ZIPを作成する"}
          </button>
        </Form>
      )}
      {invoices === 0 ? <div className="empty">この月に発行済みの請求書はありません。</div> : null}
    </>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.month ?? ""} 請求書PDF | セキュアライン 管理コンソール` },
];
