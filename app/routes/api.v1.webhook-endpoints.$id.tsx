// GET, DELETE /api/v1/webhook-endpoints/{id} (issue 19, item 4): a foreign or unknown id is 404.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getDb } from "~/db.server";
import {
  deleteApiWebhookEndpoint,
  endpointIdParam,
  getApiWebhookEndpoint,
} from "~/webhooks/api.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async (ctx) =>
    apiJson(await getApiWebhookEndpoint(getDb(), ctx, endpointIdParam(params.id))),
  );

export const action = ({ request, params }: ActionFunctionArgs) =>
  request.method !== "DELETE"
    ? methodNotAllowed(request, "GET, DELETE")
    : handleApi(request, { scope: "write" }, async (ctx) => {
        await deleteApiWebhookEndpoint(getDb(), ctx, endpointIdParam(params.id));
        return new Response(null, { status: 204 });
      });
