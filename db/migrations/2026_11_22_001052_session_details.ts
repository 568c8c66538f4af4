// What the account page lists of each session (issue 15): the browser and address it signed in
// from, when, when it was last used (written at most every 5 minutes), and the known browser
// (user_devices) it belongs to. Sessions from before this migration have none of it (null).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("sessions").addColumn("ip", "text").execute();
  await db.schema.alterTable("sessions").addColumn("user_agent", "text").execute();
  await db.schema.alterTable("sessions").addColumn("created_at", "text").execute();
  await db.schema.alterTable("sessions").addColumn("last_seen_at", "text").execute();
  await db.schema.alterTable("sessions").addColumn("device_id", "text").execute();
  await db.schema.createIndex("sessions_by_user").on("sessions").column("user_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("sessions_by_user").execute();
  for (const column of ["device_id", "last_seen_at", "created_at", "user_agent", "ip"]) {
    await db.schema.alterTable("sessions").dropColumn(column).execute();
  }
}
