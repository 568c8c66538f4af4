// GET /api/v1/threat-reports[?contract=&month=&kind=]: the key's threat reports, newest first (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { listApiThreatReports, ThreatReportListQuery } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(
      await listApiThreatReports(getDb(), caller.tenant, parseQuery(url, ThreatReportListQuery)),
    ),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
