// The audit log: who did what, when, to which entity, from where. Every change writes one row
// in the same transaction as the change itself.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { now } from "../lib/clock";

export interface AuditActor {
  id: string | null;
  email: string | null;
}

export interface AuditInput {
  actor: AuditActor;
  action: string;
  entity: string;
  entityId?: string | number | null;
  summary: string;
  ip?: string | null;
}

export async function recordAudit(db: Kysely<Database> | Transaction<Database>, input: AuditInput): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      at: now().toISOString(),
      user_id: input.actor.id,
      user_email: input.actor.email,
      action: input.action,
      entity: input.entity,
      entity_id: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
      summary: input.summary,
      ip: input.ip ?? null,
    })
    .execute();
}

export interface AuditQuery {
  action?: string;
  email?: string;
  limit?: number;
}

export async function listAudit(db: Kysely<Database>, query: AuditQuery = {}) {
  let q = db.selectFrom("audit_log").selectAll().orderBy("id", "desc").limit(query.limit ?? 200);
  if (query.action) q = q.where("action", "=", query.action);
  if (query.email) q = q.where("user_email", "=", query.email);
  return q.execute();
}
