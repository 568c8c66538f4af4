// The operations pages' forms (issue 16 item 1, issue 17 item 1): each action reads one schema with
// a discriminated intent — an intent none of the page's forms sends is a 400 that writes nothing —
// and each form that creates something carries a one-time token, so the same form sent twice
// writes once and the repeat answers 「すでに記録されています」; a foreign id is still 404.
import { describe, expect, it } from "vitest";
import { ALREADY_RECORDED, issueFormToken } from "../app/lib/idempotency.server";
import { UNKNOWN_INTENT } from "../app/lib/form";
import { action as callsAction, loader as callsPage } from "../app/routes/_console.calls";
import { action as dispatchAction, loader as dispatchPage } from "../app/routes/_console.dispatch";
import { action as visitsAction } from "../app/routes/_console.contracts.$contractId_.visits";
import {
  action as recordAction,
  loader as recordPage,
} from "../app/routes/_console.contracts.$contractId_.visits_.$bookingId";
import {
  action as licenseAction,
  loader as licensePage,
} from "../app/routes/_console.licenses.$licenseId";
import { loader as findLicensesPage } from "../app/routes/_console.licenses.find";
import { action as ispAction, loader as ispPage } from "../app/routes/_console.licenses.isp";
import { action as uploadAction } from "../app/routes/_console.collections.upload";
import { loader as bankCreditsPage } from "../app/routes/_console.bank-credits";
import { action as tariffsAction, loader as tariffsPage } from "../app/routes/_console.tariffs";
import {
  action as incidentAction,
  loader as incidentPage,
} from "../app/routes/_console.incidents.$incidentId";
import { TEST_NOW, type TestDatabase } from "./support/database";
import { routeCallsAs, answer, BASE, onceOf } from "./support/route-calls";
import { instant, instantOf, isoDate } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

let t: TestDatabase;
const { cookieOf, get, post } = routeCallsAs(
  ["operator@demo.example", "customer2@demo.example", "finance@demo.example"],
  (database) => (t = database),
  { timeout: 120_000 },
);

const OPERATOR = "operator@demo.example";

async function userId(email: string) {
  return (
    await t.db.selectFrom("users").select("id").where("email", "=", email).executeTakeFirstOrThrow()
  ).id;
}

async function openIncident(notCustomer?: string) {
  let q = t.db
    .selectFrom("incidents")
    .innerJoin("contracts", "contracts.id", "incidents.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["incidents.id", "incidents.status"])
    .where("incidents.status", "!=", "resolved");
  if (notCustomer) q = q.where("customers.ref", "!=", notCustomer);
  return q.orderBy("incidents.id").executeTakeFirstOrThrow();
}

const notesOf = async (incidentId: number) =>
  (
    await t.db
      .selectFrom("incident_notes")
      .select("body")
      .where("incident_id", "=", incidentId)
      .execute()
  ).map((n) => n.body);

describe("incident notes", () => {
  it("the same メモを追加する form sent twice adds one note; the repeat says it is already recorded", async () => {
    const incident = await openIncident();
    const page = await incidentPage({
      request: get(`/incidents/${incident.id}`, OPERATOR),
      params: { incidentId: String(incident.id) },
      context: {},
    });
    const before = await notesOf(incident.id);
    const form = {
      intent: "note",
      notes: "お客さまに電話で状況を説明\r\n続きの行",
      assignee: "",
      _formToken: page.formToken,
    };
    const send = () =>
      answer(() =>
        incidentAction({
          request: post(`/incidents/${incident.id}`, OPERATOR, form),
          params: { incidentId: String(incident.id) },
          context: {},
        }),
      );
    const first = await send();
    expect([first.status, first.location]).toEqual([302, `/incidents/${incident.id}?noted=1`]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "incident-note",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（メモは追加済みです）`,
    });
    const after = await notesOf(incident.id);
    expect(after).toEqual([...before, "お客さまに電話で状況を説明\n続きの行"]);
    expect((await openIncident()).status).toBe(incident.status);
  });

  it("an unknown intent is a 400 that writes nothing; an empty note is a field error", async () => {
    const incident = await openIncident();
    const before = await notesOf(incident.id);
    const token = await issueFormToken(t.db, {
      userId: await userId(OPERATOR),
      form: "incident-note",
    });
    const sendAs = (body: Record<string, string>) =>
      answer(() =>
        incidentAction({
          request: post(`/incidents/${incident.id}`, OPERATOR, { ...body, _formToken: token }),
          params: { incidentId: String(incident.id) },
          context: {},
        }),
      );
    for (const intent of ["reopen", ""]) {
      const r = await sendAs({ intent, notes: "何か", assignee: "" });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ errors: { _form: UNKNOWN_INTENT } });
    }
    const empty = await sendAs({ intent: "resolve", notes: " ", assignee: "" });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({
      errors: { notes: "解決するときは対応内容をメモに記入してください" },
    });
    expect(await notesOf(incident.id)).toEqual(before);
    const row = await t.db
      .selectFrom("incidents")
      .select("status")
      .where("id", "=", incident.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe(incident.status);
  });

  it("another customer's incident with a valid token is 404 and gets no note", async () => {
    const foreign = await openIncident("C5");
    const before = await notesOf(foreign.id);
    const token = await issueFormToken(t.db, {
      userId: await userId("customer2@demo.example"),
      form: "incident-note",
    });
    const r = await answer(() =>
      incidentAction({
        request: post(`/incidents/${foreign.id}`, "customer2@demo.example", {
          intent: "note",
          notes: "よその記録",
          assignee: "",
          _formToken: token,
        }),
        params: { incidentId: String(foreign.id) },
        context: {},
      }),
    );
    expect(r.status).toBe(404);
    expect(await notesOf(foreign.id)).toEqual(before);
  });
});

describe("phone calls", () => {
  let made = 0;
  // Each test its own call due an hour ago, copied from a seeded phone notification.
  async function dueCall() {
    const model = await t.db
      .selectFrom("notifications")
      .selectAll()
      .where("channel", "=", "phone")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    made += 1;
    const { id } = await t.db
      .insertInto("notifications")
      .values({
        incident_id: model.incident_id,
        contract_id: model.contract_id,
        event_id: `${model.event_id}-test-${made}`,
        channel: "phone",
        planned_at: instantOf(new Date(TEST_NOW.getTime() - 60 * 60_000)),
        sent_at: null,
        result: null,
        recipient: model.recipient,
        last_error: null,
        outbox_id: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const page = await callsPage({ request: get("/calls", OPERATOR), params: {}, context: {} });
    const call = page.calls.find((c) => c.id === id);
    if (!call) throw new Error("the new call is not on the page");
    return call;
  }
  const sentOf = async (id: number) =>
    (
      await t.db
        .selectFrom("notifications")
        .select(["sent_at", "result"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).sent_at;

  it("the same 記録する form sent twice records the call once; the repeat says it is already recorded", async () => {
    const call = await dueCall();
    expect(call.formToken).not.toBe("");
    const notesBefore = (await notesOf(call.incident_id)).length;
    const form = {
      intent: "record_call",
      id: String(call.id),
      result: "answered",
      note: "田中さまに説明",
      _formToken: call.formToken,
    };
    const send = () =>
      answer(() =>
        callsAction({ request: post("/calls", OPERATOR, form), params: {}, context: {} }),
      );
    const first = await send();
    expect([first.status, first.location]).toEqual([302, `/calls?recorded=${call.id}`]);
    const second = await send();
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: `call-${call.id}`,
      kind: "replayed",
      message: `${ALREADY_RECORDED}（電話連絡の結果（通話済み））`,
    });
    expect(await sentOf(call.id)).toBe(TEST_NOW.toISOString());
    expect((await notesOf(call.incident_id)).length).toBe(notesBefore + 1);
  });

  it("an unknown intent is a 400 that records nothing", async () => {
    const call = await dueCall();
    const r = await answer(() =>
      callsAction({
        request: post("/calls", OPERATOR, {
          intent: "delete",
          id: String(call.id),
          result: "answered",
          note: "",
          _formToken: call.formToken,
        }),
        params: {},
        context: {},
      }),
    );
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    expect(r.body.id).toBe(call.id);
    expect(await sentOf(call.id)).toBeNull();
  });

  it("another tenant's call with a valid token is 404", async () => {
    const call = await dueCall();
    const token = await issueFormToken(t.db, {
      userId: await userId("customer2@demo.example"),
      form: `call-${call.id}`,
    });
    const customer = await t.db
      .selectFrom("notifications")
      .innerJoin("contracts", "contracts.id", "notifications.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select("customers.ref")
      .where("notifications.id", "=", call.id)
      .executeTakeFirstOrThrow();
    expect(customer.ref).not.toBe("C5");
    // The calls page is the operations' page: a customer is refused before the form is read.
    const r = await answer(() =>
      callsAction({
        request: post("/calls", "customer2@demo.example", {
          intent: "record_call",
          id: String(call.id),
          result: "answered",
          note: "",
          _formToken: token,
        }),
        params: {},
        context: {},
      }),
    );
    expect([403, 404]).toContain(r.status);
    expect(await sentOf(call.id)).toBeNull();
  });
});

describe("gateway failures (故障の受付)", () => {
  const count = async () =>
    Number(
      (
        await t.db
          .selectFrom("gateway_failures")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("the same 記録する form sent twice records one failure; an unknown intent is a 400", async () => {
    const page = await dispatchPage({
      request: get("/dispatch", OPERATOR),
      params: {},
      context: {},
    });
    const contract = page.contracts[0];
    const before = await count();
    const form = {
      intent: "record",
      contract: String(contract.id),
      date: "2026-11-22",
      time: "09:30",
      notes: "電源が入らない",
      _formToken: page.formToken,
    };
    const send = (body: Record<string, string>) =>
      answer(() =>
        dispatchAction({ request: post("/dispatch", OPERATOR, body), params: {}, context: {} }),
      );
    const unknown = await send({ ...form, intent: "cancel" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    const badId = await send({ ...form, contract: "abc" });
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toEqual({ contract: "契約を選んでください" });
    expect(await count()).toBe(before);
    const first = await send(form);
    expect(first.status).toBe(302);
    expect(first.location).toMatch(/^\/dispatch\?recorded=\d+$/);
    const second = await send(form);
    expect(second.status).toBe(200);
    expect(onceOf(second).message).toBe(`${ALREADY_RECORDED}（故障の受付は記録済みです）`);
    expect(await count()).toBe(before + 1);
  });

  it("another tenant's contract with a valid token is refused and records nothing", async () => {
    const foreign = await t.db
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select("contracts.id")
      .where("customers.ref", "!=", "C5")
      .executeTakeFirstOrThrow();
    const token = await issueFormToken(t.db, {
      userId: await userId("customer2@demo.example"),
      form: "dispatch",
    });
    const before = await count();
    const r = await answer(() =>
      dispatchAction({
        request: post("/dispatch", "customer2@demo.example", {
          intent: "record",
          contract: String(foreign.id),
          date: "2026-11-22",
          time: "09:30",
          notes: "",
          _formToken: token,
        }),
        params: {},
        context: {},
      }),
    );
    expect([403, 404]).toContain(r.status);
    expect(await count()).toBe(before);
  });
});

describe("tariff versions", () => {
  const versions = async () =>
    (await t.db.selectFrom("tariff_versions").select("effective_from").execute()).map(
      (v) => v.effective_from,
    );

  it("the same 登録する form sent twice publishes one version; an unknown intent is a 400", async () => {
    const page = await tariffsPage({ request: get("/tariffs", OPERATOR), params: {}, context: {} });
    const before = await versions();
    const form = {
      intent: "publish",
      effectiveFrom: "2027-03-01",
      "price.endpoint": "700",
      _formToken: page.formToken,
    };
    const send = (body: Record<string, string>) =>
      answer(() =>
        tariffsAction({ request: post("/tariffs", OPERATOR, body), params: {}, context: {} }),
      );
    const unknown = await send({ ...form, intent: "replace" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    expect(await versions()).toEqual(before);
    const first = await send(form);
    expect([first.status, first.location]).toEqual([302, "/tariffs?published=2027-03-01"]);
    const second = await send(form);
    expect(second.status).toBe(200);
    expect(onceOf(second).message).toBe(`${ALREADY_RECORDED}（2027-03-01 版は公開済みです）`);
    expect(await versions()).toEqual([...before, "2027-03-01"]);
    // Withdrawing a version in force is a conflict (409) shown on the form; an unknown one is 404.
    const inForce = await send({ intent: "withdraw", effectiveFrom: before[0] });
    expect(inForce.status).toBe(409);
    expect(inForce.body.errors._form).toBe(
      `${before[0]} 版はすでに適用されているため取り下げられません`,
    );
    expect((await send({ intent: "withdraw", effectiveFrom: "2031-01-01" })).status).toBe(404);
    const withdrawn = await send({ intent: "withdraw", effectiveFrom: "2027-03-01" });
    expect(withdrawn.location).toBe("/tariffs?withdrawn=2027-03-01");
    expect(await versions()).toEqual(before);
  });
});

describe("visits", () => {
  const contractOf = async (ref: string) =>
    (
      await t.db
        .selectFrom("contracts")
        .select("id")
        .where("ref", "=", ref)
        .executeTakeFirstOrThrow()
    ).id;
  // A booking of K-2001 for 2026-11-20 10:00, two days before the clock: recordable now.
  async function pastBooking() {
    const contractId = await contractOf("K-2001");
    const { id } = await t.db
      .insertInto("visit_bookings")
      .values({
        contract_id: contractId,
        visit_date: isoDate("2026-11-20"),
        start_time: "10:00",
        lines: JSON.stringify([{ code: "visit.base", quantity: 1 }]),
        with_line_application: 0,
        backup_available: 0,
        estimate_yen: toYen(4500),
        status: "booked",
        visit_id: null,
        created_by: OPERATOR,
        created_at: instant("2026-11-19T01:00:00.000Z"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { contractId, bookingId: id };
  }
  const visitsOf = async (contractId: number) =>
    (await t.db.selectFrom("visits").select("id").where("contract_id", "=", contractId).execute())
      .length;

  it("an unknown intent on the booking form is a 400 that books nothing", async () => {
    const contractId = await contractOf("K-2001");
    const count = async () =>
      (
        await t.db
          .selectFrom("visit_bookings")
          .select("id")
          .where("contract_id", "=", contractId)
          .execute()
      ).length;
    const before = await count();
    const token = await issueFormToken(t.db, {
      userId: await userId(OPERATOR),
      form: "visit-booking",
    });
    const r = await answer(() =>
      visitsAction({
        request: post(`/contracts/${contractId}/visits`, OPERATOR, {
          intent: "book-now",
          date: "2026-11-24",
          start: "10:00",
          _formToken: token,
        }),
        params: { contractId: String(contractId) },
        context: {},
      }),
    );
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    expect(await count()).toBe(before);
    // A wrong work field names the field (shown beside it) and books nothing either.
    const bad = await answer(() =>
      visitsAction({
        request: post(`/contracts/${contractId}/visits`, OPERATOR, {
          intent: "book",
          date: "2026-11-24",
          start: "10:00",
          "visit.printer": "1.5",
          _formToken: token,
        }),
        params: { contractId: String(contractId) },
        context: {},
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({
      "visit.printer": "プリンター設定は0〜100の整数で入力してください",
    });
    expect(await count()).toBe(before);
  });

  it("the same 実施を記録 form sent twice records one visit; an unknown intent is a 400", async () => {
    const { contractId, bookingId } = await pastBooking();
    const path = `/contracts/${contractId}/visits/${bookingId}`;
    const routeParams = { contractId: String(contractId), bookingId: String(bookingId) };
    const page = await recordPage({
      request: get(path, OPERATOR),
      params: routeParams,
      context: {},
    });
    expect(page.booking.recordable).toBe(true);
    const before = await visitsOf(contractId);
    const form = { intent: "record", start: "10:05", _formToken: page.formToken };
    const send = (body: Record<string, string>) =>
      answer(() =>
        recordAction({ request: post(path, OPERATOR, body), params: routeParams, context: {} }),
      );
    const unknown = await send({ ...form, intent: "cancel" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    expect(await visitsOf(contractId)).toBe(before);
    const first = await send(form);
    expect([first.status, first.location]).toEqual([
      302,
      `/contracts/${contractId}/visits?recorded=1`,
    ]);
    const second = await send(form);
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "visit-record",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（訪問の実施は記録済みです）`,
      redirect: `/contracts/${contractId}/visits`,
    });
    expect(await visitsOf(contractId)).toBe(before + 1);
    // Recorded: a fresh form's record is a conflict (409) with the page's message.
    const again = await send({
      ...form,
      _formToken: await issueFormToken(t.db, {
        userId: await userId(OPERATOR),
        form: "visit-record",
      }),
    });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual({ _form: "この予約はすでに記録済みか取り消されています" });
  });

  it("a booking of another contract with a valid token is 404 and records nothing", async () => {
    const { contractId, bookingId } = await pastBooking();
    const before = await visitsOf(contractId);
    const other = await contractOf("K-2002");
    const path = `/contracts/${other}/visits/${bookingId}`;
    const token = await issueFormToken(t.db, {
      userId: await userId(OPERATOR),
      form: "visit-record",
    });
    const r = await answer(() =>
      recordAction({
        request: post(path, OPERATOR, { intent: "record", start: "10:05", _formToken: token }),
        params: { contractId: String(other), bookingId: String(bookingId) },
        context: {},
      }),
    );
    expect(r.status).toBe(404);
    expect(await visitsOf(contractId)).toBe(before);
    const row = await t.db
      .selectFrom("visit_bookings")
      .select("status")
      .where("id", "=", bookingId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("booked");
  });
});

describe("licence operations (LicensePanel)", () => {
  const licence = async (ref: string) =>
    t.db
      .selectFrom("licenses")
      .select(["id", "renewal_state", "state"])
      .where("ref", "=", ref)
      .executeTakeFirstOrThrow();
  const auditCount = async (action: string) =>
    (await t.db.selectFrom("audit_log").select("id").where("action", "like", action).execute())
      .length;

  it("自動延長を停止する sent twice stops once; the repeat says it is already recorded", async () => {
    const { id } = await licence("LIC-1001");
    const path = `/licenses/${id}`;
    const routeParams = { licenseId: String(id) };
    const page = await licensePage({
      request: get(path, OPERATOR),
      params: routeParams,
      context: {},
    });
    expect(page.formToken).not.toBe("");
    const { order_number } = await t.db
      .selectFrom("licenses")
      .select("order_number")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const found = await findLicensesPage({
      request: get(`/licenses/find?q=${order_number}`, OPERATOR),
      params: {},
      context: {},
    });
    expect(found.results.map((r) => r.view.id)).toContain(id);
    for (const r of found.results)
      expect(found.formTokens[`license-${r.view.id}`]).toMatch(/^[\w-]{20,}$/);
    const auditBefore = await auditCount("license.%");
    const send = (body: Record<string, string>) =>
      answer(() =>
        licenseAction({ request: post(path, OPERATOR, body), params: routeParams, context: {} }),
      );
    const unknown = await send({ intent: "delete", _formToken: page.formToken });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    expect((await licence("LIC-1001")).renewal_state).toBe("active");
    const form = { intent: "stop_renewal", _formToken: page.formToken };
    const first = await send(form);
    expect([first.status, first.location]).toEqual([
      302,
      `/licenses/${id}/done?action=stop_renewal`,
    ]);
    const afterFirst = await auditCount("license.%");
    expect(afterFirst).toBeGreaterThan(auditBefore);
    const second = await send(form);
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: `license-${id}`,
      kind: "replayed",
      message: `${ALREADY_RECORDED}（自動延長の停止は受付済みです）`,
      redirect: `/licenses/${id}`,
    });
    expect(await auditCount("license.%")).toBe(afterFirst);
    expect((await licence("LIC-1001")).renewal_state).not.toBe("active");

    // A fresh form for a stop already under way: a conflict (409) with the panel's message.
    const fresh = async () =>
      (await licensePage({ request: get(path, OPERATOR), params: routeParams, context: {} }))
        .formToken;
    const again = await send({ intent: "stop_renewal", _formToken: await fresh() });
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual({ _form: "自動延長サービスの停止を処理中です。" });
    // Cancelling without the uninstall acknowledgement: a field error (400), nothing cancelled.
    const unacknowledged = await send({ intent: "cancel", _formToken: await fresh() });
    expect(unacknowledged.status).toBe(400);
    expect(Object.keys(unacknowledged.body.errors)).toEqual(["uninstalled"]);
    expect((await licence("LIC-1001")).state).toBe("active");
    expect(await auditCount("license.%")).toBe(afterFirst);
  });

  it("another customer's licence with a valid token is 404 and changes nothing", async () => {
    const { id, ...before } = await licence("LIC-1002");
    const token = await issueFormToken(t.db, {
      userId: await userId("customer2@demo.example"),
      form: `license-${id}`,
    });
    const r = await answer(() =>
      licenseAction({
        request: post(`/licenses/${id}`, "customer2@demo.example", {
          intent: "cancel",
          uninstalled: "yes",
          _formToken: token,
        }),
        params: { licenseId: String(id) },
        context: {},
      }),
    );
    expect(r.status).toBe(404);
    expect(await licence("LIC-1002")).toEqual({ id, ...before });
  });
});

describe("bank file uploads (入金明細・振替結果)", () => {
  const FINANCE = "finance@demo.example";
  const upload = (fields: Record<string, string>, content: string) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    body.append("file", new File([Buffer.from(content)], "statement.csv", { type: "text/csv" }));
    return answer(() =>
      uploadAction({
        request: new Request(`${BASE}/collections/upload`, {
          method: "POST",
          body,
          headers: { Cookie: cookieOf(FINANCE) },
        }),
        params: {},
        context: {},
      }),
    );
  };
  const credits = async () => (await t.db.selectFrom("bank_credits").select("id").execute()).length;

  it("the same statement sent twice imports once; an unknown intent is a 400; a bad file keeps its token", async () => {
    const page = await bankCreditsPage({
      request: get("/bank-credits", FINANCE),
      params: {},
      context: {},
    });
    const token = page.uploadToken;
    const before = await credits();
    const csv = "取引日,入金額,振込依頼人名\n2026-11-20,4321,ﾃｽﾄ ﾀﾛｳ\n";
    const unknown = await upload({ intent: "delete", _formToken: token }, csv);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    const bad = await upload({ intent: "statement", _formToken: token }, "日付,金額\n");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.file).toBe(
      'statement.csv: line 1 (見出し): 「取引日,入金額,振込依頼人名」ではありません: "日付,金額"（何も記録していません）',
    );
    expect(await credits()).toBe(before);
    const first = await upload({ intent: "statement", _formToken: token }, csv);
    expect(first.status).toBe(200);
    const summary =
      "入金 1件: 照合して入金を記録 0件 0円、照合待ち 1件、取込済みのため変更なし 0件";
    expect(first.body).toEqual({ kind: "statement", errors: {}, summary });
    const second = await upload({ intent: "statement", _formToken: token }, csv);
    expect(second.status).toBe(200);
    expect(onceOf(second)).toEqual({
      form: "statement-upload",
      kind: "replayed",
      message: `${ALREADY_RECORDED}（statement.csv は取り込み済みです（${summary}））`,
    });
    expect(await credits()).toBe(before + 1);
  });
});

describe("ISP security application (licenses.isp)", () => {
  const ispCount = async () =>
    (await t.db.selectFrom("licenses").select("id").where("channel", "=", "isp").execute()).length;

  it("the form sent twice applies once (the repeat goes to the licence); an unknown intent is a 400", async () => {
    const page = await ispPage({
      request: get("/licenses/isp", OPERATOR),
      params: {},
      context: {},
    });
    const customer = page.customers[0];
    const before = await ispCount();
    const form = {
      intent: "apply",
      customerId: String(customer.id),
      product: "multi_device_security",
      devices: "2",
      _formToken: page.formToken,
    };
    const send = (body: Record<string, string>) =>
      answer(() =>
        ispAction({ request: post("/licenses/isp", OPERATOR, body), params: {}, context: {} }),
      );
    const unknown = await send({ ...form, intent: "apply-twice" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    expect(await ispCount()).toBe(before);
    const first = await send(form);
    expect(first.status).toBe(302);
    expect(first.location).toMatch(/^\/licenses\/\d+\?applied=1$/);
    const second = await send(form);
    expect([second.status, second.location]).toEqual([302, first.location]);
    expect(await ispCount()).toBe(before + 1);
  });
});
