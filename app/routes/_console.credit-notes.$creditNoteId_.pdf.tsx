import type { LoaderFunctionArgs } from "@remix-run/node";
import { archivedCreditNotePdf } from "~/billing/document-archive.server";
import { requireViewer } from "~/auth/session.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { idParam, notFound, pdfResponse } from "~/lib/http.server";

// The stored original (電子帳簿保存法): the bytes first rendered, whatever the layout is today.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const stored = await archivedCreditNotePdf(getDb(), {
    id: idParam(params.creditNoteId),
    tenant: viewer.tenant,
    at: now(),
  });
  if (!stored) throw notFound();
  return pdfResponse(stored.pdf, stored.fileName);
}
