// GET /api/v1/credit-notes/{number} (issue 19): a credit note with its lines.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiCreditNote } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiJson(await getApiCreditNote(getDb(), caller.tenant, params.number ?? "")),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
