// Cancellation (T-20) through its server functions on a real database: the confirmation fixes the
// termination date and frees the line id (T-6); withdrawal is possible until that date, but not
// once another contract holds the line.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import {
  confirmCancellation,
  requestCancellation,
  withdrawCancellation,
} from "../app/contracts/cancellation.server";
import { approveApplication, submitApplication } from "../app/contracts/applications.server";
import { ApplicationForm } from "../app/contracts/applications";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate, type IsoDate } from "../app/lib/jst";
import { failureMessage } from "../app/lib/result";

const operator = { id: null, email: "operator@demo.example" };
const admin = { id: null, email: "admin@minato.example" };

let t: TestDatabase;
let c1: Tenant;
let k1001: { id: number; line_id: string };

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  const customer = await t.db
    .selectFrom("customers")
    .select("id")
    .where("ref", "=", "C1")
    .executeTakeFirstOrThrow();
  c1 = { kind: "customer", customerId: customer.id };
  k1001 = await t.db
    .selectFrom("contracts")
    .select(["id", "line_id"])
    .where("ref", "=", "K-1001")
    .executeTakeFirstOrThrow();
});
afterEach(() => t.dispose());

const state = () =>
  t.db
    .selectFrom("contracts")
    .select(["status", "termination_date"])
    .where("id", "=", k1001.id)
    .executeTakeFirstOrThrow();

/** K-1001 cancelled for 2026-12-15: requested by the customer on 11-22, confirmed on 11-24. */
async function cancelK1001() {
  const requested = await requestCancellation(t.db, {
    contractId: k1001.id,
    tenant: c1,
    today: isoDate("2026-11-22"),
    actor: admin,
    ip: "",
    wished: isoDate("2026-12-15"),
  });
  const confirmed = await confirmCancellation(t.db, {
    contractId: k1001.id,
    today: isoDate("2026-11-24"),
    actor: operator,
    ip: "",
  });
  return { requested, confirmed };
}

describe("cancelling K-1001", () => {
  it("is confirmed with the later of the wished date and the confirmation day (T-20), freeing the line", async () => {
    expect(await cancelK1001()).toEqual({ requested: { ok: true }, confirmed: { ok: true } });
    expect(await state()).toEqual({ status: "terminated", termination_date: "2026-12-15" });
  });

  it("cannot be withdrawn once another contract holds the line, and nothing changes", async () => {
    expect(await cancelK1001()).toEqual({ requested: { ok: true }, confirmed: { ok: true } });
    const input = ApplicationForm.parse({
      customerId: "",
      holderName: "株式会社つばめ工務店",
      holderAddress: "大阪府吹田市江坂町1-1-1",
      holderPhone: "06-6330-0001",
      holderEmail: "info@tsubame-koumuten.example",
      lineId: k1001.line_id,
      area: "west",
      endpointSeats: "5",
      endpointOwnership: "rental",
      gatewayModel: "",
      gatewayOwnership: "rental",
      wishedStart: "2026-12-15",
      consent: "yes",
    });
    const r1 = (
      await t.db
        .selectFrom("resellers")
        .select("id")
        .where("ref", "=", "R1")
        .executeTakeFirstOrThrow()
    ).id;
    const applied = await submitApplication(t.db, {
      tenant: { kind: "reseller", resellerId: r1 },
      input,
      at: TEST_NOW,
      actor: operator,
      ip: "",
    });
    if (!applied.ok) throw new Error(failureMessage(applied));
    const approve = (serviceStart: IsoDate) =>
      approveApplication(t.db, {
        id: applied.value.id,
        serviceStart,
        today: isoDate("2026-11-25"),
        at: TEST_NOW,
        actor: operator,
        ip: "",
        providerName: "セキュアライン株式会社",
        consoleUrl: "https://console.example.jp",
      });
    // K-1001 runs to 12-15: the new contract on its line starts that day at the earliest.
    expect(await approve(isoDate("2026-12-14"))).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        serviceStart: `回線 ${k1001.line_id} の契約 K-1001 は 2026年12月15日 に解約となります。利用開始日はその日以降にしてください（規約第6条）`,
      },
    });
    expect(await approve(isoDate("2026-12-15"))).toMatchObject({ ok: true });
    const successor = await t.db
      .selectFrom("contracts")
      .select("ref")
      .where("line_id", "=", k1001.line_id)
      .where("status", "=", "active")
      .executeTakeFirstOrThrow();

    const withdrawal = await withdrawCancellation(t.db, {
      contractId: k1001.id,
      tenant: c1,
      today: isoDate("2026-11-26"),
      at: TEST_NOW,
      actor: admin,
      ip: "",
    });
    expect(withdrawal).toEqual({
      ok: false,
      kind: "conflict",
      message: `回線 ${k1001.line_id} はすでに契約 ${successor.ref} で利用されているため、解約を取り消せません（規約第6条）`,
    });
    expect(await state()).toEqual({ status: "terminated", termination_date: "2026-12-15" });
    expect(
      (
        await t.db
          .selectFrom("terminations")
          .select("withdrawn_at")
          .where("contract_id", "=", k1001.id)
          .executeTakeFirstOrThrow()
      ).withdrawn_at,
    ).toBeNull();
  });
});
