// GET /api/v1/invoices/{number}/pdf (issue 19): the invoice as the console prints it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, methodNotAllowed, notFoundProblem } from "~/api/http.server";
import { invoiceIdOf } from "~/api/resources.server";
import { invoiceDocument } from "~/billing/invoice-documents.server";
import { getDb } from "~/db.server";
import { pdfResponse } from "~/lib/http.server";
import { renderInvoicePdf } from "../../reports/invoice-pdf";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) => {
    const db = getDb();
    const doc = await invoiceDocument(db, {
      id: await invoiceIdOf(db, caller.tenant, params.ref ?? ""),
      tenant: caller.tenant,
    });
    if (!doc) throw notFoundProblem("請求書");
    return pdfResponse(await renderInvoicePdf(doc), `請求書_${doc.number}.pdf`);
  });

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
