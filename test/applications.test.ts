// Review of applications (T-8): refusing with a T-8-2 reason, and revoking an approval (T-8-3)
// only before service starts, "before" meaning the JST date of the decision.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import {
  approveApplication,
  rejectApplication,
  submitApplication,
} from "../app/contracts/applications.server";
import { ApplicationForm } from "../app/contracts/applications";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate } from "../app/lib/jst";
import { failureMessage } from "../app/lib/result";

const operator = { id: null, email: "operator@demo.example" };
const reseller = { id: null, email: "reseller@demo.example" };
const context = {
  at: TEST_NOW,
  actor: operator,
  ip: "10.0.0.9",
  providerName: "セキュアライン株式会社",
  consoleUrl: "https://console.example.jp",
};

let t: TestDatabase;
let r1: Tenant;
let c1: number;

beforeAll(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  r1 = {
    kind: "reseller",
    resellerId: (
      await t.db
        .selectFrom("resellers")
        .select("id")
        .where("ref", "=", "R1")
        .executeTakeFirstOrThrow()
    ).id,
  };
  c1 = (
    await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => t.dispose());

async function applied(lineId: string, customer: "C1" | "new" = "C1"): Promise<number> {
  const input = ApplicationForm.parse({
    customerId: customer === "C1" ? String(c1) : "",
    holderName: "株式会社つばめ工務店",
    holderAddress: "大阪府吹田市江坂町1-1-1",
    holderPhone: "06-6330-0001",
    holderEmail: "info@tsubame-koumuten.example",
    lineId,
    area: "west",
    endpointSeats: "5",
    endpointOwnership: "rental",
    gatewayModel: "gateway.gw10",
    gatewayOwnership: "rental",
    wishedStart: "2026-12-01",
    consent: "yes",
  });
  const result = await submitApplication(t.db, {
    tenant: r1,
    input,
    at: TEST_NOW,
    actor: reseller,
    ip: "",
  });
  if (!result.ok) throw new Error(failureMessage(result));
  return result.value.id;
}
const application = (id: number) =>
  t.db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const contractOnLine = (lineId: string) =>
  t.db
    .selectFrom("contracts")
    .select(["id", "ref"])
    .where("line_id", "=", lineId)
    .executeTakeFirst();

describe("refusing an application (T-8-2)", () => {
  it("needs one of the five reasons, and records it", async () => {
    const id = await applied("COP5560001");
    expect(
      await rejectApplication(t.db, { ...context, id, reasonCode: 9, note: "", revoke: false }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { reasonCode: "理由を選んでください（規約第8条第2項）" },
    });
    expect((await application(id)).status).toBe("applied");
    expect(
      await rejectApplication(t.db, {
        ...context,
        id,
        reasonCode: 1,
        note: "局舎設備の空きなし",
        revoke: false,
      }),
    ).toEqual({ ok: true, value: { id } });
    expect(await application(id)).toMatchObject({
      status: "rejected",
      reason_code: 1,
      reason_note: "局舎設備の空きなし",
    });
    expect(await contractOnLine("COP5560001")).toBeUndefined();
    // Decided once: a second decision is refused.
    expect(
      await rejectApplication(t.db, { ...context, id, reasonCode: 2, note: "", revoke: false }),
    ).toEqual({ ok: false, kind: "conflict", message: "審査中のお申し込みではありません" });
  });
});

describe("revoking an approval (T-8-3)", () => {
  it("removes the contract that never started, with its items", async () => {
    const id = await applied("COP5560002");
    expect(
      await approveApplication(t.db, {
        ...context,
        id,
        serviceStart: isoDate("2026-12-01"),
        today: isoDate("2026-11-22"),
      }),
    ).toMatchObject({ ok: true });
    const contract = await contractOnLine("COP5560002");
    expect(contract).toBeDefined();
    // 2026-11-30 23:59 JST: the day before service starts.
    const at = new Date("2026-11-30T23:59:00+09:00");
    expect(
      await rejectApplication(t.db, { ...context, at, id, reasonCode: 4, note: "", revoke: true }),
    ).toEqual({ ok: true, value: { id } });
    expect(await application(id)).toMatchObject({
      status: "revoked",
      reason_code: 4,
      contract_id: null,
    });
    expect(await contractOnLine("COP5560002")).toBeUndefined();
    expect(
      await t.db
        .selectFrom("contract_items")
        .select("id")
        .where("contract_id", "=", contract!.id)
        .execute(),
    ).toEqual([]);
  });

  it("stops the accounts of the customer the approval created, which is left without a contract", async () => {
    const id = await applied("COP5560004", "new");
    expect(
      await approveApplication(t.db, {
        ...context,
        id,
        serviceStart: isoDate("2026-12-01"),
        today: isoDate("2026-11-22"),
      }),
    ).toMatchObject({ ok: true });
    const account = () =>
      t.db
        .selectFrom("users")
        .select(["id", "disabled_at"])
        .where("email", "=", "info@tsubame-koumuten.example")
        .executeTakeFirstOrThrow();
    expect((await account()).disabled_at).toBeNull();
    expect(
      await rejectApplication(t.db, { ...context, id, reasonCode: 2, note: "", revoke: true }),
    ).toEqual({ ok: true, value: { id } });
    const stopped = await account();
    expect(stopped.disabled_at).toBe(TEST_NOW.toISOString());
    const unused = await t.db
      .selectFrom("account_invitations")
      .select("id")
      .where("user_id", "=", stopped.id)
      .where("used_at", "is", null)
      .execute();
    expect(unused).toEqual([]);
  });

  it("is refused from the JST day service starts, though it is still the day before in UTC", async () => {
    const id = await applied("COP5560003");
    expect(
      await approveApplication(t.db, {
        ...context,
        id,
        serviceStart: isoDate("2026-12-01"),
        today: isoDate("2026-11-22"),
      }),
    ).toMatchObject({ ok: true });
    // 2026-12-01 00:30 JST = 2026-11-30 15:30 UTC.
    const at = new Date("2026-12-01T00:30:00+09:00");
    expect(
      await rejectApplication(t.db, { ...context, at, id, reasonCode: 4, note: "", revoke: true }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "サービス開始後は承認を取り消せません。解約の手続きを行ってください",
    });
    expect((await application(id)).status).toBe("approved");
    expect(await contractOnLine("COP5560003")).toBeDefined();
  });
});
