// Billing benchmark: 10,000 contracts with a year of history, billed month by month through the
// real code (runBillingMonth), against the raw floor: better-sqlite3 inserting the same number of
// invoice lines in one transaction with one prepared statement. Prints both and their ratio.
// Also prints the floor of the schema: the rows the run wrote (invoices, lines, mails) written
// again raw into a fresh copy of the real tables, which is as fast as any billing code can write,
// and what each table's rows cost of it.
//   npx tsx scripts/bench/billing.ts [CONTRACTS]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_BATCH_SIZE, runBillingMonth } from "../../app/billing/billing-run.server";
import { migrateToLatest, openDatabase } from "../../db/connection";
import { generateContracts } from "./generate-contracts";

const count = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), "bench-billing-"));
try {
  const handle = openDatabase(`file:${join(dir, "bench.db")}`);
  await migrateToLatest(handle.db);
  let t = performance.now();
  const book = generateContracts(handle.sqlite, count, "2025-01");
  console.log(
    `generated ${count} contracts with a year of history in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const perMonth: number[] = [];
  t = performance.now();
  for (const month of book.months) {
    const m0 = performance.now();
    const result = await runBillingMonth(handle.db, month, { at: new Date() });
    if (result.problems.length)
      throw new Error(`${month}: ${result.problems[0].contractRef} ${result.problems[0].message}`);
    perMonth.push(performance.now() - m0);
    process.stderr.write(
      `${month}: ${result.issued} invoices in ${(perMonth.at(-1)! / 1000).toFixed(2)} s\n`,
    );
  }
  const billingSeconds = (performance.now() - t) / 1000;
  const { invoices, lines } = handle.sqlite
    .prepare(
      "select (select count(*) from invoices) as invoices, (select count(*) from invoice_lines) as lines",
    )
    .get() as { invoices: number; lines: number };

  // The raw floor: the same number of invoice-line rows, one transaction, one prepared statement.
  handle.sqlite
    .exec(`create table raw_lines (id integer primary key, invoice_id integer not null, position integer not null,
    code text not null, rule text not null, tariff_version text, description text not null, quantity integer not null,
    unit_price_yen integer not null, amount_yen integer not null, tax_category text not null)`);
  const insert = handle.sqlite
    .prepare(`insert into raw_lines (invoice_id, position, code, rule, tariff_version, description,
    quantity, unit_price_yen, amount_yen, tax_category) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  t = performance.now();
  handle.sqlite.transaction(() => {
    for (let i = 0; i < lines; i++) {
      insert.run(
        Math.floor(i / 4),
        i % 4,
        "endpoint",
        "T-24-1",
        "2024-04-01",
        "エンドポイントセキュリティ 10台",
        10,
        600,
        6000,
        "taxable_10",
      );
    }
  })();
  const rawSeconds = (performance.now() - t) / 1000;

  // The floor of the schema: every row the run wrote, copied with prepared statements into a
  // fresh database with the same contracts (foreign keys), indexes and immutability triggers,
  // a transaction per batch of invoices as the run commits them.
  const written = (table: string) =>
    handle.sqlite.prepare(`select * from ${table} order by id`).raw().all() as unknown[][];
  const [invoiceRows, lineRows, mailRows] = [
    written("invoices"),
    written("invoice_lines"),
    written("outbox"),
  ];
  await handle.close();
  const copy = openDatabase(`file:${join(dir, "schema-floor.db")}`);
  await migrateToLatest(copy.db);
  generateContracts(copy.sqlite, count, "2025-01");
  const insertInto = (table: string, columns: number) =>
    copy.sqlite.prepare(`insert into ${table} values (${Array(columns).fill("?").join(", ")})`);
  const [insertInvoice, insertLine, insertMail] = [
    insertInto("invoices", invoiceRows[0].length),
    insertInto("invoice_lines", lineRows[0].length),
    insertInto("outbox", mailRows[0].length),
  ];
  // Time spent on each table's rows; the rest of the total is committing.
  const spent = { invoices: 0, lines: 0, mails: 0 };
  const timed = (part: keyof typeof spent, write: () => void) => {
    const start = performance.now();
    write();
    spent[part] += (performance.now() - start) / 1000;
  };
  t = performance.now();
  let nextLine = 0;
  for (let i = 0; i < invoiceRows.length; i += DEFAULT_BATCH_SIZE) {
    copy.sqlite.transaction(() => {
      const batch = invoiceRows.slice(i, i + DEFAULT_BATCH_SIZE);
      timed("invoices", () => {
        for (const row of batch) insertInvoice.run(row);
      });
      const lastInvoiceId = batch.at(-1)![0] as number;
      timed("lines", () => {
        while (nextLine < lineRows.length && (lineRows[nextLine][1] as number) <= lastInvoiceId)
          insertLine.run(lineRows[nextLine++]);
      });
      timed("mails", () => {
        for (const row of mailRows.slice(i, i + DEFAULT_BATCH_SIZE)) insertMail.run(row);
      });
    })();
  }
  const schemaSeconds = (performance.now() - t) / 1000;
  await copy.close();

  const sorted = [...perMonth].sort((a, b) => a - b);
  console.log(
    `billing: ${book.months.length} months, ${invoices} invoices, ${lines} lines in ${billingSeconds.toFixed(2)} s` +
      ` (${Math.round(lines / billingSeconds)} lines/s; per month median ${(sorted[6] / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s)`,
  );
  console.log(
    `raw better-sqlite3 insert of ${lines} lines: ${rawSeconds.toFixed(2)} s (${Math.round(lines / rawSeconds)} lines/s)`,
  );
  console.log(
    `ratio billing / raw: ${(billingSeconds / rawSeconds).toFixed(2)}×  (targets: ≤ 20 s, ≤ 3×)`,
  );
  console.log(
    `schema floor: the same ${invoiceRows.length} invoices, ${lineRows.length} lines and ${mailRows.length} mails written raw` +
      ` into the real tables: ${schemaSeconds.toFixed(2)} s (${(schemaSeconds / rawSeconds).toFixed(2)}× raw; billing / schema floor:` +
      ` ${(billingSeconds / schemaSeconds).toFixed(2)}×)`,
  );
  const ofRaw = (seconds: number) =>
    `${seconds.toFixed(2)} s = ${(seconds / rawSeconds).toFixed(2)}× raw`;
  console.log(
    `  of which invoices ${ofRaw(spent.invoices)}, lines ${ofRaw(spent.lines)}, mails ${ofRaw(spent.mails)},` +
      ` commits ${ofRaw(schemaSeconds - spent.invoices - spent.lines - spent.mails)};` +
      ` invoices + lines alone: ${ofRaw(spent.invoices + spent.lines)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
