// Issue 17 item 2: the long lists page on the server, ordered by the column a person chose and
// filtered by the list's filters. An index on each sort column lets a page be read in order and
// stop after its rows instead of sorting the whole filter; the audit log's filters (action, user)
// each get one ending in the id the log is ordered by.
import type { Kysely } from "kysely";

const INDEXES: [name: string, table: string, columns: string[]][] = [
  ["invoices_issue_date_idx", "invoices", ["issue_date", "id"]],
  ["invoices_due_date_idx", "invoices", ["due_date", "id"]],
  ["invoices_total_idx", "invoices", ["total_yen", "id"]],
  ["incidents_opened_idx", "incidents", ["opened_at", "id"]],
  ["audit_log_action_idx", "audit_log", ["action", "id"]],
  ["audit_log_user_email_idx", "audit_log", ["user_email", "id"]],
  ["applications_status_idx", "applications", ["status", "id"]],
  ["customers_name_idx", "customers", ["name", "id"]],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, columns] of INDEXES)
    await db.schema.createIndex(name).on(table).columns(columns).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of [...INDEXES].reverse()) await db.schema.dropIndex(name).execute();
}
