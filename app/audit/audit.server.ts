// The audit log: who did what, when, to which entity, from where. Every change writes one row
// in the same transaction as the change itself.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { now } from "../lib/clock";
import { pageInfo, type ListSort, type PageRequest } from "../lib/paging";
import { instantOf } from "../lib/jst";

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

export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  input: AuditInput,
): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      at: instantOf(now()),
      user_id: input.actor.id,
      user_email: input.actor.email,
      action: input.action,
      entity: input.entity,
      entity_id:
        input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
      summary: input.summary,
      ip: input.ip ?? null,
    })
    .execute();
}

export interface AuditQuery {
  action?: string;
  email?: string;
}

/** The audit log's sortable columns (issue 17 item 2): the time (the id follows it) and the user. */
export type AuditSortColumn = "at" | "user";
export const AUDIT_SORT: ListSort<AuditSortColumn> = {
  columns: { at: "desc", user: "asc" },
  default: "at",
};

function filteredAudit(db: Kysely<Database>, query: AuditQuery) {
  let q = db.selectFrom("audit_log");
  if (query.action) q = q.where("action", "=", query.action);
  if (query.email) q = q.where("user_email", "=", query.email);
  return q;
}

/** One page of the audit log with the count of the whole filter, in SQL. The log is the provider's own: no tenant. */
export async function pageAudit(
  db: Kysely<Database>,
  query: AuditQuery,
  request: PageRequest<AuditSortColumn>,
) {
  const { count } = await filteredAudit(db, query)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  const { offset, ...page } = pageInfo(request, Number(count));
  let q = filteredAudit(db, query).selectAll();
  // Rows are written in time order, so the id orders by time and breaks ties between equal instants.
  if (page.sort === "user") q = q.orderBy("user_email", page.dir);
  const entries = await q.orderBy("id", page.dir).limit(page.size).offset(offset).execute();
  return { entries, page };
}
