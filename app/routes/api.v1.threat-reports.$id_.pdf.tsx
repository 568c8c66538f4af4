// GET /api/v1/threat-reports/{id}/pdf (issue 19): the stored report, as the console serves it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, methodNotAllowed } from "~/api/http.server";
import { apiThreatReportPdf, reportIdParam } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiThreatReportPdf(getDb(), caller.tenant, reportIdParam(params.id)),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
