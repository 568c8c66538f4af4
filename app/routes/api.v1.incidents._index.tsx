// GET /api/v1/incidents[?status=&contract=&createdFrom=&createdTo=]: newest first (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { IncidentListQuery, listApiIncidents } from "~/api/operations.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(await listApiIncidents(getDb(), caller.tenant, parseQuery(url, IncidentListQuery))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
