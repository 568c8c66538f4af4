// Credit notes correct an issued invoice without touching it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  creditableLines,
  getCreditNote,
  issueCreditNote,
} from "../app/billing/credit-notes.server";
import { getInvoice } from "../app/billing/invoices.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { instantOf, isoDate, yearMonth } from "../app/lib/jst";

let t: TestDatabase;
let invoiceId: number;
const provider = { kind: "provider" } as const;
const actor = { id: "demo-user-3", email: "finance@demo.example" };

beforeAll(async () => {
  process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
  t = await createTestDatabase({ seed: true });
  invoiceId = (
    await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .select("invoices.id")
      .where("contracts.ref", "=", "K-2001")
      .where("billing_month", "=", yearMonth("2026-09"))
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});

describe("credit notes", () => {
  it("returns part of an invoice with its own number and tax, leaving the invoice untouched", async () => {
    const before = await t.db
      .selectFrom("invoices")
      .selectAll()
      .where("id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    const lines = await creditableLines(t.db, invoiceId);
    const endpoint = lines.find((l) => l.description.startsWith("エンドポイント"))!;
    const sandbox = lines.find((l) => l.description.startsWith("クラウドサンドボックス"))!;
    const result = await issueCreditNote(t.db, {
      invoiceId,
      tenant: provider,
      reason: "サンドボックスの誤課金と端末2台分の返還",
      amounts: new Map([
        [sandbox.invoiceLineId, 1000],
        [endpoint.invoiceLineId, 1200],
      ]),
      actor,
      ip: "127.0.0.1",
    });
    expect(result).toMatchObject({ ok: true, number: "CN-00000001" });
    if (!result?.ok) throw new Error("not issued");
    const note = await getCreditNote(t.db, { id: result.id, tenant: provider });
    // 1,000 + 1,200 = 2,200 → tax 220 → 2,420
    expect(note?.note).toMatchObject({
      taxable_10_yen: 2200,
      tax_10_yen: 220,
      non_taxable_yen: 0,
      total_yen: 2420,
      issue_date: "2026-11-22",
    });
    expect(note?.lines.map((l) => l.amount_yen)).toEqual([1200, 1000]);
    const after = await t.db
      .selectFrom("invoices")
      .selectAll()
      .where("id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    // The invoice (25,593, paid in full before the credit) is now owed 23,173 and still paid.
    const invoice = await getInvoice(
      t.db,
      { id: invoiceId, tenant: provider },
      isoDate("2026-11-22"),
    );
    expect(invoice).toMatchObject({ creditedYen: 2420, state: "paid", outstandingYen: 0 });
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "credit_note.issue")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toContain("CN-00000001（2,420円）");
  });

  it("refuses returning more than is left of a line, and writes nothing", async () => {
    const sandbox = (await creditableLines(t.db, invoiceId)).find((l) =>
      l.description.startsWith("クラウドサンドボックス"),
    )!;
    expect(sandbox.alreadyCreditedYen).toBe(1000);
    const result = await issueCreditNote(t.db, {
      invoiceId,
      tenant: provider,
      reason: "二重返還",
      amounts: new Map([[sandbox.invoiceLineId, 1]]),
      actor,
      ip: "127.0.0.1",
    });
    expect(result).toEqual({
      ok: false,
      errors: { [`line-${sandbox.invoiceLineId}`]: "返還できるのは 0円 までです" },
    });
    expect((await t.db.selectFrom("credit_notes").selectAll().execute()).length).toBe(1);
  });

  it("is immutable and invisible to other tenants", async () => {
    const note = await t.db.selectFrom("credit_notes").select("id").executeTakeFirstOrThrow();
    await expect(
      t.db.updateTable("credit_notes").set({ reason: "x" }).where("id", "=", note.id).execute(),
    ).rejects.toThrow(/immutable/);
    await expect(t.db.deleteFrom("credit_note_lines").execute()).rejects.toThrow(/immutable/);
    const c1 = await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow();
    const c5 = await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C5")
      .executeTakeFirstOrThrow();
    expect(
      await getCreditNote(t.db, { id: note.id, tenant: { kind: "customer", customerId: c1.id } }),
    ).toBeNull();
    expect(
      await getCreditNote(t.db, { id: note.id, tenant: { kind: "customer", customerId: c5.id } }),
    ).not.toBeNull();
    expect(
      await issueCreditNote(t.db, {
        invoiceId,
        tenant: { kind: "customer", customerId: c1.id },
        reason: "x",
        amounts: new Map(),
        actor,
        ip: "",
      }),
    ).toBeNull();
  });
});

describe("T-26-3 interest waiver", () => {
  it("waives an overdue invoice's interest with a reason, audited, so the month of payment bills none", async () => {
    const { waiveInterest } = await import("../app/billing/interest-waivers.server");
    const { planBillingMonth } = await import("../app/billing/billing-run.server");
    const overdue = await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .select(["invoices.id", "invoices.contract_id", "invoices.invoice_number"])
      .where("contracts.ref", "=", "K-2002")
      .where("billing_month", "=", yearMonth("2026-08"))
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("payments")
      .values({
        contract_id: overdue.contract_id,
        billing_month: yearMonth("2026-08"),
        paid_on: isoDate("2026-11-20"),
        amount_yen: null,
        recorded_by: "test",
        created_at: instantOf(new Date()),
      })
      .execute();
    const interestLine = async () =>
      (await planBillingMonth(t.db, yearMonth("2026-11"))).toIssue
        .find((p) => p.contractRef === "K-2002")!
        .draft.lines.find((l) => l.code === "interest.late");
    // 9,900 due 09-30, paid 11-20: 50 days → floor(9,900 × 0.145 × 50 ÷ 365) = 196
    expect((await interestLine())?.amountYen).toBe(196);
    expect(
      await waiveInterest(t.db, {
        invoiceId: overdue.id,
        tenant: provider,
        reason: "災害による支払遅延",
        actor,
        ip: "",
      }),
    ).toEqual({ ok: true });
    expect(await interestLine()).toBeUndefined();
    expect(
      await waiveInterest(t.db, {
        invoiceId: overdue.id,
        tenant: provider,
        reason: "再度",
        actor,
        ip: "",
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "この請求書の延滞利息はすでに免除されています",
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "interest.waive")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toBe(
      `${overdue.invoice_number} の延滞利息を免除（第26条第3項）: 災害による支払遅延`,
    );
  });
});
