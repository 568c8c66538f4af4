// Browsers an account has signed in from successfully (OWASP's device cookie). A browser carries
// one random token in the `console_device` cookie; a row per account and browser stores only the
// token's SHA-256. Login throttling gives a known browser its own limit, so failures from
// elsewhere cannot lock its owner out; a sign-in from a browser not on record is mailed to the
// account; and a browser the user chose to trust skips the second factor until
// `mfa_trusted_until`.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("user_devices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("token_sha256", "text", (c) => c.notNull())
    .addColumn("user_agent", "text", (c) => c.notNull())
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .addColumn("mfa_trusted_until", "text")
    .execute();
  await db.schema
    .createIndex("user_devices_by_user_token")
    .on("user_devices")
    .columns(["user_id", "token_sha256"])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("user_devices").execute();
}
