// T-26 interest of a payment recorded after the invoice of its month was issued: carried to the
// contract's next invoice instead of lost; when that month is still to be invoiced, billed there.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth, runBillingMonth } from "../app/billing/billing-run.server";
import { waiveInterest } from "../app/billing/interest-waivers.server";
import { recordPayment } from "../app/billing/payments.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { instant, isoDate, yearMonth, type YearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
const finance = { id: null, email: "finance@demo.example" };
const provider = { kind: "provider" as const };

beforeAll(() => {
  process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
});
afterAll(() => {
  delete process.env.APP_NOW;
});
beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
});
afterEach(async () => {
  process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
  await t.dispose();
});

const invoiceId = async (number: string) =>
  (
    await t.db
      .selectFrom("invoices")
      .select("id")
      .where("invoice_number", "=", number)
      .executeTakeFirstOrThrow()
  ).id;
const interestLines = async (contractRef: string, month: YearMonth) =>
  (await planBillingMonth(t.db, month)).toIssue
    .find((p) => p.contractRef === contractRef)!
    .draft.lines.filter((l) => l.code === "interest.late")
    .map((l) => [l.rule, l.description, l.amountYen, l.taxCategory]);

describe("late interest of a payment recorded late (T-26)", () => {
  it("goes on the next invoice when the month of the final payment was already invoiced", async () => {
    // K-2002's August invoice (9,900, due 2026-09-30) paid on 2026-10-25, recorded on 2026-11-22
    // after October was invoiced: 24 days (10-01..10-24) → floor(9,900 × 0.145 × 24 ÷ 365) = 94.
    expect(
      await recordPayment(t.db, {
        invoiceId: await invoiceId("INV-00000037"),
        tenant: provider,
        payment: { paidOn: isoDate("2026-10-25"), amountYen: null },
        actor: finance,
        ip: "",
      }),
    ).toEqual({ ok: true });
    expect(await interestLines("K-2002", yearMonth("2026-11"))).toEqual([
      [
        "T-26",
        "延滞利息（請求書 INV-00000037、2026年10月の完済を請求後に記録したため繰越し）",
        94,
        "non_taxable",
      ],
    ]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "payment.record")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toBe(
      "INV-00000037 に入金 9,900円（2026-10-25）・完済、延滞利息 94円を 2026年11月分の請求へ繰越し",
    );
    // Waived before November is invoiced (T-26-3): the carried interest goes with it.
    expect(
      await waiveInterest(t.db, {
        invoiceId: await invoiceId("INV-00000037"),
        tenant: provider,
        reason: "入金記録の遅れは当社都合",
        actor: finance,
        ip: "",
      }),
    ).toEqual({ ok: true });
    expect(await interestLines("K-2002", yearMonth("2026-11"))).toEqual([]);
  });

  it("is billed by the month's own invoice when that month is still to be invoiced, and nothing is carried", async () => {
    // Paid on 2026-11-20 instead: 50 days (10-01..11-19) → floor(9,900 × 0.145 × 50 ÷ 365) = 196, on November's invoice by the rule itself.
    await recordPayment(t.db, {
      invoiceId: await invoiceId("INV-00000037"),
      tenant: provider,
      payment: { paidOn: isoDate("2026-11-20"), amountYen: null },
      actor: finance,
      ip: "",
    });
    expect(await interestLines("K-2002", yearMonth("2026-11"))).toEqual([
      ["T-26", "延滞利息（請求書 INV-00000037）", 196, "non_taxable"],
    ]);
    expect(
      await t.db
        .selectFrom("manual_lines")
        .select("id")
        .where("code", "=", "interest.late")
        .execute(),
    ).toEqual([]);
  });

  it("goes on the next invoice when the month of the final payment was closed without an invoice for the contract", async () => {
    process.env.APP_NOW = "2027-01-05T10:00:00+09:00";
    for (const month of ["2026-11", "2026-12"]) {
      await runBillingMonth(t.db, yearMonth(month), {
        at: new Date(`${month === "2026-11" ? "2026-12-01" : "2027-01-01"}T06:00:00+09:00`),
      });
    }
    const k1006 = (
      await t.db
        .selectFrom("contracts")
        .select("id")
        .where("ref", "=", "K-1006")
        .executeTakeFirstOrThrow()
    ).id;
    // K-1006 ended on 2026-09-01: December was closed without an invoice for it.
    expect(
      await t.db
        .selectFrom("invoices")
        .select("id")
        .where("contract_id", "=", k1006)
        .where("billing_month", ">=", yearMonth("2026-11"))
        .execute(),
    ).toEqual([]);
    // Its October invoice (49,500, due 2026-11-30) paid on 2026-12-20, recorded on 2027-01-05:
    // 12-01..12-19 = 19 days → floor(49,500 × 0.145 × 19 ÷ 365) = floor(373.62…) = 373, on January's invoice.
    await recordPayment(t.db, {
      invoiceId: await invoiceId("INV-00000055"),
      tenant: provider,
      payment: { paidOn: isoDate("2026-12-20"), amountYen: null },
      actor: finance,
      ip: "",
    });
    expect(await interestLines("K-1006", yearMonth("2027-01"))).toEqual([
      [
        "T-26",
        "延滞利息（請求書 INV-00000055、2026年12月の完済を請求後に記録したため繰越し）",
        373,
        "non_taxable",
      ],
    ]);
  });

  it("carries nothing for a partial payment, nor for an invoice whose interest was waived (T-26-3)", async () => {
    const id = await invoiceId("INV-00000037");
    await recordPayment(t.db, {
      invoiceId: id,
      tenant: provider,
      payment: { paidOn: isoDate("2026-10-25"), amountYen: toYen(5000) },
      actor: finance,
      ip: "",
    });
    expect(
      await t.db
        .selectFrom("manual_lines")
        .select("id")
        .where("code", "=", "interest.late")
        .execute(),
    ).toEqual([]);
    await t.db
      .insertInto("interest_waivers")
      .values({
        invoice_id: id,
        reason: "災害による支払遅延",
        waived_by: "finance@demo.example",
        waived_at: instant("2026-11-22T01:00:00.000Z"),
      })
      .execute();
    await recordPayment(t.db, {
      invoiceId: id,
      tenant: provider,
      payment: { paidOn: isoDate("2026-10-28"), amountYen: null },
      actor: finance,
      ip: "",
    });
    expect(
      await t.db
        .selectFrom("manual_lines")
        .select("id")
        .where("code", "=", "interest.late")
        .execute(),
    ).toEqual([]);
  });
});
