import type { LoaderFunctionArgs } from "@remix-run/node";
import { archivedDocumentById } from "~/billing/document-archive.server";
import { requireViewer } from "~/auth/session.server";
import { FINANCE_ROLES } from "~/auth/tenancy";
import { getDb } from "~/db.server";
import { idParam, notFound, pdfResponse } from "~/lib/http.server";

// The stored original exactly as kept (電子帳簿保存法), for the provider's finance.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireViewer(request, { roles: FINANCE_ROLES });
  const stored = await archivedDocumentById(getDb(), idParam(params.documentId));
  if (!stored) throw notFound();
  return pdfResponse(stored.pdf, stored.fileName);
}
