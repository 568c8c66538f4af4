import type { LoaderFunctionArgs } from "@remix-run/node";
import { invoiceEInvoice } from "~/billing/e-invoice-documents.server";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { downloadResponse, idParam, notFound } from "~/lib/http.server";

// The invoice as a JP PINT e-invoice (UBL 2.1 XML, decision 0018).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const file = await invoiceEInvoice(getDb(), {
    id: idParam(params.invoiceId),
    tenant: viewer.tenant,
  });
  if (!file) throw notFound();
  return downloadResponse(file.xml, file.fileName, "application/xml");
}
