// A month close reads its month a page of contracts at a time (issue 18 item 6): no query it runs
// returns more rows than a page's worth, however many contracts the book holds, so what it holds
// in memory does not grow with them. Checked on what the database hands back to the run, not on
// timings or the process's memory.
import type { KyselyPlugin, QueryResult, UnknownRow } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { PLAN_PAGE_SIZE, runBillingMonth } from "../app/billing/billing-run.server";
import { generateContracts } from "../scripts/bench/generate-contracts";
import { createTestDatabase, describeOnSqlite, type TestDatabase } from "./support/database";
import { yearMonth } from "../app/lib/jst";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(() => t.dispose());

/** The database with every query's result size noted (the largest, and per table read). */
function watched(db: TestDatabase["db"]) {
  const seen = { largest: 0, queries: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args): Promise<QueryResult<UnknownRow>> => {
      seen.queries += 1;
      seen.largest = Math.max(seen.largest, args.result.rows.length);
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), seen };
}

describeOnSqlite("the month close's reads", () => {
  it("never return more rows than a page of contracts gives, with six pages of contracts", async () => {
    // 3,000 contracts: about 6,600 item rows and 36,000 payment rows in all (a year of history).
    generateContracts(t.sqlite, 3000, yearMonth("2025-01"));
    const items = await t.db
      .selectFrom("contract_items")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(items.n)).toBeGreaterThan(6000);

    const { db, seen } = watched(t.db);
    const result = await runBillingMonth(db, yearMonth("2025-01"), {
      at: new Date("2025-02-01T06:00:00+09:00"),
    });
    expect(result).toMatchObject({ issued: 3000, problems: [], alreadyClosed: false });
    expect(seen.queries).toBeGreaterThan(12 * 6);
    // A page is 500 contracts; each has at most 3 item rows here (a gateway and one or two
    // endpoint lines), the largest per-contract table read. Reading the whole book at once
    // returned 3,000 contracts and every item row (over 6,000) in one result.
    expect(PLAN_PAGE_SIZE).toBe(500);
    expect(seen.largest).toBeLessThanOrEqual(3 * PLAN_PAGE_SIZE);

    // The numbers run without a gap in contract-ref order across the pages.
    const issued = await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .select(["invoices.seq", "contracts.ref"])
      .orderBy("invoices.seq")
      .execute();
    expect(issued.map((r) => r.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(issued.map((r) => r.ref)).toEqual(
      Array.from({ length: 3000 }, (_, i) => `BK${String(i + 1).padStart(6, "0")}`),
    );
  });
});
