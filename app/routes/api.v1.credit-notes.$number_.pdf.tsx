// GET /api/v1/credit-notes/{number}/pdf (issue 19): the stored original the console serves (電子帳簿保存法).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleApi, methodNotAllowed } from "~/api/http.server";
import { apiCreditNotePdf } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, at }) =>
    apiCreditNotePdf(getDb(), caller.tenant, params.number ?? "", at),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
