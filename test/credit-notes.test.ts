// Credit notes correct an issued invoice without touching it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  creditableLines,
  getCreditNote,
  issueCreditNote,
} from "../app/billing/credit-notes.server";
import { getInvoice } from "../app/billing/invoices.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import {
  addTariffPrices,
  createContract,
  createCustomer,
  creditInvoice,
  issueInvoice,
  payInvoice,
} from "./support/factories";
import { isoDate, yearMonth } from "../app/lib/jst";

let t: TestDatabase;
const provider = { kind: "provider" } as const;
const actor = { id: "demo-user-3", email: "finance@demo.example" };

beforeEach(async () => {
  process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
  t = await createTestDatabase();
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});

/**
 * A September invoice with an endpoint line (15 rented seats, 9,000) and a sandbox line (1,000 from
 * the July tariff), paid in full on its due date.
 */
async function paidInvoice() {
  await addTariffPrices(t.db, { effectiveFrom: "2026-07-01", prices: { sandbox: 1000 } });
  const contract = await createContract(t.db, {
    serviceStart: "2025-06-07",
    items: [
      { code: "gateway.gw50", quantity: 1, ownership: "rental" },
      { code: "endpoint", quantity: 15, ownership: "rental" },
      { code: "sandbox", quantity: 1, ownership: "rental", from: "2026-09-01" },
    ],
  });
  const { invoiceId } = await issueInvoice(t.db, {
    contractId: contract.contractId,
    month: "2026-09",
  });
  await payInvoice(t.db, { invoiceId, paidOn: "2026-10-31" });
  return { ...contract, invoiceId };
}

const sandboxLineOf = async (invoiceId: number) =>
  (await creditableLines(t.db, invoiceId)).find((l) =>
    l.description.startsWith("クラウドサンドボックス"),
  )!;

describe("credit notes", () => {
  it("returns part of an invoice with its own number and tax, leaving the invoice untouched", async () => {
    const { invoiceId } = await paidInvoice();
    const before = await t.db
      .selectFrom("invoices")
      .selectAll()
      .where("id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    const lines = await creditableLines(t.db, invoiceId);
    const endpoint = lines.find((l) => l.description.startsWith("エンドポイント"))!;
    const sandbox = lines.find((l) => l.description.startsWith("クラウドサンドボックス"))!;
    expect([endpoint.amountYen, sandbox.amountYen]).toEqual([9000, 1000]);
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
    expect(result).toMatchObject({ ok: true, value: { number: "CN-00000001" } });
    if (!result.ok) throw new Error("not issued");
    const note = await getCreditNote(t.db, { id: result.value.id, tenant: provider });
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
    // The invoice (26,400, paid in full before the credit) is now owed 23,980 and still paid.
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
    const { invoiceId } = await paidInvoice();
    // The whole 1,000 yen of the sandbox line was returned before.
    await creditInvoice(t.db, {
      invoiceId,
      amounts: new Map([[(await sandboxLineOf(invoiceId)).invoiceLineId, 1000]]),
    });
    const sandbox = await sandboxLineOf(invoiceId);
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
      kind: "validation",
      fields: { [`line-${sandbox.invoiceLineId}`]: "返還できるのは 0円 までです" },
    });
    expect((await t.db.selectFrom("credit_notes").selectAll().execute()).length).toBe(1);
  });

  it("is immutable and invisible to other tenants", async () => {
    const { invoiceId, customerId } = await paidInvoice();
    const note = {
      id: (
        await creditInvoice(t.db, {
          invoiceId,
          amounts: new Map([[(await sandboxLineOf(invoiceId)).invoiceLineId, 1000]]),
        })
      ).creditNoteId,
    };
    await expect(
      t.db.updateTable("credit_notes").set({ reason: "x" }).where("id", "=", note.id).execute(),
    ).rejects.toThrow(/immutable/);
    await expect(t.db.deleteFrom("credit_note_lines").execute()).rejects.toThrow(/immutable/);
    const c1 = { id: (await createCustomer(t.db)).customerId };
    const c5 = { id: customerId };
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
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
  });
});

describe("T-26-3 interest waiver", () => {
  it("waives an overdue invoice's interest with a reason, audited, so the month of payment bills none", async () => {
    const { waiveInterest } = await import("../app/billing/interest-waivers.server");
    const { planBillingMonth } = await import("../app/billing/billing-run.server");
    const contract = await createContract(t.db, {
      serviceStart: "2025-12-18",
      items: [
        { code: "gateway.gw10", quantity: 1, ownership: "rental", repair24h: false },
        { code: "endpoint", quantity: 4, ownership: "purchased" },
      ],
    });
    const august = await issueInvoice(t.db, { contractId: contract.contractId, month: "2026-08" });
    expect(august.totalYen).toBe(9900);
    const overdue = { id: august.invoiceId, invoice_number: august.invoiceNumber };
    await payInvoice(t.db, { invoiceId: overdue.id, paidOn: "2026-11-20" });
    const interestLine = async () =>
      (await planBillingMonth(t.db, yearMonth("2026-11"))).toIssue
        .find((p) => p.contractRef === contract.ref)!
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
