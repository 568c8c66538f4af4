// POST /api/v1/licenses/isp (write scope; issue 19): ISP security applied for as the console's form
// applies (L-4). 201 with the new licence; 200 with the same licence when the Idempotency-Key
// already made it.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { applyApiIspSecurity } from "~/api/licenses.server";
import { getDb } from "~/db.server";

export const action = ({ request }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "POST")
    : handleApi(request, { scope: "write" }, async (ctx) => {
        const { created, license } = await applyApiIspSecurity(getDb(), ctx);
        const response = apiJson(license, created ? 201 : 200);
        response.headers.set("Location", `/api/v1/licenses/${license.ref}`);
        return response;
      });

export const loader = ({ request }: LoaderFunctionArgs) => methodNotAllowed(request, "POST");
