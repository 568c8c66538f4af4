// Cookies that a guard must send with whatever response the request ends in: when lucia extends
// a session that is in use (validateSession → `fresh`), the browser's cookie has to be sent again
// with the new lifetime, or the browser drops it at the old expiry and an active user is logged out.
//
// Why not through Remix: `requireViewer` runs at the start of every loader and action (50-odd
// routes), and Remix's `headers` export only reaches document responses of the route it is on
// (with single fetch, a client navigation runs only the child route's loader). Threading a header
// through every loader would be easy to forget in one. Instead the HTTP server (scripts/serve.ts)
// runs each request inside this store with a function that appends Set-Cookie to its response;
// Remix's own headers are appended after, so a route's own cookie (a logout's blank one) wins.
// Outside the server (tests calling the modules directly) there is no store and nothing is sent.
import { AsyncLocalStorage } from "node:async_hooks";

type AppendSetCookie = (setCookie: string) => void;

// One store per process, shared through globalThis: the server (scripts/serve.ts, run by tsx) and
// the Remix build (build/index.js) each hold their own copy of this module.
const KEY = Symbol.for("console.responseCookies");
const holder = globalThis as { [KEY]?: AsyncLocalStorage<AppendSetCookie> };
const responseCookies = (holder[KEY] ??= new AsyncLocalStorage<AppendSetCookie>());

/** Runs `handle` (the request's handling) so that `sendWithResponse` reaches its response. */
export function withResponseCookies<T>(append: AppendSetCookie, handle: () => T): T {
  // Loaders of nested routes run in parallel and may each extend the same session: one cookie of
  // a name is enough (they are equal but for their Expires second).
  const sent = new Set<string>();
  return responseCookies.run((setCookie) => {
    const name = setCookie.slice(0, setCookie.indexOf("="));
    if (sent.has(name)) return;
    sent.add(name);
    append(setCookie);
  }, handle);
}

/** Adds a Set-Cookie header to the response of the request being handled. */
export function sendWithResponse(setCookie: string): void {
  responseCookies.getStore()?.(setCookie);
}
