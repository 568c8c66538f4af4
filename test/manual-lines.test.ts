// Manual invoice lines entered in the console (app/billing/manual-lines.server.ts) against a real
// database: they go on the invoice of their date's month, only while that invoice is not issued,
// and are removable only until then; the system's own lines are never removable.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth, runBillingMonth } from "../app/billing/billing-run.server";
import { ManualLineForm, manualLineEntry } from "../app/billing/manual-line-entry";
import {
  addManualLine,
  listManualLines,
  removeManualLine,
} from "../app/billing/manual-lines.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { yearMonth } from "../app/lib/jst";

const finance = { id: null, email: "finance@demo.example" };
let t: TestDatabase;
let k2002: { id: number; service_start: string };

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  k2002 = await t.db
    .selectFrom("contracts")
    .select(["id", "service_start"])
    .where("ref", "=", "K-2002")
    .executeTakeFirstOrThrow();
});
afterEach(() => t.dispose());

const entry = (form: Record<string, string>) => manualLineEntry(ManualLineForm.parse(form));
const add = (form: Record<string, string>, contractId = k2002.id) =>
  addManualLine(t.db, {
    contractId,
    entry: entry(form),
    at: TEST_NOW,
    actor: finance,
    ip: "10.0.0.5",
  });
const november = async () =>
  (await planBillingMonth(t.db, yearMonth("2026-11"))).toIssue.find(
    (p) => p.contractRef === "K-2002",
  )!.draft;

/** A T-25 surcharge of 4,500 yen (twice that is billed) for November. */
const addSurcharge = () =>
  add({
    kind: "surcharge",
    date: "2026-11-25",
    amount: "4,500",
    note: "ゲートウェイの無断転用",
    taxCategory: "taxable_10",
  });

describe("manual lines of K-2002", () => {
  it("a T-25 surcharge goes on the November invoice, taxed once with the month's other taxable lines (T-28)", async () => {
    const before = await november();
    const added = await addSurcharge();
    expect(added).toMatchObject({ ok: true });
    const after = await november();
    expect(after.lines.at(-1)).toEqual({
      code: "surcharge.evasion",
      rule: "T-25",
      tariffVersion: null,
      description: "割増金（不当に免れた料金 4,500円の2倍：ゲートウェイの無断転用）",
      quantity: 1,
      unitPriceYen: 9000,
      amountYen: 9000,
      taxCategory: "taxable_10",
    });
    expect(after.totals.taxable10Yen - before.totals.taxable10Yen).toBe(9000);
    expect(after.totals.tax10Yen).toBe(Math.floor(after.totals.taxable10Yen / 10));
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "summary"])
      .where("action", "=", "billing.manual_line_add")
      .execute();
    expect(audit).toEqual([
      {
        action: "billing.manual_line_add",
        summary:
          "K-2002 に手動明細を登録（T-25、2026-11-25、9,000円、課税）: 割増金（不当に免れた料金 4,500円の2倍：ゲートウェイの無断転用）",
      },
    ]);
  });

  it("is refused for a month whose invoice is issued, and before the service start, writing nothing", async () => {
    const count = async () => (await t.db.selectFrom("manual_lines").select("id").execute()).length;
    const before = await count();
    const october = await t.db
      .selectFrom("invoices")
      .select("invoice_number")
      .where("contract_id", "=", k2002.id)
      .where("billing_month", "=", yearMonth("2026-10"))
      .executeTakeFirstOrThrow();
    expect(
      await add({
        kind: "relief",
        date: "2026-10-20",
        amount: "1000",
        note: "令和8年台風 東日本エリア",
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        date: `2026-10 の請求書（${october.invoice_number}）は発行済みです。計上日を翌月以降にしてください`,
      },
    });
    expect(
      await add({
        kind: "relief",
        date: "2025-01-10",
        amount: "1000",
        note: "令和8年台風 東日本エリア",
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        date: `計上日は利用開始日（${Number(k2002.service_start.slice(0, 4))}年${Number(k2002.service_start.slice(5, 7))}月${Number(k2002.service_start.slice(8, 10))}日）以降にしてください`,
      },
    });
    expect(await count()).toBe(before);
  });

  it("can be removed until its invoice is issued; then it is the invoice's, and the system's lines never are", async () => {
    expect(await addSurcharge()).toMatchObject({ ok: true });
    const relief = await add({
      kind: "relief",
      date: "2026-11-28",
      amount: "1,500",
      note: "令和8年台風 東日本エリア 11月分",
    });
    if (!relief?.ok) throw new Error(JSON.stringify(relief));
    expect(
      await removeManualLine(t.db, {
        contractId: k2002.id,
        lineId: relief.value.id,
        actor: finance,
        ip: "",
      }),
    ).toEqual({ ok: true, value: { id: relief.value.id } });
    // Another contract's line id is not found through this contract.
    const k1006 = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-1006")
      .executeTakeFirstOrThrow();
    const [unreturned] = await listManualLines(t.db, k1006.id);
    expect(unreturned).toMatchObject({ rule: "S4※3", removable: false });
    expect(
      await removeManualLine(t.db, {
        contractId: k2002.id,
        lineId: unreturned.id,
        actor: finance,
        ip: "",
      }),
    ).toMatchObject({ ok: false, kind: "not_found" });
    expect(
      await removeManualLine(t.db, {
        contractId: k1006.id,
        lineId: unreturned.id,
        actor: finance,
        ip: "",
      }),
    ).toEqual({
      ok: false,
      kind: "not_allowed",
      message: "この明細はシステムが計上したもので、削除できません",
    });

    await runBillingMonth(t.db, yearMonth("2026-11"), {
      at: new Date("2026-12-01T09:00:00+09:00"),
    });
    const [surcharge] = await listManualLines(t.db, k2002.id);
    const invoice = await t.db
      .selectFrom("invoices")
      .select(["id", "invoice_number"])
      .where("contract_id", "=", k2002.id)
      .where("billing_month", "=", yearMonth("2026-11"))
      .executeTakeFirstOrThrow();
    expect(surcharge).toMatchObject({
      rule: "T-25",
      amountYen: 9000,
      invoiceNumber: invoice.invoice_number,
      invoiceId: invoice.id,
      removable: false,
    });
    const line = await t.db
      .selectFrom("invoice_lines")
      .select(["code", "rule", "amount_yen", "tax_category"])
      .where("invoice_id", "=", invoice.id)
      .where("code", "=", "surcharge.evasion")
      .executeTakeFirstOrThrow();
    expect(line).toEqual({
      code: "surcharge.evasion",
      rule: "T-25",
      amount_yen: 9000,
      tax_category: "taxable_10",
    });
    expect(
      await removeManualLine(t.db, {
        contractId: k2002.id,
        lineId: surcharge.id,
        actor: finance,
        ip: "",
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message:
        "請求書に計上済みの明細は削除できません。訂正は返還請求書（クレジットノート）で行います",
    });
  });
});
