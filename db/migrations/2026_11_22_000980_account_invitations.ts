// Customer administrators get their accounts by e-mail: an operator or the customer's reseller
// names the address (or approving a new customer's application or transfer does), the person
// follows a one-time link and sets the password. Until then the account has no password.
// Only a SHA-256 of the link's token is stored: the database does not hold a usable link
// once the mail has gone.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("account_invitations")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("token_sha256", "text", (c) => c.notNull().unique())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    // Set when the password was set through it, or when a newer link replaced it.
    .addColumn("used_at", "text")
    .addColumn("created_by", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("account_invitations_by_user")
    .on("account_invitations")
    .column("user_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("account_invitations").execute();
}
