// POST /api/v1/licenses/{ref}/end (write scope; issue 19): cancels the console-issued ISP contract
// behind the licence on the last day of this month (L-4), as the licence page's button does.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { endApiIspSecurity } from "~/api/licenses.server";
import { getDb } from "~/db.server";

export const action = ({ request, params }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "POST")
    : handleApi(request, { scope: "write" }, async (ctx) =>
        apiJson(await endApiIspSecurity(getDb(), ctx, params.ref ?? "")),
      );

export const loader = ({ request }: LoaderFunctionArgs) => methodNotAllowed(request, "POST");
