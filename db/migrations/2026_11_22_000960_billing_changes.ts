// The billing journal: one row per write to what a contract's monthly invoice is computed from
// (docs/decisions/0010-billing-run-sees-late-writes.md). Closing a month plans every invoice
// first and issues them a batch per transaction; a payment, a visit, a manual line … recorded
// in between would otherwise be issued from the stale plan (a final payment's T-26 interest was
// lost that way). The run notes the journal's last id when it plans; each batch's transaction
// reads the rows above it — a primary-key range, empty on an undisturbed run — and plans those
// contracts again from what is committed.
//
// Kept by triggers, so every writer is covered without remembering to: the console's actions,
// the import command, the scheduler, repairs by hand. `contract_id` null means every contract
// (a tariff version or price written). Ids only grow (AUTOINCREMENT), so "above the id noted"
// is "written after". Frozen once shipped.
//
// Dialect-specific on purpose (allowed inside a migration, as 000002 and 000800): SQLite
// triggers. PostgreSQL would need plpgsql trigger functions with the same bodies — not written
// yet, so the migration refuses to run there rather than leave the billing run blind.
import { SqliteAdapter, sql, type Kysely } from "kysely";

type Row = "new" | "old";
type Event = "insert" | "update" | "delete";

interface Source {
  table: string;
  /** A SELECT of the contract ids whose invoices `row` is part of. */
  contractsOf: (row: Row) => string;
  events: readonly Event[];
  /** The columns whose update matters (every column when absent). */
  updateOf?: readonly string[];
}

const ALL: readonly Event[] = ["insert", "update", "delete"];

/** The tables app/billing/history.server.ts reads a contract's bill from, as of this migration. */
const SOURCES: readonly Source[] = [
  // The columns loadBillableContracts reads: the history and the invoice's recipient.
  {
    table: "contracts",
    contractsOf: (r) => `select ${r}.id`,
    events: ALL,
    updateOf: ["ref", "customer_id", "line_id", "area", "base_plan", "service_start"],
  },
  {
    table: "customers",
    contractsOf: (r) => `select id from contracts where customer_id = ${r}.id`,
    events: ["update"],
    updateOf: ["ref", "name", "address", "email"],
  },
  ...[
    "contract_items",
    "plan_changes",
    "terminations",
    "outages",
    "visits",
    "manual_lines",
    "payments",
  ].map((table): Source => ({ table, contractsOf: (r) => `select ${r}.contract_id`, events: ALL })),
  {
    table: "visit_lines",
    contractsOf: (r) => `select contract_id from visits where id = ${r}.visit_id`,
    events: ALL,
  },
  // T-26: a waiver or a credit note changes the interest of an invoice finally paid in the month.
  {
    table: "interest_waivers",
    contractsOf: (r) => `select contract_id from invoices where id = ${r}.invoice_id`,
    events: ALL,
  },
  {
    table: "credit_notes",
    contractsOf: (r) => `select contract_id from invoices where id = ${r}.invoice_id`,
    events: ["insert"],
  },
  { table: "tariff_versions", contractsOf: () => "select null", events: ALL },
  { table: "tariff_prices", contractsOf: () => "select null", events: ALL },
];

const triggerName = (table: string, event: Event) => `${table}_billing_${event}`;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    throw new Error(
      "2026_11_22_000960_billing_changes: the journal triggers are written for SQLite only",
    );
  }
  await db.schema
    .createTable("billing_changes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // No foreign key: the row of a deleted contract (a revoked application) stays.
    .addColumn("contract_id", "integer")
    .execute();
  for (const source of SOURCES) {
    for (const event of source.events) {
      const contracts =
        event === "insert"
          ? source.contractsOf("new")
          : event === "delete"
            ? source.contractsOf("old")
            : `${source.contractsOf("new")} union ${source.contractsOf("old")}`;
      const on =
        event === "update" && source.updateOf ? `update of ${source.updateOf.join(", ")}` : event;
      await sql
        .raw(
          `create trigger ${triggerName(source.table, event)} after ${on} on ${source.table}
        begin insert into billing_changes (contract_id) ${contracts}; end`,
        )
        .execute(db);
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const source of SOURCES) {
    for (const event of source.events)
      await sql.raw(`drop trigger if exists ${triggerName(source.table, event)}`).execute(db);
  }
  await db.schema.dropTable("billing_changes").execute();
}
