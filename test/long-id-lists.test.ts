// Reads whose `in (…)` lists grow with the data (issue 15, item 10): once an import can bring
// 32,800 customers, a list of every customer or contract holds more values than one SQLite
// statement may carry (32,766 with better-sqlite3 11) and failed with "too many SQL variables".
// Against the seeded demo database plus 33,000 customers written in one SQL statement each.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBillableContracts } from "../app/billing/history.server";
import { portfolio } from "../app/contracts/portfolio.server";
import { applyMainServiceEnds } from "../app/licenses/main-services.server";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";
import { isoDate } from "../app/lib/jst";

const BULK = 33_000;
const CREATED = "2026-01-05T00:00:00.000Z";

let t: TestDatabase;
beforeAll(async () => {
  delete process.env.APP_NOW;
  t = await createTestDatabase({ seed: true, events: false });
  const bulk = `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${BULK})`;
  // printf on SQLite, lpad on PostgreSQL: the same refs (CB00001…) on both.
  const ref = (prefix: string, width: number) =>
    TEST_ON_POSTGRES
      ? `'${prefix}' || lpad(i::text, ${width}, '0')`
      : `printf('${prefix}%0${width}d', i)`;
  const text = (prefix: string, suffix = "") =>
    TEST_ON_POSTGRES ? `'${prefix}' || i || '${suffix}'` : `printf('${prefix}%d${suffix}', i)`;
  // Customers CB00001…, each with one active contract and one ISP security contract.
  await run(`${bulk} insert into customers (ref, reseller_id, name, email, phone, address, created_at)
    select ${ref("CB", 5)}, null, ${text("株式会社バルク")}, ${text("it", "@bulk.example")}, '03-0000-0000', '東京都', '${CREATED}' from n`);
  await run(`${bulk} insert into contracts (ref, customer_id, line_id, area, base_plan, service_start, status, termination_date,
      offline_threshold_minutes, admin_email, admin_phone, created_at)
    select ${ref("KB", 5)}, (select id from customers where ref = ${ref("CB", 5)}), ${ref("CAB", 7)}, 'east',
      'base.standard', '2026-01-05', 'active', null, 60, ${text("it", "@bulk.example")}, '03-0000-0000', '${CREATED}' from n`);
  await run(`${bulk} insert into isp_applications (idempotency_key, customer_id, product, devices, monthly_yen, contract_number, pin,
      applied_on, created_at, created_by, cancel_requested_on, cancel_effective_on, revoked_at, ended_on)
    select ${ref("bulk-", 5)}, (select id from customers where ref = ${ref("CB", 5)}), 'multi_device_security', 1, 500,
      ${ref("B", 7)}, ${ref("P", 7)}, '2026-01-05', '${CREATED}', null, null, null, null, null from n`);
});
afterAll(() => t.dispose());

/** A statement of set-up SQL, on either engine. */
const run = (text: string) => sql.raw(text).execute(t.db);
const rows = async <T>(text: string) => (await sql.raw<T>(text).execute(t.db)).rows;
const count = async (text: string) => (await rows<{ n: number }>(text))[0].n;

describe("more ids than one statement may carry", () => {
  it("loadBillableContracts reads 33,000 asked-for contracts, in ref order", async () => {
    const ids = (
      await rows<{ id: number }>("select id from contracts where ref like 'KB%' order by id")
    ).map((r) => r.id);
    expect(ids).toHaveLength(BULK);
    const started = performance.now();
    const loaded = await loadBillableContracts(t.db, isoDate("2026-11-30"), {
      contractIds: [...ids].reverse(),
    });
    const seconds = (performance.now() - started) / 1000;
    expect(loaded).toHaveLength(BULK);
    expect(loaded.map((c) => c.ref).slice(0, 2)).toEqual(["KB00001", "KB00002"]);
    expect(loaded.at(-1)).toMatchObject({ ref: "KB33000", recipientName: "株式会社バルク33000" });
    // Only those asked for: the seeded contracts (K-…) are not among them.
    expect(loaded.some((c) => !c.ref.startsWith("KB"))).toBe(false);
    expect(seconds).toBeLessThan(20);
  });

  it("the provider's portfolio lists every contract with its monthly fee", async () => {
    const started = performance.now();
    const p = await portfolio(t.db, { kind: "provider" }, isoDate("2026-11-22"));
    const seconds = (performance.now() - started) / 1000;
    expect(p.contracts).toHaveLength(await count("select count(*) as n from contracts"));
    // A bulk contract bills the standard base plan and nothing else: 3,000 yen a month before tax (T-24-1).
    expect(p.contracts.find((c) => c.ref === "KB12345")).toMatchObject({
      customer_name: "株式会社バルク12345",
      mrrYen: 3000,
    });
    expect(seconds).toBeLessThan(30);
  });

  it("the daily L-4 run over 33,000 customers with ISP security ends exactly the one whose main services ended", async () => {
    const customerId = (
      await rows<{ id: number }>("select id from customers where ref = 'CB32999'")
    )[0].id;
    await sql`insert into isp_main_services (customer_id, service_ref, kind, name, status, last_day, recorded_at, recorded_by)
      values (${customerId}, 'NET-1', 'internet', '光ホーム 1G', 'ended', '2026-11-21', ${CREATED}, null)`.execute(
      t.db,
    );
    const open = await count("select count(*) as n from isp_applications where ended_on is null");
    expect(open).toBeGreaterThan(BULK);
    const audited = await count(
      "select count(*) as n from audit_log where action = 'isp.auto_end'",
    );

    const ended = await applyMainServiceEnds(t.db, {
      on: isoDate("2026-11-22"),
      actor: { id: null, email: "scheduler" },
    });
    expect(ended).toEqual([
      {
        customerRef: "CB32999",
        contractNumber: "B0032999",
        licenseRef: null,
        endedOn: "2026-11-21",
      },
    ]);
    expect(await count("select count(*) as n from isp_applications where ended_on is null")).toBe(
      open - 1,
    );
    expect(await count("select count(*) as n from audit_log where action = 'isp.auto_end'")).toBe(
      audited + 1,
    );
    // A second run the same day ends nothing.
    expect(
      await applyMainServiceEnds(t.db, {
        on: isoDate("2026-11-22"),
        actor: { id: null, email: "scheduler" },
      }),
    ).toEqual([]);
  });
});
