// A transaction that holds the database's write lock from its first statement, so what it reads
// is what is committed and nothing else commits until it does.
import { PostgresAdapter, sql, type Kysely } from "kysely";

/** The advisory lock every PostgreSQL write transaction of this kind takes (any fixed number). */
export const WRITE_TRANSACTION_LOCK = 7_244_001;

/**
 * Runs `work` in a write transaction that reads the latest committed state. SQLite's plain BEGIN
 * (Kysely's `transaction()`) reads a snapshot and takes the write lock only at the first write:
 * another process may commit in between, and the write then fails (SQLITE_BUSY_SNAPSHOT, which
 * the busy timeout does not wait out). BEGIN IMMEDIATE takes the lock at once, waiting for
 * another writer as the busy timeout allows. On PostgreSQL (decision 0023) the transaction runs
 * READ COMMITTED (each statement sees what is committed) and first takes one transaction-level
 * advisory lock: the write transactions exclude each other, across processes and machines, as
 * BEGIN IMMEDIATE does; rows the work reads to update it locks itself where a plain writer may
 * race it (the invoice counters, FOR UPDATE).
 */
export async function writeTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // Inside a transaction already (a form's one-time token, decision 0027): on SQLite its first
  // statement was a write, so it holds the lock; on PostgreSQL it takes the advisory lock now.
  if (db.isTransaction) {
    if (postgres) await sql`select pg_advisory_xact_lock(${WRITE_TRANSACTION_LOCK})`.execute(db);
    return work(db);
  }
  if (postgres) {
    return db
      .transaction()
      .setIsolationLevel("read committed")
      .execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${WRITE_TRANSACTION_LOCK})`.execute(trx);
        return work(trx);
      });
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
