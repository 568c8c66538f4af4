import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { idParam, notFound, pdfResponse } from "~/lib/http.server";
import { getThreatReportPdf, reportFileName } from "~/security/threat-report.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const report = await getThreatReportPdf(getDb(), {
    id: idParam(params.reportId),
    tenant: viewer.tenant,
  });
  if (!report) throw notFound();
  return pdfResponse(report.pdf, reportFileName(report.contract_ref, report.period_month));
}
