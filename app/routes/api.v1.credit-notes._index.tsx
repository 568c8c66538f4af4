// GET /api/v1/credit-notes[?customer=&invoice=&issueFrom=&issueTo=]: the key's credit notes, newest first (issue 19).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import { CreditNoteListQuery, listApiCreditNotes } from "~/api/records.server";
import { getDb } from "~/db.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(await listApiCreditNotes(getDb(), caller.tenant, parseQuery(url, CreditNoteListQuery))),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
