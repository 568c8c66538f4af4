// The second factor (issue 15): an authenticator app's TOTP secret, one-time recovery codes,
// passkeys (WebAuthn credentials) and their single-use challenges, the pending sign-in between
// the password and the second factor, wrong codes for throttling, and who must use a second
// factor (the provider's staff, a reseller's managers, a reseller's customers, one customer).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("user_totp")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    // Null while the setup waits for its first code: such a row asks nothing at sign-in.
    .addColumn("confirmed_at", "text")
    // The last accepted 30-second step: a step at or before it is refused (no replay).
    .addColumn("last_step", "integer")
    .execute();
  await db.schema
    .createTable("user_recovery_codes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("code_sha256", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .execute();
  await db.schema
    .createIndex("user_recovery_codes_by_user")
    .on("user_recovery_codes")
    .columns(["user_id", "code_sha256"])
    .execute();
  await db.schema
    .createTable("user_passkeys")
    .addColumn("id", "text", (c) => c.primaryKey()) // the credential id, base64url
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("public_key", "blob", (c) => c.notNull())
    .addColumn("counter", "integer", (c) => c.notNull())
    .addColumn("transports", "text", (c) => c.notNull()) // JSON array
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .execute();
  await db.schema
    .createIndex("user_passkeys_by_user")
    .on("user_passkeys")
    .column("user_id")
    .execute();
  await db.schema
    .createTable("webauthn_challenges")
    .addColumn("challenge", "text", (c) => c.primaryKey())
    .addColumn("purpose", "text", (c) => c.notNull()) // register | sign_in | second_factor
    .addColumn("user_id", "text")
    .addColumn("pending_sign_in_id", "integer")
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("pending_sign_ins")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("token_sha256", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("second_factor_failures")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("second_factor_failures_by_user")
    .on("second_factor_failures")
    .columns(["user_id", "at"])
    .execute();
  // Who must use a second factor; all off by default (the demo logins work without one).
  await db.schema
    .alterTable("provider")
    .addColumn("mfa_required_staff", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("resellers")
    .addColumn("mfa_required", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("resellers")
    .addColumn("mfa_required_customers", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("customers")
    .addColumn("mfa_required", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("customers").dropColumn("mfa_required").execute();
  await db.schema.alterTable("resellers").dropColumn("mfa_required_customers").execute();
  await db.schema.alterTable("resellers").dropColumn("mfa_required").execute();
  await db.schema.alterTable("provider").dropColumn("mfa_required_staff").execute();
  for (const table of [
    "second_factor_failures",
    "pending_sign_ins",
    "webauthn_challenges",
    "user_passkeys",
    "user_recovery_codes",
    "user_totp",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
