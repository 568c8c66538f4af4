// A customer administrator's account can be stopped (someone left the company) and started again
// by those who issue accounts (decision 0011): a stopped account cannot log in, its sessions and
// its unused links end.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").addColumn("disabled_at", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("disabled_at").execute();
}
