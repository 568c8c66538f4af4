// Idempotency-Key on the partner API's POSTs (issue 19): the first request with a key reserves it
// (a row without a status) before it does anything, and stores its answer afterwards; a replay —
// the same key, method, path and body — gets that stored answer and changes nothing, the same key
// with another request is a conflict (409), and so is a replay while the first is still running.
// Keys are per API key: two partners cannot collide.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { sha256Hex } from "./keys.server";

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

export type Reservation =
  | { kind: "reserved" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "conflict" }
  | { kind: "in_progress" };

export function requestFingerprint(method: string, path: string, body: string): string {
  return sha256Hex(`${method}\n${path}\n${body}`);
}

export async function reserveIdempotencyKey(
  db: Kysely<Database>,
  params: { keyId: number; idempotencyKey: string; fingerprint: string; at: Date },
): Promise<Reservation> {
  const inserted = await db.insertInto("api_idempotency").values({
    api_key_id: params.keyId, idempotency_key: params.idempotencyKey, request_sha256: params.fingerprint,
    status: null, body: null, created_at: params.at.toISOString(),
  }).onConflict((oc) => oc.columns(["api_key_id", "idempotency_key"]).doNothing()).returning("api_key_id").executeTakeFirst();
  if (inserted) return { kind: "reserved" };
  const row = await db.selectFrom("api_idempotency").select(["request_sha256", "status", "body"])
    .where("api_key_id", "=", params.keyId).where("idempotency_key", "=", params.idempotencyKey).executeTakeFirstOrThrow();
  if (row.request_sha256 !== params.fingerprint) return { kind: "conflict" };
  if (row.status === null || row.body === null) return { kind: "in_progress" };
  return { kind: "replay", status: row.status, body: row.body };
}

export async function storeIdempotentResponse(
  db: Kysely<Database>,
  params: { keyId: number; idempotencyKey: string; status: number; body: string },
): Promise<void> {
  await db.updateTable("api_idempotency").set({ status: params.status, body: params.body })
    .where("api_key_id", "=", params.keyId).where("idempotency_key", "=", params.idempotencyKey).execute();
}

/** A request that failed without an answer to keep frees its key, so that the client may retry it. */
export async function releaseIdempotencyKey(db: Kysely<Database>, params: { keyId: number; idempotencyKey: string }): Promise<void> {
  await db.deleteFrom("api_idempotency").where("api_key_id", "=", params.keyId)
    .where("idempotency_key", "=", params.idempotencyKey).where("status", "is", null).execute();
}
