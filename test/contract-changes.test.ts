// Contract changes through review (T-9, T-13, S4 ※1) against a real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import {
  contactHistory,
  decideChange,
  listChanges,
  requestChange,
} from "../app/contracts/contract-changes.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate, type IsoDate, yearMonth } from "../app/lib/jst";

let t: TestDatabase;
let k1003: { id: number; customer_id: number };
let c5: number;
const actor = { id: null, email: "reseller@demo.example" };
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
  k1003 = await t.db
    .selectFrom("contracts")
    .select(["id", "customer_id"])
    .where("ref", "=", "K-1003")
    .executeTakeFirstOrThrow();
  c5 = (
    await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C5")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => t.dispose());

const R1 = async () => ({
  kind: "reseller" as const,
  resellerId: (
    await t.db
      .selectFrom("resellers")
      .select("id")
      .where("ref", "=", "R1")
      .executeTakeFirstOrThrow()
  ).id,
});

describe("contract changes", () => {
  it("shows a downgrade's ETF when asked, and bills it once approved", async () => {
    // K-1003 started 2025-09-21: a change on 2026-12-01 → B = Sept 2025 – Nov 2026 = 15, remaining 9 → 9 × 3,000.
    const result = await requestChange(t.db, {
      contractId: k1003.id,
      tenant: await R1(),
      change: { kind: "base_plan", basePlan: "base.lite" },
      date: isoDate("2026-12-01"),
      today: isoDate("2026-11-22"),
      at: TEST_NOW,
      actor,
      ip: "",
    });
    expect(result).toMatchObject({
      ok: true,
      value: { etfYen: 27000, monthlyBeforeYen: 6000, monthlyAfterYen: 5000 },
    });
    const [change] = await listChanges(t.db, k1003.id);
    expect(change.status).toBe("requested");
    expect(
      (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue
        .find((p) => p.contractRef === "K-1003")!
        .draft.lines.some((l) => l.code === "etf.downgrade"),
    ).toBe(false);
    expect(
      await decideChange(t.db, {
        changeId: change.id,
        approve: true,
        reason: "",
        at: TEST_NOW,
        actor: { id: null, email: "operator@demo.example" },
        ip: "",
      }),
    ).toEqual({ ok: true });
    const december = (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.find(
      (p) => p.contractRef === "K-1003",
    )!;
    expect(december.draft.lines.find((l) => l.code === "etf.downgrade")).toMatchObject({
      amountYen: 27000,
      taxCategory: "non_taxable",
      rule: "S4※1",
    });
  });

  it("records a contact change with its history (T-13)", async () => {
    await requestChange(t.db, {
      contractId: k1003.id,
      tenant: await R1(),
      date: isoDate("2026-11-25"),
      today: isoDate("2026-11-22"),
      at: TEST_NOW,
      actor,
      ip: "",
      change: {
        kind: "contact",
        name: "なにわ会計事務所",
        address: "大阪府大阪市北区梅田1-1-1",
        phone: "06-6201-0002",
        email: "office@naniwa-kaikei.example",
      },
    });
    const pending = (await listChanges(t.db, k1003.id)).find((c) => c.status === "requested")!;
    await decideChange(t.db, {
      changeId: pending.id,
      approve: true,
      reason: "",
      at: TEST_NOW,
      actor: { id: null, email: "operator@demo.example" },
      ip: "",
    });
    const history = await contactHistory(t.db, k1003.customer_id);
    expect(history.map((h) => [h.field, h.old_value, h.new_value, h.effective_date])).toEqual([
      ["address", "大阪府大阪市中央区北浜3-5-8", "大阪府大阪市北区梅田1-1-1", "2026-11-25"],
    ]);
    const customer = await t.db
      .selectFrom("customers")
      .select("address")
      .where("id", "=", k1003.customer_id)
      .executeTakeFirstOrThrow();
    expect(customer.address).toBe("大阪府大阪市北区梅田1-1-1");
  });

  it("approving more seats adds a line of the extra seats; fewer seats end the lines and start one (item rule)", async () => {
    const k1001 = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-1001")
      .executeTakeFirstOrThrow();
    const operator = { id: null, email: "operator@demo.example" };
    const change = async (quantity: number, date: IsoDate) => {
      const requested = await requestChange(t.db, {
        contractId: k1001.id,
        tenant: await R1(),
        change: { kind: "endpoint_seats", quantity },
        date,
        today: isoDate("2026-11-22"),
        at: TEST_NOW,
        actor,
        ip: "",
      });
      expect(requested).toMatchObject({ ok: true });
      const pending = (await listChanges(t.db, k1001.id)).find((c) => c.status === "requested")!;
      expect(
        await decideChange(t.db, {
          changeId: pending.id,
          approve: true,
          reason: "",
          at: TEST_NOW,
          actor: operator,
          ip: "",
        }),
      ).toEqual({ ok: true });
    };
    const seatLines = () =>
      t.db
        .selectFrom("contract_items")
        .select(["quantity", "from_date", "to_date"])
        .where("contract_id", "=", k1001.id)
        .where("code", "=", "endpoint")
        .orderBy("id")
        .execute();
    // The demo: 10 seats from the start, 2 more since August.
    const [original, august] = await seatLines();
    expect([original.quantity, original.to_date, august.quantity, august.to_date]).toEqual([
      10,
      null,
      2,
      null,
    ]);

    await change(13, isoDate("2026-12-01"));
    expect(await seatLines()).toEqual([
      original,
      august,
      { quantity: 1, from_date: "2026-12-01", to_date: null },
    ]);
    const december = (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.find(
      (p) => p.contractRef === "K-1001",
    )!;
    expect(
      december.draft.lines
        .filter((l) => l.code === "endpoint")
        .map((l) => [l.quantity, l.amountYen]),
    ).toEqual([
      [10, 6000],
      [2, 1200],
      [1, 600],
    ]);

    await change(11, isoDate("2026-12-10"));
    expect(await seatLines()).toEqual([
      { ...original, to_date: "2026-12-10" },
      { ...august, to_date: "2026-12-10" },
      { quantity: 1, from_date: "2026-12-01", to_date: "2026-12-10" },
      { quantity: 11, from_date: "2026-12-10", to_date: null },
    ]);
    // December: the 10- and 2-seat lines are removed in December (not charged); the 1-seat line was
    // added and removed in December (charged once); the 11-seat line starts in December.
    const after = (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.find(
      (p) => p.contractRef === "K-1001",
    )!;
    expect(after.draft.lines.filter((l) => l.code === "endpoint").map((l) => l.quantity)).toEqual([
      1, 11,
    ]);
  });

  it("does not let another tenant ask for a change", async () => {
    expect(
      await requestChange(t.db, {
        contractId: k1003.id,
        tenant: { kind: "customer", customerId: c5 },
        change: { kind: "endpoint_seats", quantity: 1 },
        date: isoDate("2026-12-01"),
        today: isoDate("2026-11-22"),
        at: TEST_NOW,
        actor,
        ip: "",
      }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
  });
});
