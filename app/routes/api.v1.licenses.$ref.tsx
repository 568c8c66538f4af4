// GET /api/v1/licenses/{ref} (issue 19): a licence as its console page shows it today, with its ISP contract.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiLicense } from "~/api/licenses.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, at }) =>
    apiJson(await getApiLicense(getDb(), caller.tenant, params.ref ?? "", at)),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
