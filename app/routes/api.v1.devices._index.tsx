// GET /api/v1/devices[?customer=&contract=&type=&notSeenSince=&updatedFrom=]: the key's devices by contract and name (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { DeviceListQuery, listApiDevices } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(await listApiDevices(getDb(), caller.tenant, parseQuery(url, DeviceListQuery))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
