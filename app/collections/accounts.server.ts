// A direct-debit account as entered (console form or import file), checked against the bank-code
// dataset and the 全銀 character set; and the customer's and the provider's stored accounts.
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { DebitAccount } from "./account-check.server";
import type { AccountType } from "./zengin";
import { instantOf } from "../lib/jst";

/** The customer (within the tenant) with its kana name and direct-debit account, or null. */
export async function getDirectDebit(
  db: Kysely<Database>,
  params: { customerId: number; tenant: Tenant },
) {
  const row = await db
    .selectFrom("customers")
    .leftJoin("customer_direct_debits as d", "d.customer_id", "customers.id")
    .select([
      "customers.id",
      "customers.kana_name",
      "d.bank_code",
      "d.branch_code",
      "d.account_type",
      "d.account_number",
      "d.holder_kana",
      "d.updated_at",
    ])
    .where("customers.id", "=", params.customerId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!row) return null;
  return {
    kanaName: row.kana_name,
    account:
      row.bank_code === null
        ? null
        : {
            bankCode: row.bank_code,
            branchCode: row.branch_code!,
            accountType: row.account_type as AccountType,
            accountNumber: row.account_number!,
            holderKana: row.holder_kana!,
            updatedAt: row.updated_at!,
          },
  };
}

/** Sets (or with `account` null removes) the customer's account and kana name; null for a customer outside the tenant. */
export async function saveDirectDebit(
  db: Kysely<Database>,
  params: {
    customerId: number;
    tenant: Tenant;
    kanaName: string | null;
    account: DebitAccount | null;
    actor: AuditActor;
    ip: string;
    at: Date;
  },
): Promise<boolean | null> {
  return inTransaction(db, async (trx) => {
    const customer = await trx
      .selectFrom("customers")
      .select(["id", "ref"])
      .where("customers.id", "=", params.customerId)
      .where(customerInTenant(params.tenant))
      .executeTakeFirst();
    if (!customer) return null;
    await trx
      .updateTable("customers")
      .set({ kana_name: params.kanaName, updated_at: instantOf(params.at) })
      .where("id", "=", customer.id)
      .execute();
    const a = params.account;
    if (a) {
      const values = {
        bank_code: a.bankCode,
        branch_code: a.branchCode,
        account_type: a.accountType,
        account_number: a.accountNumber,
        holder_kana: a.holderKana,
        updated_at: instantOf(params.at),
        updated_by: params.actor.email,
      };
      await trx
        .insertInto("customer_direct_debits")
        .values({ customer_id: customer.id, ...values })
        .onConflict((oc) => oc.column("customer_id").doUpdateSet(values))
        .execute();
    } else {
      await trx
        .deleteFrom("customer_direct_debits")
        .where("customer_id", "=", customer.id)
        .execute();
    }
    await recordAudit(trx, {
      actor: params.actor,
      action: "customer.direct_debit",
      entity: "customer",
      entityId: customer.ref,
      // The account number is personal data: the log names the bank and branch only.
      summary: a
        ? `${customer.ref} 口座振替を登録: ${a.bankCode}-${a.branchCode}（カナ名 ${params.kanaName ?? "なし"}）`
        : `${customer.ref} 口座振替の登録を削除（カナ名 ${params.kanaName ?? "なし"}）`,
      ip: params.ip,
    });
    return true;
  });
}
