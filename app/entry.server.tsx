// Remix 2.17's default Node entry, with the request's CSP nonce (scripts/edge.ts) given to React's
// streaming scripts, to Remix's (RemixServer) and to root.tsx's <Scripts>/<ScrollRestoration>.
import type {
  ActionFunctionArgs,
  AppLoadContext,
  EntryContext,
  LoaderFunctionArgs,
} from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { withoutNulBytes } from "./lib/html-stream.server";
import { errorFields, log, loggedPath } from "./lib/log.server";
import { NonceContext } from "./lib/nonce";

/** How long deferred data may keep streaming after the shell was sent. */
const ABORT_DELAY = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Command-line callers and tests of routes have no nonce: their pages carry none.
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : "";
  // Bots and SPA mode get the whole document at once; browsers get it streamed.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = withoutNulBytes();
      const stream = createReadableStreamFromReadable(body);
      responseHeaders.set("Content-Type", "text/html");
      resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer
          context={remixContext}
          url={request.url}
          abortDelay={ABORT_DELAY}
          nonce={nonce || undefined}
        />
      </NonceContext.Provider>,
      {
        nonce: nonce || undefined,
        onShellReady() {
          // The limit is for what streams after the shell (deferred data). Started here, not
          // when rendering starts: a page waiting for the CPU on a busy worker would otherwise be
          // aborted before its shell and answered 500 (issue 18, measured under load).
          setTimeout(abort, ABORT_DELAY).unref();
          if (!waitForAll) ready();
        },
        ...(waitForAll ? { onAllReady: ready } : {}),
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors of the shell reject and are logged by Remix; later ones only here.
          if (shellRendered) logRequestError(error, request);
        },
      },
    );
  });
}

function logRequestError(error: unknown, request: Request): void {
  log("error", "request failed", {
    requestId: request.headers.get("x-request-id") ?? undefined,
    method: request.method,
    path: loggedPath(new URL(request.url).pathname),
    ...errorFields(error),
  });
}

/**
 * Every error a loader, an action or the rendering throws (Remix answers 500): one JSON line with
 * the stack and the request id the client got in X-Request-Id. A request the client gave up on
 * is not an error of the server.
 */
export function handleError(
  error: unknown,
  { request }: LoaderFunctionArgs | ActionFunctionArgs,
): void {
  if (request.signal.aborted) return;
  logRequestError(error, request);
}
