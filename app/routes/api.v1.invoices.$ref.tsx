// GET /api/v1/invoices/{number} (issue 19): the invoice with its lines and payment state.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiInvoice } from "~/api/resources.server";
import { getDb } from "~/db.server";
import { jstDate } from "~/lib/jst";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, at }) =>
    apiJson(await getApiInvoice(getDb(), caller.tenant, params.ref ?? "", jstDate(at))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
