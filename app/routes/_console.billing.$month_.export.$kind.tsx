import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import {
  invoiceCsvFile,
  journalCsvFile,
  lineCsvFile,
  type CsvEncoding,
} from "~/billing/exports.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { downloadResponse, notFound } from "~/lib/http.server";
import { isYearMonth } from "~/lib/jst";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const month = params.month;
  if (!isYearMonth(month)) throw notFound();
  const encoding: CsvEncoding =
    new URL(request.url).searchParams.get("encoding") === "sjis" ? "sjis" : "utf8";
  const charset = encoding === "sjis" ? "Shift_JIS" : "utf-8";
  const db = getDb();
  switch (params.kind) {
    case "invoices":
      return downloadResponse(
        await invoiceCsvFile(db, month, encoding),
        `請求書一覧_${month}.csv`,
        `text/csv; charset=${charset}`,
      );
    case "lines":
      return downloadResponse(
        await lineCsvFile(db, month, encoding),
        `請求明細_${month}.csv`,
        `text/csv; charset=${charset}`,
      );
    case "journal":
      return downloadResponse(
        await journalCsvFile(db, month),
        `弥生会計仕訳_${month}.csv`,
        "text/csv; charset=Shift_JIS",
      );
    case "pdfs":
      // Made by the job worker now (issue 18 item 4): the page that queues it and links the zip.
      return redirect(`/billing/${month}/pdfs`);
    default:
      throw notFound();
  }
}
