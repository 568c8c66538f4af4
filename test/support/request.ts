// A request as the HTTP server hands it to the app: the client's address in x-client-ip
// (scripts/serve.ts), and optionally its cookies and User-Agent.
export function clientRequest(
  ip: string,
  init: { cookie?: string; userAgent?: string } = {},
): Request {
  const headers = new Headers({ "x-client-ip": ip });
  if (init.cookie) headers.set("Cookie", init.cookie);
  if (init.userAgent) headers.set("User-Agent", init.userAgent);
  return new Request("http://127.0.0.1/login", { method: "POST", headers });
}

/** Runs a route's loader or action; a thrown Response (a 404, a redirect) is returned like a returned one. */
export async function responseOf(fn: () => Promise<unknown>): Promise<Response> {
  try {
    return (await fn()) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
