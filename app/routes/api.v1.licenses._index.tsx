// GET /api/v1/licenses[?customer=&channel=&state=&updatedFrom=]: the key's licences by ref (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { LicenseListQuery, listApiLicenses } from "~/api/licenses.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(await listApiLicenses(getDb(), caller.tenant, parseQuery(url, LicenseListQuery))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
