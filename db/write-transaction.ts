// A transaction that holds the database's write lock from its first statement, so what it reads
// is what is committed and nothing else commits until it does.
import { SqliteAdapter, sql, type Kysely } from "kysely";

/**
 * Runs `work` in a write transaction that reads the latest committed state. SQLite's plain BEGIN
 * (Kysely's `transaction()`) reads a snapshot and takes the write lock only at the first write:
 * another process may commit in between, and the write then fails (SQLITE_BUSY_SNAPSHOT, which
 * the busy timeout does not wait out). BEGIN IMMEDIATE takes the lock at once, waiting for
 * another writer as the busy timeout allows. SQLite only, for now: PostgreSQL would need an
 * explicit lock shared with the writers it must exclude (no installation yet).
 */
export async function writeTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  // Inside a transaction already (a form's one-time token, decision 0027): its first statement was a write, so it holds the lock.
  if (db.isTransaction) return work(db);
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    throw new Error("writeTransaction: BEGIN IMMEDIATE is SQLite's; this dialect needs its own lock");
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      // A failed COMMIT leaves the transaction open; some errors have already ended it.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
  });
}
