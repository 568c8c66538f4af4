// One result type in billing, notices, webhooks and API keys (issue 16 item 1): the pages' forms
// are one schema each with a discriminated intent (an unknown intent is a 400 that writes
// nothing), and an operation's failure reaches the page as `errors` with the status of its kind.
import { describe, expect, it } from "vitest";
import { creditableLines } from "../app/billing/credit-notes.server";
import { listManualLines } from "../app/billing/manual-lines.server";
import { formatYen } from "../app/lib/format";
import { UNKNOWN_INTENT } from "../app/lib/form";
import { action as apiKeysAction } from "../app/routes/_console.api-keys";
import { action as directDebitAction } from "../app/routes/_console.billing.direct-debit";
import { action as reportsAction } from "../app/routes/_console.reports._index";
import { action as manualLinesAction } from "../app/routes/_console.contracts.$contractId_.manual-lines";
import { action as invoiceAction } from "../app/routes/_console.invoices.$invoiceId";
import { action as noticesAction } from "../app/routes/_console.notices";
import { action as webhooksAction } from "../app/routes/_console.webhooks";
import type { TestDatabase } from "./support/database";
import { routeCallsAs, answer } from "./support/route-calls";
import { instant } from "../app/lib/jst";

let t: TestDatabase;
const { post } = routeCallsAs(
  ["finance@demo.example", "operator@demo.example", "admin@demo.example"],
  (database) => (t = database),
  { events: false },
);

/** Rows of every table these forms write to. */
async function writes() {
  const tables = [
    "manual_lines",
    "service_notices",
    "api_keys",
    "webhook_endpoints",
    "credit_notes",
    "audit_log",
    "idempotency_keys",
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables) {
    const row = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

const contractId = async (ref: string) =>
  (await t.db.selectFrom("contracts").select("id").where("ref", "=", ref).executeTakeFirstOrThrow())
    .id;

describe("an unknown intent is a 400 and writes nothing", () => {
  it("on the manual lines, notices, API keys and webhooks pages (each used to fall through to a write)", async () => {
    const k2002 = await contractId("K-2002");
    const before = await writes();
    const manual = await answer(() =>
      manualLinesAction({
        request: post(`/contracts/${k2002}/manual-lines`, "finance@demo.example", {
          intent: "add_everything",
          kind: "surcharge",
          date: "2026-12-10",
          amount: "4500",
          note: "ゲートウェイの無断転用",
        }),
        params: { contractId: String(k2002) },
        context: {},
      }),
    );
    const notices = await answer(() =>
      noticesAction({
        request: post("/notices", "operator@demo.example", {
          intent: "publish_now",
          reason: "maintenance",
          area: "all",
          title: "保守",
          body: "保守作業",
          startDate: "2026-12-01",
          startTime: "01:00",
        }),
        params: {},
        context: {},
      }),
    );
    const keys = await answer(() =>
      apiKeysAction({
        request: post("/api-keys", "admin@demo.example", {
          intent: "rotate",
          name: "連携",
          scope: "read",
        }),
        params: {},
        context: {},
      }),
    );
    const hooks = await answer(() =>
      webhooksAction({
        request: post("/webhooks", "admin@demo.example", {
          intent: "register",
          url: "https://hooks.example.com/x",
        }),
        params: {},
        context: {},
      }),
    );
    for (const a of [manual, notices, keys, hooks]) {
      expect(a.status).toBe(400);
      expect(a.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    }
    expect(await writes()).toEqual(before);
  });
});

describe("a failure reaches the page as errors with the status of its kind", () => {
  it("a system's manual line is not allowed (403), a missing one not found (404)", async () => {
    const k1006 = await contractId("K-1006");
    const [unreturned] = await listManualLines(t.db, k1006);
    expect(unreturned.rule).toBe("S4※3");
    const remove = (lineId: number) =>
      answer(() =>
        manualLinesAction({
          request: post(`/contracts/${k1006}/manual-lines`, "finance@demo.example", {
            intent: "remove",
            lineId: String(lineId),
          }),
          params: { contractId: String(k1006) },
          context: {},
        }),
      );
    const before = await writes();
    expect(await remove(unreturned.id)).toEqual({
      status: 403,
      location: null,
      body: {
        errors: { _form: "この明細はシステムが計上したもので、削除できません" },
        values: null,
      },
    });
    expect((await remove(987654)).status).toBe(404);
    expect(await writes()).toEqual(before);
  });

  it("closing a withdrawn notice is a conflict (409)", async () => {
    const { id } = await t.db
      .insertInto("service_notices")
      .values({
        reason: "maintenance",
        area: "all",
        title: "取り下げ済みの保守",
        body: "保守作業",
        starts_at: instant("2026-12-01T16:00:00.000Z"),
        ends_at: null,
        emergency: 0,
        published_at: instant("2026-11-20T00:00:00.000Z"),
        published_by: "operator@demo.example",
        withdrawn_at: instant("2026-11-21T00:00:00.000Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const a = await answer(() =>
      noticesAction({
        request: post("/notices", "operator@demo.example", { intent: "close", id: String(id) }),
        params: {},
        context: {},
      }),
    );
    expect(a.status).toBe(409);
    expect(a.body.errors).toEqual({ _form: "終了済み・取り下げ済みのお知らせです" });
  });

  it("the invoice page answers a credit note's refused amount as errors of the credit note form", async () => {
    const invoice = await t.db
      .selectFrom("invoices")
      .select("id")
      .where("invoice_number", "=", "INV-00000054")
      .executeTakeFirstOrThrow();
    const [line] = await creditableLines(t.db, invoice.id);
    const a = await answer(() =>
      invoiceAction({
        request: post(`/invoices/${invoice.id}`, "finance@demo.example", {
          intent: "credit_note",
          reason: "二重請求",
          [`line-${line.invoiceLineId}`]: String(line.amountYen + 1),
        }),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(a.status).toBe(400);
    expect(a.body).toEqual({
      errors: {
        [`line-${line.invoiceLineId}`]: `返還できるのは ${formatYen(line.amountYen)} までです`,
      },
      form: "credit_note",
      creditValues: {
        reason: "二重請求",
        lines: { [`line-${line.invoiceLineId}`]: String(line.amountYen + 1) },
      },
    });
  });

  it("the reports and 口座振替 forms read their values through a schema, with the same messages", async () => {
    const k1001 = await contractId("K-1001");
    const report = await answer(() =>
      reportsAction({
        request: post("/reports", "operator@demo.example", {
          contractId: String(k1001),
          month: "2026-13",
        }),
        params: {},
        context: {},
      }),
    );
    expect(report).toEqual({
      status: 400,
      location: null,
      body: { errors: { month: "対象月を選んでください" } },
    });
    const debit = await answer(() =>
      directDebitAction({
        request: post("/billing/direct-debit", "finance@demo.example", { date: "2026-02-30" }),
        params: {},
        context: {},
      }),
    );
    expect(debit.status).toBe(302);
    expect(debit.location).toBe(
      `/billing?debitError=${encodeURIComponent("支払期限の日付を選んでください")}#direct-debit`,
    );
  });
});
