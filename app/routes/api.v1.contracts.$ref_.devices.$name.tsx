// GET /api/v1/contracts/{ref}/devices/{name} (issue 19): a device by its contract and its name.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiDevice } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiJson(await getApiDevice(getDb(), caller.tenant, params.ref ?? "", params.name ?? "")),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
