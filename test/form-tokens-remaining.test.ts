// One-time form tokens on the remaining forms that create something (issue 17 item 1, decision
// 0027), in the style of form-tokens.test.ts: the same form sent twice writes once and the second
// answer says 「すでに記録されています」; a form sent without its token writes nothing.
import { describe, expect, it } from "vitest";
import { ALREADY_RECORDED, TOKEN_REFUSED } from "../app/lib/idempotency.server";
import {
  action as bankCreditsAction,
  loader as bankCreditsPage,
} from "../app/routes/_console.bank-credits";
import {
  action as transferAction,
  loader as transferPage,
} from "../app/routes/_console.contracts.$contractId_.transfer";
import { action as webhooksAction, loader as webhooksPage } from "../app/routes/_console.webhooks";
import {
  action as newApplicationAction,
  loader as newApplicationPage,
} from "../app/routes/_console.applications.new";
import {
  action as applicationAction,
  loader as applicationPage,
} from "../app/routes/_console.applications.$applicationId";
import {
  action as refundsAction,
  loader as refundsPage,
} from "../app/routes/_console.licenses.refunds";
import {
  action as cancelAction,
  loader as cancelPage,
} from "../app/routes/_console.contracts.$contractId_.cancel";
import { TEST_NOW, type TestDatabase } from "./support/database";
import { routeCallsAs, answer, BASE, onceOf } from "./support/route-calls";
import { instantOf, isoDate } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
const { cookieOf, get, post } = routeCallsAs(
  [
    "finance@demo.example",
    "operator@demo.example",
    "admin@demo.example",
    "reseller@demo.example",
    "reseller2@demo.example",
    "customer@demo.example",
  ],
  (database) => (t = database),
  { events: false },
);
const count = async (table: "payments" | "audit_log" | "idempotency_keys") =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("入金の照合", () => {
  it("assigning a waiting credit twice records one payment; the repeat says already recorded", async () => {
    const invoice = await t.db
      .selectFrom("invoices")
      .select(["id", "invoice_number", "issue_date"])
      .where("invoice_number", "=", "INV-00000054")
      .executeTakeFirstOrThrow();
    const [credit] = await t.db
      .insertInto("bank_credits")
      .values({
        line_key: "tokens-1",
        transaction_date: isoDate("2026-11-20"),
        amount_yen: toYen(700),
        payer_name: "ツバメ",
        payer_kana: "ツバメ",
        status: "pending",
        invoice_id: null,
        imported_at: instantOf(TEST_NOW),
        resolved_by: null,
        resolved_at: null,
      })
      .returning("id")
      .execute();
    const page = await bankCreditsPage({
      request: get("/bank-credits", "finance@demo.example"),
      params: {},
      context: {},
    });
    const token = page.formTokens[`bank-credit-${credit.id}`];
    expect(token).toMatch(/^[\w-]{32}$/);
    const form = {
      intent: "assign",
      creditId: String(credit.id),
      invoiceNumber: invoice.invoice_number,
    };
    const send = (body: Record<string, string>) =>
      answer(() =>
        bankCreditsAction({
          request: post("/bank-credits", "finance@demo.example", body),
          params: {},
          context: {},
        }),
      );
    const payments = await count("payments");
    const refused = await send(form);
    expect([refused.status, onceOf(refused).message]).toEqual([409, TOKEN_REFUSED]);
    expect(await count("payments")).toBe(payments);

    const first = await send({ ...form, _formToken: token });
    expect([first.status, first.location]).toEqual([
      302,
      `/bank-credits?assigned=${invoice.invoice_number}`,
    ]);
    const second = await send({ ...form, _formToken: token });
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: `bank-credit-${credit.id}`,
      kind: "replayed",
      message: `${ALREADY_RECORDED}（${invoice.invoice_number} に入金を記録しました）`,
    });
    expect(await count("payments")).toBe(payments + 1);
  });
});

describe("譲渡・承継の届出", () => {
  it("the same request sent twice files one holder change; the repeat links to the page", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-2002")
      .executeTakeFirstOrThrow();
    const path = `/contracts/${contract.id}/transfer`;
    const page = await transferPage({
      request: get(path, "reseller2@demo.example"),
      params: { contractId: String(contract.id) },
      context: {},
    });
    const form = {
      intent: "request",
      kind: "transfer",
      name: "株式会社つばさ不動産",
      address: "宮城県仙台市青葉区一番町2-2-2",
      phone: "022-261-0000",
      email: "keiri@tsubasa-fudosan.example",
      evidence: "signed_by_both",
      evidenceNote: "譲渡承認申請書 2026-11-20 受付",
      consent: "on",
      _formToken: page.formToken,
    };
    const changes = async () =>
      (
        await t.db
          .selectFrom("contract_holder_changes")
          .select("id")
          .where("contract_id", "=", contract.id)
          .execute()
      ).length;
    const before = await changes();
    const send = () =>
      answer(() =>
        transferAction({
          request: post(path, "reseller2@demo.example", form),
          params: { contractId: String(contract.id) },
          context: {},
        }),
      );
    const first = await send();
    expect([first.status, first.location]).toEqual([302, `${path}?requested=1`]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "holder-change",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（譲渡の手続きは受付済みです）`,
      redirect: path,
    });
    expect(await changes()).toBe(before + 1);
  });
});

describe("Webhookの送信先の登録", () => {
  it("the same registration sent twice registers one endpoint and never shows the secret again", async () => {
    const page = await webhooksPage({
      request: get("/webhooks", "admin@demo.example"),
      params: {},
      context: {},
    });
    // An address literal: no name lookup in the test.
    const url = "https://8.8.8.8/hooks/console";
    const body = new URLSearchParams({
      intent: "create",
      url,
      description: "PSA",
      ownerEmail: "ops@example.jp",
      _formToken: page.formToken,
    });
    body.append("events", "incident.opened");
    const send = () =>
      answer(() =>
        webhooksAction({
          request: new Request(`${BASE}/webhooks`, {
            method: "POST",
            body,
            headers: {
              Cookie: cookieOf("admin@demo.example"),
              "Content-Type": "application/x-www-form-urlencoded",
            },
          }),
          params: {},
          context: {},
        }),
      );
    const endpoints = async () =>
      t.db.selectFrom("webhook_endpoints").select("id").where("url", "=", url).execute();
    const first = await send();
    expect([first.status, first.body.errors]).toEqual([200, {}]);
    expect(first.body.created.secret).toMatch(/^whsec_/);
    const [endpoint] = await endpoints();
    const second = await send();
    expect(second.status).toBe(200);
    expect(second.body.created).toBeUndefined();
    expect(onceOf(second)).toEqual({
      form: "webhook-endpoint",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（送信先 ${url} は登録済みです）`,
      redirect: `/webhooks/${endpoint.id}`,
    });
    expect(await endpoints()).toHaveLength(1);
  });
});

describe("申込の承認", () => {
  it("the approve form sent twice makes one contract; the repeat says it is already approved", async () => {
    const form = await newApplicationPage({
      request: get("/applications/new", "reseller@demo.example"),
      params: {},
      context: {},
    });
    const c1 = form.customers.find((c) => c.ref === "C1")!;
    const submitted = await answer(() =>
      newApplicationAction({
        request: post("/applications/new", "reseller@demo.example", {
          customerId: String(c1.id),
          holderName: "株式会社つばめ工務店",
          holderAddress: "大阪府吹田市江坂町1-1-1",
          holderPhone: "06-6330-0001",
          holderEmail: "info@tsubame-koumuten.example",
          lineId: "CAF9990077",
          area: "west",
          endpointSeats: "5",
          endpointOwnership: "rental",
          gatewayModel: "gateway.gw10",
          gatewayOwnership: "rental",
          wishedStart: "2026-12-01",
          consent: "yes",
          _formToken: form.formToken,
        }),
        params: {},
        context: {},
      }),
    );
    const id = /\/applications\/(\d+)\?submitted=1$/.exec(submitted.location!)![1];
    const path = `/applications/${id}`;
    const page = await applicationPage({
      request: get(path, "operator@demo.example"),
      params: { applicationId: id },
      context: {},
    });
    const body = {
      intent: "approve",
      serviceStart: "2026-12-01",
      _formToken: page.formTokens!["application-approve"],
    };
    const send = () =>
      answer(() =>
        applicationAction({
          request: post(path, "operator@demo.example", body),
          params: { applicationId: id },
          context: {},
        }),
      );
    const contracts = async () =>
      (
        await t.db
          .selectFrom("contracts")
          .select("id")
          .where("line_id", "=", "CAF9990077")
          .execute()
      ).length;
    const first = await send();
    expect([first.status, first.location]).toEqual([302, `${path}?decided=approve`]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "application-approve",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（お申し込みは承認済みです）`,
      redirect: path,
    });
    expect(await contracts()).toBe(1);
    // The reject form of the same page (its own token) cannot decide it again either.
    const reject = await answer(() =>
      applicationAction({
        request: post(path, "operator@demo.example", {
          intent: "reject",
          reasonCode: "1",
          _formToken: page.formTokens!["application-reject"],
        }),
        params: { applicationId: id },
        context: {},
      }),
    );
    // The application's state refuses it: a conflict, 409 (issue 16 item 1; it was 400).
    expect([reject.status, reject.body]).toEqual([
      409,
      { field: "_form", message: "審査中のお申し込みではありません" },
    ]);
    expect(
      (
        await t.db
          .selectFrom("applications")
          .select("status")
          .where("id", "=", Number(id))
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("approved");
  });
});

describe("ライセンスの返金", () => {
  it("承認する sent twice approves once; the repeat says it is already recorded", async () => {
    const license = await t.db.selectFrom("licenses").select("id").executeTakeFirstOrThrow();
    await t.db
      .insertInto("refunds")
      .values({
        license_id: license.id,
        amount_yen: toYen(5500),
        rule: "L-3",
        reason: null,
        requested_at: instantOf(TEST_NOW),
        requested_by: "customer@demo.example",
        decided_at: null,
        decided_by: null,
        paid_at: null,
        paid_by: null,
        uninstall_acknowledged: 1,
      })
      .execute();
    const page = await refundsPage({
      request: get("/licenses/refunds?state=requested", "finance@demo.example"),
      params: {},
      context: {},
    });
    const refund = page.refunds.find((r) => r.state === "requested");
    expect(refund).toBeDefined();
    const body = {
      refundId: String(refund!.id),
      intent: "approve",
      _formToken: page.formTokens[`refund-${refund!.id}`],
    };
    const audits = async () =>
      (
        await t.db
          .selectFrom("audit_log")
          .select("id")
          .where("action", "like", "%refund%")
          .execute()
      ).length;
    const before = await audits();
    const send = () =>
      answer(() =>
        refundsAction({
          request: post("/licenses/refunds", "finance@demo.example", body),
          params: {},
          context: {},
        }),
      );
    expect((await send()).location).toBe("/licenses/refunds?decided=approve");
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: `refund-${refund!.id}`,
      kind: "replayed",
      message: `${ALREADY_RECORDED}（返金を承認しました。）`,
    });
    expect(await audits()).toBe(before + 1);

    // A fresh form approving it again: a conflict (409) shown on the refund's row.
    const fresh = await refundsPage({
      request: get("/licenses/refunds?state=approved", "finance@demo.example"),
      params: {},
      context: {},
    });
    const again = await answer(() =>
      refundsAction({
        request: post("/licenses/refunds", "finance@demo.example", {
          ...body,
          _formToken: fresh.formTokens[`refund-${refund!.id}`],
        }),
        params: {},
        context: {},
      }),
    );
    expect([again.status, again.body]).toEqual([
      409,
      { refundId: refund!.id, message: "この返金は「承認済み」のため、承認できません。" },
    ]);
    expect(await audits()).toBe(before + 1);
  });
});

describe("解約の申し込み", () => {
  it("the same request sent twice files one cancellation; the repeat says it is already filed", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .select("id")
      .where("ref", "=", "K-1001")
      .executeTakeFirstOrThrow();
    const path = `/contracts/${contract.id}/cancel`;
    const page = await cancelPage({
      request: get(path, "operator@demo.example"),
      params: { contractId: String(contract.id) },
      context: {},
    });
    const body = {
      intent: "request",
      wished: page.wished,
      _formToken: page.formTokens["cancellation-request"],
    };
    const send = () =>
      answer(() =>
        cancelAction({
          request: post(path, "operator@demo.example", body),
          params: { contractId: String(contract.id) },
          context: {},
        }),
      );
    const audits = async () =>
      (await t.db.selectFrom("audit_log").select("id").where("entity_id", "=", "K-1001").execute())
        .length;
    const before = await audits();
    const first = await send();
    expect([first.status, first.location]).toEqual([302, `${path}?done=requested`]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "cancellation-request",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（解約のお申し込みは受付済みです）`,
      redirect: path,
    });
    expect(await audits()).toBe(before + 1);
  });
});
