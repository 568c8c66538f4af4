// The outage form through its route (issue 17 item 2, issue 16 item 1): the contract is named by
// its number, looked up among the operator's active contracts, instead of a list of every
// contract; an unknown or ended contract is the field's error and nothing is written.
import { describe, expect, it } from "vitest";
import { action, loader } from "../app/routes/_console.outages";
import type { TestDatabase } from "./support/database";
import { answer, routeCallsAs } from "./support/route-calls";

let t: TestDatabase;
const { get, post } = routeCallsAs(["operator@demo.example"], (database) => (t = database), {
  events: false,
});

const OUTAGE = {
  services: "base",
  knownDate: "2027-01-30",
  knownTime: "20:00",
  restoredDate: "2027-02-02",
  restoredTime: "21:00",
};

async function send(fields: Record<string, string>) {
  const page = await loader({
    request: get("/outages", "operator@demo.example"),
    params: {},
    context: {},
  });
  return answer(() =>
    action({
      request: post("/outages", "operator@demo.example", {
        ...OUTAGE,
        ...fields,
        _formToken: page.formToken,
      }),
      params: {},
      context: {},
    }),
  );
}

const outageRows = async () =>
  Number(
    (
      await t.db
        .selectFrom("outages")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("the outage form", () => {
  it("sends no list of contracts to the page", async () => {
    const page = await loader({
      request: get("/outages", "operator@demo.example"),
      params: {},
      context: {},
    });
    expect(Object.keys(page)).not.toContain("contracts");
  });

  it("previews K-1003's credit by its number, typed in lower case", async () => {
    // K-1003's base fee is 3,000 yen: 73 hours from 01-30 20:00 JST give two January days
    // (floor(3,000 × 2 ÷ 31) = 193) and one February day (floor(3,000 × 1 ÷ 28) = 107).
    const preview = await send({ intent: "preview", contractRef: " k-1003 " });
    expect(preview.status).toBe(200);
    expect((preview.body as { credits: unknown }).credits).toEqual([
      { month: "2027-01", creditYen: 193, closed: false },
      { month: "2027-02", creditYen: 107, closed: false },
    ]);
  });

  it("answers an unknown or ended contract on its field and writes nothing", async () => {
    const before = await outageRows();
    const unknown = await send({ intent: "record", contractRef: "K-9999" });
    expect([unknown.status, (unknown.body as { errors: unknown }).errors]).toEqual([
      400,
      {
        contractRef: "利用中の契約に K-9999 はありません。契約番号（例: K-1001）を確かめてください",
      },
    ]);
    const ended = await t.db
      .selectFrom("contracts")
      .select("ref")
      .where("status", "=", "terminated")
      .executeTakeFirstOrThrow();
    const refused = await send({ intent: "record", contractRef: ended.ref });
    expect(refused.status).toBe(400);
    const empty = await send({ intent: "record", contractRef: "" });
    expect((empty.body as { errors: unknown }).errors).toEqual({
      contractRef: "契約番号を入力してください",
    });
    expect(await outageRows()).toBe(before);
  });

  it("records K-1003's outage once", async () => {
    const before = await outageRows();
    const recorded = await send({ intent: "record", contractRef: "K-1003" });
    expect([recorded.status, recorded.location]).toEqual([302, "/outages?recorded=1"]);
    expect(await outageRows()).toBe(before + 1);
  });
});
