// Peppol participant ids (decision 0018) of the provider and of customers, optional: the e-invoice
// (JP PINT XML) names them as EndpointID (`0188:` 法人番号 or `0221:` registration number).
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("provider").addColumn("peppol_id", "text").execute();
  await db.schema.alterTable("customers").addColumn("peppol_id", "text").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("customers").dropColumn("peppol_id").execute();
  await db.schema.alterTable("provider").dropColumn("peppol_id").execute();
}
