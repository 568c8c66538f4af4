import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import {
  invoiceCsvBytes,
  journalCsvBytes,
  lineCsvBytes,
  type CsvEncoding,
} from "~/billing/exports.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { streamedDownload } from "~/lib/csv-stream.server";
import { notFound } from "~/lib/http.server";
import { isYearMonth } from "~/lib/jst";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const month = params.month;
  if (!isYearMonth(month)) throw notFound();
  const encoding: CsvEncoding =
    new URL(request.url).searchParams.get("encoding") === "sjis" ? "sjis" : "utf8";
  const charset = encoding === "sjis" ? "Shift_JIS" : "utf-8";
  const db = getDb();
  // Issue 17 item 2: each file is written as it is read, a chunk of rows at a time.
  switch (params.kind) {
    case "invoices":
      return streamedDownload(
        invoiceCsvBytes(db, month, encoding),
        `請求書一覧_${month}.csv`,
        `text/csv; charset=${charset}`,
      );
    case "lines":
      return streamedDownload(
        lineCsvBytes(db, month, encoding),
        `請求明細_${month}.csv`,
        `text/csv; charset=${charset}`,
      );
    case "journal":
      return streamedDownload(
        journalCsvBytes(db, month),
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
