// What every request passes before the Remix app sees it (issue 15): the client address, the
// security headers with the per-request script nonce, the same-origin check of POSTs, and the
// size limit of request bodies, read here (bounded) so that Remix never reads an unbounded one.
import { randomBytes, randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { createRequestHandler, writeReadableStreamToWritable } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, RequestHandler, Response } from "express";
import { SESSION_COOKIE_NAME } from "../app/auth/lucia.server";
import type { ServerConfig } from "../app/config.server";
import { errorFields, log, loggedPath } from "../app/lib/log.server";
import { formatCount } from "../app/lib/format";

/** Forms post a few kilobytes; 64 KB leaves room for the longest (2,000-character notes, several fields). */
export const FORM_BODY_LIMIT = 64 * 1024;

/**
 * Larger limits for routes that accept files, by path prefix (the import file is a command,
 * scripts/import.ts). The bank's result file and statements (issue 20): a result record is 122
 * bytes, so 10 MB is some 80,000 debits.
 */
export const UPLOAD_BODY_LIMITS: readonly { pathPrefix: string; bytes: number }[] = [
  { pathPrefix: "/collections/upload", bytes: 10 * 1024 * 1024 },
];

export function bodyLimitFor(path: string): number {
  return UPLOAD_BODY_LIMITS.find((u) => path.startsWith(u.pathPrefix))?.bytes ?? FORM_BODY_LIMIT;
}

const kilobytes = (bytes: number) => `${formatCount(Math.round(bytes / 1024))}KB`;
export const tooLargeMessage = (limit: number) =>
  `送信されたデータが大きすぎます（上限 ${kilobytes(limit)}）。`;

/**
 * The client's address for the per-address limits and the audit log: the socket's, or with
 * `trustProxy` hops the one the outermost trusted proxy saw, N-th from the right of
 * X-Forwarded-For (the leftmost when the list is shorter). Entries to the left of it are the
 * client's own words and never used.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustProxy: number,
): string {
  const socket = socketAddress ?? "unknown";
  if (trustProxy === 0 || !forwardedFor) return socket;
  const hops = forwardedFor
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (hops.length === 0) return socket;
  const address = hops[Math.max(0, hops.length - trustProxy)];
  return isIP(address) ? address : socket;
}

/** A POST from another site is refused: the browser names the page's origin in Origin (or Referer). */
export function isCrossOriginRequest(headers: {
  origin?: string;
  referer?: string;
  host?: string;
  consoleOrigin?: string;
}): boolean {
  const source = headers.origin ?? headers.referer;
  if (!source) return false;
  if (source === "null") return true;
  try {
    const url = new URL(source);
    // The console's own address (CONSOLE_URL) is same-origin also behind a proxy that rewrites Host.
    return url.origin !== headers.consoleOrigin && url.host !== headers.host;
  } catch {
    return true;
  }
}

/** Whether the request carries the session cookie (its validity is the app's business). */
export function hasSessionCookie(cookieHeader: string | undefined): boolean {
  if (!cookieHeader) return false;
  return cookieHeader.split(";").some((part) => part.trim().startsWith(`${SESSION_COOKIE_NAME}=`));
}

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    // The 2FA page shows its QR code as a data: image.
    "img-src 'self' data:",
    // React writes style attributes (charts, layout tweaks).
    "style-src 'self' 'unsafe-inline'",
  ].join("; ");
}

const refuse = (res: Response, status: number, message: string) =>
  res
    .status(status)
    .set("Cache-Control", "no-store")
    .type("text/plain; charset=utf-8")
    .send(message);

export function protections(config: ServerConfig): RequestHandler {
  const https = config.consoleUrl.startsWith("https:");
  return (req: ExpressRequest, res: Response, next: NextFunction) => {
    // The only client address the app trusts is set here; a header sent by the client is replaced.
    req.headers["x-client-ip"] = clientAddress(
      req.socket.remoteAddress,
      req.get("x-forwarded-for"),
      config.trustProxy,
    );
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("Referrer-Policy", "same-origin");
    if (https) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");

    const safe = req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS";
    if (safe) return next();
    const origin = req.get("origin");
    const referer = req.get("referer");
    if (
      isCrossOriginRequest({
        origin,
        referer,
        host: req.get("host"),
        consoleOrigin: config.consoleUrl,
      })
    ) {
      return void refuse(res, 403, "別のサイトからの送信は受け付けられません。");
    }
    // Browsers name the origin of every form POST; a signed-in request that names none is not
    // from the console's pages (a stripped Origin is how some CSRF gets through).
    if (!origin && !referer && hasSessionCookie(req.get("cookie"))) {
      return void refuse(
        res,
        403,
        "送信元を確認できないため、受け付けられません。ページを開き直してから送信してください。",
      );
    }
    next();
  };
}

/**
 * Reads the body of a request that has one, up to its limit, before anything else does: a
 * declared Content-Length over the limit is refused at once, a chunked body is counted as it
 * arrives and refused at the first byte over. The connection is closed after a 413 so that the
 * rest of the body is never read.
 */
export function boundedBody(req: ExpressRequest, res: Response, next: NextFunction) {
  if (req.method === "GET" || req.method === "HEAD") return next();
  const limit = bodyLimitFor(req.path);
  const tooLarge = () => {
    res.setHeader("Connection", "close");
    refuse(res, 413, tooLargeMessage(limit));
  };
  const declared = req.get("content-length");
  if (declared !== undefined && Number(declared) > limit) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const onData = (chunk: Buffer) => {
    if (done) return;
    size += chunk.length;
    if (size > limit) {
      done = true;
      req.off("data", onData);
      req.pause();
      tooLarge();
      return;
    }
    chunks.push(chunk);
  };
  req.on("data", onData);
  req.once("end", () => {
    if (done) return;
    done = true;
    res.locals.body = Buffer.concat(chunks, size);
    next();
  });
  req.once("error", (error) => {
    if (done) return;
    done = true;
    next(error);
  });
}

/** The per-request values loaders and entry.server.tsx read. */
export interface ConsoleLoadContext extends AppLoadContext {
  cspNonce: string;
}

function requestHeaders(req: ExpressRequest): Headers {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}

/**
 * The Remix handler of @remix-run/express, but on the body `boundedBody` already read, and on the
 * Host header only (X-Forwarded-Host is the client's word; links use CONSOLE_URL anyway).
 */
export function remixHandler(build: ServerBuild, mode: string | undefined): RequestHandler {
  const handle = createRequestHandler(build, mode);
  return async (req: ExpressRequest, res: Response, next: NextFunction) => {
    try {
      let controller: AbortController | null = new AbortController();
      res.on("finish", () => (controller = null));
      res.on("close", () => controller?.abort());
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const body = res.locals.body as Buffer | undefined;
      const request = new Request(`${req.protocol}://${req.get("host")}${req.originalUrl}`, {
        method: req.method,
        headers: requestHeaders(req),
        signal: controller.signal,
        ...(hasBody ? { body: new Uint8Array(body ?? []) } : {}),
      });
      const context: ConsoleLoadContext = { cspNonce: res.locals.cspNonce as string };
      const response = await handle(request, context);
      // Pages, data and downloads are per user: nothing is kept by browsers or proxies (a
      // route's own Cache-Control, e.g. downloads' "private, no-store", stands). Only the static
      // files are cached: the build's fingerprinted ones for a year (serve.ts).
      if (!response.headers.has("Cache-Control")) res.setHeader("Cache-Control", "no-store");
      res.statusMessage = response.statusText;
      res.status(response.status);
      for (const [key, value] of response.headers.entries()) res.append(key, value);
      if (response.body) await writeReadableStreamToWritable(response.body, res);
      else res.end();
    } catch (error) {
      next(error);
    }
  };
}

// ---- operations (issue 18 item 5) ---------------------------------------------------------------

/** An id a proxy may pass on (nginx's $request_id is 32 hex digits); anything else is replaced. */
const FORWARDED_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Gives every request an id, sent back as `X-Request-Id` and carried by each log line about it
 * (the app reads it from the request's headers). Behind a trusted proxy (TRUST_PROXY ≥ 1) the
 * proxy's id is kept so that its access log and ours name the same request; a client's own is
 * never trusted otherwise.
 */
export function requestIdentity(config: Pick<ServerConfig, "trustProxy">): RequestHandler {
  return (req: ExpressRequest, res: Response, next: NextFunction) => {
    const forwarded = req.get("x-request-id");
    const id =
      config.trustProxy > 0 && forwarded && FORWARDED_REQUEST_ID.test(forwarded)
        ? forwarded
        : randomUUID();
    req.headers["x-request-id"] = id;
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    next();
  };
}

/**
 * `/healthz` (the process answers) and `/readyz` (`ready()` finds nothing wrong: the database
 * answers and its migrations are current; else 503 with the reason). Answered before sessions,
 * the audit and the access log: probes come every few seconds and must stay cheap.
 */
export function healthRoutes(ready: () => Promise<string | null>): RequestHandler {
  return (req: ExpressRequest, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const answer = (status: number, text: string) =>
      res
        .status(status)
        .set("Cache-Control", "no-store")
        .type("text/plain; charset=utf-8")
        .send(`${text}\n`);
    if (req.path === "/healthz") return void answer(200, "ok");
    if (req.path !== "/readyz") return next();
    ready().then(
      (problem) => (problem === null ? answer(200, "ready") : answer(503, problem)),
      (error: unknown) =>
        answer(
          503,
          `readiness check failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
  };
}

/** One JSON line per request when its response is done: what, how it ended, how long it took. */
export function accessLog(req: ExpressRequest, res: Response, next: NextFunction) {
  const started = process.hrtime.bigint();
  res.once("close", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const status = res.headersSent ? res.statusCode : 0;
    log(status >= 500 ? "error" : "info", "request", {
      requestId: res.locals.requestId as string | undefined,
      method: req.method,
      path: loggedPath(req.path),
      status,
      ms: Math.round(ms * 10) / 10,
      // The client went away before the whole response was written.
      ...(res.writableFinished ? {} : { aborted: true }),
    });
  });
  next();
}

/** The last handler: an error outside Remix (a body that failed to arrive, a bug here) is logged with its stack and answered 500. */
export function errorHandler(
  error: unknown,
  req: ExpressRequest,
  res: Response,
  next: NextFunction,
) {
  log("error", "request failed", {
    requestId: res.locals.requestId as string | undefined,
    method: req.method,
    path: loggedPath(req.path),
    ...errorFields(error),
  });
  if (res.headersSent) return next(error);
  refuse(
    res,
    500,
    `サーバーでエラーが発生しました（リクエストID: ${String(res.locals.requestId ?? "-")}）。`,
  );
}
