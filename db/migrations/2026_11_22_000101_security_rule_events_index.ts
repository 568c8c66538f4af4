// S1-4①: the notification engine reads a contract's C&C, gateway offline/online and
// failed-virus events on every ingest. Without this partial index it scans every event of
// the contract (a million rows: a second per ingest); with it, it reads only those rows, and
// other events cost nothing to index. The condition must stay word for word the one in
// app/security/notifications.server.ts (RULE_EVENT_CONDITION): the query planner matches
// partial indexes by the text of the condition (checked by test/ingest.test.ts).
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("security_events_rule_idx")
    .on("security_events")
    .columns(["contract_id", "detected_at"])
    .where(
      sql.raw<boolean>(
        "(type in ('cc_callback', 'gateway_offline', 'gateway_online') or (type in ('virus', 'network_virus') and action = 'failed'))",
      ),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("security_events_rule_idx").execute();
}
