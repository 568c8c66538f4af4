// The ISP main services page's form as one schema with a discriminated intent (issue 16 item 1):
// an intent the page does not send is a 400 that writes nothing; a refused field comes back as
// `errors` per field with 400; a customer of another reseller is a 404; the form's own intent
// records the service and redirects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNKNOWN_INTENT } from "../app/lib/form";
import { action } from "../app/routes/_console.licenses.isp_.main-services";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { answer, BASE, postAs, signInAll } from "./support/route-calls";

let t: TestDatabase;
let sessions: Record<string, string> = {};

beforeAll(async () => {
  process.env.CONSOLE_URL = BASE;
  process.env.APP_NOW = TEST_NOW.toISOString().replace("Z", "+00:00");
  t = await createTestDatabase({ seed: true, events: false });
  sessions = await signInAll(["operator@demo.example", "reseller@demo.example"]);
}, 60_000);
afterAll(() => {
  delete process.env.APP_NOW;
  t.dispose();
});

const PATH = "/licenses/isp/main-services";
const post = (as: string, body: Record<string, string>) =>
  answer(() => action({ request: postAs(sessions, PATH, as, body), params: {}, context: {} }));

async function writes() {
  const out: Record<string, number> = {};
  for (const table of ["isp_main_services", "audit_log"] as const) {
    const row = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

const customerId = async (ref: string) =>
  String(
    (
      await t.db
        .selectFrom("customers")
        .select("id")
        .where("ref", "=", ref)
        .executeTakeFirstOrThrow()
    ).id,
  );

describe("the main services page's one form", () => {
  it("an unknown or missing intent is a 400 and writes nothing (it used to record the service)", async () => {
    const before = await writes();
    const fields = {
      customerId: await customerId("C1"),
      serviceRef: "NET-9001",
      kind: "internet",
      status: "active",
    };
    const unknown = await post("operator@demo.example", { ...fields, intent: "end_everything" });
    const missing = await post("operator@demo.example", fields);
    for (const a of [unknown, missing]) {
      expect(a.status).toBe(400);
      expect(a.body.errors).toEqual({ _form: UNKNOWN_INTENT });
    }
    expect(await writes()).toEqual(before);
  });

  it("refused fields are errors per field with 400, the typed values kept; nothing written", async () => {
    const before = await writes();
    const a = await post("operator@demo.example", {
      intent: "record",
      customerId: await customerId("C1"),
      serviceRef: "NET-9002",
      kind: "internet",
      status: "ended",
      lastDay: "2026-11-31",
    });
    expect(a.status).toBe(400);
    expect(a.body.errors).toEqual({
      lastDay: "最終利用日は 2026-11-30 の形式の日付で入力してください",
    });
    expect(a.body.values).toMatchObject({ serviceRef: "NET-9002", lastDay: "2026-11-31" });
    const noCustomer = await post("operator@demo.example", { intent: "record", customerId: "" });
    expect(noCustomer.status).toBe(400);
    expect(noCustomer.body.errors).toEqual({ customerId: "お客さまを選んでください" });
    expect(await writes()).toEqual(before);
  });

  it("another reseller's customer is 404, like a missing one; nothing written", async () => {
    const before = await writes();
    const foreign = await post("reseller@demo.example", {
      intent: "record",
      customerId: await customerId("C5"),
      serviceRef: "NET-9003",
      kind: "internet",
      status: "active",
    });
    expect(foreign.status).toBe(404);
    expect(await writes()).toEqual(before);
  });

  it("the form's intent records the service and redirects to the page with what it did", async () => {
    const before = await writes();
    const a = await post("operator@demo.example", {
      intent: "record",
      customerId: await customerId("C1"),
      serviceRef: "net-9004",
      kind: "tv",
      status: "active",
    });
    expect(a.status).toBe(302);
    expect(a.location).toBe(`${PATH}?recorded=NET-9004&customer=C1&ended=0`);
    expect(await writes()).toEqual({
      isp_main_services: before.isp_main_services + 1,
      audit_log: before.audit_log + 1,
    });
  });
});
