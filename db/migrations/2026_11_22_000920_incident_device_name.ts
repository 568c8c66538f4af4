// The device an incident is about, kept on the incident: the incident outlives its events, which
// the 6-month retention purges (S1-4⑤), and the incident list still names the device.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("incidents").addColumn("device_name", "text").execute();
  await sql`update incidents set device_name = (select device_name from security_events where security_events.id = incidents.first_event_id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("incidents").dropColumn("device_name").execute();
}
