// GET /api/v1/applications/{ref} (issue 19): an application and its review state.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed } from "~/api/http.server";
import { getApiApplication } from "~/api/operations.server";
import { getDb } from "~/db.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller }) =>
    apiJson(await getApiApplication(getDb(), caller.tenant, params.ref ?? "")),
  );

export const action = ({ request }: ActionFunctionArgs) => methodNotAllowed(request, "GET");
