// GET /api/v1/customers/{ref} (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiCustomer } from "~/api/resources.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiJson(await getApiCustomer(getDb(), caller.tenant, params.ref ?? "")),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
