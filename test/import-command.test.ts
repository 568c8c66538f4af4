// `npm run -s import -- FILE.json` through the real command (docs/rules/import-format.md): a fresh SQLite
// file per test, the command spawned as a child process, its exit status and output asserted,
// and the database compared before and after a refused file.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Kysely } from "kysely";
import { loadBillableContracts, loadTariffs } from "../app/billing/history.server";
import { buildInvoiceSeries } from "../app/billing/monthly-invoice";
import { NO_EXISTING_KEYS, validateImportFile } from "../app/import/import-file";
import { DEFAULT_IMPORT_MAX_BYTES, parseImportMaxBytes } from "../app/config.server";
import { migrateToLatest, openDatabase } from "../db/connection";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";
import { isoDate, yearMonth } from "../app/lib/jst";

const ROOT = join(import.meta.dirname, "..");
const FIXTURE = join(ROOT, "test/fixtures/import-example.json");
const APP_NOW = "2026-11-22T10:00:00+09:00";

let dir: string;
let url: string;

let postgres: TestDatabase | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "import-command-"));
  url = `file:${join(dir, "app.db")}`;
  // The engine of the run: in the PostgreSQL run the command imports into a database of its own.
  if (TEST_ON_POSTGRES) {
    postgres = await createTestDatabase();
    url = postgres.url;
  }
});
afterEach(async () => {
  await postgres?.dispose();
  postgres = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function runImport(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runImportWith({}, ...args);
}

function runImportWith(
  env: Record<string, string>,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["scripts/import.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, APP_NOW, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

async function withDb<T>(fn: (handle: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
  const handle = openDatabase(url);
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

/** Row count of every table (migration bookkeeping included). */
async function rowCounts(): Promise<Record<string, number>> {
  return withDb(async ({ db }) => {
    await migrateToLatest(db);
    const tables = (await db.introspection.getTables({ withInternalKyselyTables: true }))
      .map((t) => t.name)
      .sort();
    const counts: Record<string, number> = {};
    for (const name of tables) {
      const { n } = await (db as unknown as Kysely<Record<string, object>>)
        .selectFrom(name)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      counts[name] = n;
    }
    return counts;
  });
}

const fixture = () => JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, any>;

const EXAMPLE_COUNTS =
  "imported: 1 reseller, 1 customer, 1 contract, 2 items, 1 plan change, 1 outage, 1 visit (4 lines), " +
  "1 manual line, 1 termination, 1 payment, 1 tariff version\n";

describe("importing the docs/rules/import-format.md example", () => {
  it("imports it, prints the counts and writes every row", async () => {
    const run = runImport(FIXTURE);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(EXAMPLE_COUNTS);
    expect(run.status).toBe(0);

    await withDb(async ({ db }) => {
      const createdAt = new Date(APP_NOW).toISOString();
      expect(
        await db.selectFrom("resellers").select(["ref", "name", "created_at"]).execute(),
      ).toEqual([{ ref: "R1", name: "西日本OAサービス株式会社", created_at: createdAt }]);
      const customer = await db.selectFrom("customers").selectAll().executeTakeFirstOrThrow();
      expect(customer).toMatchObject({
        ref: "C1",
        name: "株式会社みなと製作所",
        email: "it@minato.example",
        phone: "06-0000-0000",
      });
      const contract = await db.selectFrom("contracts").selectAll().executeTakeFirstOrThrow();
      // T-20: confirmed → terminated on max(wished 09-30, confirmed 09-17); contacts from the customer.
      expect(contract).toMatchObject({
        ref: "K1",
        customer_id: customer.id,
        line_id: "CAF1234567",
        area: "west",
        base_plan: "base.standard",
        service_start: "2024-04-10",
        status: "terminated",
        termination_date: "2024-09-30",
        offline_threshold_minutes: 60,
        admin_email: "it@minato.example",
        admin_phone: "06-0000-0000",
        created_at: createdAt,
      });
      expect(
        await db
          .selectFrom("contract_items")
          .select(["code", "quantity", "ownership", "repair24h", "from_date", "to_date"])
          .orderBy("id")
          .execute(),
      ).toEqual([
        {
          code: "endpoint",
          quantity: 10,
          ownership: "rental",
          repair24h: 0,
          from_date: "2024-04-10",
          to_date: null,
        },
        {
          code: "gateway.gw50",
          quantity: 1,
          ownership: "rental",
          repair24h: 1,
          from_date: "2024-04-10",
          to_date: null,
        },
      ]);
      expect(
        await db.selectFrom("plan_changes").select(["change_date", "base_plan"]).execute(),
      ).toEqual([{ change_date: "2024-10-05", base_plan: "base.lite" }]);
      expect(
        await db
          .selectFrom("outages")
          .select(["services", "known_at", "restored_at", "customer_fault"])
          .execute(),
      ).toEqual([
        {
          services: "gateway",
          known_at: "2024-06-01T01:00:00.000Z",
          restored_at: "2024-06-03T03:00:00.000Z",
          customer_fault: 0,
        },
      ]);
      expect(
        await db
          .selectFrom("visits")
          .select(["visit_date", "start_time", "with_line_application", "backup_available"])
          .execute(),
      ).toEqual([
        {
          visit_date: "2024-07-05",
          start_time: "10:00",
          with_line_application: 0,
          backup_available: 1,
        },
      ]);
      expect(
        await db
          .selectFrom("visit_lines")
          .select(["code", "quantity", "endpoint_reinstall", "pcs_gb"])
          .orderBy("id")
          .execute(),
      ).toEqual([
        { code: "visit.base", quantity: null, endpoint_reinstall: null, pcs_gb: null },
        { code: "visit.os_recovery", quantity: 2, endpoint_reinstall: null, pcs_gb: null },
        { code: "visit.app", quantity: 2, endpoint_reinstall: 2, pcs_gb: null },
        {
          code: "visit.data_migration",
          quantity: null,
          endpoint_reinstall: null,
          pcs_gb: "[30,30]",
        },
      ]);
      expect(
        await db
          .selectFrom("manual_lines")
          .select([
            "line_date",
            "description",
            "amount_yen",
            "taxable",
            "code",
            "rule",
            "created_by",
          ])
          .execute(),
      ).toEqual([
        {
          line_date: "2024-08-10",
          description: "ゲートウェイ装置 未返却",
          amount_yen: 50000,
          taxable: 1,
          code: null,
          rule: null,
          created_by: "import",
        },
      ]);
      expect(
        await db
          .selectFrom("terminations")
          .select(["requested_on", "wished_date", "confirmed_on", "terminated_by", "withdrawn_at"])
          .execute(),
      ).toEqual([
        {
          requested_on: "2024-09-15",
          wished_date: "2024-09-30",
          confirmed_on: "2024-09-17",
          terminated_by: "customer",
          withdrawn_at: null,
        },
      ]);
      expect(
        await db
          .selectFrom("payments")
          .select(["billing_month", "paid_on", "amount_yen", "recorded_by"])
          .execute(),
      ).toEqual([
        {
          billing_month: "2024-05",
          paid_on: "2024-07-20",
          amount_yen: null,
          recorded_by: "import",
        },
      ]);
      const prices = await db
        .selectFrom("tariff_prices")
        .innerJoin("tariff_versions", "tariff_versions.id", "tariff_prices.version_id")
        .select(["effective_from", "code", "price_yen"])
        .orderBy("effective_from")
        .orderBy("code")
        .execute();
      expect(prices).toEqual([
        { effective_from: "2025-04-01", code: "base.lite", price_yen: 2000 },
        { effective_from: "2025-04-01", code: "base.standard", price_yen: 3300 },
      ]);
    });
  });

  it("round-trips: the billing run reads back the fixture's contract", async () => {
    expect(runImport(FIXTURE).status).toBe(0);
    const validated = validateImportFile(fixture(), NO_EXISTING_KEYS);
    if (!validated.ok) throw new Error(JSON.stringify(validated.fields));

    await withDb(async ({ db }) => {
      const [loaded, ...others] = await loadBillableContracts(db, isoDate("2099-12-31"));
      expect(others).toEqual([]);
      expect(loaded.ref).toBe("K1");
      expect(loaded.recipientName).toBe("株式会社みなと製作所");
      // Exactly the validated contract (defaults filled, instants in UTC) …
      expect(loaded.history).toEqual(validated.value.contracts[0]);
      // … which is the fixture's contract with its instants written in UTC.
      const expected = fixture().contracts[0];
      for (const outage of expected.outages) {
        outage.knownAt = new Date(outage.knownAt).toISOString();
        outage.restoredAt = new Date(outage.restoredAt).toISOString();
      }
      expect(loaded.history).toMatchObject(expected);

      // And it bills as the terms' worked examples say: June's 50-hour gateway outage is a
      // 733-yen credit (T-24-2), May paid 2024-07-20 bears 166 yen interest in July (T-26),
      // nothing is charged for September, the termination month, but the ETF (S4 ※1).
      const tariffs = await loadTariffs(db);
      expect(tariffs.map((t) => t.effectiveFrom)).toEqual(["2024-04-01", "2025-04-01"]);
      const series = buildInvoiceSeries(
        loaded.history,
        yearMonth("2024-04"),
        yearMonth("2024-10"),
        tariffs,
      );
      if (!series.ok) throw new Error(JSON.stringify(series.problems));
      const lines = (month: string) =>
        series.invoices
          .find((i) => i.billingMonth === month)
          ?.lines.map((l) => `${l.code} ${l.amountYen}`);
      expect(lines("2024-06")).toContain("credit.outage.gateway -733");
      expect(lines("2024-07")).toContain("interest.late 166");
      expect(lines("2024-09")).toEqual(["etf.termination 21000"]);
      expect(series.invoices.map((i) => i.billingMonth)).toEqual([
        "2024-04",
        "2024-05",
        "2024-06",
        "2024-07",
        "2024-08",
        "2024-09",
      ]);
    });
  });
});

describe("refused files write nothing", () => {
  it("lists every problem as path: message, exits 1 and leaves every table as it was", async () => {
    expect(runImport(FIXTURE).status).toBe(0);
    const before = await rowCounts();

    const file = writeJson("bad.json", {
      resellers: [{ ref: "R2", name: "東日本ITパートナーズ株式会社" }],
      customers: [
        {
          ref: "C2",
          name: "株式会社あおば設計",
          email: "admin@aoba.example",
          phone: "03-5321-0005",
          address: "東京都新宿区",
          reseller: "R2",
        },
      ],
      contracts: [
        {
          ref: "K2",
          customer: "C2",
          lineId: "CAF5120334",
          area: "east",
          basePlan: "base.standard",
          serviceStart: "2025-02-03",
          items: [
            { code: "gateway.gw20", quantity: 1, ownership: "rental", from: "2025-02-03" },
            {
              code: "endpoint",
              quantity: -3,
              ownership: "rental",
              from: "2025-02-03",
              to: "2025-01-31",
            },
          ],
          visits: [
            {
              date: "2025-01-13",
              start: "10:00",
              withLineApplication: false,
              backupAvailable: false,
              lines: [{ code: "visit.base" }],
            },
          ],
        },
        {
          ref: "K3",
          customer: "C9",
          lineId: "CAF5120334",
          area: "east",
          basePlan: "base.standard",
          serviceStart: "2025-2-03",
        },
      ],
    });
    const run = runImport(file);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      [
        'contracts[0].items[0].code: unknown tariff code "gateway.gw20"',
        "contracts[0].items[1].quantity: must be a whole number greater than 0, got -3",
        "contracts[0].items[1].to: 2025-01-31 is before from (2025-02-03)",
        "contracts[0].visits[0].date: visit slot 2025-01-13 10:00 refused (S2): 祝日（成人の日）は訪問できません; next possible slot 2025-01-14 09:00",
        'contracts[1].customer: unknown customer "C9"',
        'contracts[1].serviceStart: not a date (YYYY-MM-DD): "2025-2-03"',
        'contracts[1].lineId: line id "CAF5120334" is also used by contract "K2" at contracts[0], which is not terminated (T-6)',
        `${file}: 7 problems; nothing was imported`,
        "",
      ].join("\n"),
    );
    expect(run.status).toBe(1);
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses the same file imported twice: its refs are already in the database", async () => {
    expect(runImport(FIXTURE).status).toBe(0);
    const before = await rowCounts();
    const run = runImport(FIXTURE);
    expect(run.stderr).toBe(
      [
        "tariffs[0].effectiveFrom: a tariff version starting on 2025-04-01 is already stored",
        'resellers[0].ref: reseller ref "R1" already exists in the database',
        'customers[0].ref: customer ref "C1" already exists in the database',
        'contracts[0].ref: contract ref "K1" already exists in the database',
        `${FIXTURE}: 4 problems; nothing was imported`,
        "",
      ].join("\n"),
    );
    expect(run.status).toBe(1);
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a live contract on a line a live contract of the database holds", async () => {
    const first = writeJson("first.json", {
      customers: [
        {
          ref: "C1",
          name: "株式会社みなと製作所",
          email: "it@minato.example",
          phone: "06-6571-0001",
          address: "大阪府大阪市港区",
        },
      ],
      contracts: [
        {
          ref: "K1",
          customer: "C1",
          lineId: "COP1830017",
          area: "west",
          basePlan: "base.standard",
          serviceStart: "2024-04-10",
        },
      ],
    });
    expect(runImport(first).stdout).toBe(
      "imported: 0 resellers, 1 customer, 1 contract, 0 items, 0 plan changes, 0 outages, 0 visits (0 lines), 0 manual lines, 0 terminations, 0 payments, 0 tariff versions\n",
    );
    const before = await rowCounts();
    const second = writeJson("second.json", {
      contracts: [
        {
          ref: "K2",
          customer: "C1",
          lineId: "COP1830017",
          area: "west",
          basePlan: "base.standard",
          serviceStart: "2025-04-01",
        },
      ],
    });
    const run = runImport(second);
    expect(run.stderr).toBe(
      'contracts[0].lineId: line id "COP1830017" is held by contract "K1" in the database, which is not terminated (T-6)\n' +
        `${second}: 1 problem; nothing was imported\n`,
    );
    expect(run.status).toBe(1);
    expect(await rowCounts()).toEqual(before);

    // On its own line, the stored customer's contract is imported with the customer's contacts.
    const third = writeJson("third.json", {
      contracts: [
        {
          ref: "K2",
          customer: "C1",
          lineId: "COP1830452",
          area: "west",
          basePlan: "base.standard",
          serviceStart: "2025-04-01",
        },
      ],
    });
    expect(runImport(third).status).toBe(0);
    await withDb(async ({ db }) => {
      expect(
        await db
          .selectFrom("contracts")
          .select(["ref", "line_id", "status", "admin_email", "admin_phone"])
          .orderBy("ref")
          .execute(),
      ).toEqual([
        {
          ref: "K1",
          line_id: "COP1830017",
          status: "active",
          admin_email: "it@minato.example",
          admin_phone: "06-6571-0001",
        },
        {
          ref: "K2",
          line_id: "COP1830452",
          status: "active",
          admin_email: "it@minato.example",
          admin_phone: "06-6571-0001",
        },
      ]);
    });
  });

  it("refuses broken JSON with the parser's position", async () => {
    expect(runImport(FIXTURE).status).toBe(0);
    const before = await rowCounts();
    const file = join(dir, "broken.json");
    writeFileSync(file, readFileSync(FIXTURE, "utf8").replace('"ref": "K1",', '"ref": "K1"'));
    const run = runImport(file);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: invalid JSON: .*position \\d+.*\\n$`,
      ),
    );
    expect(run.status).toBe(1);
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses a file it cannot read, and a call without exactly one file", () => {
    const missing = join(dir, "missing.json");
    const run = runImport(missing);
    expect(run.stderr).toBe(
      `${missing}: cannot read: ENOENT: no such file or directory, open '${missing}'\n`,
    );
    expect(run.status).toBe(1);
    const usage = runImport();
    expect(usage.stderr).toBe("import: usage: npm run -s import -- FILE.json\n");
    expect(usage.status).toBe(1);
  });
});

describe("large files (issue 15, item 10)", () => {
  it("imports 32,800 customers with a contract each, and 4,000 manual lines on one contract, in statements SQLite accepts", async () => {
    const n = 32_800;
    const customers = Array.from({ length: n }, (_, i) => ({
      ref: `C${i + 1}`,
      name: `株式会社テスト${i + 1}`,
      email: `it${i + 1}@example.jp`,
      phone: "03-0000-0000",
      address: "東京都千代田区",
    }));
    const contracts = customers.map((c, i) => ({
      ref: `K${i + 1}`,
      customer: c.ref,
      lineId: `CAF${String(i + 1).padStart(7, "0")}`,
      area: "east",
      basePlan: "base.standard",
      serviceStart: "2024-04-10",
      items: [{ code: "endpoint", quantity: 3, ownership: "rental", from: "2024-04-10" }],
    }));
    // 9 columns a manual line: 4,000 in one insert would be 36,000 variables.
    (contracts[0] as Record<string, unknown>).manualLines = Array.from(
      { length: 4_000 },
      (_, i) => ({
        date: "2024-08-10",
        description: `作業費 ${i + 1}`,
        amountYen: 1_000 + i,
        taxable: true,
      }),
    );
    const file = join(dir, "large.json");
    writeFileSync(file, JSON.stringify({ customers, contracts }));

    const started = performance.now();
    const run = runImport(file);
    const seconds = (performance.now() - started) / 1000;
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      "imported: 0 resellers, 32800 customers, 32800 contracts, 32800 items, 0 plan changes, 0 outages, 0 visits (0 lines), " +
        "4000 manual lines, 0 terminations, 0 payments, 0 tariff versions\n",
    );
    expect(run.status).toBe(0);
    // A statement per 500 rows and table: 18 s on PostgreSQL with the 2-core machine fully loaded
    // (45 s when it wrote row by row), about 4 s on SQLite, the child process's start included.
    // A generous bound: it catches a return to a round trip per row, not a slow machine.
    expect(seconds).toBeLessThan(60);

    await withDb(async ({ db }) => {
      const count = async (table: "customers" | "contracts" | "contract_items" | "manual_lines") =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count("customers")).toBe(32_800);
      expect(await count("contracts")).toBe(32_800);
      expect(await count("contract_items")).toBe(32_800);
      expect(await count("manual_lines")).toBe(4_000);
      // Each contract on its own customer, with that customer's contacts.
      const last = await db
        .selectFrom("contracts")
        .innerJoin("customers", "customers.id", "contracts.customer_id")
        .select(["contracts.ref", "customers.ref as customer", "contracts.admin_email"])
        .where("contracts.ref", "=", "K32800")
        .executeTakeFirstOrThrow();
      expect(last).toEqual({
        ref: "K32800",
        customer: "C32800",
        admin_email: "it32800@example.jp",
      });
      const amounts = await db
        .selectFrom("manual_lines")
        .select((eb) => [eb.fn.sum<number>("amount_yen").as("sum")])
        .executeTakeFirstOrThrow();
      expect(Number(amounts.sum)).toBe(4_000 * 1_000 + (3_999 * 4_000) / 2);
    });
  }, 240_000);

  it("refuses a file over IMPORT_MAX_BYTES before reading it, and writes nothing", async () => {
    const before = await rowCounts();
    const size = statSync(FIXTURE).size;
    const run = runImportWith({ IMPORT_MAX_BYTES: String(size - 1) }, FIXTURE);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `${FIXTURE}: ファイルが大きすぎます（${size.toLocaleString("en-US")} バイト、上限 ${(size - 1).toLocaleString("en-US")} バイト: IMPORT_MAX_BYTES）\n`,
    );
    expect(run.status).toBe(1);
    expect(await rowCounts()).toEqual(before);

    // Exactly the limit is allowed.
    const atLimit = runImportWith({ IMPORT_MAX_BYTES: String(size) }, FIXTURE);
    expect(atLimit.stdout).toBe(EXAMPLE_COUNTS);
    expect(atLimit.status).toBe(0);
  });

  it("refuses an IMPORT_MAX_BYTES that is not a number of bytes", async () => {
    const run = runImportWith({ IMPORT_MAX_BYTES: "512MB" }, FIXTURE);
    expect(run.stderr).toBe(
      'IMPORT_MAX_BYTES: not a whole number of bytes greater than 0: "512MB"\n',
    );
    expect(run.status).toBe(1);
  });

  it("reads IMPORT_MAX_BYTES: 512 MiB unless set", () => {
    expect(DEFAULT_IMPORT_MAX_BYTES).toBe(512 * 1024 * 1024);
    expect(parseImportMaxBytes(undefined)).toBe(536_870_912);
    expect(parseImportMaxBytes("")).toBe(536_870_912);
    expect(parseImportMaxBytes("1048576")).toBe(1_048_576);
    expect(() => parseImportMaxBytes("0")).toThrow(
      'IMPORT_MAX_BYTES: not a whole number of bytes greater than 0: "0"',
    );
    expect(() => parseImportMaxBytes("-5")).toThrow(
      'IMPORT_MAX_BYTES: not a whole number of bytes greater than 0: "-5"',
    );
    expect(() => parseImportMaxBytes("1e6")).toThrow(
      'IMPORT_MAX_BYTES: not a whole number of bytes greater than 0: "1e6"',
    );
  });
});
