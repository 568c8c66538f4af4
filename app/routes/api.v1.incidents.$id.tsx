// GET /api/v1/incidents/{id} (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiIncident, incidentIdParam } from "~/api/operations.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiJson(await getApiIncident(getDb(), caller.tenant, incidentIdParam(params.id))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
