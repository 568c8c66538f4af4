import type { LoaderFunctionArgs } from "@remix-run/node";
import { invoiceDocument } from "~/billing/invoice-documents.server";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { idParam, notFound, pdfResponse } from "~/lib/http.server";
import { renderInvoicePdf } from "../../reports/invoice-pdf";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const doc = await invoiceDocument(getDb(), { id: idParam(params.invoiceId), tenant: viewer.tenant });
  if (!doc) throw notFound();
  return pdfResponse(await renderInvoicePdf(doc), `請求書_${doc.number}.pdf`);
}
