// The provider's billing settings against a real database: the due date every invoice of the
// month is issued with (T-27-1), an interest-only invoice left unbilled when so set (T-26-3), and
// the journal row that makes a month being closed plan again (decision 0010).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth, runBillingMonth } from "../app/billing/billing-run.server";
import { getBillingSettings, updateBillingSettings } from "../app/settings/provider.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { instantOf, isoDate, yearMonth } from "../app/lib/jst";

const admin = { id: null, email: "admin@demo.example" };
let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  // K-1006 (terminated 2026-09-01) pays its October invoice (49,500 due 11-30) on 12-20: 19 days
  // → floor(49,500 × 0.145 × 19 ÷ 365) = 373 yen, the only line of its December invoice.
  const k1006 = await t.db
    .selectFrom("contracts")
    .select("id")
    .where("ref", "=", "K-1006")
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto("payments")
    .values({
      contract_id: k1006.id,
      billing_month: yearMonth("2026-10"),
      paid_on: isoDate("2026-12-20"),
      amount_yen: null,
      recorded_by: "test",
      created_at: instantOf(TEST_NOW),
    })
    .execute();
});
afterEach(() => t.dispose());

const december = async (ref: string) =>
  (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.find((p) => p.contractRef === ref)
    ?.draft;

describe("billing settings", () => {
  it("by default: due the last day of M+1, and an interest-only invoice is issued", async () => {
    expect(await getBillingSettings(t.db)).toEqual({
      dueMonthOffset: 1,
      dueDay: null,
      leaveInterestOnlyUnbilled: false,
    });
    const k1006 = await december("K-1006");
    expect(k1006?.lines.map((l) => [l.code, l.rule, l.amountYen, l.taxCategory])).toEqual([
      ["interest.late", "T-26", 373, "non_taxable"],
    ]);
    expect(k1006?.dueDate).toBe("2027-01-31");
  });

  it("once set: due the 10th of M+2, interest-only invoices left unbilled; audited and journaled", async () => {
    const journal = async () =>
      await t.db
        .selectFrom("billing_changes")
        .select(["id", "contract_id"])
        .orderBy("id", "desc")
        .executeTakeFirst();
    const before = await journal();
    await updateBillingSettings(
      t.db,
      { dueMonthOffset: 2, dueDay: 10, leaveInterestOnlyUnbilled: true },
      admin,
      "10.0.0.1",
    );
    const after = await journal();
    expect(after!.id).toBeGreaterThan(before?.id ?? 0);
    expect(after!.contract_id).toBeNull();
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "provider.billing_settings")
      .execute();
    expect(audit).toEqual([
      {
        summary:
          "請求の設定を変更: 支払期限 翌月末日→翌々月10日、延滞利息のみの請求書 請求する→請求しない",
      },
    ]);

    expect(await december("K-1006")).toBeUndefined();
    const plan = await planBillingMonth(t.db, yearMonth("2026-12"));
    expect(plan.toIssue.length).toBeGreaterThan(0);
    expect(new Set(plan.toIssue.map((p) => p.draft.dueDate))).toEqual(new Set(["2027-02-10"]));
  });

  it("issues with the settings and keeps issued invoices as they are", async () => {
    await updateBillingSettings(
      t.db,
      { dueMonthOffset: 2, dueDay: 10, leaveInterestOnlyUnbilled: true },
      admin,
      "10.0.0.1",
    );
    await runBillingMonth(t.db, yearMonth("2026-11"), {
      at: new Date("2026-12-01T09:00:00+09:00"),
    });
    const dues = await t.db
      .selectFrom("invoices")
      .select(["billing_month", "due_date"])
      .where("billing_month", "in", [yearMonth("2026-10"), yearMonth("2026-11")])
      .execute();
    expect(
      new Set(dues.filter((d) => d.billing_month === "2026-10").map((d) => d.due_date)),
    ).toEqual(new Set(["2026-11-30"]));
    expect(
      new Set(dues.filter((d) => d.billing_month === "2026-11").map((d) => d.due_date)),
    ).toEqual(new Set(["2027-01-10"]));
  });
});
