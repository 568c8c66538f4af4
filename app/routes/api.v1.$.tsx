// Any other /api/v1 address: a 404 as problem details, not the console's HTML page.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return new Response(
    JSON.stringify({
      type: "about:blank",
      status: 404,
      title: "見つかりません",
      code: "not_found",
      detail: `${path} というAPIはありません。`,
      instance: path,
    }),
    { status: 404, headers: { "Content-Type": "application/problem+json; charset=utf-8" } },
  );
}

export const loader = ({ request }: LoaderFunctionArgs) => notFound(request);
export const action = ({ request }: ActionFunctionArgs) => notFound(request);
