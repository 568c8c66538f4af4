// The same work gives the same bytes on both engines (issue 18, "done when"): the golden billing
// scenario (test/fixtures/billing-scenario.json) imported, every month closed, then the exports
// (the command's CSV, the Excel CSV in UTF-8 and Shift_JIS, the 弥生 journal), the termination
// quotes, the stored invoices and lines, and the text of invoice PDFs (pdftotext), on a SQLite
// file and on a PostgreSQL database, compared byte for byte. It runs in the PostgreSQL run only
// (test/postgres-files.txt): there a server that does not answer fails it, as scripts/test.sh
// decides; the SQLite run leaves it out (test/vitest.config.ts).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingMonth } from "../app/billing/billing-run.server";
import { invoiceCsv, lineCsv } from "../app/billing/export.server";
import { invoiceCsvFile, journalCsvFile, lineCsvFile } from "../app/billing/exports.server";
import { invoiceDocument } from "../app/billing/invoice-documents.server";
import { quoteContractTermination } from "../app/billing/termination-quotes.server";
import { validateImportFile } from "../app/import/import-file";
import { formatImportCounts, importFile, readExistingKeys } from "../app/import/import.server";
import { migrateToLatest, openDatabase, type DatabaseHandle } from "../db/connection";
import type { Database } from "../db/schema";
import { renderInvoicePdf } from "../reports/invoice-pdf";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";
import { isoDate } from "../app/lib/jst";

const FIXTURE = join(import.meta.dirname, "fixtures/billing-scenario.json");
/** The clock of the scenario (as billing-scenario.test.ts's APP_NOW): every close and import at this instant. */
const AT = new Date("2025-08-05T10:00:00+09:00");
const MONTHS = Array.from({ length: 16 }, (_, i) => {
  const d = new Date(Date.UTC(2024, 3 + i, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
});
/** The scenario's terminations (billing-scenario.test.ts): contract, wished date, confirmed on. */
const QUOTES: [string, string, string][] = [
  ["K01", "2024-09-30", "2024-09-17"],
  ["K02", "2024-06-25", "2024-06-20"],
  ["K03", "2024-10-31", "2024-10-03"],
  ["K04", "2024-09-16", "2024-10-02"],
  ["K07", "2025-04-10", "2025-04-01"],
  ["K08", "2025-06-15", "2025-06-03"],
  ["K10", "2025-04-20", "2025-04-18"],
];

/** Everything the scenario produces, as bytes (text, or base64 of binary files), by name. */
type Outputs = Map<string, string>;

async function runScenario(db: Kysely<Database>, dir: string): Promise<Outputs> {
  const out: Outputs = new Map();
  // The issuer printed on the invoices (the demo's, as db/demo/seed.ts writes it).
  await db
    .insertInto("provider")
    .values({
      name: "セキュアライン株式会社",
      address: "東京都千代田区大手町1-2-3 大手町セキュアタワー12F",
      phone: "0120-555-310",
      email: "billing@secureline.example",
      registration_number: "T5010001234566",
      bank_account: "みずなみ銀行 大手町支店 普通預金 1234567 口座名義 セキュアライン（カ",
    })
    .execute();
  const validation = validateImportFile(
    JSON.parse(readFileSync(FIXTURE, "utf8")),
    await readExistingKeys(db),
  );
  if (!validation.ok) throw new Error(JSON.stringify(validation.fields));
  out.set("import", formatImportCounts(await importFile(db, validation.value, AT)));
  for (const month of MONTHS) {
    const result = await runBillingMonth(db, month as never, { at: AT });
    out.set(`run ${month}`, JSON.stringify(result));
  }
  for (const month of MONTHS) {
    const m = month as never;
    out.set(`invoices.csv ${month}`, await invoiceCsv(db, m));
    out.set(`lines.csv ${month}`, await lineCsv(db, m));
    out.set(
      `excel invoices utf8 ${month}`,
      (await invoiceCsvFile(db, m, "utf8")).toString("base64"),
    );
    out.set(`excel lines sjis ${month}`, (await lineCsvFile(db, m, "sjis")).toString("base64"));
    out.set(`journal ${month}`, (await journalCsvFile(db, m)).toString("base64"));
  }
  for (const [ref, wished, confirmed] of QUOTES) {
    const contract = await db
      .selectFrom("contracts")
      .select(["id", "service_start"])
      .where("ref", "=", ref)
      .executeTakeFirstOrThrow();
    const quote = await quoteContractTermination(
      db,
      { id: contract.id, serviceStart: contract.service_start },
      isoDate(wished),
      isoDate(confirmed),
    );
    out.set(`quote ${ref}`, JSON.stringify(quote));
  }
  // The stored rows themselves, every column, in a fixed order.
  const invoices = await db.selectFrom("invoices").selectAll().orderBy("id").execute();
  out.set("invoices", JSON.stringify(invoices));
  out.set(
    "invoice_lines",
    JSON.stringify(await db.selectFrom("invoice_lines").selectAll().orderBy("id").execute()),
  );
  // A PDF carries its creation time: its text is what must match.
  for (const invoice of invoices.filter((_, i) => i % 10 === 0)) {
    const doc = await invoiceDocument(db, { id: invoice.id, tenant: { kind: "provider" } });
    const file = join(dir, `invoice-${invoice.id}.pdf`);
    writeFileSync(file, await renderInvoicePdf(doc!));
    out.set(
      `pdf ${invoice.invoice_number}`,
      execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }),
    );
  }
  return out;
}

describe("the same results on SQLite and on PostgreSQL", () => {
  const dir = mkdtempSync(join(tmpdir(), "cross-engine-"));
  let sqlite: DatabaseHandle;
  let postgres: TestDatabase;
  let onSqlite: Outputs;
  let onPostgres: Outputs;

  beforeAll(async () => {
    // Run in the PostgreSQL run: a server that does not answer fails here, never skips.
    expect(TEST_ON_POSTGRES, "run with TEST_DATABASE=postgres (test/postgres-files.txt)").toBe(
      true,
    );
    postgres = await createTestDatabase();
    sqlite = openDatabase(`file:${join(dir, "app.db")}`);
    await migrateToLatest(sqlite.db);
    onSqlite = await runScenario(sqlite.db, dir);
    onPostgres = await runScenario(postgres.db, dir);
  }, 300_000);
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("produces the same set of outputs, with content", () => {
    expect([...onPostgres.keys()]).toEqual([...onSqlite.keys()]);
    // 1 import + 16 runs + 16 × 5 exports + 7 quotes + 2 tables + a PDF of every tenth invoice.
    expect(onSqlite.size).toBeGreaterThan(1 + 16 + 80 + 7 + 2 + 5);
    expect(onSqlite.get("import")).toBe(
      "imported: 2 resellers, 6 customers, 12 contracts, 25 items, 3 plan changes, 4 outages, 9 visits (26 lines), " +
        "3 manual lines, 7 terminations, 5 payments, 2 tariff versions",
    );
    expect(onSqlite.get("quote K01")).toContain('"etfYen":21000');
    expect(onSqlite.get("invoices.csv 2024-06")).toContain("37620");
    expect(onSqlite.get("pdf " + JSON.parse(onSqlite.get("invoices")!)[0].invoice_number)).toMatch(
      /請求書/,
    );
  });

  it("gives byte-identical imports, runs, exports, quotes, stored invoices and PDF text", () => {
    const differing = [...onSqlite.keys()].filter((k) => onSqlite.get(k) !== onPostgres.get(k));
    // On a difference, the first one in full.
    if (differing.length > 0)
      expect(onPostgres.get(differing[0]), differing[0]).toBe(onSqlite.get(differing[0]));
    expect(differing).toEqual([]);
  });
});
