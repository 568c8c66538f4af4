// The partner API (issue 19): keys of a tenant (the provider's or one reseller's), stored as the
// SHA-256 of the secret with a short prefix to recognise them by; the responses of POSTs kept per
// key and Idempotency-Key; and a counter per key and minute for the rate limit, shared by every
// process on the database.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // null: the provider's key; otherwise the reseller whose customers it sees.
    .addColumn("reseller_id", "integer", (c) => c.references("resellers.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("key_sha256", "text", (c) => c.notNull().unique())
    .addColumn("prefix", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("revoked_by", "text")
    .execute();
  // Names are unique among a tenant's live keys (a revoked key's name may be used again).
  await sql`create unique index api_keys_live_name on api_keys (coalesce(reseller_id, 0), name) where revoked_at is null`.execute(
    db,
  );

  await db.schema
    .createTable("api_idempotency")
    .addColumn("api_key_id", "integer", (c) => c.notNull().references("api_keys.id"))
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("request_sha256", "text", (c) => c.notNull())
    // null while the first request is still being answered.
    .addColumn("status", "integer")
    .addColumn("body", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("api_idempotency_pk", ["api_key_id", "idempotency_key"])
    .execute();

  await db.schema
    .createTable("api_rate_windows")
    .addColumn("api_key_id", "integer", (c) => c.primaryKey().references("api_keys.id"))
    .addColumn("window_started_at", "text", (c) => c.notNull())
    .addColumn("requests", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("api_rate_windows").execute();
  await db.schema.dropTable("api_idempotency").execute();
  await db.schema.dropTable("api_keys").execute();
}
