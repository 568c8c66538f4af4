// The billing journal (migrations 000960, 000970; decision 0010): a row, with its contract, for
// every write to what a contract's monthly invoice is computed from, kept by triggers. A billing
// run notes the journal's last id when it reads its plan and, in each batch's transaction, plans
// again the contracts written since. Rows older than every running plan serve nothing: the daily
// prune deletes them and records how far it went, and a run whose plan is older than that plans
// the whole month again rather than miss what was pruned.
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../../db/connection";
import type { Database } from "../../db/schema";
import { writeTransaction } from "../../db/write-transaction";

/**
 * PostgreSQL hands out journal ids when a row is written, not when it commits: a transaction
 * may commit id 100 after another committed 101, and a reader of "everything after 100" would
 * miss it (on SQLite writers are serial, so id order is commit order). So on PostgreSQL every
 * journal write first takes this advisory lock shared (the baseline's billing_changed()), and
 * a reader takes it exclusively, waiting for the writers in flight to commit (decision 0023).
 */
const JOURNAL_LOCK = 7_244_002;

async function readJournal<T>(
  db: Kysely<Database>,
  read: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (dialectOf(db) !== "postgres") return read(db);
  const locked = async (trx: Kysely<Database>) => {
    await sql`select pg_advisory_xact_lock(${JOURNAL_LOCK})`.execute(trx);
    return read(trx);
  };
  return db.isTransaction ? locked(db) : db.transaction().execute(locked);
}

async function prunedThrough(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("billing_changes_pruned")
    .select("through")
    .executeTakeFirstOrThrow();
  return row.through;
}

/** The journal's last id, pruned rows included: a write committed after it has a larger one. */
export async function lastBillingChange(db: Kysely<Database>): Promise<number> {
  return readJournal(db, async (db) => {
    const last = await db
      .selectFrom("billing_changes")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirst();
    return Math.max(Number(last?.id ?? 0), await prunedThrough(db));
  });
}

export interface BillingChanges {
  /** The last id read. */
  through: number;
  /** Every contract's bill may have changed: a tariff was written, or rows after `after` were pruned. */
  every: boolean;
  contractIds: number[];
}

/**
 * The contracts written since journal id `after` (read inside a batch's transaction), or null
 * when nothing was: one primary-key range, empty on an undisturbed run.
 */
export async function billingChangesSince(
  trx: Kysely<Database>,
  after: number,
): Promise<BillingChanges | null> {
  return readJournal(trx, (trx) => changesSince(trx, after));
}

async function changesSince(trx: Kysely<Database>, after: number): Promise<BillingChanges | null> {
  if ((await prunedThrough(trx)) > after)
    return { through: await lastBillingChange(trx), every: true, contractIds: [] };
  const rows = await trx
    .selectFrom("billing_changes")
    .select(["id", "contract_id"])
    .where("id", ">", after)
    .orderBy("id")
    .execute();
  if (rows.length === 0) return null;
  const contractIds = new Set<number>();
  for (const row of rows) if (row.contract_id !== null) contractIds.add(row.contract_id);
  return {
    through: rows.at(-1)!.id,
    every: rows.some((r) => r.contract_id === null),
    contractIds: [...contractIds],
  };
}

/** Deletes the whole journal as it stands and records how far (the daily job); returns the rows deleted. */
export async function pruneBillingChanges(db: Kysely<Database>): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const through = await lastBillingChange(trx);
    const deleted = await trx
      .deleteFrom("billing_changes")
      .where("id", "<=", through)
      .executeTakeFirst();
    await trx.updateTable("billing_changes_pruned").set({ through }).where("id", "=", 1).execute();
    return Number(deleted.numDeletedRows);
  });
}
