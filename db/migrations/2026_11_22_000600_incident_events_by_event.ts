// S1-4⑤: purging an expired event deletes its incident_events links (on delete cascade), and
// SQLite finds them by event_id — which the primary key (incident_id, event_id) cannot serve, so
// without this index every deleted event scans the whole link table (measured: 761 events/s with
// 20,000 links, 183,000 events/s with the index). Frozen once shipped.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("incident_events_event_idx")
    .on("incident_events")
    .column("event_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("incident_events_event_idx").execute();
}
