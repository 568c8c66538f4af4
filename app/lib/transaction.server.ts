// Joins the caller's transaction when there is one: a form's write runs inside the transaction
// that uses its one-time token (decision 0027), so the domain functions it calls must not open a
// second one (Kysely refuses nested transactions; SQLite's single connection would wait on itself).
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";

export function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn);
}
