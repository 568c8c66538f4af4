// Partner API keys (issue 19, item 1): a tenant's keys (the provider's, or one reseller's, which
// see only that reseller's customers as its managers do in the console), with the scope `read`
// or `write` (write includes read). The key is `slk_` + 32 random bytes in base64url, shown once;
// only its SHA-256 is stored (a high-entropy secret needs no slow hash), with its first characters
// to recognise it by. A revoked key is refused from the next request on: every request reads the
// key's row. Creating and revoking are audited.
import { createHash, randomBytes } from "node:crypto";
import { inTransaction } from "../lib/transaction.server";
import type { Kysely } from "kysely";
import type { ApiScope, Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import type { Tenant } from "../auth/tenancy";
import { invalidField, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";

/** The tenants that hold keys: customers have none (issue 19 names resellers and ISPs). */
export type KeyTenant = Extract<Tenant, { kind: "provider" | "reseller" }>;

export const API_SCOPES: readonly ApiScope[] = ["read", "write"];
export const API_SCOPE_LABELS: Record<ApiScope, string> = {
  read: "読み取り",
  write: "読み取り・書き込み",
};

const KEY_PREFIX = "slk_";
/** `slk_` and 8 characters: enough to tell keys apart in a list, far too little to guess the rest. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8;
/** last_used_at is written at most this often, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function newApiKeySecret(): string {
  return KEY_PREFIX + randomBytes(32).toString("base64url");
}

function inTenant(tenant: KeyTenant) {
  return tenant.kind === "provider" ? null : tenant.resellerId;
}

export function isKeyTenant(tenant: Tenant): tenant is KeyTenant {
  return tenant.kind === "provider" || tenant.kind === "reseller";
}

export async function listApiKeys(db: Kysely<Database>, tenant: KeyTenant) {
  const resellerId = inTenant(tenant);
  return db
    .selectFrom("api_keys")
    .select([
      "id",
      "name",
      "scope",
      "prefix",
      "created_at",
      "created_by",
      "last_used_at",
      "revoked_at",
    ])
    .where("reseller_id", resellerId === null ? "is" : "=", resellerId)
    .orderBy("revoked_at", "desc")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
}

/** The key (shown once) and its id, or a validation failure of the name (a live key has it). */
export type CreateKeyResult = Result<{ key: string; id: number }, "name">;

export async function createApiKey(
  db: Kysely<Database>,
  params: {
    tenant: KeyTenant;
    name: string;
    scope: ApiScope;
    at: Date;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<CreateKeyResult> {
  const resellerId = inTenant(params.tenant);
  const key = newApiKeySecret();
  const taken = invalidField(
    "name",
    `「${params.name}」という名前の有効なキーがすでにあります。別の名前にしてください`,
  );
  try {
    return await inTransaction(db, async (trx) => {
      const existing = await trx
        .selectFrom("api_keys")
        .select("id")
        .where("name", "=", params.name)
        .where("reseller_id", resellerId === null ? "is" : "=", resellerId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (existing) return taken;
      const { id } = await trx
        .insertInto("api_keys")
        .values({
          reseller_id: resellerId,
          name: params.name,
          scope: params.scope,
          key_sha256: sha256Hex(key),
          prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
          created_at: instantOf(params.at),
          created_by: params.actor.email ?? "",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: params.actor,
        action: "api_key.create",
        entity: "api_key",
        entityId: id,
        summary: `APIキー「${params.name}」（${API_SCOPE_LABELS[params.scope]}、${key.slice(0, DISPLAY_PREFIX_LENGTH)}…）を発行${await tenantLabel(trx, params.tenant)}`,
        ip: params.ip,
      });
      return ok({ key, id: Number(id) });
    });
  } catch (error) {
    // Two creations of one name at once: the partial unique index refuses the second.
    if (error instanceof Error && /UNIQUE|duplicate key/i.test(error.message)) return taken;
    throw error;
  }
}

async function tenantLabel(db: Kysely<Database>, tenant: KeyTenant): Promise<string> {
  if (tenant.kind === "provider") return "（プロバイダー）";
  const reseller = await db
    .selectFrom("resellers")
    .select(["ref", "name"])
    .where("id", "=", tenant.resellerId)
    .executeTakeFirst();
  return reseller ? `（販売店 ${reseller.ref} ${reseller.name}）` : "";
}

/** Revokes a live key of the tenant, by id (the console) or by name (the command); not found when there is none. */
export async function revokeApiKey(
  db: Kysely<Database>,
  params: {
    tenant: KeyTenant;
    id?: number;
    name?: string;
    at: Date;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<Result<{ name: string }>> {
  const resellerId = inTenant(params.tenant);
  return inTransaction(db, async (trx): Promise<Result<{ name: string }>> => {
    let q = trx
      .selectFrom("api_keys")
      .select(["id", "name", "prefix"])
      .where("reseller_id", resellerId === null ? "is" : "=", resellerId)
      .where("revoked_at", "is", null);
    if (params.id !== undefined) q = q.where("id", "=", params.id);
    else if (params.name !== undefined) q = q.where("name", "=", params.name);
    else return notFoundFailure();
    const key = await q.executeTakeFirst();
    if (!key) return notFoundFailure();
    await trx
      .updateTable("api_keys")
      .set({ revoked_at: instantOf(params.at), revoked_by: params.actor.email ?? "" })
      .where("id", "=", key.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "api_key.revoke",
      entity: "api_key",
      entityId: key.id,
      summary: `APIキー「${key.name}」（${key.prefix}…）を失効${await tenantLabel(trx, params.tenant)}`,
      ip: params.ip,
    });
    return ok({ name: key.name });
  });
}

export interface ApiCaller {
  keyId: number;
  name: string;
  scope: ApiScope;
  tenant: KeyTenant;
  /** How the key appears in the audit log and in records it writes (incident notes, applications). */
  actor: AuditActor;
}

/** The live key a bearer token names, or null (unknown, malformed or revoked alike). */
export async function findApiKey(
  db: Kysely<Database>,
  token: string,
): Promise<(ApiCaller & { lastUsedAt: string | null }) | null> {
  if (!token.startsWith(KEY_PREFIX) || token.length > 100) return null;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "name", "scope", "reseller_id", "last_used_at"])
    .where("key_sha256", "=", sha256Hex(token))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (!row) return null;
  return {
    keyId: row.id,
    name: row.name,
    scope: row.scope,
    lastUsedAt: row.last_used_at,
    tenant:
      row.reseller_id === null
        ? { kind: "provider" }
        : { kind: "reseller", resellerId: row.reseller_id },
    actor: { id: null, email: `apikey:${row.name}` },
  };
}

/** Notes the key's use when the stored time is older than a minute (one write a minute, not one a request). */
export async function noteApiKeyUsed(
  db: Kysely<Database>,
  key: { keyId: number; lastUsedAt: string | null },
  at: Date,
): Promise<void> {
  const stale = instantOf(new Date(at.getTime() - LAST_USED_RESOLUTION_MS));
  if (key.lastUsedAt && key.lastUsedAt > stale) return;
  await db
    .updateTable("api_keys")
    .set({ last_used_at: instantOf(at) })
    .where("id", "=", key.keyId)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", stale)]))
    .execute();
}
