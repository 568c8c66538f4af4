// GET /api/v1/openapi.json: the partner API's OpenAPI 3.1 document (issue 19, item 3). Public:
// it describes the API and holds no data.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "~/api/openapi.server";
import { consoleUrl } from "~/lib/http.server";

export function loader(_: LoaderFunctionArgs) {
  return new Response(JSON.stringify(openApiDocument(consoleUrl()), null, 2), {
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
}
