// GET/POST /api/v1/customers/{ref}/main-services (issue 19): the customer's main ISP services, and
// recording one's status as `licenses main-service` does (write scope; L-4: ISP security ends with
// the last of them). POST answers 201 for a service recorded the first time, else 200.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { listApiMainServices, recordApiMainService } from "~/api/licenses.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiJson(await listApiMainServices(getDb(), caller.tenant, params.ref ?? "")),
  );

export const action = ({ request, params }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "GET, POST")
    : handleApi(request, { scope: "write" }, async (ctx) => {
        const result = await recordApiMainService(getDb(), ctx, params.ref ?? "");
        return apiJson(result, result.created ? 201 : 200);
      });
