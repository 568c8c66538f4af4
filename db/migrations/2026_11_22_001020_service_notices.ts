// Notices of service interruptions (T-16): maintenance and works, restrictions (T-18) and other
// interruptions, announced on the provider's notice page before they start (an emergency may be
// announced once started). Per area or for all; withdrawn before the start, ended early after it.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("service_notices")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("reason", "text", (c) => c.notNull()) // maintenance | restriction | other
    .addColumn("area", "text", (c) => c.notNull()) // all | east | west
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("starts_at", "text", (c) => c.notNull())
    .addColumn("ends_at", "text") // null = until further notice
    .addColumn("emergency", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("published_at", "text", (c) => c.notNull())
    .addColumn("published_by", "text", (c) => c.notNull())
    .addColumn("withdrawn_at", "text")
    .execute();
  await db.schema
    .createIndex("service_notices_starts_idx")
    .on("service_notices")
    .column("starts_at")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("service_notices").execute();
}
