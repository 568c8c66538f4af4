// The billing journal (000960) is pruned: a row is needed only by a billing run that read its plan
// before the row was written, and runs take seconds, yet the journal gained a row per billing
// write for ever (about 150,000 a year for 10,000 contracts). A run in another process cannot be
// known, so the prune records how far it went: a run whose plan is older than that plans the whole
// month again (app/billing/billing-changes.server.ts) instead of missing the rows pruned.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("billing_changes_pruned")
    // One row: the journal's rows up to `through` were deleted.
    .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn("through", "integer", (c) => c.notNull())
    .execute();
  await db.insertInto("billing_changes_pruned").values({ id: 1, through: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("billing_changes_pruned").execute();
}
