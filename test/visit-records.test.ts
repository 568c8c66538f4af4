// The operator's record of a visit (S2, S5, T-24-3): what was actually done, which may differ from
// the booking, priced by the billing rules and billed as recorded; scoped by tenant.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import {
  bookVisit,
  listBookings,
  priceVisitDone,
  recordVisitDone,
  type VisitDone,
} from "../app/contracts/visit-bookings.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate, yearMonth } from "../app/lib/jst";

let t: TestDatabase;
let k2001: number;
let bookingId: number;
let foreignCustomer: number;
const provider = { kind: "provider" as const };
const operator = { id: null, email: "operator@demo.example" };
// The booking below is for 2026-11-24 10:00 JST; the operator records it that day after the visit.
const ON_SITE = new Date("2026-11-24T11:00:00+09:00");

beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
  k2001 = (
    await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-2001")
      .executeTakeFirstOrThrow()
  ).id;
  foreignCustomer = (
    await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow()
  ).id;
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
        { code: "visit.os_recovery", quantity: 1 },
        { code: "visit.printer", quantity: 1 },
      ],
    },
  });
  expect(booked).toMatchObject({ ok: true, value: { totalYen: 4400, freeVisit: true } });
  bookingId = (
    await t.db
      .selectFrom("visit_bookings")
      .select("id")
      .where("contract_id", "=", k2001)
      .executeTakeFirstOrThrow()
  ).id;
});
afterEach(() => t.dispose());

/** Records the booking as done: the operator on site, `done` below, unless the test says otherwise. */
const record = (patch: Partial<Parameters<typeof recordVisitDone>[1]> = {}) =>
  recordVisitDone(t.db, {
    bookingId,
    contractId: k2001,
    tenant: provider,
    done,
    at: ON_SITE,
    actor: operator,
    ip: "",
    ...patch,
  });

// Done on the day: two printers instead of one, three Wi-Fi devices added, the diagnosis asked on site.
const done: VisitDone = {
  start: "10:20",
  withLineApplication: false,
  backupAvailable: false,
  lines: [
    { code: "visit.base", quantity: 1 },
    { code: "visit.diagnosis", quantity: 1 },
    { code: "visit.os_recovery", quantity: 1 },
    { code: "visit.printer", quantity: 2 },
    { code: "visit.wifi", quantity: 3 },
  ],
};

/** The booking recorded as done (`done`) that day, as the operator does after the visit. */
async function recordDone() {
  expect(await record()).toMatchObject({ ok: true, value: { totalYen: 11500 } });
}

async function counts() {
  const visits = await t.db
    .selectFrom("visits")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("contract_id", "=", k2001)
    .executeTakeFirstOrThrow();
  const status = await t.db
    .selectFrom("visit_bookings")
    .select("status")
    .where("id", "=", bookingId)
    .executeTakeFirstOrThrow();
  return { visits: Number(visits.n), status: status.status };
}

describe("recording what was done on a visit", () => {
  it("refuses to record a visit before its booked start (JST) and writes nothing", async () => {
    const auditBefore = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const linesBefore = await t.db
      .selectFrom("visit_lines")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const refusal = {
      ok: false,
      kind: "conflict",
      message: "予約の開始日時（11月24日 10:00）より前には実施内容を記録できません。",
    };
    // Two days before, and one minute before the start on the day (09:59 JST is 00:59 UTC).
    for (const at of [TEST_NOW, new Date("2026-11-24T00:59:00Z")]) {
      expect(await record({ at })).toEqual(refusal);
    }
    // At 10:10 the visit has begun, but work said to have started at 10:20 has not.
    expect(await record({ at: new Date("2026-11-24T10:10:00+09:00") })).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        start: "開始時刻（10:20）がまだ来ていません。実際に作業を始めた時刻を入力してください。",
      },
    });
    expect(await counts()).toEqual({ visits: 0, status: "booked" });
    const lines = await t.db
      .selectFrom("visit_lines")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(lines.n)).toBe(Number(linesBefore.n));
    const auditAfter = await t.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(auditAfter.n)).toBe(Number(auditBefore.n));
    // The booking list offers no record before the start, and does from the start on.
    expect(
      (await listBookings(t.db, k2001, provider, TEST_NOW))!.bookings.map((b) => b.recordable),
    ).toEqual([false]);
    expect(
      (await listBookings(
        t.db,
        k2001,
        provider,
        new Date("2026-11-24T10:00:00+09:00"),
      ))!.bookings.map((b) => b.recordable),
    ).toEqual([true]);
  });

  it("prices what was done, not what was booked: free items of the year's free visit, the rest at tariff", async () => {
    const priced = await priceVisitDone(t.db, {
      bookingId,
      contractId: k2001,
      tenant: provider,
      done,
    });
    // ● base 4,500, diagnosis 1,500 and OS recovery 10,500 free; printers 2 × 4,400 + Wi-Fi 3 × 900.
    expect(priced).toMatchObject({
      ok: true,
      value: { freeVisit: true, totalYen: 11500, taxYen: 1150 },
    });
    if (!priced.ok) throw new Error("not priced");
    expect(
      priced.value.lines
        .filter((l) => !l.free)
        .map((l) => [l.quantity, l.unitPriceYen, l.amountYen]),
    ).toEqual([
      [2, 4400, 8800],
      [3, 900, 2700],
    ]);
  });

  it("refuses lines the rules refuse, and a foreign tenant gets nothing; nothing is written", async () => {
    const wrong = await record({
      done: { ...done, lines: [...done.lines, { code: "visit.base", quantity: 2 }] },
    });
    expect(wrong).toMatchObject({ ok: false, kind: "validation" });
    expect(await record({ tenant: { kind: "customer", customerId: foreignCustomer } })).toEqual({
      ok: false,
      kind: "not_found",
      message: "予約が見つかりません",
    });
    expect(
      await priceVisitDone(t.db, { bookingId, contractId: k2001 + 1, tenant: provider, done }),
    ).toEqual({ ok: false, kind: "not_found", message: "予約が見つかりません" });
    expect(await record({ done: { ...done, start: "25:00" } })).toEqual({
      ok: false,
      kind: "validation",
      fields: { start: "開始時刻を HH:MM で入力してください" },
    });
    expect(await counts()).toEqual({ visits: 0, status: "booked" });
  });

  it("records it once, and the month's invoice bills exactly the recorded items", async () => {
    await recordDone();
    expect(await counts()).toEqual({ visits: 1, status: "done" });
    expect(await record()).toEqual({
      ok: false,
      kind: "conflict",
      message: "この予約はすでに記録済みか取り消されています",
    });
    const visit = await t.db
      .selectFrom("visits")
      .select("start_time")
      .where("contract_id", "=", k2001)
      .executeTakeFirstOrThrow();
    expect(visit.start_time).toBe("10:20");
    const november = (await planBillingMonth(t.db, yearMonth("2026-11"))).toIssue.find(
      (p) => p.contractRef === "K-2001",
    )!;
    const visitLines = november.draft.lines.filter(
      (l) => l.code.startsWith("visit.") && l.amountYen > 0,
    );
    expect(visitLines.map((l) => [l.code, l.quantity, l.amountYen, l.rule])).toEqual([
      ["visit.printer", 2, 8800, "S5"],
      ["visit.wifi", 3, 2700, "S5"],
    ]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "visit.record")
      .executeTakeFirstOrThrow();
    expect(audit.summary).toBe(
      "訪問サポート K-2001 2026-11-24 10:20 の実施を記録（予約 #" +
        bookingId +
        "、見積り 4,400円 → 実績 11,500円・税抜）",
    );
  });

  it("lists what a recorded visit is charged, not its estimate", async () => {
    await recordDone();
    const [recorded] = (await listBookings(t.db, k2001, provider, ON_SITE))!.bookings;
    expect(recorded).toMatchObject({
      status: "done",
      estimate_yen: 4400,
      chargedYen: 11500,
      recordable: false,
    });
  });

  it("records a visit exactly at its booked start", async () => {
    // The first booking (2026-11-24) was recorded as done: it took the year's free visit.
    await recordDone();
    const booked = await bookVisit(t.db, {
      contractId: k2001,
      tenant: provider,
      at: TEST_NOW,
      actor: operator,
      ip: "",
      request: {
        date: isoDate("2026-11-25"),
        start: "13:00",
        withLineApplication: false,
        backupAvailable: false,
        lines: [{ code: "visit.base", quantity: 1 }],
      },
    });
    expect(booked).toMatchObject({ ok: true });
    const second = (
      await t.db
        .selectFrom("visit_bookings")
        .select("id")
        .where("visit_date", "=", isoDate("2026-11-25"))
        .executeTakeFirstOrThrow()
    ).id;
    const at = new Date("2026-11-25T13:00:00+09:00");
    expect(
      await record({
        bookingId: second,
        at,
        done: {
          start: "13:00",
          withLineApplication: false,
          backupAvailable: false,
          lines: [{ code: "visit.base", quantity: 1 }],
        },
      }),
    ).toMatchObject({ ok: true, value: { totalYen: 4500 } });
    const visits = await t.db
      .selectFrom("visits")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("contract_id", "=", k2001)
      .executeTakeFirstOrThrow();
    expect(Number(visits.n)).toBe(2);
    // The first visit keeps the year's free visit; the second is charged the basic fee.
    expect(
      (await listBookings(t.db, k2001, provider, at))!.bookings.map((b) => [
        b.visit_date,
        b.chargedYen,
      ]),
    ).toEqual([
      ["2026-11-25", 4500],
      ["2026-11-24", 11500],
    ]);
  });
});
