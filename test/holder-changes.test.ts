// Transfer (T-10) and succession (T-12) against a real database: what is taken over, who sees the
// contract afterwards, refusal on the grounds of T-10-3, the representative rule, and nothing
// written on bad input.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import { listInvoices } from "../app/billing/invoices.server";
import { requestChange } from "../app/contracts/contract-changes.server";
import { getContract } from "../app/contracts/contracts.server";
import type { HolderChangeInput } from "../app/contracts/holder-change";
import { pendingReviews } from "../app/contracts/reviews.server";
import { invoiceCsv } from "../app/billing/export.server";
import {
  decideHolderChange,
  holderChangePage,
  nameRepresentative,
  requestHolderChange,
  unpaidToTakeOver,
  withdrawHolderChange,
} from "../app/contracts/holder-changes.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate, yearMonth } from "../app/lib/jst";

let t: TestDatabase;
const ids: Record<string, number> = {};
const today = isoDate("2026-11-22");
const operator = { id: null, email: "operator@demo.example" };
const reseller2 = { id: null, email: "reseller2@demo.example" };
const provider = { kind: "provider" as const };
const decide = {
  today,
  at: TEST_NOW,
  actor: operator,
  ip: "",
  providerName: "セキュアライン株式会社",
  consoleUrl: "https://console.example.jp",
  note: "",
};

beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
  for (const r of await t.db.selectFrom("contracts").select(["id", "ref"]).execute())
    ids[r.ref] = r.id;
  for (const r of await t.db.selectFrom("customers").select(["id", "ref"]).execute())
    ids[r.ref] = r.id;
  for (const r of await t.db.selectFrom("resellers").select(["id", "ref"]).execute())
    ids[r.ref] = r.id;
});
afterEach(() => t.dispose());

const R2 = () => ({ kind: "reseller" as const, resellerId: ids.R2 });
const transferTo = (overrides: Partial<HolderChangeInput> = {}): HolderChangeInput => ({
  kind: "transfer",
  cause: null,
  existingCustomerId: null,
  name: "株式会社つばさ不動産",
  address: "宮城県仙台市青葉区一番町2-2-2",
  phone: "022-261-0000",
  email: "keiri@tsubasa-fudosan.example",
  successors: [],
  representative: null,
  evidence: "signed_by_both",
  evidenceNote: "譲渡承認申請書 2026-11-20 受付",
  consent: true,
  ...overrides,
});

async function holderChangeCount() {
  const row = await t.db
    .selectFrom("contract_holder_changes")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("contract_id", "=", ids["K-2002"])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** K-2002 (C6) transferred to 株式会社つばさ不動産: requested by R2 and approved by the operator. */
async function transferK2002() {
  const requested = await requestHolderChange(t.db, {
    contractId: ids["K-2002"],
    tenant: R2(),
    at: TEST_NOW,
    actor: reseller2,
    ip: "",
    input: transferTo(),
  });
  if (!requested.ok) throw new Error(JSON.stringify(requested));
  return decideHolderChange(t.db, {
    ...decide,
    changeId: requested.value.id,
    contractId: ids["K-2002"],
    approve: true,
    reasonCode: null,
  });
}

describe("transfer of a contract (T-10)", () => {
  it("shows the unpaid invoices the transferee takes over, with the interest accrued to today", async () => {
    // K-2002: August unpaid since 2026-09-30 (9,900 + interest), October not due yet (9,900).
    expect(await unpaidToTakeOver(t.db, ids["K-2002"], today)).toEqual({
      invoices: [
        {
          invoiceNumber: "INV-00000037",
          billingMonth: "2026-08",
          dueDate: "2026-09-30",
          outstandingYen: 9900,
          accruedInterestYen: 204,
        },
        {
          invoiceNumber: "INV-00000057",
          billingMonth: "2026-10",
          dueDate: "2026-11-30",
          outstandingYen: 9900,
          accruedInterestYen: 0,
        },
      ],
      totalYen: 19800,
      interestYen: 204,
    });
  });

  it("refuses a request with field errors in Japanese, and writes nothing", async () => {
    const result = await requestHolderChange(t.db, {
      contractId: ids["K-2002"],
      tenant: R2(),
      at: TEST_NOW,
      actor: reseller2,
      ip: "",
      input: transferTo({
        name: " ",
        email: "keiri@",
        evidence: "succession_proof",
        consent: false,
      }),
    });
    expect(result).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        name: "譲受人の氏名・名称を入力してください",
        email: "メールアドレスの形式が正しくありません",
        evidence: "提出する書類を選んでください",
        consent:
          "譲受人が未払いの料金を含む一切の権利義務を承継することを確認し、チェックを入れてください",
      },
    });
    // Another reseller's customer cannot be named as the transferee; another reseller's contract is not found.
    expect(
      await requestHolderChange(t.db, {
        contractId: ids["K-2002"],
        tenant: R2(),
        at: TEST_NOW,
        actor: reseller2,
        ip: "",
        input: transferTo({ existingCustomerId: ids.C1 }),
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { existingCustomerId: "譲受人を選び直してください" },
    });
    expect(
      await requestHolderChange(t.db, {
        contractId: ids["K-2002"],
        tenant: { kind: "reseller", resellerId: ids.R1 },
        at: TEST_NOW,
        actor: reseller2,
        ip: "",
        input: transferTo(),
      }),
    ).toMatchObject({ ok: false, kind: "not_found" });
    expect(await holderChangeCount()).toBe(0);
  });

  it("moves the contract with its unpaid invoices to the transferee once approved, and tells both parties", async () => {
    const requested = await requestHolderChange(t.db, {
      contractId: ids["K-2002"],
      tenant: R2(),
      at: TEST_NOW,
      actor: reseller2,
      ip: "",
      input: transferTo(),
    });
    expect(requested).toMatchObject({ ok: true });
    const changeId = (requested as { value: { id: number } }).value.id;
    // One open request per contract.
    expect(
      await requestHolderChange(t.db, {
        contractId: ids["K-2002"],
        tenant: R2(),
        at: TEST_NOW,
        actor: reseller2,
        ip: "",
        input: transferTo(),
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        _form: `審査中の手続き（#${changeId}）があります。結果が出るか取り下げるまでお待ちください`,
      },
    });
    // Nothing moves before approval.
    expect(
      (
        await getContract(t.db, {
          id: ids["K-2002"],
          tenant: { kind: "customer", customerId: ids.C6 },
        })
      )?.contract.ref,
    ).toBe("K-2002");

    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId,
        contractId: ids["K-2002"],
        approve: true,
        reasonCode: null,
      }),
    ).toEqual({ ok: true, value: undefined });

    const record = await t.db
      .selectFrom("contract_holder_changes")
      .selectAll()
      .where("id", "=", changeId)
      .executeTakeFirstOrThrow();
    expect(record).toMatchObject({
      status: "approved",
      effective_date: today,
      taken_over_yen: 19800,
      taken_over_invoices: '["INV-00000037","INV-00000057"]',
    });
    const transferee = await t.db
      .selectFrom("customers")
      .selectAll()
      .where("id", "=", record.to_customer_id!)
      .executeTakeFirstOrThrow();
    expect(transferee).toMatchObject({
      ref: `C-T${String(changeId).padStart(4, "0")}`,
      name: "株式会社つばさ不動産",
      reseller_id: ids.R2,
    });
    const transfereeTenant = { kind: "customer" as const, customerId: transferee.id };

    // The transferor no longer sees the contract nor its invoices; the transferee sees both, the unpaid ones to pay.
    expect(
      await getContract(t.db, {
        id: ids["K-2002"],
        tenant: { kind: "customer", customerId: ids.C6 },
      }),
    ).toBeNull();
    expect(await listInvoices(t.db, { kind: "customer", customerId: ids.C6 }, {}, today)).toEqual(
      [],
    );
    const owed = await listInvoices(t.db, transfereeTenant, { status: "unpaid" }, today);
    expect(owed.map((i) => [i.invoice_number, i.owedYen - i.paidYen])).toEqual([
      ["INV-00000057", 9900],
      ["INV-00000037", 9900],
    ]);
    // The reseller still manages it; the next invoice is addressed to the transferee.
    expect(
      (await getContract(t.db, { id: ids["K-2002"], tenant: R2() }))?.contract.customer_name,
    ).toBe("株式会社つばさ不動産");
    const november = (await planBillingMonth(t.db, yearMonth("2026-11"))).toIssue.find(
      (p) => p.contractRef === "K-2002",
    )!;
    expect(november.recipientName).toBe("株式会社つばさ不動産");
    // The export of a month issued before the transfer still names the customer it was issued to.
    const october = (await invoiceCsv(t.db, yearMonth("2026-10")))
      .split("\r\n")
      .find((row) => row.includes(",K-2002,"));
    expect(october?.split(",")[1]).toBe("C6");

    const mails = await t.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "body_text"])
      .where("kind", "=", "holder_change_approved")
      .orderBy("id")
      .execute();
    expect(mails.map((m) => [m.to_address, m.subject])).toEqual([
      [
        "keiri@tsubasa-fudosan.example",
        "【セキュアライン株式会社】契約の譲渡（第10条）の承認のお知らせ（K-2002）",
      ],
      [
        "info@hibari-fudosan.example",
        "【セキュアライン株式会社】契約の譲渡（第10条）完了のお知らせ（K-2002）",
      ],
    ]);
    expect(mails[0].body_text).toContain(
      "2026年11月22日付で 合同会社ひばり不動産 さまから 株式会社つばさ不動産 さまに譲渡されました。",
    );
    expect(mails[0].body_text).toContain(
      "未払いの料金 19,800円（INV-00000037、INV-00000057）と、その遅延利息は、新しい契約者さまにお支払いいただきます（規約第10条第4項）。",
    );
    // The new customer's administrator account, at the address given for the transferee, with its link.
    expect(
      await t.db
        .selectFrom("users")
        .select(["email", "role", "customer_id", "password_hash"])
        .where("customer_id", "=", transferee.id)
        .execute(),
    ).toEqual([
      {
        email: "keiri@tsubasa-fudosan.example",
        role: "customer_admin",
        customer_id: transferee.id,
        password_hash: "",
      },
    ]);
    const invitation = await t.db
      .selectFrom("outbox")
      .select(["to_address", "body_text"])
      .where("kind", "=", "account_invitation")
      .execute();
    expect(invitation.map((m) => m.to_address)).toEqual(["keiri@tsubasa-fudosan.example"]);
    expect(invitation[0].body_text).toMatch(
      /^https:\/\/console\.example\.jp\/invitation\/[A-Za-z0-9_-]{43}$/m,
    );
  });

  it("shows the operator a transferee in arrears, and refuses on a ground of T-10-3 without moving anything", async () => {
    expect(await transferK2002()).toEqual({ ok: true, value: undefined });
    // K-2001 (C5) to an existing customer that owes an overdue invoice: the transferee of K-2002, now owing August.
    const transferee = (
      await t.db
        .selectFrom("contracts")
        .select("customer_id")
        .where("id", "=", ids["K-2002"])
        .executeTakeFirstOrThrow()
    ).customer_id;
    const requested = await requestHolderChange(t.db, {
      contractId: ids["K-2001"],
      tenant: R2(),
      at: TEST_NOW,
      actor: reseller2,
      ip: "",
      input: transferTo({ existingCustomerId: transferee, name: "", email: "" }),
    });
    const changeId = (requested as { value: { id: number } }).value.id;
    const page = await holderChangePage(t.db, {
      contractId: ids["K-2001"],
      tenant: provider,
      today,
    });
    expect(page!.changes[0]).toMatchObject({
      id: changeId,
      party_name: "株式会社つばさ不動産",
      transfereeOverdueYen: 9900,
    });
    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId,
        contractId: ids["K-2001"],
        approve: false,
        reasonCode: 5,
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { reasonCode: "不承認の理由を第10条第3項から選んでください" },
    });
    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId,
        contractId: ids["K-2001"],
        approve: false,
        reasonCode: 2,
        note: "8月分が未払い",
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      (
        await getContract(t.db, {
          id: ids["K-2001"],
          tenant: { kind: "customer", customerId: ids.C5 },
        })
      )?.contract.ref,
    ).toBe("K-2001");
    const mail = await t.db
      .selectFrom("outbox")
      .select(["to_address", "body_text"])
      .where("kind", "=", "holder_change_refused")
      .executeTakeFirstOrThrow();
    expect(mail.to_address).toBe("admin@aoba-sekkei.example");
    expect(mail.body_text).toContain(
      "理由: （2）譲受人が本サービスの料金または工事に関する費用の支払いを現に怠り、または怠るおそれがあるとき（8月分が未払い）",
    );
  });

  it("lets the customer withdraw its request; a customer cannot pick another customer as transferee", async () => {
    const customerTenant = { kind: "customer" as const, customerId: ids.C5 };
    const requested = await requestHolderChange(t.db, {
      contractId: ids["K-2001"],
      tenant: customerTenant,
      at: TEST_NOW,
      actor: { id: null, email: "customer2@demo.example" },
      ip: "",
      input: transferTo({ existingCustomerId: ids.C7 }),
    });
    const row = await t.db
      .selectFrom("contract_holder_changes")
      .selectAll()
      .where("id", "=", (requested as { value: { id: number } }).value.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ to_customer_id: null, party_name: "株式会社つばさ不動産" });
    expect(
      await withdrawHolderChange(t.db, {
        changeId: row.id,
        contractId: ids["K-2001"],
        tenant: { kind: "customer", customerId: ids.C6 },
        at: TEST_NOW,
        actor: operator,
        ip: "",
      }),
    ).toMatchObject({ ok: false, kind: "not_found" });
    expect(
      await withdrawHolderChange(t.db, {
        changeId: row.id,
        contractId: ids["K-2001"],
        tenant: customerTenant,
        at: TEST_NOW,
        actor: operator,
        ip: "",
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId: row.id,
        contractId: ids["K-2001"],
        approve: true,
        reasonCode: null,
      }),
    ).toEqual({ ok: false, kind: "conflict", message: "審査中の手続きではありません" });
  });

  it("is not approved while a change the old holder asked for is under review", async () => {
    await requestChange(t.db, {
      contractId: ids["K-2004"],
      tenant: R2(),
      date: isoDate("2026-11-25"),
      today,
      at: TEST_NOW,
      actor: reseller2,
      ip: "",
      change: {
        kind: "contact",
        name: "税理士法人みらい総合会計",
        address: "東京都新宿区西新宿2-8-1",
        phone: "03-5321-0008",
        email: "new@mirai-sogo.example",
      },
    });
    const changeId = (
      await t.db
        .selectFrom("contract_changes")
        .select("id")
        .where("contract_id", "=", ids["K-2004"])
        .executeTakeFirstOrThrow()
    ).id;
    const requested = await requestHolderChange(t.db, {
      contractId: ids["K-2004"],
      tenant: R2(),
      at: TEST_NOW,
      actor: reseller2,
      ip: "",
      input: transferTo({ email: "k2004@tsubasa-fudosan.example" }),
    });
    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId: (requested as { value: { id: number } }).value.id,
        contractId: ids["K-2004"],
        approve: true,
        reasonCode: null,
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: `審査中の契約内容の変更（#${changeId}）があります。先に審査してください`,
    });
  });

  it("is not approved while a cancellation is pending", async () => {
    await t.db
      .insertInto("terminations")
      .values({
        contract_id: ids["K-2003"],
        requested_on: today,
        wished_date: isoDate("2026-12-31"),
        confirmed_on: null,
        terminated_by: "customer",
        withdrawn_at: null,
      })
      .execute();
    const requested = await requestHolderChange(t.db, {
      contractId: ids["K-2003"],
      tenant: R2(),
      at: TEST_NOW,
      actor: reseller2,
      ip: "",
      input: transferTo(),
    });
    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId: (requested as { value: { id: number } }).value.id,
        contractId: ids["K-2003"],
        approve: true,
        reasonCode: null,
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "解約のお申し込み中です。解約の取下げか確定のあとで手続きしてください",
    });
  });
});

describe("demo data", () => {
  it("has the reseller's transfer of K-1004 waiting for the operator", async () => {
    const page = await holderChangePage(t.db, {
      contractId: ids["K-1004"],
      tenant: provider,
      today,
    });
    expect(
      page!.changes.map((c) => [c.kind, c.status, c.from_name, c.party_name, c.requested_by_name]),
    ).toEqual([
      ["transfer", "requested", "株式会社かもめ物流", "株式会社かもめロジスティクス", "西田 誠"],
    ]);
  });

  it("lists it in the review queue of its tenant only", async () => {
    const k1004 = (await pendingReviews(t.db, provider)).filter((r) => r.contractRef === "K-1004");
    expect(k1004).toEqual([
      {
        contractId: ids["K-1004"],
        contractRef: "K-1004",
        customerName: "株式会社かもめ物流",
        label: "契約の譲渡（第10条）",
        detail: "新しい契約者 株式会社かもめロジスティクス",
        requestedBy: "reseller@demo.example",
        requestedAt: TEST_NOW.toISOString(),
        page: "transfer",
      },
    ]);
    expect((await pendingReviews(t.db, R2())).map((r) => r.contractRef)).not.toContain("K-1004");
  });
});

describe("succession (T-12)", () => {
  it("registers the successors, treats the first as representative until one is named, and moves the contract", async () => {
    const R1 = { kind: "reseller" as const, resellerId: ids.R1 };
    const requested = await requestHolderChange(t.db, {
      contractId: ids["K-1003"],
      tenant: R1,
      at: TEST_NOW,
      actor: { id: null, email: "reseller@demo.example" },
      ip: "",
      input: {
        kind: "succession",
        cause: "inheritance",
        existingCustomerId: null,
        name: "",
        address: "大阪府大阪市中央区北浜3-5-8",
        phone: "06-6201-0001",
        email: "hanako@naniwa-kaikei.example",
        successors: ["山田 花子", "山田 一郎"],
        representative: null,
        evidence: "succession_proof",
        evidenceNote: "戸籍謄本 2026-11-18 発行",
        consent: true,
      },
    });
    const changeId = (requested as { value: { id: number } }).value.id;
    expect(
      await decideHolderChange(t.db, {
        ...decide,
        changeId,
        contractId: ids["K-1003"],
        approve: true,
        reasonCode: null,
      }),
    ).toEqual({ ok: true, value: undefined });
    const page = await holderChangePage(t.db, { contractId: ids["K-1003"], tenant: R1, today });
    expect(page!.contract.customer_name).toBe("山田 花子");
    // Successors step into the holder's place and keep the line's security history (no holder period, T-12).
    expect(
      await t.db
        .selectFrom("contracts")
        .select(["holder_since", "holder_first_day"])
        .where("id", "=", ids["K-1003"])
        .executeTakeFirstOrThrow(),
    ).toEqual({ holder_since: null, holder_first_day: null });
    expect(page!.changes[0]).toMatchObject({
      status: "approved",
      cause: "inheritance",
      successorList: ["山田 花子", "山田 一郎"],
      representativeNow: { name: "山田 花子", named: false },
    });
    const mail = await t.db
      .selectFrom("outbox")
      .select("body_text")
      .where("ref", "=", `holder-change:${changeId}:approved:to`)
      .executeTakeFirstOrThrow();
    expect(mail.body_text).toContain(
      "代表者のお届けがあるまで、山田 花子 さまを代表者として取り扱います（第12条第3項）。",
    );

    expect(
      await nameRepresentative(t.db, {
        changeId,
        contractId: ids["K-1003"],
        tenant: R1,
        representative: "佐藤 次郎",
        at: TEST_NOW,
        actor: operator,
        ip: "",
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { representativeName: "代表者は承継した方の中から選んでください（第12条第2項）" },
    });
    expect(
      await nameRepresentative(t.db, {
        changeId,
        contractId: ids["K-1003"],
        tenant: R1,
        representative: "山田 一郎",
        at: TEST_NOW,
        actor: operator,
        ip: "",
      }),
    ).toEqual({ ok: true, value: undefined });
    expect(
      (await holderChangePage(t.db, { contractId: ids["K-1003"], tenant: R1, today }))!.changes[0]
        .representativeNow,
    ).toEqual({ name: "山田 一郎", named: true });
  });
});
