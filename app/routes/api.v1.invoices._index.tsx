// GET /api/v1/invoices[?customer=&issueFrom=&issueTo=]: the key's invoices, newest first (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { InvoiceListQuery, listApiInvoices } from "~/api/resources.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(await listApiInvoices(getDb(), caller.tenant, parseQuery(url, InvoiceListQuery))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
