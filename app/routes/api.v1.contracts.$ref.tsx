// GET /api/v1/contracts/{ref}[?terminationWished=YYYY-MM-DD] (issue 19): with the termination
// quote the CLI `contracts -- quote-termination` computes.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { ContractQuery, getApiContract } from "~/api/resources.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url, at }) =>
    apiJson(
      await getApiContract(
        getDb(),
        caller.tenant,
        params.ref ?? "",
        parseQuery(url, ContractQuery),
        at,
      ),
    ),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
