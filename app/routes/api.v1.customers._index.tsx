// GET /api/v1/customers: the key's customers, cursor-paginated (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { CustomerListQuery, listApiCustomers } from "~/api/resources.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(await listApiCustomers(getDb(), caller.tenant, parseQuery(url, CustomerListQuery))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
