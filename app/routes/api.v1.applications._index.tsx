// POST /api/v1/applications (write scope; issue 19): an application (T-7) as the console's form
// submits it, with the same validation. GET lists the key's applications, newest first.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, handleApi, methodNotAllowed, parseQuery } from "~/api/http.server";
import {
  ApplicationListQuery,
  listApiApplications,
  submitApiApplication,
} from "~/api/operations.server";
import { getDb } from "~/db.server";

export const action = ({ request }: ActionFunctionArgs) =>
  request.method !== "POST"
    ? methodNotAllowed(request, "GET, POST")
    : handleApi(request, { scope: "write" }, async (ctx) => {
        const application = await submitApiApplication(getDb(), ctx);
        const response = apiJson(application, 201);
        response.headers.set("Location", `/api/v1/applications/${application.ref}`);
        return response;
      });

export const loader = ({ request }: LoaderFunctionArgs) =>
  handleApi(request, { scope: "read" }, async ({ caller, url }) =>
    apiJson(
      await listApiApplications(getDb(), caller.tenant, parseQuery(url, ApplicationListQuery)),
    ),
  );
