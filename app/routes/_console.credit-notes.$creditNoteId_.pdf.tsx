import type { LoaderFunctionArgs } from "@remix-run/node";
import { creditNoteDocument } from "~/billing/invoice-documents.server";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { idParam, notFound, pdfResponse } from "~/lib/http.server";
import { renderInvoicePdf } from "../../reports/invoice-pdf";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const doc = await creditNoteDocument(getDb(), { id: idParam(params.creditNoteId), tenant: viewer.tenant });
  if (!doc) throw notFound();
  return pdfResponse(await renderInvoicePdf(doc), `返還請求書_${doc.number}.pdf`);
}
