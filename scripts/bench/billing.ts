// Billing benchmark: CONTRACTS contracts (default 10,000) with a year of history, billed month by
// month (default the 12 months) through the real code (runBillingMonth), on SQLite or, with
// DATABASE_URL=postgres://…, on PostgreSQL (in scratch databases it creates on that server and
// drops). The close runs in a process of its own (billing-close.ts), whose peak RSS is printed:
// the close's memory, not the generator's nor the floors'. Against it:
// - the raw floor: the same number of invoice lines inserted into a bare table in one transaction
//   (better-sqlite3, one prepared statement; on PostgreSQL json_populate_recordset);
// - the floor of the schema: every row the run wrote (invoices, lines, mails) written again raw
//   into a fresh copy of the real tables (same contracts, indexes, triggers), a transaction per
//   batch of invoices as the run commits them: as fast as any billing code can write them.
// Targets (issue 18): 10,000 × 12 months ≤ 20 s on SQLite, ≤ 40 s on PostgreSQL; 100,000 × 1 month
// with a peak RSS ≤ 512 MB; the run ≤ 2× the schema floor; time linear in contracts (--scale).
//   npx tsx scripts/bench/billing.ts [CONTRACTS] [MONTHS]
//   npx tsx scripts/bench/billing.ts --scale [MONTHS]   (10,000 and 40,000 contracts, default 2 months)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { DEFAULT_BATCH_SIZE } from "../../app/billing/billing-run.server";
import type { YearMonth } from "../../app/lib/jst";
import {
  isPostgresUrl,
  migrateToLatest,
  openDatabase,
  withDefaultUser,
  type DatabaseHandle,
} from "../../db/connection";
import type { CloseFigures } from "./billing-close";
import { generateContracts, type GeneratedBook } from "./generate-contracts";
import { yearMonth } from "../../app/lib/jst";

const serverUrl = process.env.DATABASE_URL ?? "";
const onPostgres = isPostgresUrl(serverUrl);
const engine = onPostgres ? "PostgreSQL" : "SQLite";
const dir = mkdtempSync(join(tmpdir(), "bench-billing-"));
const scratch: string[] = [];

/** The same server URL with another database name. */
function postgresUrlFor(url: string, database: string): string {
  const parsed = /^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/.exec(url);
  if (!parsed) throw new Error(`DATABASE_URL: not a PostgreSQL URL: ${url}`);
  return `${parsed[1]}/${database}${parsed[3]}`;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDefaultUser(serverUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database named `name`: a file, or a scratch database on the PostgreSQL server. */
async function freshDatabase(name: string): Promise<string> {
  if (!onPostgres) return `file:${join(dir, `${name}.db`)}`;
  const database = `bench_billing_${process.pid}_${name}`;
  await admin((c) => c.query(`create database "${database}"`));
  scratch.push(database);
  return postgresUrlFor(serverUrl, database);
}

/** Tables the generator writes, parents first. */
const GENERATED = [
  "resellers",
  "customers",
  "contracts",
  "contract_items",
  "outages",
  "visits",
  "visit_lines",
  "terminations",
  "payments",
];

/**
 * Rows into a PostgreSQL table, `rows` at a time through json_populate_recordset (one statement
 * per chunk, columns matched by name): the fastest plain SQL way to write many rows.
 */
async function insertJson(
  client: pg.Pool | pg.PoolClient,
  table: string,
  rows: readonly Record<string, unknown>[],
  chunk = 5000,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0])
    .map((c) => `"${c}"`)
    .join(", ");
  for (let i = 0; i < rows.length; i += chunk) {
    await client.query(
      `insert into "${table}" (${columns}) select ${columns} from json_populate_recordset(null::"${table}", $1::json)`,
      [JSON.stringify(rows.slice(i, i + chunk))],
    );
  }
}

/** Migrates `url` and writes `count` generated contracts into it (on PostgreSQL: generated in a SQLite file, then copied). */
async function prepare(url: string, count: number): Promise<GeneratedBook> {
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  if (handle.dialect === "sqlite") {
    const book = generateContracts(handle.sqlite, count, yearMonth("2025-01"));
    await handle.close();
    return book;
  }
  const source = openDatabase(`file:${join(dir, `generated-${process.hrtime.bigint()}.db`)}`);
  await migrateToLatest(source.db);
  const book = generateContracts(source.sqlite, count, yearMonth("2025-01"));
  const pool = handle.pool!;
  for (const table of GENERATED) {
    const rows = source.sqlite.prepare(`select * from "${table}" order by rowid`).all() as Record<
      string,
      unknown
    >[];
    await insertJson(pool, table, rows);
    if (table !== "terminations")
      await pool.query(
        `select setval(pg_get_serial_sequence('"${table}"', 'id'), coalesce((select max(id) from "${table}"), 0) + 1, false)`,
      );
  }
  await source.close();
  rmSync(source.path, { force: true });
  await handle.close();
  return book;
}

/** Closes `months` on `url` in a child process (billing-close.ts); its progress lines pass through. */
function closeInChild(url: string, months: readonly YearMonth[]): Promise<CloseFigures> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(dirname(fileURLToPath(import.meta.url)), "billing-close.ts"),
      url,
      ...months,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`billing-close.ts exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1)!) as CloseFigures);
    });
  });
}

const seconds = (since: number) => (performance.now() - since) / 1000;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () =>
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`;

/** Generates `count` contracts and closes `monthCount` months in a child; prints its figures. */
async function closeBook(count: number, monthCount: number) {
  const url = await freshDatabase(`run${count}`);
  const t = performance.now();
  const book = await prepare(url, count);
  console.log(
    `${engine}: generated ${count} contracts with a year of history in ${seconds(t).toFixed(1)} s (${load()})`,
  );
  const figures = await closeInChild(url, book.months.slice(0, monthCount));
  const total = figures.months.reduce((a, m) => a + m.seconds, 0);
  const perMonth = figures.months.map((m) => m.seconds);
  console.log(
    `close process (${count} contracts): peak RSS ${figures.peakRssMb} MB (${figures.startRssMb} MB before the first close)`,
  );
  return { url, book, figures, total, perMonth };
}

async function scale(monthCount: number) {
  const rows: { count: number; perMonth: number; peak: number }[] = [];
  for (const count of [10_000, 40_000]) {
    const { perMonth, figures } = await closeBook(count, monthCount);
    rows.push({ count, perMonth: median(perMonth), peak: figures.peakRssMb });
  }
  for (const r of rows)
    console.log(
      `${r.count} contracts: per month ${r.perMonth.toFixed(2)} s (median of ${monthCount}),` +
        ` ${((r.perMonth * 1000 * 1000) / r.count).toFixed(0)} ms per 1,000 contracts, peak RSS ${r.peak} MB`,
    );
  console.log(
    `40k / 10k per month: ${(rows[1].perMonth / rows[0].perMonth).toFixed(2)}× (linear: 4×); peak RSS ${rows[0].peak} → ${rows[1].peak} MB (${load()})`,
  );
}

/** The raw floor: `lines` invoice-line rows into a bare table, one transaction. */
async function rawFloor(url: string, lines: number): Promise<number> {
  const line = (i: number) => ({
    invoice_id: Math.floor(i / 4),
    position: i % 4,
    code: "endpoint",
    rule: "T-24-1",
    tariff_version: "2024-04-01",
    description: "エンドポイントセキュリティ 10台",
    quantity: 10,
    unit_price_yen: 600,
    amount_yen: 6000,
    tax_category: "taxable_10",
  });
  const ddl = `create table raw_lines (id integer primary key generated by default as identity, invoice_id integer not null,
    position integer not null, code text not null, rule text not null, tariff_version text, description text not null,
    quantity integer not null, unit_price_yen integer not null, amount_yen integer not null, tax_category text not null)`;
  const handle = openDatabase(url);
  try {
    if (handle.dialect === "sqlite") {
      handle.sqlite.exec(ddl.replace(" generated by default as identity", ""));
      const insert = handle.sqlite
        .prepare(`insert into raw_lines (invoice_id, position, code, rule, tariff_version, description,
        quantity, unit_price_yen, amount_yen, tax_category) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const t = performance.now();
      handle.sqlite.transaction(() => {
        for (let i = 0; i < lines; i++) insert.run(Object.values(line(i)));
      })();
      return seconds(t);
    }
    const client = await handle.pool!.connect();
    try {
      await client.query(ddl);
      const rows = Array.from({ length: lines }, (_, i) => line(i));
      const t = performance.now();
      await client.query("begin");
      await insertJson(client, "raw_lines", rows);
      await client.query("commit");
      return seconds(t);
    } finally {
      client.release();
    }
  } finally {
    await handle.close();
  }
}

/** Every row of `table` the run wrote, in id order (values as the console reads them). */
async function written(handle: DatabaseHandle, table: string): Promise<Record<string, unknown>[]> {
  if (handle.dialect === "sqlite")
    return handle.sqlite.prepare(`select * from ${table} order by id`).all() as Record<
      string,
      unknown
    >[];
  return (await handle.pool!.query(`select * from ${table} order by id`)).rows;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--scale") return scale(Number(args[1] ?? 2));
  const count = Number(args[0] ?? 10_000);
  const monthCount = Number(args[1] ?? 12);
  const { url, figures, total, perMonth } = await closeBook(count, monthCount);
  const reading = openDatabase(url);
  const [invoiceRows, lineRows, mailRows] = [
    await written(reading, "invoices"),
    await written(reading, "invoice_lines"),
    await written(reading, "outbox"),
  ];
  await reading.close();
  const rawSeconds = await rawFloor(url, lineRows.length);

  // The floor of the schema: the same rows into a fresh database with the same contracts.
  const floorUrl = await freshDatabase(`floor${count}`);
  await prepare(floorUrl, count);
  const copy = openDatabase(floorUrl);
  // Time spent on each table's rows; the rest of the total is committing.
  const spent = { invoices: 0, lines: 0, mails: 0 };
  const batches: {
    invoices: typeof invoiceRows;
    lines: typeof lineRows;
    mails: typeof mailRows;
  }[] = [];
  let nextLine = 0;
  for (let i = 0; i < invoiceRows.length; i += DEFAULT_BATCH_SIZE) {
    const invoices = invoiceRows.slice(i, i + DEFAULT_BATCH_SIZE);
    const lastInvoiceId = Number(invoices.at(-1)!.id);
    const first = nextLine;
    while (nextLine < lineRows.length && Number(lineRows[nextLine].invoice_id) <= lastInvoiceId)
      nextLine++;
    batches.push({
      invoices,
      lines: lineRows.slice(first, nextLine),
      mails: mailRows.slice(i, i + DEFAULT_BATCH_SIZE),
    });
  }
  let schemaSeconds: number;
  if (copy.dialect === "sqlite") {
    const insertInto = (table: string, columns: string[]) =>
      copy.sqlite.prepare(
        `insert into ${table} (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
      );
    const [insertInvoice, insertLine, insertMail] = [
      insertInto("invoices", Object.keys(invoiceRows[0])),
      insertInto("invoice_lines", Object.keys(lineRows[0])),
      insertInto("outbox", Object.keys(mailRows[0])),
    ];
    // Positional values made before the clock starts, as a prepared statement is fed at best.
    const positional = batches.map((b) => ({
      invoices: b.invoices.map((r) => Object.values(r)),
      lines: b.lines.map((r) => Object.values(r)),
      mails: b.mails.map((r) => Object.values(r)),
    }));
    const timed = (part: keyof typeof spent, write: () => void) => {
      const start = performance.now();
      write();
      spent[part] += seconds(start);
    };
    const t = performance.now();
    for (const batch of positional) {
      copy.sqlite.transaction(() => {
        timed("invoices", () => batch.invoices.forEach((r) => insertInvoice.run(r)));
        timed("lines", () => batch.lines.forEach((r) => insertLine.run(r)));
        timed("mails", () => batch.mails.forEach((r) => insertMail.run(r)));
      })();
    }
    schemaSeconds = seconds(t);
  } else {
    const client = await copy.pool!.connect();
    const timed = async (part: keyof typeof spent, write: () => Promise<void>) => {
      const start = performance.now();
      await write();
      spent[part] += seconds(start);
    };
    const t = performance.now();
    for (const batch of batches) {
      await client.query("begin");
      await timed("invoices", () => insertJson(client, "invoices", batch.invoices));
      await timed("lines", () => insertJson(client, "invoice_lines", batch.lines));
      await timed("mails", () => insertJson(client, "outbox", batch.mails));
      await client.query("commit");
    }
    schemaSeconds = seconds(t);
    client.release();
  }
  await copy.close();

  const lines = lineRows.length;
  const target = onPostgres ? 40 : 20;
  console.log(
    `billing (${engine}): ${figures.months.length} months, ${invoiceRows.length} invoices, ${lines} lines in ${total.toFixed(2)} s` +
      ` (${Math.round(lines / total)} lines/s; per month median ${median(perMonth).toFixed(2)} s, max ${Math.max(...perMonth).toFixed(2)} s)`,
  );
  console.log(
    `close process peak RSS: ${figures.peakRssMb} MB (${figures.startRssMb} MB before the first close; target for 100,000 × 1 month: ≤ 512 MB)`,
  );
  console.log(
    `raw ${onPostgres ? "PostgreSQL" : "better-sqlite3"} insert of ${lines} lines: ${rawSeconds.toFixed(2)} s (${Math.round(lines / rawSeconds)} lines/s)`,
  );
  console.log(
    `ratio billing / raw: ${(total / rawSeconds).toFixed(2)}×  (target for 10,000 × 12 months: ≤ ${target} s)`,
  );
  console.log(
    `schema floor: the same ${invoiceRows.length} invoices, ${lineRows.length} lines and ${mailRows.length} mails written raw` +
      ` into the real tables: ${schemaSeconds.toFixed(2)} s (${(schemaSeconds / rawSeconds).toFixed(2)}× raw; billing / schema floor:` +
      ` ${(total / schemaSeconds).toFixed(2)}×, target ≤ 2×)`,
  );
  const ofRaw = (s: number) => `${s.toFixed(2)} s = ${(s / rawSeconds).toFixed(2)}× raw`;
  console.log(
    `  of which invoices ${ofRaw(spent.invoices)}, lines ${ofRaw(spent.lines)}, mails ${ofRaw(spent.mails)},` +
      ` commits ${ofRaw(schemaSeconds - spent.invoices - spent.lines - spent.mails)};` +
      ` invoices + lines alone: ${ofRaw(spent.invoices + spent.lines)} (${load()})`,
  );
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
  for (const database of scratch)
    await admin((c) => c.query(`drop database if exists "${database}" with (force)`));
}
