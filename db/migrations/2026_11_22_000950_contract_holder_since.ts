// T-10: a transferee holds the contract from the approval of the transfer; the line's security
// records from before belong to the previous holder and are not shown to the new one. Kept on
// the contract as the instant (events, incidents, notifications are cut there) and as the first
// whole JST day held (the daily figures and monthly reports count from it). Backfilled from the
// transfers already approved.
import { sql, type Kysely } from "kysely";

/**
 * The first whole JST day from an instant (the instant's JST date when it is JST midnight, else
 * the next day). Written out here, not imported, so the migration stays as it ran when app code
 * changes (JST is UTC+9 all year).
 */
function firstWholeJstDay(instant: Date): string {
  const jst = new Date(instant.getTime() + 9 * 3_600_000);
  const midnight =
    jst.getUTCHours() === 0 &&
    jst.getUTCMinutes() === 0 &&
    jst.getUTCSeconds() === 0 &&
    jst.getUTCMilliseconds() === 0;
  if (!midnight) jst.setUTCDate(jst.getUTCDate() + 1);
  return jst.toISOString().slice(0, 10);
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("contracts").addColumn("holder_since", "text").execute();
  await db.schema.alterTable("contracts").addColumn("holder_first_day", "text").execute();
  const transfers = await sql<{ contract_id: number; decided_at: string }>`
    select contract_id, max(decided_at) as decided_at from contract_holder_changes
    where kind = 'transfer' and status = 'approved' group by contract_id`.execute(db);
  for (const t of transfers.rows) {
    await db
      .updateTable("contracts")
      .set({
        holder_since: t.decided_at,
        holder_first_day: firstWholeJstDay(new Date(t.decided_at)),
      })
      .where("id", "=", t.contract_id)
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("contracts").dropColumn("holder_first_day").execute();
  await db.schema.alterTable("contracts").dropColumn("holder_since").execute();
}
