// One table for every "do this once" key (issue 17 item 1, decision 0027): the one-time tokens
// the console's forms carry, the partner API's Idempotency-Key (moved here from
// `api_idempotency`) and, through the form tokens, the ISP application key of decision 0007.
// A row is issued (a form rendered) or reserved (an API request begun), used once, and keeps the
// first answer so that a repeat gets that answer and writes nothing.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("idempotency_keys")
    // "user:<users.id>" for a form token, "api-key:<api_keys.id>" for an Idempotency-Key.
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    // The form the token was issued for ("payment", "credit-note", …) or "api".
    .addColumn("purpose", "text", (c) => c.notNull())
    // API: SHA-256 of method, path and body; form: the path the token was used on.
    .addColumn("fingerprint", "text")
    .addColumn("issued_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    // null: issued, not used yet.
    .addColumn("used_at", "text")
    // The first answer: API status and body; a form's outcome as JSON. null while an API request runs.
    .addColumn("status", "integer")
    .addColumn("outcome", "text")
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["owner", "key"])
    .execute();
  await db.schema
    .createIndex("idempotency_keys_issued_at")
    .on("idempotency_keys")
    .column("issued_at")
    .execute();

  // The API answers of the last day move over, so that a client's retry across the upgrade still replays.
  const rows = await db.selectFrom("api_idempotency").selectAll().execute();
  for (let i = 0; i < rows.length; i += 100) {
    await db
      .insertInto("idempotency_keys")
      .values(
        rows.slice(i, i + 100).map((r: any) => ({
          owner: `api-key:${r.api_key_id}`,
          key: r.idempotency_key,
          purpose: "api",
          fingerprint: r.request_sha256,
          issued_at: r.created_at,
          expires_at: new Date(Date.parse(r.created_at) + 86_400_000).toISOString(),
          used_at: r.created_at,
          status: r.status,
          outcome: r.body,
        })),
      )
      .execute();
  }
  await db.schema.dropTable("api_idempotency").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("api_idempotency")
    .addColumn("api_key_id", "integer", (c) => c.notNull().references("api_keys.id"))
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("request_sha256", "text", (c) => c.notNull())
    .addColumn("status", "integer")
    .addColumn("body", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("api_idempotency_pk", ["api_key_id", "idempotency_key"])
    .execute();
  await db.schema.dropTable("idempotency_keys").execute();
}
