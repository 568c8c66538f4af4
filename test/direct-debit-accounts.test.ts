// A customer's direct-debit account within the tenant (issue 20, item 1): a reseller sets it for
// its own customers only (a foreign customer is indistinguishable from a missing one), removing
// the account keeps the kana name, and the import file stores both.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDirectDebit, saveDirectDebit } from "../app/collections/accounts.server";
import { validateImportFile } from "../app/import/import-file";
import { importFile, readExistingKeys } from "../app/import/import.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
});
afterEach(async () => t.dispose());

const account = {
  bankCode: "0001",
  branchCode: "001",
  accountType: 1 as const,
  accountNumber: "0000123",
  holderKana: "ﾐﾅﾄｾｲｻｸｼﾖ",
};

async function customerId(ref: string): Promise<{ id: number; resellerId: number }> {
  const c = await t.db
    .selectFrom("customers")
    .select(["id", "reseller_id"])
    .where("ref", "=", ref)
    .executeTakeFirstOrThrow();
  return { id: c.id, resellerId: c.reseller_id! };
}

describe("direct-debit accounts", () => {
  it("are set by the customer's reseller, not by another one", async () => {
    const c1 = await customerId("C1"); // reseller R1
    const c5 = await customerId("C5"); // reseller R2
    const r1 = { kind: "reseller", resellerId: c1.resellerId } as const;
    const base = {
      tenant: r1,
      kanaName: "ﾐﾅﾄｾｲｻｸｼﾖ",
      account,
      actor: { id: null, email: "reseller@demo.example" },
      ip: "",
      at: TEST_NOW,
    };
    expect(await saveDirectDebit(t.db, { ...base, customerId: c5.id })).toBeNull();
    expect(await getDirectDebit(t.db, { customerId: c5.id, tenant: r1 })).toBeNull();
    expect(await t.db.selectFrom("customer_direct_debits").selectAll().execute()).toEqual([]);

    expect(await saveDirectDebit(t.db, { ...base, customerId: c1.id })).toBe(true);
    const stored = await getDirectDebit(t.db, { customerId: c1.id, tenant: r1 });
    expect(stored?.kanaName).toBe("ﾐﾅﾄｾｲｻｸｼﾖ");
    expect(stored?.account).toMatchObject(account);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "customer.direct_debit")
      .execute();
    expect(audit.map((a) => a.summary)).toEqual([
      "C1 口座振替を登録: 0001-001（カナ名 ﾐﾅﾄｾｲｻｸｼﾖ）",
    ]);

    // Removing the account keeps the kana name used to match transfers.
    expect(await saveDirectDebit(t.db, { ...base, customerId: c1.id, account: null })).toBe(true);
    expect(await getDirectDebit(t.db, { customerId: c1.id, tenant: { kind: "provider" } })).toEqual(
      { kanaName: "ﾐﾅﾄｾｲｻｸｼﾖ", account: null },
    );
  });

  it("are stored from the import file", async () => {
    const file = {
      customers: [
        {
          ref: "C-NEW",
          name: "株式会社テスト",
          email: "t@example.jp",
          phone: "03-0000-0000",
          address: "東京都",
          kanaName: "テスト（カ",
          directDebit: {
            bankCode: "0005",
            branchCode: "001",
            accountType: "普通",
            accountNumber: "7",
            holderKana: "カ）テスト",
          },
        },
      ],
    };
    const validation = validateImportFile(file, await readExistingKeys(t.db));
    if (!validation.ok) throw new Error(JSON.stringify(validation.fields));
    await importFile(t.db, validation.value, TEST_NOW);
    const c = await t.db
      .selectFrom("customers")
      .innerJoin("customer_direct_debits as d", "d.customer_id", "customers.id")
      .select([
        "customers.kana_name",
        "d.bank_code",
        "d.branch_code",
        "d.account_type",
        "d.account_number",
        "d.holder_kana",
      ])
      .where("customers.ref", "=", "C-NEW")
      .executeTakeFirstOrThrow();
    expect(c).toEqual({
      kana_name: "ﾃｽﾄ(ｶ",
      bank_code: "0005",
      branch_code: "001",
      account_type: 1,
      account_number: "0000007",
      holder_kana: "ｶ)ﾃｽﾄ",
    });
  });
});
