// The contract pages' answers in the one result type (issue 16 item 1, decision 0045), through
// the routes as the server calls them: a request or decision the record's state refuses is 409
// (these were 400), a field's problem stays 400 and reaches its field, a foreign or missing
// record is 404; the texts are the ones people saw before.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  action as newApplicationAction,
  loader as newApplicationPage,
} from "../app/routes/_console.applications.new";
import {
  action as applicationAction,
  loader as applicationPage,
} from "../app/routes/_console.applications.$applicationId";
import {
  action as cancelAction,
  loader as cancelPage,
} from "../app/routes/_console.contracts.$contractId_.cancel";
import { action as confirmAction } from "../app/routes/_console.cancellations";
import {
  action as changesAction,
  loader as changesPage,
} from "../app/routes/_console.contracts.$contractId_.changes";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { answer, BASE, getAs, postAs, signInAll } from "./support/route-calls";

let t: TestDatabase;
let sessions: Record<string, string> = {};

beforeAll(async () => {
  process.env.CONSOLE_URL = BASE;
  process.env.APP_NOW = TEST_NOW.toISOString().replace("Z", "+00:00");
  t = await createTestDatabase({ seed: true, events: false });
  sessions = await signInAll([
    "operator@demo.example",
    "reseller@demo.example",
    "reseller2@demo.example",
    "customer@demo.example",
    "customer2@demo.example",
  ]);
}, 60_000);
afterAll(() => {
  delete process.env.APP_NOW;
  t.dispose();
});

const get = (path: string, as: string) => getAs(sessions, path, as);
const post = (path: string, as: string, body: Record<string, string>) =>
  postAs(sessions, path, as, body);
const contract = (ref: string) =>
  t.db
    .selectFrom("contracts")
    .select(["id", "line_id", "status"])
    .where("ref", "=", ref)
    .executeTakeFirstOrThrow();
const terminations = async (contractId: number) =>
  (
    await t.db
      .selectFrom("terminations")
      .select("confirmed_on")
      .where("contract_id", "=", contractId)
      .execute()
  ).map((r) => r.confirmed_on);

describe("cancelling (T-20)", () => {
  it("a second request is 409, a past date 400 on its field, a foreign contract 404; confirming twice is 409", async () => {
    const k1001 = await contract("K-1001");
    const path = `/contracts/${k1001.id}/cancel`;
    const params = { contractId: String(k1001.id) };
    const send = async (
      as: string,
      body: Record<string, string>,
      form = "cancellation-request",
    ) => {
      const page = await cancelPage({ request: get(path, as), params, context: {} });
      const token = page.formTokens[form as "cancellation-request"];
      return answer(() =>
        cancelAction({
          request: post(path, as, { ...body, _formToken: token }),
          params,
          context: {},
        }),
      );
    };
    const first = await send("customer@demo.example", { intent: "request", wished: "2026-12-15" });
    expect([first.status, first.location]).toEqual([302, `${path}?done=requested`]);
    // Another token, the same request: the contract's state refuses it.
    const again = await send("customer@demo.example", { intent: "request", wished: "2026-12-20" });
    expect([again.status, again.body]).toEqual([
      409,
      { field: "_form", message: "すでに解約のお申し込みを受け付けています" },
    ]);
    const past = await send("customer@demo.example", { intent: "request", wished: "2026-11-01" });
    expect([past.status, past.body]).toEqual([
      400,
      { field: "wished", message: "解約希望日は本日以降の日付にしてください" },
    ]);
    // C5's administrator, with a token of its own, on C1's contract.
    const page = await cancelPage({
      request: get(`/contracts/${(await contract("K-2001")).id}/cancel`, "customer2@demo.example"),
      params: { contractId: String((await contract("K-2001")).id) },
      context: {},
    });
    const foreign = await answer(() =>
      cancelAction({
        request: post(path, "customer2@demo.example", {
          intent: "request",
          wished: "2026-12-15",
          _formToken: page.formTokens["cancellation-request"],
        }),
        params,
        context: {},
      }),
    );
    expect(foreign.status).toBe(404);
    expect(await terminations(k1001.id)).toEqual([null]);

    const confirm = (contractId: string, intent = "confirm") =>
      answer(() =>
        confirmAction({
          request: post("/cancellations", "operator@demo.example", { intent, contractId }),
          params: {},
          context: {},
        }),
      );
    const confirmed = await confirm(String(k1001.id));
    expect([confirmed.status, confirmed.location]).toEqual([302, "/cancellations"]);
    expect(await terminations(k1001.id)).toEqual(["2026-11-22"]);
    const twice = await confirm(String(k1001.id));
    expect([twice.status, twice.body]).toEqual([
      409,
      { message: "確認待ちの解約申込みはありません" },
    ]);
    expect((await confirm("999999")).status).toBe(404);
    // The page's one form is read by its schema: an unknown intent or a non-number id is a 400.
    const unknown = await confirm(String(k1001.id), "withdraw");
    expect([unknown.status, unknown.body]).toEqual([
      400,
      { message: "この操作は受け付けられません。画面を開き直してください。" },
    ]);
    expect((await confirm("1e3")).status).toBe(400);
  });

  it("withdrawing with nothing to withdraw is 409 and writes nothing", async () => {
    const k1003 = await contract("K-1003");
    const path = `/contracts/${k1003.id}/cancel`;
    const params = { contractId: String(k1003.id) };
    const page = await cancelPage({
      request: get(path, "operator@demo.example"),
      params,
      context: {},
    });
    const withdrawn = await answer(() =>
      cancelAction({
        request: post(path, "operator@demo.example", {
          intent: "withdraw",
          _formToken: page.formTokens["cancellation-withdraw"],
        }),
        params,
        context: {},
      }),
    );
    expect([withdrawn.status, withdrawn.body]).toEqual([
      409,
      { field: "_form", message: "取り消せる解約のお申し込みはありません" },
    ]);
    expect(await terminations(k1003.id)).toEqual([]);
  });
});

describe("contract changes (T-9)", () => {
  const request = async (ref: string, as: string, body: Record<string, string>) => {
    const { id } = await contract(ref);
    const path = `/contracts/${id}/changes`;
    const params = { contractId: String(id) };
    const page = await changesPage({ request: get(path, as), params, context: {} });
    return answer(() =>
      changesAction({
        request: post(path, as, { intent: "request", ...body, _formToken: page.formToken }),
        params,
        context: {},
      }),
    );
  };
  const seats = { kind: "endpoint_seats", quantity: "8" };

  it("a date before today is 400, a terminated contract 409, a decision made twice 409", async () => {
    const past = await request("K-1002", "customer@demo.example", {
      ...seats,
      effectiveDate: "2026-11-01",
    });
    expect([past.status, past.body.error]).toEqual([400, "変更日は本日以降の日付にしてください"]);
    // K-1006 ended two months ago; its page has no form, a hand-made request is refused.
    expect((await contract("K-1006")).status).toBe("terminated");
    const ended = await request("K-1006", "operator@demo.example", {
      ...seats,
      effectiveDate: "2026-12-01",
    });
    expect([ended.status, ended.body.error]).toEqual([409, "解約済みの契約は変更できません"]);

    const k1002 = await contract("K-1002");
    const requested = await request("K-1002", "customer@demo.example", {
      ...seats,
      effectiveDate: "2026-12-01",
    });
    expect([requested.status, requested.location]).toEqual([
      302,
      `/contracts/${k1002.id}/changes?requested=1`,
    ]);
    const change = await t.db
      .selectFrom("contract_changes")
      .select("id")
      .where("contract_id", "=", k1002.id)
      .where("status", "=", "requested")
      .executeTakeFirstOrThrow();
    const decide = () =>
      answer(() =>
        changesAction({
          request: post(`/contracts/${k1002.id}/changes`, "operator@demo.example", {
            intent: "approve",
            changeId: String(change.id),
          }),
          params: { contractId: String(k1002.id) },
          context: {},
        }),
      );
    expect((await decide()).location).toBe(`/contracts/${k1002.id}/changes?decided=1`);
    const twice = await decide();
    expect([twice.status, twice.body.error]).toEqual([409, "審査中の変更ではありません"]);
    expect(
      (
        await t.db
          .selectFrom("contract_changes")
          .select("status")
          .where("id", "=", change.id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("approved");
  });
});

/** Submits the new-application form as `as` for its customer `customerRef`, with a fresh token. */
const applyAs = async (as: string, customerRef: string, lineId: string) => {
  const form = await newApplicationPage({
    request: get("/applications/new", as),
    params: {},
    context: {},
  });
  const customer = form.customers.find((c) => c.ref === customerRef)!;
  return answer(() =>
    newApplicationAction({
      request: post("/applications/new", as, {
        customerId: String(customer.id),
        holderName: "株式会社つばめ工務店",
        holderAddress: "大阪府吹田市江坂町1-1-1",
        holderPhone: "06-6330-0001",
        holderEmail: "info@tsubame-koumuten.example",
        lineId,
        area: "west",
        endpointSeats: "5",
        endpointOwnership: "rental",
        gatewayModel: "",
        gatewayOwnership: "rental",
        wishedStart: "2026-12-01",
        consent: "yes",
        _formToken: form.formToken,
      }),
      params: {},
      context: {},
    }),
  );
};

describe("applications (T-6, T-8)", () => {
  it("a line in use is the line id's field error (400); approving twice is 409, a past start 400 on its field", async () => {
    const apply = (lineId: string) => applyAs("reseller@demo.example", "C1", lineId);
    const { line_id } = await contract("K-1002");
    const taken = await apply(line_id);
    expect([taken.status, taken.body.fieldErrors]).toEqual([
      400,
      {
        lineId: `この回線（${line_id}）はすでに契約 K-1002 で利用中です。1回線につき1契約です（規約第6条）`,
      },
    ]);
    const submitted = await apply("CAF9990088");
    const id = /\/applications\/(\d+)\?submitted=1$/.exec(submitted.location!)![1];
    const path = `/applications/${id}`;
    const approve = async (serviceStart: string) => {
      const page = await applicationPage({
        request: get(path, "operator@demo.example"),
        params: { applicationId: id },
        context: {},
      });
      return answer(() =>
        applicationAction({
          request: post(path, "operator@demo.example", {
            intent: "approve",
            serviceStart,
            _formToken: page.formTokens!["application-approve"],
          }),
          params: { applicationId: id },
          context: {},
        }),
      );
    };
    const early = await approve("2026-11-01");
    expect([early.status, early.body]).toEqual([
      400,
      { field: "serviceStart", message: "利用開始日は本日以降の日付にしてください" },
    ]);
    expect((await approve("2026-12-01")).location).toBe(`${path}?decided=approve`);
    const twice = await approve("2026-12-01");
    expect([twice.status, twice.body]).toEqual([
      409,
      { field: "_form", message: "審査中のお申し込みではありません" },
    ]);
  });
});

describe("a line held in another tenant (T-6)", () => {
  // Rule 6 is checked over every tenant, but only a viewer who may see the holder is told its
  // reference: another reseller learns that the line is taken, not by which contract.
  it("names the contract or application to its own reseller and not to another", async () => {
    const { line_id } = await contract("K-1002");
    const own = await applyAs("reseller@demo.example", "C1", line_id);
    expect(own.body.fieldErrors.lineId).toContain("すでに契約 K-1002 で利用中です");
    const foreign = await applyAs("reseller2@demo.example", "C5", line_id);
    expect([foreign.status, foreign.body.fieldErrors]).toEqual([
      400,
      {
        lineId: `この回線（${line_id}）はすでに別の契約で利用中です。1回線につき1契約です（規約第6条）`,
      },
    ]);

    const submitted = await applyAs("reseller@demo.example", "C1", "CAF9990077");
    expect(submitted.status).toBe(302);
    const [{ ref }] = await t.db
      .selectFrom("applications")
      .select("ref")
      .where("line_id", "=", "CAF9990077")
      .execute();
    const again = await applyAs("reseller@demo.example", "C1", "CAF9990077");
    expect(again.body.fieldErrors.lineId).toContain(`審査中のお申し込み（${ref}）があります`);
    const other = await applyAs("reseller2@demo.example", "C5", "CAF9990077");
    expect(other.body.fieldErrors.lineId).toBe(
      "この回線（CAF9990077）には審査中の別のお申し込みがあります。1回線につき1契約です（規約第6条）",
    );
  });
});
