// Recording an outage shows the credit the billing run will deduct (T-24-2(2)).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import { outageCredits, recordOutage } from "../app/contracts/outages.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { yearMonth } from "../app/lib/jst";

let t: TestDatabase;
let k1003: number;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
  k1003 = (
    await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-1003")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => t.dispose());

// K-1003: base 3,000 + 5 rented endpoints (3,000). Down 73 h from 2027-01-30 20:00: blocks start
// 01-30 20:00 and 01-31 20:00 (January, 31 days: 2 days) and 02-01 20:00 (February, 28 days: 1).
const outage = {
  services: ["base", "endpoint"] as ("base" | "endpoint")[],
  knownAt: "2027-01-30T20:00:00+09:00",
  restoredAt: "2027-02-02T21:00:00+09:00",
  customerFault: false,
};

describe("outage credits", () => {
  it("previews the credit per month, floor(fee × days ÷ days in month) per service", async () => {
    expect(await outageCredits(t.db, k1003, outage)).toEqual([
      { month: "2027-01", creditYen: 193 + 193, closed: false },
      { month: "2027-02", creditYen: 107 + 107, closed: false },
    ]);
  });

  it("gives nothing for a customer-caused outage or one under 24 hours", async () => {
    expect(
      (await outageCredits(t.db, k1003, { ...outage, customerFault: true })).map(
        (c) => c.creditYen,
      ),
    ).toEqual([0, 0]);
    expect(
      (
        await outageCredits(t.db, k1003, { ...outage, restoredAt: "2027-01-31T19:59:00+09:00" })
      ).map((c) => c.creditYen),
    ).toEqual([0]);
  });

  it("records it and the billing run deducts exactly the previewed credit", async () => {
    await recordOutage(t.db, {
      contractId: k1003,
      outage,
      actor: { id: null, email: "operator@demo.example" },
      ip: "",
    });
    const january = (await planBillingMonth(t.db, yearMonth("2027-01"))).toIssue.find(
      (p) => p.contractRef === "K-1003",
    )!;
    expect(january.draft.lines.filter((l) => l.rule === "T-24-2").map((l) => l.amountYen)).toEqual([
      -193, -193,
    ]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "outage.record")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toContain("2027年1月: 386円、2027年2月: 214円");
  });
});
