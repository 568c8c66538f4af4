// Incident notes as data (issue 17 item 6): one row per note with its time (an instant) and its
// author (the user and the display name at the time of writing) as columns, instead of lines
// like `2026-12-07T01:00Z operator@…: text` in incidents.notes, which showed customers a UTC time
// and a staff e-mail address. Existing notes are parsed into rows; the text column is dropped.
import { idColumn, idType } from "./portable";
import type { Kysely } from "kysely";

const HEADER = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)Z (\S+@\S+): ?(.*)$/;
/** Shown for an author the old text names by an address that is no user any more. */
const UNKNOWN_AUTHOR = "担当者";

interface ParsedNote {
  writtenAt: string;
  email: string | null;
  body: string;
}

/** The old text form, one `<instant>Z <e-mail>: <text>` per note; other lines continue the note above. */
export function parseLegacyNotes(text: string, fallbackAt: string): ParsedNote[] {
  const notes: ParsedNote[] = [];
  for (const line of text.split("\n")) {
    const m = HEADER.exec(line);
    if (m) {
      const at = m[1].length === 16 ? `${m[1]}:00` : m[1];
      notes.push({ writtenAt: new Date(`${at}Z`).toISOString(), email: m[2], body: m[3] });
    } else if (notes.length > 0) {
      notes[notes.length - 1].body += `\n${line}`;
    } else if (line.trim() !== "") {
      notes.push({ writtenAt: fallbackAt, email: null, body: line });
    }
  }
  return notes;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("incident_notes")
    .addColumn("id", idType(db), idColumn(db))
    .addColumn("incident_id", "integer", (c) =>
      c.notNull().references("incidents.id").onDelete("cascade"),
    )
    .addColumn("written_at", "text", (c) => c.notNull())
    // The writer's account (null for a note converted from text whose address is no user) and the
    // display name at the time of writing, which is what customers see.
    .addColumn("author_user_id", "text")
    .addColumn("author_name", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("incident_notes_by_incident")
    .on("incident_notes")
    .columns(["incident_id", "written_at"])
    .execute();

  const users = await db.selectFrom("users").select(["id", "email", "display_name"]).execute();
  const byEmail = new Map(users.map((u) => [String(u.email).toLowerCase(), u]));
  const incidents = await db
    .selectFrom("incidents")
    .select(["id", "notes", "opened_at", "acknowledged_at"])
    .where("notes", "is not", null)
    .execute();
  for (const incident of incidents) {
    const rows = parseLegacyNotes(
      incident.notes,
      incident.acknowledged_at ?? incident.opened_at,
    ).map((n) => {
      const user = n.email ? byEmail.get(n.email.toLowerCase()) : undefined;
      return {
        incident_id: incident.id,
        written_at: n.writtenAt,
        author_user_id: user?.id ?? null,
        author_name: user?.display_name ?? UNKNOWN_AUTHOR,
        body: n.body,
      };
    });
    if (rows.length > 0) await db.insertInto("incident_notes").values(rows).execute();
  }
  await db.schema.alterTable("incidents").dropColumn("notes").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("incidents").addColumn("notes", "text").execute();
  const notes = await db
    .selectFrom("incident_notes")
    .leftJoin("users", "users.id", "incident_notes.author_user_id")
    .select([
      "incident_notes.incident_id",
      "incident_notes.written_at",
      "incident_notes.body",
      "users.email",
    ])
    .orderBy("incident_notes.incident_id")
    .orderBy("incident_notes.written_at")
    .orderBy("incident_notes.id")
    .execute();
  const byIncident = new Map<number, string[]>();
  for (const n of notes) {
    const line = `${String(n.written_at).slice(0, 16)}Z ${n.email ?? "unknown@invalid"}: ${n.body}`;
    byIncident.set(n.incident_id, [...(byIncident.get(n.incident_id) ?? []), line]);
  }
  for (const [id, lines] of byIncident) {
    await db
      .updateTable("incidents")
      .set({ notes: lines.join("\n") })
      .where("id", "=", id)
      .execute();
  }
  await db.schema.dropTable("incident_notes").execute();
}
