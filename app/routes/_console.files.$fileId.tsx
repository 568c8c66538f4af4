import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES, OPERATIONS_ROLES } from "~/auth/tenancy";
import { INVOICE_PDF_ZIP_KIND } from "~/billing/invoice-zip-jobs.server";
import { getDb } from "~/db.server";
import { jobFileDownload } from "~/jobs/job-files.server";
import { notFound } from "~/lib/http.server";
import { THREAT_REPORT_BATCH_KIND } from "~/security/threat-report-jobs.server";
import type { Role } from "../../db/schema";

/** Who may download the file of each kind of job (besides being of the file's tenant). */
const FILE_ROLES: Record<string, readonly Role[]> = {
  [INVOICE_PDF_ZIP_KIND]: FINANCE_ROLES,
  [THREAT_REPORT_BATCH_KIND]: OPERATIONS_ROLES,
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const id = Number(params.fileId);
  if (!/^\d{1,15}$/.test(params.fileId ?? "")) throw notFound();
  const kinds = Object.keys(FILE_ROLES).filter((kind) => FILE_ROLES[kind].includes(viewer.role));
  const response = await jobFileDownload(getDb(), { id, tenant: viewer.tenant, kinds });
  if (!response) throw notFound();
  return response;
}
