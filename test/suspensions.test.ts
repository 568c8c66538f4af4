// Suspension (T-17), termination by the provider (T-21) and unreturned rental gateways (S4 ※3).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import { creditableLines, issueCreditNote } from "../app/billing/credit-notes.server";
import { recordPayment } from "../app/billing/payments.server";
import { confirmCancellation, requestCancellation } from "../app/contracts/cancellation.server";
import {
  applySuspensionSchedule,
  chargeUnreturnedGateways,
  liftSuspension,
  markGatewayReturned,
  suspendContract,
  terminateByProvider,
} from "../app/contracts/suspensions.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { instantOf, isoDate, type IsoDate, yearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
const ids: Record<string, number> = {};
const operator = { id: null, email: "operator@demo.example" };
const at = new Date("2026-11-22T10:00:00+09:00");

beforeEach(async () => {
  process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
  t = await createTestDatabase({ seed: true });
  for (const c of await t.db.selectFrom("contracts").select(["id", "ref"]).execute())
    ids[c.ref] = c.id;
});
afterEach(async () => {
  delete process.env.APP_NOW;
  await t.dispose();
});

const status = async (ref: string) =>
  (
    await t.db
      .selectFrom("contracts")
      .select("status")
      .where("id", "=", ids[ref])
      .executeTakeFirstOrThrow()
  ).status;

describe("T-17 suspension for non-payment", () => {
  it("is notified before it starts, takes effect on its start date, and is lifted by paying", async () => {
    expect(
      await suspendContract(t.db, {
        contractId: ids["K-2002"],
        reason: "non_payment",
        note: "2026年8月分 未入金",
        startsOn: isoDate("2026-11-22"),
        endsOn: null,
        emergency: false,
        today: isoDate("2026-11-22"),
        at,
        actor: operator,
        ip: "",
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { startsOn: "緊急の場合を除き、開始日は通知の翌日以降にしてください（規約第17条）" },
    });
    expect(
      await suspendContract(t.db, {
        contractId: ids["K-2002"],
        reason: "non_payment",
        note: "2026年8月分 未入金",
        startsOn: isoDate("2026-11-25"),
        endsOn: null,
        emergency: false,
        today: isoDate("2026-11-22"),
        at,
        actor: operator,
        ip: "",
      }),
    ).toEqual({ ok: true, value: undefined });
    const notice = await t.db
      .selectFrom("outbox")
      .select(["to_address", "body_text"])
      .where("kind", "=", "suspension_notice")
      .executeTakeFirstOrThrow();
    expect(notice.to_address).toBe("info@hibari-fudosan.example");
    expect(notice.body_text).toContain("開始日: 2026年11月25日");
    expect(await status("K-2002")).toBe("active");
    expect(await applySuspensionSchedule(t.db, isoDate("2026-11-25"), at)).toEqual({
      started: 1,
      ended: 0,
    });
    expect(await status("K-2002")).toBe("suspended");

    const overdue = await t.db
      .selectFrom("invoices")
      .select("id")
      .where("contract_id", "=", ids["K-2002"])
      .where("billing_month", "=", yearMonth("2026-08"))
      .executeTakeFirstOrThrow();
    await recordPayment(t.db, {
      invoiceId: overdue.id,
      tenant: { kind: "provider" },
      payment: { paidOn: isoDate("2026-11-22"), amountYen: null },
      actor: { id: null, email: "finance@demo.example" },
      ip: "",
    });
    expect(await status("K-2002")).toBe("active");
  });
});

describe("T-17 a non-payment suspension settled partly by a credit note", () => {
  it("is lifted when a credit note returns what the payment left unpaid", async () => {
    process.env.APP_NOW = "2026-12-05T10:00:00+09:00";
    try {
      // K-2002's October invoice (9,900, due 11-30) is overdue on 12-05.
      const october = await t.db
        .selectFrom("invoices")
        .select("id")
        .where("contract_id", "=", ids["K-2002"])
        .where("billing_month", "=", yearMonth("2026-10"))
        .executeTakeFirstOrThrow();
      // Its August invoice, overdue in the demo data, was paid on 11-22: October is all it owes.
      const august = await t.db
        .selectFrom("invoices")
        .select("id")
        .where("contract_id", "=", ids["K-2002"])
        .where("billing_month", "=", yearMonth("2026-08"))
        .executeTakeFirstOrThrow();
      expect(
        await recordPayment(t.db, {
          invoiceId: august.id,
          tenant: { kind: "provider" },
          payment: { paidOn: isoDate("2026-11-22"), amountYen: null },
          actor: { id: null, email: "finance@demo.example" },
          ip: "",
        }),
      ).toMatchObject({ ok: true });
      expect(
        await suspendContract(t.db, {
          contractId: ids["K-2002"],
          reason: "non_payment",
          note: "2026年10月分 未入金",
          startsOn: isoDate("2026-12-05"),
          endsOn: null,
          emergency: true,
          today: isoDate("2026-12-05"),
          at: new Date("2026-12-05T10:00:00+09:00"),
          actor: operator,
          ip: "",
        }),
      ).toEqual({ ok: true, value: undefined });
      expect(await status("K-2002")).toBe("suspended");
      const finance = { id: null, email: "finance@demo.example" };
      await recordPayment(t.db, {
        invoiceId: october.id,
        tenant: { kind: "provider" },
        payment: { paidOn: isoDate("2026-12-05"), amountYen: toYen(7700) },
        actor: finance,
        ip: "",
      });
      expect(await status("K-2002")).toBe("suspended");
      // 2,000 of the gateway fee returned = 2,200 with tax: nothing is owed any more.
      const gateway = (await creditableLines(t.db, october.id)).find(
        (l) => l.rule === "T-24-1" && l.description.includes("ゲートウェイ"),
      )!;
      expect(
        await issueCreditNote(t.db, {
          invoiceId: october.id,
          tenant: { kind: "provider" },
          reason: "設定不備期間の返還",
          amounts: new Map([[gateway.invoiceLineId, 2000]]),
          actor: finance,
          ip: "",
        }),
      ).toMatchObject({ ok: true });
      expect(await status("K-2002")).toBe("active");
    } finally {
      process.env.APP_NOW = "2026-11-22T10:00:00+09:00";
    }
  });
});

describe("T-17 suspensions back to back (the daily schedule)", () => {
  it("keeps the contract suspended when one ends the day before the next starts, and a second run the same day changes nothing", async () => {
    const notifiedOn = isoDate("2026-10-30");
    const first = {
      contractId: ids["K-1001"],
      reason: "non_payment" as const,
      note: "",
      emergency: false,
      today: notifiedOn,
      at,
      actor: operator,
      ip: "",
    };
    expect(
      await suspendContract(t.db, {
        ...first,
        startsOn: isoDate("2026-11-01"),
        endsOn: isoDate("2026-11-20"),
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      await suspendContract(t.db, { ...first, startsOn: isoDate("2026-11-21"), endsOn: null }),
    ).toEqual({ ok: true, value: undefined });
    expect(await applySuspensionSchedule(t.db, isoDate("2026-11-01"), at)).toEqual({
      started: 1,
      ended: 0,
    });
    expect(await status("K-1001")).toBe("suspended");
    // On 11-22 the first is over (lifted) and the second in effect: the contract stays suspended
    // throughout (no contract went from active to suspended, so none is counted as started).
    expect(await applySuspensionSchedule(t.db, isoDate("2026-11-22"), at)).toEqual({
      started: 0,
      ended: 1,
    });
    expect(await status("K-1001")).toBe("suspended");
    expect(await applySuspensionSchedule(t.db, isoDate("2026-11-22"), at)).toEqual({
      started: 0,
      ended: 0,
    });
    expect(await status("K-1001")).toBe("suspended");
    const rows = await t.db
      .selectFrom("suspensions")
      .select(["starts_on", "lifted_reason"])
      .where("contract_id", "=", ids["K-1001"])
      .orderBy("starts_on")
      .execute();
    expect(rows).toEqual([
      { starts_on: "2026-11-01", lifted_reason: "期間満了" },
      { starts_on: "2026-11-21", lifted_reason: null },
    ]);
  });
});

describe("T-21 termination by the provider", () => {
  it("charges the ETF when it is the customer's fault", async () => {
    // K-2003 started 2023-11-01; ends 2026-12-31 → B = Nov 2023 – Nov 2026 = 37, remaining 48 − 37 = 11 → 33,000.
    expect(
      await terminateByProvider(t.db, {
        contractId: ids["K-2003"],
        customerFault: true,
        reason: "規約第15条違反",
        endDate: isoDate("2026-12-31"),
        today: isoDate("2026-11-22"),
        at,
        actor: operator,
        ip: "",
      }),
    ).toEqual({ ok: true, value: undefined });
    const december = (await planBillingMonth(t.db, yearMonth("2026-12"))).toIssue.find(
      (p) => p.contractRef === "K-2003",
    )!;
    expect(december.draft.lines.map((l) => [l.code, l.amountYen])).toEqual([
      ["etf.termination", 33000],
    ]);
  });
});

describe("T-17 overlapping suspensions", () => {
  it("keeps the contract suspended when one of two suspensions in effect is lifted, and lifts each only once", async () => {
    const base = {
      contractId: ids["K-1002"],
      note: "",
      emergency: false,
      today: isoDate("2026-11-20"),
      at,
      actor: operator,
      ip: "",
    };
    expect(
      await suspendContract(t.db, {
        ...base,
        reason: "non_payment",
        startsOn: isoDate("2026-11-21"),
        endsOn: null,
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      await suspendContract(t.db, {
        ...base,
        reason: "breach",
        startsOn: isoDate("2026-11-21"),
        endsOn: isoDate("2026-11-30"),
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(await applySuspensionSchedule(t.db, isoDate("2026-11-21"), at)).toEqual({
      started: 1,
      ended: 0,
    });
    const [nonPayment, fixedTerm] = await t.db
      .selectFrom("suspensions")
      .select("id")
      .where("contract_id", "=", ids["K-1002"])
      .orderBy("id")
      .execute();
    const lift = (id: number) =>
      liftSuspension(t.db, { suspensionId: id, reason: "入金確認", at, actor: operator, ip: "" });
    expect(await lift(nonPayment.id)).toEqual({ ok: true, value: undefined });
    expect(await status("K-1002")).toBe("suspended"); // the fixed-term one runs to 11-30
    expect(await lift(nonPayment.id)).toEqual({
      ok: false,
      kind: "conflict",
      message: "解除できる利用停止はありません",
    });
    expect(await lift(fixedTerm.id)).toEqual({ ok: true, value: undefined });
    expect(await status("K-1002")).toBe("active");
  });
});

describe("S4 ※3 rental gateways after termination", () => {
  it("awaits the rental gateway 30 days, then charges its device price once", async () => {
    const tenant = { kind: "provider" } as const;
    await requestCancellation(t.db, {
      contractId: ids["K-2004"],
      tenant,
      wished: isoDate("2026-11-30"),
      today: isoDate("2026-11-22"),
      actor: operator,
      ip: "",
    });
    await confirmCancellation(t.db, {
      contractId: ids["K-2004"],
      today: isoDate("2026-11-23"),
      actor: operator,
      ip: "",
    });
    const awaited = await t.db
      .selectFrom("gateway_returns")
      .selectAll()
      .where("contract_id", "=", ids["K-2004"])
      .execute();
    expect(awaited.map((r) => [r.model, r.due_on, r.status])).toEqual([
      ["gateway.gw50", "2026-12-30", "awaiting"],
    ]);
    expect(await chargeUnreturnedGateways(t.db, isoDate("2026-12-30"), at)).toEqual({
      charged: 0,
      unpriced: 0,
    });
    expect(await chargeUnreturnedGateways(t.db, isoDate("2026-12-31"), at)).toEqual({
      charged: 1,
      unpriced: 0,
    });
    expect(await chargeUnreturnedGateways(t.db, isoDate("2027-01-01"), at)).toEqual({
      charged: 0,
      unpriced: 0,
    });
    const line = await t.db
      .selectFrom("manual_lines")
      .selectAll()
      .where("contract_id", "=", ids["K-2004"])
      .where("rule", "=", "S4※3")
      .executeTakeFirstOrThrow();
    // The demo tariff revision set the gw50 device price to 68,000.
    expect(line).toMatchObject({
      amount_yen: 68000,
      taxable: 1,
      code: "device.gw50",
      line_date: "2026-12-31",
    });
    // A return recorded after the charge does not undo it.
    expect(
      await markGatewayReturned(t.db, {
        returnId: awaited[0].id,
        returnedOn: isoDate("2026-12-31"),
        actor: operator,
        ip: "",
      }),
    ).toEqual({ ok: false, kind: "conflict", message: "返却待ちの装置ではありません" });
    expect(
      await t.db
        .selectFrom("gateway_returns")
        .select(["status", "returned_on", "charged_manual_line_id"])
        .where("id", "=", awaited[0].id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: "charged", returned_on: null, charged_manual_line_id: line.id });
  });

  it("waits for a device price while the tariff gives the model none, instead of charging 0 for good", async () => {
    const tenant = { kind: "provider" } as const;
    await requestCancellation(t.db, {
      contractId: ids["K-1005"],
      tenant,
      wished: isoDate("2026-11-30"),
      today: isoDate("2026-11-22"),
      actor: operator,
      ip: "",
    });
    await confirmCancellation(t.db, {
      contractId: ids["K-1005"],
      today: isoDate("2026-11-23"),
      actor: operator,
      ip: "",
    });
    const version = async (effectiveFrom: IsoDate, price: number) => {
      const { id } = await t.db
        .insertInto("tariff_versions")
        .values({ effective_from: effectiveFrom, created_at: instantOf(new Date()) })
        .returning("id")
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto("tariff_prices")
        .values({ version_id: id, code: "device.gw10", price_yen: toYen(price) })
        .execute();
    };
    await version(isoDate("2027-01-01"), 0);
    await version(isoDate("2027-02-01"), 45000);
    // Due 12-30; in January the gw10 device price is 0: nothing is charged, the gateway stays awaited.
    expect(await chargeUnreturnedGateways(t.db, isoDate("2027-01-05"), at)).toEqual({
      charged: 0,
      unpriced: 1,
    });
    const awaited = () =>
      t.db
        .selectFrom("gateway_returns")
        .select(["status"])
        .where("contract_id", "=", ids["K-1005"])
        .executeTakeFirstOrThrow();
    expect(await awaited()).toEqual({ status: "awaiting" });
    expect(
      await t.db
        .selectFrom("manual_lines")
        .select("id")
        .where("contract_id", "=", ids["K-1005"])
        .where("rule", "=", "S4※3")
        .execute(),
    ).toEqual([]);
    expect(await chargeUnreturnedGateways(t.db, isoDate("2027-02-02"), at)).toEqual({
      charged: 1,
      unpriced: 0,
    });
    expect(await awaited()).toEqual({ status: "charged" });
    const line = await t.db
      .selectFrom("manual_lines")
      .select(["amount_yen", "line_date"])
      .where("contract_id", "=", ids["K-1005"])
      .where("rule", "=", "S4※3")
      .executeTakeFirstOrThrow();
    expect(line).toEqual({ amount_yen: 45000, line_date: "2027-02-02" });
  });
});
