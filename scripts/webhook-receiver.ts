// An example receiver of the console's webhooks (issue 19, item 5), with node:http only: it
// verifies `Console-Signature` (HMAC-SHA256 of `t + "." + body` with the endpoint's secret),
// rejects a `t` older than 5 minutes (a replayed delivery) and, for `incident.opened`, prints the
// ticket a PSA tool (ConnectWise, Autotask, HaloPSA…) would be sent. Copy it as a starting point.
//
//   WEBHOOK_SECRET=whsec_… PORT=8787 npx tsx scripts/webhook-receiver.ts
//
// The verification functions are exported: the console's own tests check deliveries with them.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { pathToFileURL } from "node:url";

/** A receiver refuses a delivery signed longer ago than this (and as far in the future). */
export const TOLERANCE_SECONDS = 5 * 60;

// Its own small result shape, not the console's app/lib/result.ts: partners copy this file alone,
// so it imports nothing from the app (decision 0046).
export type Verification = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Checks a `Console-Signature: t=UNIX_SECONDS,v1=HEX` header against the raw body. */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Verification {
  if (!header) return { ok: false, reason: "missing signature" };
  const parts = new Map<string, string[]>();
  for (const item of header.split(",")) {
    const at = item.indexOf("=");
    if (at > 0)
      parts.set(item.slice(0, at).trim(), [
        ...(parts.get(item.slice(0, at).trim()) ?? []),
        item.slice(at + 1).trim(),
      ]);
  }
  const t = Number(parts.get("t")?.[0]);
  if (!Number.isInteger(t)) return { ok: false, reason: "no timestamp" };
  if (nowSeconds - t > TOLERANCE_SECONDS) return { ok: false, reason: "timestamp too old" };
  if (t - nowSeconds > TOLERANCE_SECONDS) return { ok: false, reason: "timestamp in the future" };
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  // Several v1 values may come while a secret is being rotated: any one that matches will do.
  const matches = (parts.get("v1") ?? []).some((hex) => {
    const given = Buffer.from(hex, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp: t } : { ok: false, reason: "signature mismatch" };
}

export interface WebhookEvent {
  id: string;
  type: string;
  created: string;
  data: Record<string, unknown>;
}

/** The ticket a PSA tool gets for an incident (the fields most of them ask for). */
export function psaTicketOf(event: WebhookEvent): Record<string, unknown> | null {
  if (event.type !== "incident.opened") return null;
  const incident = event.data.incident as {
    id: number;
    contract: string;
    customer: string;
    kind: string;
    severity: string;
    title: string;
    device: string | null;
    openedAt: string;
  };
  const priority =
    incident.severity === "high" ? "P1" : incident.severity === "medium" ? "P2" : "P3";
  return {
    summary: `[セキュアライン] ${incident.title}`,
    company: incident.customer,
    contract: incident.contract,
    priority,
    board: "Security",
    externalId: `secureline-incident-${incident.id}`,
    description: [
      `種別: ${incident.kind}`,
      `機器: ${incident.device ?? "—"}`,
      `発生: ${incident.openedAt}`,
      `イベントID: ${event.id}`,
    ].join("\n"),
  };
}

export interface Receiver {
  server: Server;
  /** The events accepted, in order (a real receiver would de-duplicate by `id`). */
  received: WebhookEvent[];
}

/** A receiver; `answer` decides the status of each verified delivery (default 200). */
export function createReceiver(options: {
  /** The endpoint's secret (a function: known only once the endpoint is registered). */
  secret: string | (() => string);
  now?: () => number;
  answer?: (event: WebhookEvent) => number;
  onTicket?: (ticket: Record<string, unknown>) => void;
}): Receiver {
  const received: WebhookEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const check = verifySignature(
        req.headers["console-signature"] as string | undefined,
        body,
        typeof options.secret === "function" ? options.secret() : options.secret,
        options.now?.(),
      );
      if (req.method !== "POST" || !check.ok) {
        res
          .writeHead(400, { "Content-Type": "text/plain" })
          .end(check.ok ? "POST only" : check.reason);
        return;
      }
      const event = JSON.parse(body) as WebhookEvent;
      received.push(event);
      const status = options.answer?.(event) ?? 200;
      if (status >= 200 && status < 300) {
        const ticket = psaTicketOf(event);
        if (ticket) options.onTicket?.(ticket);
      }
      res
        .writeHead(status, { "Content-Type": "text/plain" })
        .end(status < 300 ? "ok" : "try again");
    });
  });
  return { server, received };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error(
      "WEBHOOK_SECRET: 送信先の登録時に表示されたシークレット（whsec_…）を指定してください",
    );
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 8787);
  const { server } = createReceiver({
    secret,
    onTicket: (ticket) => console.log(JSON.stringify({ psaTicket: ticket })),
  });
  server.listen(port, process.env.HOST ?? "127.0.0.1", () =>
    console.error(`webhook receiver: listening on ${process.env.HOST ?? "127.0.0.1"}:${port}`),
  );
}
