// Reads whose `in (…)` lists grow with the data (issue 15, item 10): once an import can bring
// 32,800 customers, a list of every customer or contract holds more values than one SQLite
// statement may carry (32,766 with better-sqlite3 11) and failed with "too many SQL variables".
// Against the seeded demo database plus 33,000 customers written in one SQL statement each.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBillableContracts } from "../app/billing/history.server";
import { portfolio } from "../app/contracts/portfolio.server";
import { applyMainServiceEnds } from "../app/licenses/main-services.server";
import { createTestDatabase, type TestDatabase } from "./support/database";

const BULK = 33_000;
const CREATED = "2026-01-05T00:00:00.000Z";

let t: TestDatabase;
beforeAll(async () => {
  delete process.env.APP_NOW;
  t = await createTestDatabase({ seed: true, events: false });
  const bulk = `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${BULK})`;
  // Customers CB00001…, each with one active contract and one ISP security contract.
  t.sqlite
    .exec(`${bulk} insert into customers (ref, reseller_id, name, email, phone, address, created_at)
    select printf('CB%05d', i), null, printf('株式会社バルク%d', i), printf('it%d@bulk.example', i), '03-0000-0000', '東京都', '${CREATED}' from n`);
  t.sqlite
    .exec(`${bulk} insert into contracts (ref, customer_id, line_id, area, base_plan, service_start, status, termination_date,
      offline_threshold_minutes, admin_email, admin_phone, created_at)
    select printf('KB%05d', i), (select id from customers where ref = printf('CB%05d', i)), printf('CAB%07d', i), 'east',
      'base.standard', '2026-01-05', 'active', null, 60, printf('it%d@bulk.example', i), '03-0000-0000', '${CREATED}' from n`);
  t.sqlite
    .exec(`${bulk} insert into isp_applications (idempotency_key, customer_id, product, devices, monthly_yen, contract_number, pin,
      applied_on, created_at, created_by, cancel_requested_on, cancel_effective_on, revoked_at, ended_on)
    select printf('bulk-%05d', i), (select id from customers where ref = printf('CB%05d', i)), 'multi_device_security', 1, 500,
      printf('B%07d', i), printf('P%07d', i), '2026-01-05', '${CREATED}', null, null, null, null, null from n`);
});
afterAll(() => t.dispose());

const count = (sql: string) => (t.sqlite.prepare(sql).get() as { n: number }).n;

describe("more ids than one statement may carry", () => {
  it("loadBillableContracts reads 33,000 asked-for contracts, in ref order", async () => {
    const ids = (
      t.sqlite.prepare("select id from contracts where ref like 'KB%' order by id").all() as {
        id: number;
      }[]
    ).map((r) => r.id);
    expect(ids).toHaveLength(BULK);
    const started = performance.now();
    const loaded = await loadBillableContracts(t.db, "2026-11-30", {
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
    const p = await portfolio(t.db, { kind: "provider" }, "2026-11-22");
    const seconds = (performance.now() - started) / 1000;
    expect(p.contracts).toHaveLength(count("select count(*) as n from contracts"));
    // A bulk contract bills the standard base plan and nothing else: 3,000 yen a month before tax (T-24-1).
    expect(p.contracts.find((c) => c.ref === "KB12345")).toMatchObject({
      customer_name: "株式会社バルク12345",
      mrrYen: 3000,
    });
    expect(seconds).toBeLessThan(30);
  });

  it("the daily L-4 run over 33,000 customers with ISP security ends exactly the one whose main services ended", async () => {
    const customerId = (
      t.sqlite.prepare("select id from customers where ref = 'CB32999'").get() as { id: number }
    ).id;
    t.sqlite
      .prepare(
        `insert into isp_main_services (customer_id, service_ref, kind, name, status, last_day, recorded_at, recorded_by)
      values (?, 'NET-1', 'internet', '光ホーム 1G', 'ended', '2026-11-21', ?, null)`,
      )
      .run(customerId, CREATED);
    const open = count("select count(*) as n from isp_applications where ended_on is null");
    expect(open).toBeGreaterThan(BULK);
    const audited = count("select count(*) as n from audit_log where action = 'isp.auto_end'");

    const ended = await applyMainServiceEnds(t.db, {
      on: "2026-11-22",
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
    expect(count("select count(*) as n from isp_applications where ended_on is null")).toBe(
      open - 1,
    );
    expect(count("select count(*) as n from audit_log where action = 'isp.auto_end'")).toBe(
      audited + 1,
    );
    // A second run the same day ends nothing.
    expect(
      await applyMainServiceEnds(t.db, {
        on: "2026-11-22",
        actor: { id: null, email: "scheduler" },
      }),
    ).toEqual([]);
  });
});
