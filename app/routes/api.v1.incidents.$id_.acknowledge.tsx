// POST /api/v1/incidents/{id}/acknowledge (write scope; issue 19): new → acknowledged.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { acknowledgeApiIncident, incidentIdParam } from "~/api/operations.server";
import { getDb } from "~/db.server";

export const action = ({ request, params }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "POST")
    : handleApi(request, { scope: "write" }, async (ctx) =>
        apiJson(await acknowledgeApiIncident(getDb(), ctx, incidentIdParam(params.id))),
      );

export const loader = ({ request }: LoaderFunctionArgs) => methodNotAllowed(request, "POST");
