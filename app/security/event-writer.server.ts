// Bulk insert of security events inside the ingest transaction; an id already stored is
// skipped (`on conflict (id) do nothing`, portable to PostgreSQL). Dialect-aware: with the
// raw SQLite connection (the same connection the Kysely transaction runs on) one prepared
// statement is reused for every row — the statement Kysely would build, minus building and
// preparing it 200 times per 100,000 events (docs/decisions/0004-security-data.md). Any other
// database gets multi-row inserts through Kysely.
import type SQLite from "better-sqlite3";
import type { Insertable, Transaction } from "kysely";
import type { Database, SecurityEventTable } from "../../db/schema";

export type EventRow = Insertable<SecurityEventTable>;

export interface EventWriter {
  /** Returns a promise only when the row had to wait for a batch to be written. */
  add(row: EventRow): void | Promise<void>;
  /** Writes what is pending; returns how many rows were inserted in all (duplicates excluded). */
  finish(): Promise<number>;
}

const COLUMNS = [
  "id", "contract_id", "device_id", "device_name", "source", "type", "severity", "action", "threat", "url",
  "detected_at", "ingested_at",
] as const satisfies ReadonlyArray<keyof SecurityEventTable>;
const BATCH_ROWS = 500;

export function eventWriter(trx: Transaction<Database>, sqlite?: SQLite.Database): EventWriter {
  return sqlite ? preparedWriter(sqlite) : batchedWriter(trx);
}

function preparedWriter(sqlite: SQLite.Database): EventWriter {
  const statement = sqlite.prepare(
    `insert into "security_events" (${COLUMNS.map((c) => `"${c}"`).join(", ")}) ` +
    `values (${COLUMNS.map(() => "?").join(", ")}) on conflict ("id") do nothing`,
  );
  let inserted = 0;
  return {
    add(r) {
      inserted += statement.run(
        r.id, r.contract_id, r.device_id ?? null, r.device_name, r.source, r.type, r.severity, r.action ?? null,
        r.threat ?? null, r.url ?? null, r.detected_at, r.ingested_at,
      ).changes;
    },
    async finish() {
      return inserted;
    },
  };
}

function batchedWriter(trx: Transaction<Database>): EventWriter {
  let batch: EventRow[] = [];
  let inserted = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await trx.insertInto("security_events").values(batch)
      .onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0n);
    batch = [];
  };
  return {
    add(row) {
      batch.push(row);
      return batch.length >= BATCH_ROWS ? flush() : undefined;
    },
    async finish() {
      await flush();
      return inserted;
    },
  };
}
