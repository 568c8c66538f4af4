// Column shapes that differ between the two engines, for migrations after the PostgreSQL baseline
// (db/migrations/README.md). Part of the migrations: nothing here imports app code.
import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from "kysely";

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** The type of a table's own id: SQLite's integer rowid, PostgreSQL's bigint (as the baseline's ids). */
export function idType(db: Kysely<any>): "integer" | "bigint" {
  return isPostgres(db) ? "bigint" : "integer";
}

/** A table's own id: `integer primary key autoincrement` on SQLite, an identity column on PostgreSQL. */
export function idColumn(db: Kysely<any>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return isPostgres(db)
    ? (c) => c.primaryKey().generatedByDefaultAsIdentity()
    : (c) => c.primaryKey().autoIncrement();
}
