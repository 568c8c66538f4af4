// Every repository answers only within the caller's tenant: a foreign id is "not found".
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import {
  DEVICE_SORT,
  getContract,
  pageContractDevices,
  pageContracts,
  type ContractFilter,
} from "../app/contracts/contracts.server";
import { pageRequest } from "../app/lib/paging";
import { getCustomer, listCustomers } from "../app/customers/customers.server";
import { homeFigures } from "../app/home/home.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";

let t: TestDatabase;
const ids = { R1: 0, R2: 0, C1: 0, C5: 0 };
const contractIds: Record<string, number> = {};

/** The contract list as its pages read it, every row on one page, by number. */
const listContracts = async (db: TestDatabase["db"], tenant: Tenant, filter: ContractFilter = {}) =>
  (await pageContracts(db, tenant, filter, { page: 1, size: 1000, sort: "ref", dir: "asc" }))
    .contracts;

beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
  for (const r of await t.db.selectFrom("resellers").select(["id", "ref"]).execute())
    (ids as Record<string, number>)[r.ref] = r.id;
  for (const c of await t.db.selectFrom("customers").select(["id", "ref"]).execute())
    (ids as Record<string, number>)[c.ref] = c.id;
  for (const k of await t.db.selectFrom("contracts").select(["id", "ref"]).execute())
    contractIds[k.ref] = k.id;
});
afterEach(() => t.dispose());

const provider: Tenant = { kind: "provider" };
const reseller = (ref: "R1" | "R2"): Tenant => ({ kind: "reseller", resellerId: ids[ref] });
const customer = (ref: "C1" | "C5"): Tenant => ({ kind: "customer", customerId: ids[ref] });

describe("demo data", () => {
  it("has the provider, two resellers, eight customers in both areas and ten contracts", async () => {
    expect(await t.db.selectFrom("resellers").select("ref").orderBy("ref").execute()).toEqual([
      { ref: "R1" },
      { ref: "R2" },
    ]);
    const contracts = await t.db.selectFrom("contracts").selectAll().execute();
    expect(contracts).toHaveLength(10);
    expect(new Set(contracts.map((c) => c.area))).toEqual(new Set(["east", "west"]));
    const items = await t.db.selectFrom("contract_items").select(["code", "ownership"]).execute();
    for (const model of ["gateway.gw10", "gateway.gw50", "gateway.gw100"]) {
      expect(items.some((i) => i.code === model && i.ownership === "rental")).toBe(true);
    }
    expect(items.some((i) => i.code.startsWith("gateway.") && i.ownership === "purchased")).toBe(
      true,
    );
    expect(items.some((i) => i.code === "endpoint" && i.ownership === "purchased")).toBe(true);
    // K-1001 started 20 months before 2026-11 on the 10th.
    expect(contracts.find((c) => c.ref === "K-1001")?.service_start).toBe("2025-03-10");
  });
});

describe("contracts by tenant", () => {
  it("lists everything for the provider and only own contracts otherwise", async () => {
    expect((await listContracts(t.db, provider)).map((c) => c.ref)).toHaveLength(10);
    expect((await listContracts(t.db, reseller("R1"))).map((c) => c.ref)).toEqual([
      "K-1001",
      "K-1002",
      "K-1003",
      "K-1004",
      "K-1005",
      "K-1006",
    ]);
    expect((await listContracts(t.db, reseller("R2"))).map((c) => c.ref)).toEqual([
      "K-2001",
      "K-2002",
      "K-2003",
      "K-2004",
    ]);
    expect((await listContracts(t.db, customer("C1"))).map((c) => c.ref)).toEqual([
      "K-1001",
      "K-1002",
    ]);
    expect((await listContracts(t.db, customer("C5"))).map((c) => c.ref)).toEqual(["K-2001"]);
  });

  it("finds a foreign contract as nothing, exactly like a missing one", async () => {
    expect(
      await getContract(t.db, { id: contractIds["K-2001"], tenant: customer("C1") }),
    ).toBeNull();
    expect(
      await getContract(t.db, { id: contractIds["K-1001"], tenant: reseller("R2") }),
    ).toBeNull();
    expect(await getContract(t.db, { id: 999_999, tenant: provider })).toBeNull();
    const own = await getContract(t.db, { id: contractIds["K-1001"], tenant: customer("C1") });
    expect(own?.contract.line_id).toBe("COP1830017");
    expect(
      (
        await pageContractDevices(
          t.db,
          own!.contract.id,
          pageRequest(new URLSearchParams(), DEVICE_SORT),
        )
      ).page.total,
    ).toBe(11); // GW-01 and 10 PCs
  });

  it("does not let a search reach across tenants", async () => {
    expect(await listContracts(t.db, customer("C1"), { search: "CAF" })).toEqual([]);
    expect((await listContracts(t.db, provider, { search: "あおば" })).map((c) => c.ref)).toEqual([
      "K-2001",
    ]);
  });
});

describe("customers by tenant", () => {
  it("scopes lists and lookups", async () => {
    expect((await listCustomers(t.db, reseller("R1"))).map((c) => c.ref)).toEqual([
      "C1",
      "C2",
      "C3",
      "C4",
    ]);
    expect(await getCustomer(t.db, { id: ids.C5, tenant: reseller("R1") })).toBeUndefined();
    expect((await getCustomer(t.db, { id: ids.C5, tenant: reseller("R2") }))?.name).toBe(
      "株式会社あおば設計",
    );
  });
});

describe("home figures", () => {
  it("counts within the tenant", async () => {
    const c1 = await homeFigures(t.db, customer("C1"), TEST_NOW);
    expect(c1.customers).toBe(1);
    expect(c1.contractsByStatus).toEqual({ active: 2 });
    expect(c1.endpointSeats).toEqual({ rental: 12, purchased: 3 }); // K-1001 grew from 10 to 12 seats
    expect(c1.gatewaysByModel).toEqual({ gw50: 1, gw10: 1 });
    expect(c1.devicesByType.gateway).toBe(2);
    const all = await homeFigures(t.db, provider, TEST_NOW);
    expect(all.customers).toBe(8);
    expect(all.contractsByStatus).toEqual({ active: 9, terminated: 1 });
  });
});

describe("T-6 one live contract per line", () => {
  it("refuses a second live contract on the same line id at the database", async () => {
    const base = await t.db
      .selectFrom("contracts")
      .selectAll()
      .where("ref", "=", "K-1001")
      .executeTakeFirstOrThrow();
    const { id: _id, ...copy } = base;
    await expect(
      t.db
        .insertInto("contracts")
        .values({ ...copy, ref: "K-DUP" })
        .execute(),
    ).rejects.toThrow(/UNIQUE|"contracts_live_line_unique"/);
    // A terminated contract does not hold its line.
    const old = await t.db
      .selectFrom("contracts")
      .selectAll()
      .where("ref", "=", "K-1006")
      .executeTakeFirstOrThrow();
    const { id: _oldId, ...again } = old;
    await t.db
      .insertInto("contracts")
      .values({ ...again, ref: "K-REUSE", status: "active", termination_date: null })
      .execute();
  });
});
