// T-26: the principal of an invoice is its total less the interest lines on it; when a credit
// note returns an interest line, that interest is not taken off the principal a second time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBillingMonth, runBillingMonth } from "../app/billing/billing-run.server";
import { creditableLines, issueCreditNote } from "../app/billing/credit-notes.server";
import { getInvoice } from "../app/billing/invoices.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { instantOf, isoDate, yearMonth } from "../app/lib/jst";

const provider = { kind: "provider" } as const;
const actor = { id: null, email: "finance@demo.example" };
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase({ seed: true, events: false });
});
afterAll(() => t.dispose());

describe("late interest on an invoice whose interest line was credited", () => {
  it("runs on 9,900, not 9,900 − the returned interest", async () => {
    const k2002 = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-2002")
      .executeTakeFirstOrThrow();
    // August (9,900, due 09-30) paid 11-20: 50 days → 196 yen of interest on November's invoice.
    await t.db
      .insertInto("payments")
      .values({
        contract_id: k2002.id,
        billing_month: yearMonth("2026-08"),
        paid_on: isoDate("2026-11-20"),
        amount_yen: null,
        recorded_by: "test",
        created_at: instantOf(new Date()),
      })
      .execute();
    await runBillingMonth(t.db, yearMonth("2026-11"), {
      at: new Date("2026-12-01T09:00:00+09:00"),
    });
    const november = await t.db
      .selectFrom("invoices")
      .select(["id", "total_yen", "interest_yen", "due_date"])
      .where("contract_id", "=", k2002.id)
      .where("billing_month", "=", yearMonth("2026-11"))
      .executeTakeFirstOrThrow();
    expect(november).toMatchObject({ total_yen: 10096, interest_yen: 196, due_date: "2026-12-31" });

    // The interest is returned by a credit note; the customer then owes 9,900.
    const interestLine = (await creditableLines(t.db, november.id)).find((l) => l.rule === "T-26")!;
    expect(
      await issueCreditNote(t.db, {
        invoiceId: november.id,
        tenant: provider,
        reason: "延滞利息の返還（当社の入金確認遅れ）",
        amounts: new Map([[interestLine.invoiceLineId, 196]]),
        actor,
        ip: "",
      }),
    ).toMatchObject({ ok: true });

    // Paid in full on 2027-01-20: 19 days → floor(9,900 × 0.145 × 19 ÷ 365) = 74 (73 when 196 was taken off again).
    await t.db
      .insertInto("payments")
      .values({
        contract_id: k2002.id,
        billing_month: yearMonth("2026-11"),
        paid_on: isoDate("2027-01-20"),
        amount_yen: null,
        recorded_by: "test",
        created_at: instantOf(new Date()),
      })
      .execute();
    const shown = await getInvoice(
      t.db,
      { id: november.id, tenant: provider },
      isoDate("2027-01-21"),
    );
    expect(shown).toMatchObject({
      state: "paid",
      principal: { principalYen: 9900 },
      interest: { settledYen: 74 },
    });
    const january = (await planBillingMonth(t.db, yearMonth("2027-01"))).toIssue.find(
      (p) => p.contractRef === "K-2002",
    )!;
    expect(january.draft.lines.find((l) => l.rule === "T-26")?.amountYen).toBe(74);
  });
});
