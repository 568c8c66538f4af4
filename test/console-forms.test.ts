// The account, second-factor, settings, customer and contract-admin pages (issue 16 item 1, issue
// 17 item 1), through their actions as the HTTP server calls them: each page's forms are one
// schema, so an intent none of them sends is a 400 that writes nothing; the forms that create
// something carry a one-time token, so the same form sent twice records once and the repeat says
// 「すでに記録されています」.
import { describe, expect, it } from "vitest";
import { createPendingSignIn, PENDING_COOKIE_NAME } from "../app/auth/second-factor.server";
import { UNKNOWN_INTENT } from "../app/lib/form";
import { ALREADY_RECORDED, FORM_TOKEN_FIELD, TOKEN_REFUSED } from "../app/lib/idempotency.server";
import { action as accountAction } from "../app/routes/_console.account";
import { action as secondFactorAction } from "../app/routes/_console.account_.second-factor";
import {
  action as adminAction,
  loader as adminPage,
} from "../app/routes/_console.contracts.$contractId_.admin";
import {
  action as customerAction,
  loader as customerPage,
} from "../app/routes/_console.customers.$customerId";
import { action as settingsAction, loader as settingsPage } from "../app/routes/_console.settings";
import { action as secondStepAction } from "../app/routes/login_.second-factor";
import {
  action as transferAction,
  loader as transferPage,
} from "../app/routes/_console.contracts.$contractId_.transfer";
import { requestHolderChange } from "../app/contracts/holder-changes.server";
import { TEST_NOW, type TestDatabase } from "./support/database";
import { routeCallsAs, answer, BASE, onceOf } from "./support/route-calls";

let t: TestDatabase;
const { get, post } = routeCallsAs(
  ["admin@demo.example", "operator@demo.example", "reseller@demo.example", "customer@demo.example"],
  (database) => (t = database),
  { events: false },
);

/** Rows of every table these forms write to (and the audit log every write leaves). */
async function writes() {
  const tables = [
    "audit_log",
    "users",
    "user_totp",
    "user_passkeys",
    "sessions",
    "suspensions",
    "terminations",
    "gateway_returns",
    "outbox",
    "idempotency_keys",
  ] as const;
  const out: Record<string, number> = {};
  for (const table of tables)
    out[table] = Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  out.usedTokens = Number(
    (
      await t.db
        .selectFrom("idempotency_keys")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("used_at", "is not", null)
        .executeTakeFirstOrThrow()
    ).n,
  );
  const provider = await t.db.selectFrom("provider").selectAll().executeTakeFirstOrThrow();
  out.providerName = provider.name.length;
  return out;
}

async function customerOf(email: string) {
  return t.db
    .selectFrom("users")
    .select(["id", "customer_id"])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();
}
async function activeContract(): Promise<number> {
  return (
    await t.db
      .selectFrom("contracts")
      .select("id")
      .where("status", "=", "active")
      .orderBy("id")
      .executeTakeFirstOrThrow()
  ).id;
}

describe("an unknown intent is a 400 and writes nothing", () => {
  it("on the account page (it used to throw a bare 400)", async () => {
    const before = await writes();
    const a = await answer(() =>
      accountAction({
        request: post("/account", "operator@demo.example", { intent: "delete-account" }),
        params: {},
        context: {},
      }),
    );
    expect(a.status).toBe(400);
    expect(a.body).toEqual({ fieldErrors: { _form: UNKNOWN_INTENT } });
    expect(await writes()).toEqual(before);
  });

  it("on the account's second factor page", async () => {
    const before = await writes();
    const a = await answer(() =>
      secondFactorAction({
        request: post("/account/second-factor", "operator@demo.example", {
          intent: "remove-everything",
          password: "x",
        }),
        params: {},
        context: {},
      }),
    );
    expect(a).toEqual({
      status: 400,
      location: null,
      body: { error: UNKNOWN_INTENT, field: undefined },
    });
    expect(await writes()).toEqual(before);
  });

  it("at the second step of signing in (the pending sign-in stays)", async () => {
    const user = await customerOf("customer@demo.example");
    const token = await createPendingSignIn(t.db, user.id, TEST_NOW);
    const before = await writes();
    const request = new Request(`${BASE}/login/second-factor`, {
      method: "POST",
      body: new URLSearchParams({ intent: "skip", code: "123456" }),
      headers: {
        Cookie: `${PENDING_COOKIE_NAME}=${token}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
    });
    const a = await answer(() => secondStepAction({ request, params: {}, context: {} }));
    expect(a).toEqual({
      status: 400,
      location: null,
      body: { kind: "totp", message: UNKNOWN_INTENT },
    });
    expect(await writes()).toEqual(before);
    const pending = await t.db
      .selectFrom("pending_sign_ins")
      .select(["id", "failures"])
      .where("user_id", "=", user.id)
      .execute();
    expect(pending.map((p) => p.failures)).toEqual([0]);
  });

  it("on the settings page (a form without an intent used to save the provider's details)", async () => {
    const before = await writes();
    for (const intent of ["drop", ""]) {
      const a = await answer(() =>
        settingsAction({
          request: post("/settings", "admin@demo.example", {
            intent,
            name: "上書き株式会社",
            address: "東京都",
            phone: "03-0000-0000",
            email: "x@example.jp",
            registrationNumber: "T5010001234566",
            bankAccount: "どこか",
          }),
          params: {},
          context: {},
        }),
      );
      expect(a.status).toBe(400);
      expect(a.body.fieldErrors).toEqual({ _form: UNKNOWN_INTENT });
    }
    expect(await writes()).toEqual(before);
    expect(
      (await t.db.selectFrom("provider").select("name").executeTakeFirstOrThrow()).name,
    ).not.toBe("上書き株式会社");
  });

  it("on the customer page (a form without an intent used to invite an account)", async () => {
    const { customer_id } = await customerOf("customer@demo.example");
    const before = await writes();
    for (const intent of ["promote", ""]) {
      const a = await answer(() =>
        customerAction({
          request: post(`/customers/${customer_id}`, "reseller@demo.example", {
            intent,
            displayName: "侵入 太郎",
            email: "intruder@example.jp",
          }),
          params: { customerId: String(customer_id) },
          context: {},
        }),
      );
      expect(a.status).toBe(400);
      expect(a.body.fieldErrors).toEqual({ _form: UNKNOWN_INTENT });
    }
    expect(await writes()).toEqual(before);
  });

  it("on the contract admin page", async () => {
    const contractId = await activeContract();
    const before = await writes();
    const a = await answer(() =>
      adminAction({
        request: post(`/contracts/${contractId}/admin`, "operator@demo.example", {
          intent: "delete",
          reason: "non_payment",
          startsOn: "2026-12-01",
        }),
        params: { contractId: String(contractId) },
        context: {},
      }),
    );
    expect(a).toEqual({ status: 400, location: null, body: { error: UNKNOWN_INTENT } });
    expect(await writes()).toEqual(before);
  });
});

describe("forms that create something, sent twice, record once", () => {
  it("利用停止を通知する: one suspension; the repeat says already recorded; no token is refused", async () => {
    const contractId = await activeContract();
    const path = `/contracts/${contractId}/admin`;
    const page = {
      body: await adminPage({
        request: get(path, "operator@demo.example"),
        params: { contractId: String(contractId) },
        context: {},
      }),
    };
    const fields = {
      intent: "suspend",
      reason: "non_payment",
      note: "",
      startsOn: "2026-12-01",
      endsOn: "",
    };
    const count = async () =>
      (
        await t.db
          .selectFrom("suspensions")
          .select("id")
          .where("contract_id", "=", contractId)
          .execute()
      ).length;
    const before = await count();
    const send = (token?: string) =>
      answer(() =>
        adminAction({
          request: post(path, "operator@demo.example", {
            ...fields,
            ...(token ? { [FORM_TOKEN_FIELD]: token } : {}),
          }),
          params: { contractId: String(contractId) },
          context: {},
        }),
      );
    const missing = await send();
    expect(missing.status).toBe(409);
    expect(onceOf(missing)).toEqual({ form: "suspend", kind: "refused", message: TOKEN_REFUSED });
    expect(await count()).toBe(before);

    const first = await send(page.body.formTokens.suspend);
    expect(first).toEqual({ status: 302, location: `${path}?done=1`, body: null });
    const second = await send(page.body.formTokens.suspend);
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "suspend",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（利用停止は通知済みです）`,
      redirect: path,
    });
    expect(await count()).toBe(before + 1);
    const mails = await t.db
      .selectFrom("outbox")
      .select("id")
      .where("kind", "=", "suspension_notice")
      .execute();
    expect(mails).toHaveLength(1);
  });

  it("a lift of another contract's suspension through this page is a 404 and lifts nothing", async () => {
    const contractId = await activeContract();
    // The suspension to lift: one notified through its own contract's page.
    const own = await adminPage({
      request: get(`/contracts/${contractId}/admin`, "operator@demo.example"),
      params: { contractId: String(contractId) },
      context: {},
    });
    const suspended = await answer(() =>
      adminAction({
        request: post(`/contracts/${contractId}/admin`, "operator@demo.example", {
          intent: "suspend",
          reason: "non_payment",
          note: "",
          startsOn: "2026-12-01",
          endsOn: "",
          [FORM_TOKEN_FIELD]: own.formTokens.suspend,
        }),
        params: { contractId: String(contractId) },
        context: {},
      }),
    );
    expect(suspended.status).toBe(302);
    const other = await t.db
      .selectFrom("suspensions")
      .select("id")
      .where("contract_id", "=", contractId)
      .executeTakeFirstOrThrow();
    const otherContract = (
      await t.db
        .selectFrom("contracts")
        .select("id")
        .where("status", "=", "active")
        .where("id", "<>", contractId)
        .orderBy("id")
        .executeTakeFirstOrThrow()
    ).id;
    const path = `/contracts/${otherContract}/admin`;
    const page = {
      body: await adminPage({
        request: get(path, "operator@demo.example"),
        params: { contractId: String(otherContract) },
        context: {},
      }),
    };
    // A token of this page, used for a suspension that is not this contract's.
    const a = await answer(() =>
      adminAction({
        request: post(path, "operator@demo.example", {
          intent: "lift",
          suspensionId: String(other.id),
          [FORM_TOKEN_FIELD]: page.body.formTokens.suspend,
        }),
        params: { contractId: String(otherContract) },
        context: {},
      }),
    );
    expect(a.status).toBe(404);
    const row = await t.db
      .selectFrom("suspensions")
      .select("lifted_at")
      .where("id", "=", other.id)
      .executeTakeFirstOrThrow();
    expect(row.lifted_at).toBeNull();
  });

  it("アカウントを追加する: one account and one mail; the repeat says already recorded", async () => {
    const { customer_id } = await customerOf("customer@demo.example");
    const path = `/customers/${customer_id}`;
    const page = {
      body: await customerPage({
        request: get(path, "reseller@demo.example"),
        params: { customerId: String(customer_id) },
        context: {},
      }),
    };
    const token = page.body.formTokens!["account-invite"];
    const send = () =>
      answer(() =>
        customerAction({
          request: post(path, "reseller@demo.example", {
            intent: "invite",
            displayName: "二重 花子",
            email: "Twice@Minato.example",
            [FORM_TOKEN_FIELD]: token,
          }),
          params: { customerId: String(customer_id) },
          context: {},
        }),
      );
    const first = await send();
    expect(first).toEqual({
      status: 302,
      location: `${path}?invited=twice%40minato.example#accounts`,
      body: null,
    });
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "account-invite",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（twice@minato.example のアカウントは作成済みです）`,
      redirect: path,
    });
    expect(
      await t.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "twice@minato.example")
        .execute(),
    ).toHaveLength(1);
    expect(
      await t.db
        .selectFrom("outbox")
        .select("id")
        .where("to_address", "=", "twice@minato.example")
        .execute(),
    ).toHaveLength(1);
  });

  it("二要素認証をリセットする (settings): one reset mail; the repeat says already recorded", async () => {
    const page = {
      body: await settingsPage({
        request: get("/settings", "admin@demo.example"),
        params: {},
        context: {},
      }),
    };
    const send = () =>
      answer(() =>
        settingsAction({
          request: post("/settings", "admin@demo.example", {
            intent: "mfa-reset",
            email: "operator@demo.example",
            [FORM_TOKEN_FIELD]: page.body.mfaResetToken,
          }),
          params: {},
          context: {},
        }),
      );
    const first = await send();
    expect(first.location).toBe("/settings?mfaReset=operator%40demo.example#second-factor");
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second).message).toBe(
      `${ALREADY_RECORDED}（operator@demo.example の二要素認証はリセット済みです）`,
    );
    expect(
      await t.db
        .selectFrom("outbox")
        .select("id")
        .where("kind", "=", "mfa_reset")
        .where("to_address", "=", "operator@demo.example")
        .execute(),
    ).toHaveLength(1);
  });
});

describe("transfer decisions, sent twice, decide once", () => {
  it("承認する twice approves once (one new customer); the repeat says already recorded", async () => {
    const contract = await t.db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select(["contracts.id", "customers.reseller_id"])
      .where("contracts.ref", "=", "K-2002")
      .executeTakeFirstOrThrow();
    const requested = await requestHolderChange(t.db, {
      contractId: contract.id,
      tenant: { kind: "provider" },
      at: TEST_NOW,
      actor: { id: null, email: "operator@demo.example" },
      ip: "",
      input: {
        kind: "transfer",
        cause: null,
        existingCustomerId: null,
        name: "株式会社二度押し",
        address: "宮城県仙台市青葉区一番町2-2-2",
        phone: "022-261-0000",
        email: "keiri@nidooshi.example",
        successors: [],
        representative: null,
        evidence: "signed_by_both",
        evidenceNote: "譲渡承認申請書 2026-11-20 受付",
        consent: true,
      },
    });
    if (!requested?.ok) throw new Error(`request: ${JSON.stringify(requested)}`);
    const path = `/contracts/${contract.id}/transfer`;
    const params = { contractId: String(contract.id) };
    const page = await transferPage({
      request: get(path, "operator@demo.example"),
      params,
      context: {},
    });
    const token = page.decisionTokens[`holder-change-decision-${requested.value.id}`];
    expect(token).toBeTruthy();
    const customers = async () =>
      (
        await t.db
          .selectFrom("customers")
          .select("id")
          .where("name", "=", "株式会社二度押し")
          .execute()
      ).length;
    const send = () =>
      answer(() =>
        transferAction({
          request: post(path, "operator@demo.example", {
            intent: "approve",
            changeId: String(requested.value.id),
            [FORM_TOKEN_FIELD]: token,
          }),
          params,
          context: {},
        }),
      );
    const first = await send();
    expect(first).toEqual({ status: 302, location: `${path}?decided=1`, body: null });
    expect(await customers()).toBe(1);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: `holder-change-decision-${requested.value.id}`,
      kind: "replayed",
      message: `${ALREADY_RECORDED}（承認済みです）`,
      redirect: path,
    });
    expect(await customers()).toBe(1);
  });
});
