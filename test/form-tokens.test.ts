// One-time form tokens (issue 17 item 1, decision 0027), through the routes as the HTTP server
// calls them: the same form sent twice writes once and the second answer says 「すでに記録されています」
// (payments, credit notes, applications, visit bookings); a foreign id with a valid token is
// still 404; a missing, unknown, other user's or expired token writes nothing; a refused write
// leaves its token usable.
import { describe, expect, it } from "vitest";
import {
  ALREADY_RECORDED,
  issueFormToken,
  runFormOnce,
  TOKEN_REFUSED,
} from "../app/lib/idempotency.server";
import {
  action as applicationAction,
  loader as applicationPage,
} from "../app/routes/_console.applications.new";
import {
  action as manualLinesAction,
  loader as manualLinesPage,
} from "../app/routes/_console.contracts.$contractId_.manual-lines";
import {
  action as visitsAction,
  loader as visitsPage,
} from "../app/routes/_console.contracts.$contractId_.visits";
import {
  action as invoiceAction,
  loader as invoicePage,
} from "../app/routes/_console.invoices.$invoiceId";
import { TEST_NOW, type TestDatabase } from "./support/database";
import { routeCallsAs, answer, onceOf } from "./support/route-calls";
import { instantOf } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
const { get, post } = routeCallsAs(
  [
    "finance@demo.example",
    "operator@demo.example",
    "reseller@demo.example",
    "customer2@demo.example",
  ],
  (database) => (t = database),
  { events: false },
);

async function invoiceWithOutstanding(number: string) {
  return t.db
    .selectFrom("invoices")
    .select(["id", "total_yen", "contract_id", "billing_month"])
    .where("invoice_number", "=", number)
    .executeTakeFirstOrThrow();
}
// Payments belong to an invoice by its contract and month.
async function paymentsOf(invoiceId: number) {
  const invoice = await t.db
    .selectFrom("invoices")
    .select(["contract_id", "billing_month"])
    .where("id", "=", invoiceId)
    .executeTakeFirstOrThrow();
  return t.db
    .selectFrom("payments")
    .select(["paid_on", "amount_yen"])
    .where("contract_id", "=", invoice.contract_id)
    .where("billing_month", "=", invoice.billing_month)
    .execute();
}

describe("payments", () => {
  it("the same 入金を記録 form sent twice records one payment; the second answer says it is already recorded", async () => {
    const invoice = await invoiceWithOutstanding("INV-00000054");
    const before = await paymentsOf(invoice.id);
    const page = await invoicePage({
      request: get(`/invoices/${invoice.id}`, "finance@demo.example"),
      params: { invoiceId: String(invoice.id) },
      context: {},
    });
    const token = page.formTokens!.payment;
    const form = { intent: "payment", paidOn: "2026-11-20", amountYen: "1000", _formToken: token };
    const send = () =>
      answer(() =>
        invoiceAction({
          request: post(`/invoices/${invoice.id}`, "finance@demo.example", form),
          params: { invoiceId: String(invoice.id) },
          context: {},
        }),
      );

    const first = await send();
    expect([first.status, first.location]).toEqual([302, `/invoices/${invoice.id}?paid=1`]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "payment",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（2026年11月20日の1,000円の入金）`,
    });
    const after = await paymentsOf(invoice.id);
    expect(after.length - before.length).toBe(1);
    expect(after.filter((p) => p.amount_yen === 1000 && p.paid_on === "2026-11-20")).toHaveLength(
      before.filter((p) => p.amount_yen === 1000 && p.paid_on === "2026-11-20").length + 1,
    );
    // The page after the payment has a new token: the next payment is a new form.
    const again = await invoicePage({
      request: get(`/invoices/${invoice.id}`, "finance@demo.example"),
      params: { invoiceId: String(invoice.id) },
      context: {},
    });
    expect(again.formTokens!.payment).not.toBe(token);
  });

  it("without a token, or with an unknown one, records nothing and says to open the form again", async () => {
    const invoice = await invoiceWithOutstanding("INV-00000054");
    const before = (await paymentsOf(invoice.id)).length;
    for (const token of [undefined, "not-a-token-issued-by-the-console"]) {
      const body: Record<string, string> = {
        intent: "payment",
        paidOn: "2026-11-20",
        amountYen: "500",
      };
      if (token) body._formToken = token;
      const response = await answer(() =>
        invoiceAction({
          request: post(`/invoices/${invoice.id}`, "finance@demo.example", body),
          params: { invoiceId: String(invoice.id) },
          context: {},
        }),
      );
      expect(response.status).toBe(409);
      expect(onceOf(response)).toEqual({
        form: "payment",
        kind: "refused",
        message: TOKEN_REFUSED,
      });
    }
    expect((await paymentsOf(invoice.id)).length).toBe(before);
  });

  it("a wrong amount is refused and the same token then records the corrected payment", async () => {
    const invoice = await invoiceWithOutstanding("INV-00000054");
    const before = (await paymentsOf(invoice.id)).length;
    const page = await invoicePage({
      request: get(`/invoices/${invoice.id}`, "finance@demo.example"),
      params: { invoiceId: String(invoice.id) },
      context: {},
    });
    const send = (amountYen: string) =>
      answer(() =>
        invoiceAction({
          request: post(`/invoices/${invoice.id}`, "finance@demo.example", {
            intent: "payment",
            paidOn: "2026-11-20",
            amountYen,
            _formToken: page.formTokens!.payment,
          }),
          params: { invoiceId: String(invoice.id) },
          context: {},
        }),
      );
    const tooMuch = await send("99999999");
    expect(tooMuch.status).toBe(400);
    expect((await paymentsOf(invoice.id)).length).toBe(before);
    expect((await send("300")).status).toBe(302);
    expect((await paymentsOf(invoice.id)).length).toBe(before + 1);
  });
});

describe("credit notes", () => {
  it("the confirm form sent twice issues one credit note; the repeat links to it", async () => {
    const invoice = await invoiceWithOutstanding("INV-00000054");
    const line = await t.db
      .selectFrom("invoice_lines")
      .select("id")
      .where("invoice_id", "=", invoice.id)
      .where("tax_category", "=", "taxable_10")
      .where("amount_yen", ">", toYen(0))
      .orderBy("position")
      .executeTakeFirstOrThrow();
    const page = await invoicePage({
      request: get(`/invoices/${invoice.id}`, "finance@demo.example"),
      params: { invoiceId: String(invoice.id) },
      context: {},
    });
    const form = {
      intent: "credit_note",
      step: "confirm",
      [`line-${line.id}`]: "100",
      reason: "設定ミスの返金",
      _formToken: page.formTokens!["credit-note"],
    };
    const count = async () =>
      (
        await t.db
          .selectFrom("credit_notes")
          .select("id")
          .where("invoice_id", "=", invoice.id)
          .execute()
      ).length;
    const before = await count();
    const send = () =>
      answer(() =>
        invoiceAction({
          request: post(`/invoices/${invoice.id}`, "finance@demo.example", form),
          params: { invoiceId: String(invoice.id) },
          context: {},
        }),
      );
    const first = await send();
    expect(first.status).toBe(302);
    const location = first.location!;
    const noteId = Number(/\/credit-notes\/(\d+)\?issued=1$/.exec(location)![1]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "credit-note",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（返還請求書を発行済みです）`,
      redirect: `/credit-notes/${noteId}`,
    });
    expect(await count()).toBe(before + 1);
  });
});

describe("applications", () => {
  it("the same application form sent twice creates one application", async () => {
    const page = await applicationPage({
      request: get("/applications/new", "reseller@demo.example"),
      params: {},
      context: {},
    });
    const c1 = page.customers.find((c) => c.ref === "C1")!;
    const form = {
      customerId: String(c1.id),
      holderName: "株式会社つばめ工務店",
      holderAddress: "大阪府吹田市江坂町1-1-1",
      holderPhone: "06-6330-0001",
      holderEmail: "info@tsubame-koumuten.example",
      lineId: "CAF9990001",
      area: "west",
      endpointSeats: "5",
      endpointOwnership: "rental",
      gatewayModel: "gateway.gw10",
      gatewayOwnership: "rental",
      wishedStart: "2026-12-01",
      consent: "yes",
      _formToken: page.formToken,
    };
    const count = async () =>
      (
        await t.db
          .selectFrom("applications")
          .select("id")
          .where("line_id", "=", "CAF9990001")
          .execute()
      ).length;
    const send = () =>
      answer(() =>
        applicationAction({
          request: post("/applications/new", "reseller@demo.example", form),
          params: {},
          context: {},
        }),
      );
    const first = await send();
    expect(first.status).toBe(302);
    const id = Number(/\/applications\/(\d+)\?submitted=1$/.exec(first.location!)![1]);
    const second = await send();
    expect(onceOf(second)).toEqual({
      form: "application",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（お申し込みは受付済みです）`,
      redirect: `/applications/${id}`,
    });
    expect(await count()).toBe(1);
  });
});

describe("visit bookings", () => {
  it("the same booking form sent twice books one visit; a foreign contract with a valid token is 404", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-1001")
      .executeTakeFirstOrThrow();
    const path = `/contracts/${contract.id}/visits`;
    const page = await visitsPage({
      request: get(path, "operator@demo.example"),
      params: { contractId: String(contract.id) },
      context: {},
    });
    const form = {
      intent: "book",
      date: "2026-11-24",
      start: "10:00",
      "visit.printer": "1",
      _formToken: page.formToken,
    };
    const count = async () =>
      (
        await t.db
          .selectFrom("visit_bookings")
          .select("id")
          .where("contract_id", "=", contract.id)
          .execute()
      ).length;
    const before = await count();
    const send = () =>
      answer(() =>
        visitsAction({
          request: post(path, "operator@demo.example", form),
          params: { contractId: String(contract.id) },
          context: {},
        }),
      );
    const first = await send();
    expect([first.status, first.location]).toEqual([302, `${path}?booked=1`]);
    const second = await send();
    expect(onceOf(second)).toEqual({
      form: "visit-booking",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（2026年11月24日 10:00の訪問の予約）`,
      redirect: path,
    });
    expect(await count()).toBe(before + 1);

    // customer2 (C5) holds a valid token of its own booking form; K-1001 (C1) is not its own.
    const own = await t.db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select("contracts.id")
      .where("customers.ref", "=", "C5")
      .executeTakeFirstOrThrow();
    const ownPage = await visitsPage({
      request: get(`/contracts/${own.id}/visits`, "customer2@demo.example"),
      params: { contractId: String(own.id) },
      context: {},
    });
    const foreign = await answer(() =>
      visitsAction({
        request: post(path, "customer2@demo.example", { ...form, _formToken: ownPage.formToken }),
        params: { contractId: String(contract.id) },
        context: {},
      }),
    );
    expect(foreign.status).toBe(404);
    expect(await count()).toBe(before + 1);
    // The token was not used up by the 404: it still books on the customer's own contract.
    const ownBooking = await answer(() =>
      visitsAction({
        request: post(`/contracts/${own.id}/visits`, "customer2@demo.example", {
          ...form,
          _formToken: ownPage.formToken,
        }),
        params: { contractId: String(own.id) },
        context: {},
      }),
    );
    expect(ownBooking.status).toBe(302);
  });
});

describe("the token itself", () => {
  const noWrite = async () => ({ ok: true as const });
  it("is bound to its user, its form and its path, and expires", async () => {
    const token = await issueFormToken(t.db, { userId: "u-a", form: "payment", at: TEST_NOW });
    const claim = { userId: "u-a", form: "payment", token, path: "/invoices/1", at: TEST_NOW };
    const keep = () => ({ summary: "x" });
    expect(await runFormOnce(t.db, { ...claim, userId: "u-b" }, noWrite, keep)).toEqual({
      kind: "refused",
      message: TOKEN_REFUSED,
    });
    expect(await runFormOnce(t.db, { ...claim, form: "credit-note" }, noWrite, keep)).toEqual({
      kind: "refused",
      message: TOKEN_REFUSED,
    });
    const late = new Date(TEST_NOW.getTime() + 24 * 60 * 60 * 1000);
    expect(await runFormOnce(t.db, { ...claim, at: late }, noWrite, keep)).toEqual({
      kind: "refused",
      message: TOKEN_REFUSED,
    });
    expect(await runFormOnce(t.db, claim, noWrite, keep)).toEqual({
      kind: "done",
      value: { ok: true },
    });
    expect(await runFormOnce(t.db, claim, noWrite, keep)).toEqual({
      kind: "replayed",
      outcome: { summary: "x" },
    });
    // Used on one path, it does not replay on another (another record's page).
    expect(await runFormOnce(t.db, { ...claim, path: "/invoices/2" }, noWrite, keep)).toEqual({
      kind: "refused",
      message: TOKEN_REFUSED,
    });
  });

  it("rolls the write back with the token when the work says it did not happen", async () => {
    const token = await issueFormToken(t.db, { userId: "u-a", form: "notice", at: TEST_NOW });
    const claim = { userId: "u-a", form: "notice", token, path: "/notices", at: TEST_NOW };
    const refused = await runFormOnce(
      t.db,
      claim,
      async (trx) => {
        await trx
          .insertInto("audit_log")
          .values({
            at: instantOf(TEST_NOW),
            user_id: null,
            user_email: "t",
            action: "test.rollback",
            entity: "x",
            entity_id: "1",
            summary: "",
            ip: null,
          })
          .execute();
        return { ok: false as const };
      },
      (r) => (r.ok ? {} : null),
    );
    expect(refused).toEqual({ kind: "done", value: { ok: false } });
    expect(
      await t.db
        .selectFrom("audit_log")
        .select("id")
        .where("action", "=", "test.rollback")
        .execute(),
    ).toHaveLength(0);
    expect(
      (
        await runFormOnce(
          t.db,
          claim,
          async () => ({ ok: true as const }),
          () => ({}),
        )
      ).kind,
    ).toBe("done");
  });
});

describe("manual lines (a write that takes SQLite's write lock itself)", () => {
  it("the same form sent twice adds one line, inside the token's transaction", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-2002")
      .executeTakeFirstOrThrow();
    const path = `/contracts/${contract.id}/manual-lines`;
    const page = await manualLinesPage({
      request: get(path, "finance@demo.example"),
      params: { contractId: String(contract.id) },
      context: {},
    });
    const form = {
      intent: "add",
      kind: "surcharge",
      date: "2026-12-10",
      amount: "4500",
      note: "ゲートウェイの無断転用",
      taxCategory: "taxable_10",
      sign: "charge",
      _formToken: page.formToken,
    };
    const count = async () =>
      (
        await t.db
          .selectFrom("manual_lines")
          .select("id")
          .where("contract_id", "=", contract.id)
          .execute()
      ).length;
    const before = await count();
    const send = () =>
      answer(() =>
        manualLinesAction({
          request: post(path, "finance@demo.example", form),
          params: { contractId: String(contract.id) },
          context: {},
        }),
      );
    expect((await send()).location).toBe(`${path}?added=1`);
    expect(onceOf(await send())).toEqual({
      form: "manual-line",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（手動明細は追加済みです）`,
      redirect: path,
    });
    expect(await count()).toBe(before + 1);
  });
});
