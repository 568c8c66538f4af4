// A request as the HTTP server hands it to the app: the client's address in x-client-ip
// (scripts/serve.ts), and optionally its cookies and User-Agent.
export function clientRequest(ip: string, init: { cookie?: string; userAgent?: string } = {}): Request {
  const headers = new Headers({ "x-client-ip": ip });
  if (init.cookie) headers.set("Cookie", init.cookie);
  if (init.userAgent) headers.set("User-Agent", init.userAgent);
  return new Request("http://127.0.0.1/login", { method: "POST", headers });
}
