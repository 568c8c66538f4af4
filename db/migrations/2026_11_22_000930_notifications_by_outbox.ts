// Delivering a mail marks the incident notification it carries (app/mail/outbox.server.ts): found
// by its outbox id, for every mail sent — invoice mails included — so that lookup needs an index.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex("notifications_outbox_idx")
    .on("notifications")
    .column("outbox_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("notifications_outbox_idx").execute();
}
