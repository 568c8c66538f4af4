// Incident notes as rows (issue 17 item 6, migration 001150): the time and the author are data,
// so every reader gets the time in Japan time through app/lib/format.ts and the author by display
// name — customers never see a staff e-mail address.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import type { AuditActor } from "../audit/audit.server";
import { instantOf } from "../lib/jst";

export interface IncidentNote {
  id: number;
  writtenAt: string;
  authorName: string;
  body: string;
}

const API_ACTOR_PREFIX = "apikey:";

/** The name a note shows for its writer: the account's display name, the API key's name, or 担当者. */
export async function displayNameOf(
  db: Kysely<Database> | Transaction<Database>,
  actor: AuditActor,
): Promise<string> {
  if (actor.id) {
    const user = await db
      .selectFrom("users")
      .select("display_name")
      .where("id", "=", actor.id)
      .executeTakeFirst();
    if (user?.display_name) return user.display_name;
  }
  if (actor.email?.startsWith(API_ACTOR_PREFIX))
    return `API連携（${actor.email.slice(API_ACTOR_PREFIX.length)}）`;
  return "担当者";
}

export async function insertIncidentNote(
  trx: Kysely<Database> | Transaction<Database>,
  params: { incidentId: number; at: Date; actor: AuditActor; body: string },
): Promise<void> {
  await trx
    .insertInto("incident_notes")
    .values({
      incident_id: params.incidentId,
      written_at: instantOf(params.at),
      author_user_id: params.actor.id,
      author_name: await displayNameOf(trx, params.actor),
      body: params.body,
    })
    .execute();
}

/** Notes of the given incidents, oldest first, by incident id. */
export async function notesOfIncidents(
  db: Kysely<Database>,
  incidentIds: readonly number[],
): Promise<Map<number, IncidentNote[]>> {
  const byIncident = new Map<number, IncidentNote[]>();
  if (incidentIds.length === 0) return byIncident;
  const rows = await db
    .selectFrom("incident_notes")
    .select(["id", "incident_id", "written_at", "author_name", "body"])
    .where("incident_id", "in", [...incidentIds])
    .orderBy("incident_id")
    .orderBy("written_at")
    .orderBy("id")
    .execute();
  for (const r of rows) {
    const list = byIncident.get(r.incident_id) ?? [];
    list.push({ id: r.id, writtenAt: r.written_at, authorName: r.author_name, body: r.body });
    byIncident.set(r.incident_id, list);
  }
  return byIncident;
}
