// Login throttling as counters that are checked and raised in one statement (issue 15, item 2):
// per key (an account, an address, a known browser of an account), the failed password checks in
// the window that began at `window_started_at`, and the checks in flight (`pending`). The old way (count
// `login_attempts` rows, check, then verify, then insert) let parallel requests all pass the
// check before any was recorded. `login_attempts` stays as the record of checked passwords.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("window_started_at", "text", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("pending", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("login_throttle").execute();
}
