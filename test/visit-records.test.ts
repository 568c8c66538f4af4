// The operator's record of a visit (S2, S5, T-24-3): what was actually done, which may differ from
// the booking, priced by the billing rules and billed as recorded; scoped by tenant.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import { bookVisit, priceVisitDone, recordVisitDone, type VisitDone } from "../app/contracts/visit-bookings.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";

let t: TestDatabase;
let k2001: number;
let bookingId: number;
let foreignCustomer: number;
const provider = { kind: "provider" as const };
const operator = { id: null, email: "operator@demo.example" };

beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
  k2001 = (await t.db.selectFrom("contracts").select("id").where("ref", "=", "K-2001").executeTakeFirstOrThrow()).id;
  foreignCustomer = (await t.db.selectFrom("customers").select("id").where("ref", "=", "C1").executeTakeFirstOrThrow()).id;
  const booked = await bookVisit(t.db, {
    contractId: k2001, tenant: provider, at: TEST_NOW, actor: operator, ip: "",
    request: {
      date: "2026-11-24", start: "10:00", withLineApplication: false, backupAvailable: false,
      lines: [{ code: "visit.base", quantity: 1 }, { code: "visit.os_recovery", quantity: 1 }, { code: "visit.printer", quantity: 1 }],
    },
  });
  expect(booked).toMatchObject({ ok: true, estimate: { totalYen: 4400, freeVisit: true } });
  bookingId = (await t.db.selectFrom("visit_bookings").select("id").where("contract_id", "=", k2001).executeTakeFirstOrThrow()).id;
});
afterAll(() => t.dispose());

// Done on the day: two printers instead of one, three Wi-Fi devices added, the diagnosis asked on site.
const done: VisitDone = {
  start: "10:20", withLineApplication: false, backupAvailable: false,
  lines: [
    { code: "visit.base", quantity: 1 }, { code: "visit.diagnosis", quantity: 1 }, { code: "visit.os_recovery", quantity: 1 },
    { code: "visit.printer", quantity: 2 }, { code: "visit.wifi", quantity: 3 },
  ],
};

async function counts() {
  const visits = await t.db.selectFrom("visits").select((eb) => eb.fn.countAll<number>().as("n")).where("contract_id", "=", k2001).executeTakeFirstOrThrow();
  const status = await t.db.selectFrom("visit_bookings").select("status").where("id", "=", bookingId).executeTakeFirstOrThrow();
  return { visits: Number(visits.n), status: status.status };
}

describe("recording what was done on a visit", () => {
  it("prices what was done, not what was booked: free items of the year's free visit, the rest at tariff", async () => {
    const priced = await priceVisitDone(t.db, { bookingId, contractId: k2001, tenant: provider, done });
    // ● base 4,500, diagnosis 1,500 and OS recovery 10,500 free; printers 2 × 4,400 + Wi-Fi 3 × 900.
    expect(priced).toMatchObject({ ok: true, freeVisit: true, totalYen: 11500, taxYen: 1150 });
    if (!priced?.ok) throw new Error("not priced");
    expect(priced.lines.filter((l) => !l.free).map((l) => [l.quantity, l.unitPriceYen, l.amountYen])).toEqual([[2, 4400, 8800], [3, 900, 2700]]);
  });

  it("refuses lines the rules refuse, and a foreign tenant gets nothing; nothing is written", async () => {
    const wrong = await recordVisitDone(t.db, {
      bookingId, contractId: k2001, tenant: provider, actor: operator, ip: "",
      done: { ...done, lines: [...done.lines, { code: "visit.base", quantity: 2 }] },
    });
    expect(wrong).toMatchObject({ ok: false });
    expect(await recordVisitDone(t.db, { bookingId, contractId: k2001, tenant: { kind: "customer", customerId: foreignCustomer }, done, actor: operator, ip: "" })).toBeNull();
    expect(await priceVisitDone(t.db, { bookingId, contractId: k2001 + 1, tenant: provider, done })).toBeNull();
    expect(await recordVisitDone(t.db, { bookingId, contractId: k2001, tenant: provider, done: { ...done, start: "25:00" }, actor: operator, ip: "" }))
      .toEqual({ ok: false, message: "開始時刻を HH:MM で入力してください" });
    expect(await counts()).toEqual({ visits: 0, status: "booked" });
  });

  it("records it once, and the month's invoice bills exactly the recorded items", async () => {
    expect(await recordVisitDone(t.db, { bookingId, contractId: k2001, tenant: provider, done, actor: operator, ip: "" }))
      .toMatchObject({ ok: true, estimate: { totalYen: 11500 } });
    expect(await counts()).toEqual({ visits: 1, status: "done" });
    expect(await recordVisitDone(t.db, { bookingId, contractId: k2001, tenant: provider, done, actor: operator, ip: "" }))
      .toEqual({ ok: false, message: "この予約はすでに記録済みか取り消されています" });
    const visit = await t.db.selectFrom("visits").select("start_time").where("contract_id", "=", k2001).executeTakeFirstOrThrow();
    expect(visit.start_time).toBe("10:20");
    const november = (await planBillingMonth(t.db, "2026-11")).toIssue.find((p) => p.contractRef === "K-2001")!;
    const visitLines = november.draft.lines.filter((l) => l.code.startsWith("visit.") && l.amountYen > 0);
    expect(visitLines.map((l) => [l.code, l.quantity, l.amountYen, l.rule])).toEqual([["visit.printer", 2, 8800, "S5"], ["visit.wifi", 3, 2700, "S5"]]);
    const audit = await t.db.selectFrom("audit_log").select("summary").where("action", "=", "visit.record").executeTakeFirstOrThrow();
    expect(audit.summary).toBe("訪問サポート K-2001 2026-11-24 10:20 の実施を記録（予約 #" + bookingId + "、見積り 4,400円 → 実績 11,500円・税抜）");
  });
});
