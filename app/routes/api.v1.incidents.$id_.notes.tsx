// POST /api/v1/incidents/{id}/notes (write scope; issue 19): appends a note.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { incidentIdParam, noteApiIncident } from "~/api/operations.server";
import { getDb } from "~/db.server";

export const action = ({ request, params }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "POST")
    : handleApi(request, { scope: "write" }, async (ctx) =>
        apiJson(await noteApiIncident(getDb(), ctx, incidentIdParam(params.id)), 201),
      );

export const loader = ({ request }: LoaderFunctionArgs) => methodNotAllowed(request, "POST");
