// The signature of a webhook delivery (issue 19, item 4): `Console-Signature: t=UNIX_SECONDS,v1=HEX`
// where v1 = HMAC-SHA256 keyed with the endpoint's whole secret (`whsec_…`, as UTF-8) over
// `t + "." + body`. The timestamp inside the signed text lets a receiver refuse replays of an old
// delivery (scripts/webhook-receiver.ts rejects a t older than 5 minutes).
import { createHmac, randomBytes } from "node:crypto";

export const SIGNATURE_HEADER = "Console-Signature";
export const SECRET_PREFIX = "whsec_";

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64url");
}

/** v1: lower-case hex of HMAC-SHA256(secret, `${unixSeconds}.${body}`). */
export function signatureV1(secret: string, unixSeconds: number, body: string): string {
  return createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
}

export function signatureHeader(secret: string, at: Date, body: string): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${signatureV1(secret, t, body)}`;
}
