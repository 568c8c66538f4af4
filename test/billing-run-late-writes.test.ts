// Writes committed while a month is being closed (billing-run.server.ts, the billing journal of
// migration 000960): the batch that issues a contract's invoice first plans again every contract
// written since the plan was read, so the invoice holds everything committed before that batch; a
// write after the contract's invoice is a write after it (T-26 interest goes on the next one).
// Everything else is issued exactly as by an undisturbed run.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lastBillingChange, pruneBillingChanges } from "../app/billing/billing-changes.server";
import { planBillingMonth, runBillingMonth } from "../app/billing/billing-run.server";
import { invoiceCsv, lineCsv } from "../app/billing/export.server";
import { waiveInterest } from "../app/billing/interest-waivers.server";
import { recordPayment } from "../app/billing/payments.server";
import { decideChange, listChanges, requestChange } from "../app/contracts/contract-changes.server";
import { recordOutage } from "../app/contracts/outages.server";
import { bookVisit, recordVisitDone } from "../app/contracts/visit-bookings.server";
import type { YearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { instantOf, isoDate, type IsoDate, yearMonth } from "../app/lib/jst";

const provider = { kind: "provider" as const };
const finance = { id: null, email: "finance@demo.example" };
const operator = { id: null, email: "operator@demo.example" };
/** November 2026 is closed on December 1st, two invoices per batch: 9 invoices, done = 2, 4, 6, 8, 9. */
const NOVEMBER_CLOSE = new Date("2026-12-01T06:00:00+09:00");
const DECEMBER_CLOSE = new Date("2027-01-05T06:00:00+09:00");

let t: TestDatabase;
/** November as an undisturbed run on the same demo data issues it: invoice CSV and line CSV. */
let undisturbed: { invoices: string[]; lines: string[] };

async function exported(db: TestDatabase["db"], month: YearMonth) {
  return {
    invoices: (await invoiceCsv(db, month)).trimEnd().split("\r\n"),
    lines: (await lineCsv(db, month)).trimEnd().split("\r\n"),
  };
}

/** Closes `month` two invoices per batch, running `between` after each batch (it is awaited). */
function close(
  month: YearMonth,
  at: Date,
  between: (done: number) => Promise<void> = async () => undefined,
) {
  return runBillingMonth(t.db, month, {
    at,
    batchSize: 2,
    onProgress: ({ done }) => between(done),
  });
}

const issuedCount = async (month: YearMonth) =>
  Number(
    (
      await t.db
        .selectFrom("invoices")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("billing_month", "=", month)
        .executeTakeFirstOrThrow()
    ).n,
  );
const invoiceId = async (number: string) =>
  (
    await t.db
      .selectFrom("invoices")
      .select("id")
      .where("invoice_number", "=", number)
      .executeTakeFirstOrThrow()
  ).id;
const contractId = async (ref: string) =>
  (await t.db.selectFrom("contracts").select("id").where("ref", "=", ref).executeTakeFirstOrThrow())
    .id;
const pay = async (invoiceNumber: string, paidOn: IsoDate) =>
  recordPayment(t.db, {
    invoiceId: await invoiceId(invoiceNumber),
    tenant: provider,
    payment: { paidOn, amountYen: null },
    actor: finance,
    ip: "",
  });

/** The issued invoice of `ref` for `month`: its number, recipient, totals and lines as [code, amount, tax category]. */
async function issued(ref: string, month: YearMonth) {
  const invoice = await t.db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .select([
      "invoices.id",
      "invoices.invoice_number",
      "invoices.recipient_name",
      "invoices.taxable_10_yen",
      "invoices.tax_10_yen",
      "invoices.non_taxable_yen",
      "invoices.interest_yen",
      "invoices.total_yen",
    ])
    .where("contracts.ref", "=", ref)
    .where("invoices.billing_month", "=", month)
    .executeTakeFirst();
  if (!invoice) return null;
  const lines = await t.db
    .selectFrom("invoice_lines")
    .select(["code", "description", "amount_yen", "tax_category"])
    .where("invoice_id", "=", invoice.id)
    .orderBy("position")
    .execute();
  const { id: _id, ...rest } = invoice;
  return {
    ...rest,
    lines: lines.map((l) => [l.code, l.amount_yen, l.tax_category]),
    descriptions: lines.map((l) => l.description),
  };
}

/** The CSV rows of `rows` not about contract `ref` (the header stays). */
const without = (rows: string[], ref: string) => rows.filter((r) => !r.includes(`,${ref},`));

beforeAll(async () => {
  const reference = await createTestDatabase({ seed: true, events: false });
  const result = await runBillingMonth(reference.db, yearMonth("2026-11"), {
    at: NOVEMBER_CLOSE,
    batchSize: 2,
  });
  expect(result).toMatchObject({ issued: 9, problems: [] });
  undisturbed = await exported(reference.db, yearMonth("2026-11"));
  await reference.dispose();
  expect(undisturbed.invoices).toHaveLength(10);
});
beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  process.env.APP_NOW = "2026-12-01T10:00:00+09:00";
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});
afterAll(() => {
  delete process.env.APP_NOW;
});

describe("a final payment recorded while its month is being closed (T-26)", () => {
  it("puts the late interest on that month's invoice when the contract's batch is still to come", async () => {
    const result = await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      // After the first batch (K-1001, K-1002); K-2002 is in the fourth.
      expect(await pay("INV-00000037", isoDate("2026-11-20"))).toEqual({ ok: true });
    });
    expect(result).toMatchObject({ alreadyClosed: false, issued: 9, problems: [] });
    // K-2002's August invoice: 9,900 yen due 2026-09-30, paid in full on 2026-11-20, past the
    // 15 days' grace (10-01..10-15). Interest runs from the day after the due date to the day
    // before payment: 10-01..11-19 = 31 + 19 = 50 days → floor(9,900 × 0.145 × 50 ÷ 365) =
    // floor(71,775 ÷ 365) = floor(196.64…) = 196 yen, non-taxable, on November's invoice.
    expect(await issued("K-2002", yearMonth("2026-11"))).toMatchObject({
      invoice_number: "INV-00000066",
      taxable_10_yen: 9000,
      tax_10_yen: 900,
      non_taxable_yen: 196,
      interest_yen: 196,
      total_yen: 10096,
      lines: [
        ["base.standard", 3000, "taxable_10"],
        ["gateway.gw10", 6000, "taxable_10"],
        ["interest.late", 196, "non_taxable"],
      ],
    });
    expect((await issued("K-2002", yearMonth("2026-11")))!.descriptions[2]).toBe(
      "延滞利息（請求書 INV-00000037）",
    );
    // Nothing carried to December, and every other invoice as an undisturbed run issues it.
    expect(
      await t.db
        .selectFrom("manual_lines")
        .select("id")
        .where("code", "=", "interest.late")
        .execute(),
    ).toEqual([]);
    const month = await exported(t.db, yearMonth("2026-11"));
    expect(without(month.invoices, "K-2002")).toEqual(without(undisturbed.invoices, "K-2002"));
    expect(without(month.lines, "K-2002")).toEqual(without(undisturbed.lines, "K-2002"));
    expect(
      await t.db
        .selectFrom("billing_months")
        .select(["status", "invoice_count"])
        .where("month", "=", yearMonth("2026-11"))
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: "closed", invoice_count: 9 });
  });

  it("carries it to the next month when recorded after the contract's invoice was issued, leaving the issued month as it was", async () => {
    await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 8) return;
      // After the fourth batch (K-2002, K-2003): K-2002's November invoice exists.
      expect(await issued("K-2002", yearMonth("2026-11"))).not.toBeNull();
      expect(await issuedCount(yearMonth("2026-11"))).toBe(8);
      expect(await pay("INV-00000037", isoDate("2026-11-20"))).toEqual({ ok: true });
    });
    // The month is exactly the undisturbed one: K-2002's invoice without interest.
    expect(await exported(t.db, yearMonth("2026-11"))).toEqual(undisturbed);
    // The same 196 yen (50 days, see above) on December's invoice as a T-26 line (INTERPRETATIONS.md).
    const carried = await t.db
      .selectFrom("manual_lines")
      .select(["contract_id", "line_date", "amount_yen", "taxable", "rule", "description"])
      .where("code", "=", "interest.late")
      .execute();
    expect(carried).toEqual([
      {
        contract_id: await contractId("K-2002"),
        line_date: "2026-12-01",
        amount_yen: 196,
        taxable: 0,
        rule: "T-26",
        description:
          "延滞利息（請求書 INV-00000037、2026年11月の完済を請求後に記録したため繰越し）",
      },
    ]);
    const december = (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.find(
      (p) => p.contractRef === "K-2002",
    )!;
    expect(
      december.draft.lines
        .filter((l) => l.code === "interest.late")
        .map((l) => [l.rule, l.amountYen, l.taxCategory]),
    ).toEqual([["T-26", 196, "non_taxable"]]);
  });

  it("gives a contract with nothing else to bill an invoice for the interest", async () => {
    process.env.APP_NOW = "2027-01-05T10:00:00+09:00";
    expect(await close(yearMonth("2026-11"), NOVEMBER_CLOSE)).toMatchObject({ issued: 9 });
    // K-1006 ended on 2026-09-01: no fee in December, no invoice planned for it.
    expect(
      (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.map((p) => p.contractRef),
    ).not.toContain("K-1006");
    const result = await close(yearMonth("2026-12"), DECEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      // Its October invoice (49,500 yen: the unreturned gateway 45,000 + tax), due 2026-11-30,
      // paid on 2026-12-20: 12-01..12-19 = 19 days → floor(49,500 × 0.145 × 19 ÷ 365) =
      // floor(136,372.5 ÷ 365) = floor(373.62…) = 373 yen.
      expect(await pay("INV-00000055", isoDate("2026-12-20"))).toEqual({ ok: true });
    });
    expect(result).toMatchObject({ issued: 10, problems: [] });
    expect(await issued("K-1006", yearMonth("2026-12"))).toMatchObject({
      taxable_10_yen: 0,
      tax_10_yen: 0,
      non_taxable_yen: 373,
      interest_yen: 373,
      total_yen: 373,
      lines: [["interest.late", 373, "non_taxable"]],
    });
    // In contract-ref order among the invoices not issued yet (after K-1005), numbers without a gap.
    const numbers = (await exported(t.db, yearMonth("2026-12"))).invoices
      .slice(1)
      .map((r) => r.split(",").slice(0, 3).join(" "));
    expect(numbers.slice(0, 6)).toEqual([
      "INV-00000069 C1 K-1001",
      "INV-00000070 C1 K-1002",
      "INV-00000071 C2 K-1003",
      "INV-00000072 C3 K-1004",
      "INV-00000073 C4 K-1005",
      "INV-00000074 C2 K-1006",
    ]);
    expect(numbers).toHaveLength(10);
    expect(numbers.at(-1)).toMatch(/^INV-00000078 /);
  });
});

describe("other writes while the month is being closed", () => {
  it("an interest waiver (T-26-3) recorded before the contract's batch leaves the interest off", async () => {
    await pay("INV-00000037", isoDate("2026-11-20")); // 196 yen of interest for November (see above)
    expect(
      (await planBillingMonth(t.db, yearMonth("2026-11"))).toIssue.find(
        (p) => p.contractRef === "K-2002",
      )!.draft.totals.nonTaxableYen,
    ).toBe(196);
    await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      expect(
        await waiveInterest(t.db, {
          invoiceId: await invoiceId("INV-00000037"),
          tenant: provider,
          reason: "入金記録の遅れは当社都合",
          actor: finance,
          ip: "",
        }),
      ).toEqual({ ok: true });
    });
    expect(await exported(t.db, yearMonth("2026-11"))).toEqual(undisturbed);
  });

  it("a visit and an outage recorded before the contract's batch are on its invoice", async () => {
    const k2001 = await contractId("K-2001");
    const k2002 = await contractId("K-2002");
    const booked = await bookVisit(t.db, {
      contractId: k2001,
      tenant: provider,
      at: TEST_NOW,
      actor: operator,
      ip: "",
      request: {
        date: isoDate("2026-11-24"),
        start: "10:00",
        withLineApplication: false,
        backupAvailable: false,
        lines: [
          { code: "visit.base", quantity: 1 },
          { code: "visit.printer", quantity: 1 },
        ],
      },
    });
    expect(booked).toMatchObject({ ok: true });
    const bookingId = (
      await t.db
        .selectFrom("visit_bookings")
        .select("id")
        .where("contract_id", "=", k2001)
        .executeTakeFirstOrThrow()
    ).id;
    await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      const visit = await recordVisitDone(t.db, {
        bookingId,
        contractId: k2001,
        tenant: provider,
        at: new Date("2026-11-24T12:00:00+09:00"),
        actor: operator,
        ip: "",
        done: {
          start: "10:20",
          withLineApplication: false,
          backupAvailable: false,
          lines: [
            { code: "visit.base", quantity: 1 },
            { code: "visit.os_recovery", quantity: 1 },
            { code: "visit.printer", quantity: 2 },
            { code: "visit.wifi", quantity: 3 },
          ],
        },
      });
      expect(visit).toMatchObject({ ok: true });
      // The gateway of K-2002 down from 11-10 10:00 (known) to 11-12 12:00: 50 h → 2 days.
      await recordOutage(t.db, {
        contractId: k2002,
        actor: operator,
        ip: "",
        outage: {
          services: ["gateway"],
          knownAt: "2026-11-10T10:00:00+09:00",
          restoredAt: "2026-11-12T12:00:00+09:00",
          customerFault: false,
        },
      });
    });
    // K-2001: 24,000 of fees; the year's free visit makes base (4,500) and OS recovery (10,500)
    // free; printers 2 × 4,400 + Wi-Fi 3 × 900 = 11,500 → taxable 35,500, tax 3,550.
    expect(await issued("K-2001", yearMonth("2026-11"))).toMatchObject({
      taxable_10_yen: 35500,
      tax_10_yen: 3550,
      total_yen: 39050,
    });
    expect((await issued("K-2001", yearMonth("2026-11")))!.lines.slice(4)).toEqual([
      ["visit.printer", 8800, "taxable_10"],
      ["visit.wifi", 2700, "taxable_10"],
    ]);
    // K-2002: gateway 6,000 → floor(6,000 × 2 ÷ 30) = 400 credit → taxable 8,600, tax 860.
    expect(await issued("K-2002", yearMonth("2026-11"))).toMatchObject({
      taxable_10_yen: 8600,
      tax_10_yen: 860,
      total_yen: 9460,
      lines: [
        ["base.standard", 3000, "taxable_10"],
        ["gateway.gw10", 6000, "taxable_10"],
        ["credit.outage.gateway", -400, "taxable_10"],
      ],
    });
    const month = await exported(t.db, yearMonth("2026-11"));
    expect(without(without(month.lines, "K-2001"), "K-2002")).toEqual(
      without(without(undisturbed.lines, "K-2001"), "K-2002"),
    );
  });

  it("changes approved before the contract's batch (items ended and added, the holder's name) are on its invoice", async () => {
    const request = async (
      ref: string,
      change: Parameters<typeof requestChange>[1]["change"],
      date: IsoDate,
    ) =>
      requestChange(t.db, {
        contractId: await contractId(ref),
        tenant: provider,
        change,
        date,
        today: isoDate("2026-11-22"),
        at: TEST_NOW,
        actor: operator,
        ip: "",
      });
    // K-2003: 30 rented endpoint seats (18,000) become 20 on 11-25; C8 (K-2004) renames itself.
    expect(
      await request("K-2003", { kind: "endpoint_seats", quantity: 20 }, isoDate("2026-11-25")),
    ).toMatchObject({ ok: true });
    expect(
      await request(
        "K-2004",
        {
          kind: "contact",
          name: "税理士法人みらい総合会計事務所",
          address: "千葉県千葉市中央区富士見2-3-1",
          phone: "043-222-0008",
          email: "office@mirai-kaikei.example",
        },
        isoDate("2026-11-25"),
      ),
    ).toMatchObject({ ok: true });
    await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      for (const ref of ["K-2003", "K-2004"]) {
        const [change] = await listChanges(t.db, await contractId(ref));
        expect(
          await decideChange(t.db, {
            changeId: change.id,
            approve: true,
            reason: "",
            at: TEST_NOW,
            actor: operator,
            ip: "",
          }),
        ).toEqual({ ok: true });
      }
    });
    // Item rule: the 30-seat line removed in November is not charged for it, the 20-seat line
    // added in November is, in full: 3,000 + 20 × 600 = 15,000 → tax 1,500.
    expect(await issued("K-2003", yearMonth("2026-11"))).toMatchObject({
      taxable_10_yen: 15000,
      tax_10_yen: 1500,
      total_yen: 16500,
      lines: [
        ["base.standard", 3000, "taxable_10"],
        ["endpoint", 12000, "taxable_10"],
      ],
    });
    expect(await issued("K-2004", yearMonth("2026-11"))).toMatchObject({
      recipient_name: "税理士法人みらい総合会計事務所",
      total_yen: 20680,
    });
  });

  it("a tariff written during the run prices every batch after it", async () => {
    await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      // What the import command writes for a revision of the base fee effective in November.
      const { id } = await t.db
        .insertInto("tariff_versions")
        .values({ effective_from: isoDate("2026-11-01"), created_at: instantOf(TEST_NOW) })
        .returning("id")
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto("tariff_prices")
        .values({ version_id: id, code: "base.standard", price_yen: toYen(3500) })
        .execute();
    });
    const base = async (ref: string) => (await issued(ref, yearMonth("2026-11")))!.lines[0];
    expect(await base("K-1002")).toEqual(["base.standard", 3000, "taxable_10"]);
    expect(await base("K-1003")).toEqual(["base.standard", 3500, "taxable_10"]);
    expect(await base("K-2004")).toEqual(["base.standard", 3500, "taxable_10"]);
    expect(await issuedCount(yearMonth("2026-11"))).toBe(9);
  });

  it("a problem in data written during the run stops it before the contract's batch; the month stays open and a re-run finishes it", async () => {
    const k2003 = await contractId("K-2003");
    const result = await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      await t.db
        .insertInto("contract_items")
        .values({
          contract_id: k2003,
          code: "gateway.gw999x",
          quantity: 1,
          ownership: "rental",
          repair24h: 1,
          from_date: isoDate("2026-11-05"),
          to_date: null,
        })
        .execute();
    });
    // Its third item line (after a purchased gateway and the endpoint seats).
    expect(result).toMatchObject({
      alreadyClosed: false,
      issued: 2,
      problems: [{ contractRef: "K-2003", path: "items[2].code" }],
    });
    expect(
      await t.db
        .selectFrom("billing_months")
        .select("status")
        .where("month", "=", yearMonth("2026-11"))
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: "running" });
    expect(await issuedCount(yearMonth("2026-11"))).toBe(2);
    await t.db.deleteFrom("contract_items").where("code", "=", "gateway.gw999x").execute();
    expect(
      await runBillingMonth(t.db, yearMonth("2026-11"), { at: NOVEMBER_CLOSE, batchSize: 2 }),
    ).toMatchObject({ issued: 7, alreadyIssued: 2, problems: [] });
    expect(await exported(t.db, yearMonth("2026-11"))).toEqual(undisturbed);
  });
});

describe("the daily prune of the billing journal (migration 000970)", () => {
  const journal = () =>
    t.db.selectFrom("billing_changes").select(["id", "contract_id"]).orderBy("id").execute();
  const prunedThrough = async () =>
    (await t.db.selectFrom("billing_changes_pruned").select("through").executeTakeFirstOrThrow())
      .through;

  it("deletes every row and records how far; the ids of later writes go on from there", async () => {
    const rows = await journal();
    expect(rows.length).toBeGreaterThan(0);
    expect(await pruneBillingChanges(t.db)).toBe(rows.length);
    expect(await journal()).toEqual([]);
    expect(await prunedThrough()).toBe(rows.at(-1)!.id);
    expect(await lastBillingChange(t.db)).toBe(rows.at(-1)!.id);
    expect(await pruneBillingChanges(t.db)).toBe(0);
    expect(await prunedThrough()).toBe(rows.at(-1)!.id);

    expect(await pay("INV-00000037", isoDate("2026-11-20"))).toEqual({ ok: true });
    expect(await journal()).toEqual([
      { id: rows.at(-1)!.id + 1, contract_id: await contractId("K-2002") },
    ]);
    expect(await lastBillingChange(t.db)).toBe(rows.at(-1)!.id + 1);
  });

  it("run between two batches, after a write the run had not seen: the run plans the month again and the write is on the invoice", async () => {
    const result = await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done !== 2) return;
      expect(await pay("INV-00000037", isoDate("2026-11-20"))).toEqual({ ok: true });
      expect(await pruneBillingChanges(t.db)).toBeGreaterThan(0);
      expect(await journal()).toEqual([]);
    });
    expect(result).toMatchObject({ alreadyClosed: false, issued: 9, problems: [] });
    // As when the journal was not pruned (the first case above): 196 yen of interest on K-2002's invoice.
    expect(await issued("K-2002", yearMonth("2026-11"))).toMatchObject({
      invoice_number: "INV-00000066",
      non_taxable_yen: 196,
      interest_yen: 196,
      total_yen: 10096,
    });
    const month = await exported(t.db, yearMonth("2026-11"));
    expect(without(month.invoices, "K-2002")).toEqual(without(undisturbed.invoices, "K-2002"));
    expect(without(month.lines, "K-2002")).toEqual(without(undisturbed.lines, "K-2002"));
  });

  it("run between two batches with nothing written since the plan: the month is issued exactly as undisturbed", async () => {
    await close(yearMonth("2026-11"), NOVEMBER_CLOSE, async (done) => {
      if (done === 4) await pruneBillingChanges(t.db);
    });
    expect(await exported(t.db, yearMonth("2026-11"))).toEqual(undisturbed);
  });
});
