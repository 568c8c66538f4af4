// GET, POST /api/v1/webhook-endpoints (issue 19, item 4): the key's tenant's endpoints; POST
// registers one (write scope) and answers its secret, once.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getDb } from "~/db.server";
import { createApiWebhookEndpoint, listApiWebhookEndpoints } from "~/webhooks/api.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async (ctx) =>
    apiJson(await listApiWebhookEndpoints(getDb(), ctx)),
  );

export const action = ({ request }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "GET, POST")
    : handleApi(request, { scope: "write" }, async (ctx) => {
        const created = await createApiWebhookEndpoint(getDb(), ctx);
        const response = apiJson(created, 201);
        response.headers.set("Location", `/api/v1/webhook-endpoints/${created.id}`);
        response.headers.set("Cache-Control", "no-store");
        return response;
      });
