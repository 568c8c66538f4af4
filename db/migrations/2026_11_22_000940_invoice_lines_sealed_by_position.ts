// An issued invoice's lines are sealed (no line can be added). The first trigger counted the
// invoice's lines before every insert: the monthly run writes ~320,000 lines a year of 10,000
// contracts, each insert scanning its invoice's earlier lines. Positions are unique per invoice,
// so a line whose position lies in 1..line_count is one of the invoice's own lines and any further
// line is refused — the same seal, decided from the new row and one primary-key lookup.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger invoice_lines_sealed`.execute(db);
  await sql`create trigger invoice_lines_sealed before insert on invoice_lines
    when new.position < 1 or new.position > (select line_count from invoices where id = new.invoice_id)
    begin select raise(abort, 'issued invoices are immutable: no line can be added'); end`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger invoice_lines_sealed`.execute(db);
  await sql`create trigger invoice_lines_sealed before insert on invoice_lines
    when (select count(*) from invoice_lines where invoice_id = new.invoice_id)
       >= (select line_count from invoices where id = new.invoice_id)
    begin select raise(abort, 'issued invoices are immutable: no line can be added'); end`.execute(
    db,
  );
}
