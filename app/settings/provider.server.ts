// The provider's own details (issuer of every invoice) and its billing settings. One row; changes are audited.
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import {
  DEFAULT_BILLING_SETTINGS,
  dueRuleLabel,
  type BillingSettings,
} from "../billing/billing-settings";

export interface ProviderSettings {
  name: string;
  address: string;
  phone: string;
  email: string;
  registrationNumber: string;
  bankAccount: string;
  /** Peppol participant id for the e-invoice (`0221:T…` / `0188:…`, decision 0018); null = none. */
  peppolId: string | null;
}

export async function getProviderSettings(db: Kysely<Database>): Promise<ProviderSettings> {
  const row = await db.selectFrom("provider").selectAll().orderBy("id").executeTakeFirstOrThrow();
  return {
    name: row.name,
    address: row.address,
    phone: row.phone,
    email: row.email,
    registrationNumber: row.registration_number ?? "",
    bankAccount: row.bank_account,
    peppolId: row.peppol_id,
  };
}

export async function updateProviderSettings(
  db: Kysely<Database>,
  settings: ProviderSettings,
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom("provider")
      .selectAll()
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("provider")
      .set({
        name: settings.name,
        address: settings.address,
        phone: settings.phone,
        email: settings.email,
        registration_number: settings.registrationNumber,
        bank_account: settings.bankAccount,
        peppol_id: settings.peppolId,
      })
      .where("id", "=", before.id)
      .execute();
    const changed = [
      before.name !== settings.name && "名称",
      before.address !== settings.address && "住所",
      before.phone !== settings.phone && "電話",
      before.email !== settings.email && "メール",
      before.registration_number !== settings.registrationNumber &&
        `登録番号 ${before.registration_number ?? "なし"}→${settings.registrationNumber}`,
      before.bank_account !== settings.bankAccount && "振込先",
      before.peppol_id !== settings.peppolId &&
        `Peppol ID ${before.peppol_id ?? "なし"}→${settings.peppolId ?? "なし"}`,
    ].filter(Boolean);
    await recordAudit(trx, {
      actor,
      action: "provider.update",
      entity: "provider",
      entityId: before.id,
      summary: changed.length
        ? `事業者設定を変更: ${changed.join("、")}`
        : "事業者設定を保存（変更なし）",
      ip,
    });
  });
}

/** The billing settings; the defaults of the terms while the provider has no row (a database holding only imported data). */
export async function getBillingSettings(db: Kysely<Database>): Promise<BillingSettings> {
  const row = await db
    .selectFrom("provider")
    .select(["due_month_offset", "due_day", "interest_only_unbilled"])
    .orderBy("id")
    .executeTakeFirst();
  if (!row) return DEFAULT_BILLING_SETTINGS;
  return {
    dueMonthOffset: row.due_month_offset === 2 ? 2 : 1,
    dueDay: row.due_day,
    leaveInterestOnlyUnbilled: row.interest_only_unbilled === 1,
  };
}

/** Invoices issued from now on follow the new settings; issued ones keep their due date (T-27-4: never edited). */
export async function updateBillingSettings(
  db: Kysely<Database>,
  settings: BillingSettings,
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom("provider")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const previous = await getBillingSettings(trx);
    await trx
      .updateTable("provider")
      .set({
        due_month_offset: settings.dueMonthOffset,
        due_day: settings.dueDay,
        interest_only_unbilled: settings.leaveInterestOnlyUnbilled ? 1 : 0,
      })
      .where("id", "=", before.id)
      .execute();
    const unbilled = (on: boolean) => (on ? "請求しない" : "請求する");
    await recordAudit(trx, {
      actor,
      action: "provider.billing_settings",
      entity: "provider",
      entityId: before.id,
      summary: `請求の設定を変更: 支払期限 ${dueRuleLabel(previous)}→${dueRuleLabel(settings)}、延滞利息のみの請求書 ${unbilled(previous.leaveInterestOnlyUnbilled)}→${unbilled(settings.leaveInterestOnlyUnbilled)}`,
      ip,
    });
  });
}

/** 口座振替 (issue 20): the provider's 委託者コード, kana name and the account the debits are credited to. */
export interface DebitSettings {
  consignorCode: string;
  consignorKana: string;
  bankCode: string;
  branchCode: string;
  accountType: 1 | 2;
  accountNumber: string;
}

/** The settings, or null while any of them is missing (no request file can be written then). */
export async function getDebitSettings(db: Kysely<Database>): Promise<DebitSettings | null> {
  const row = await db
    .selectFrom("provider")
    .select([
      "debit_consignor_code",
      "debit_consignor_kana",
      "debit_bank_code",
      "debit_branch_code",
      "debit_account_type",
      "debit_account_number",
    ])
    .orderBy("id")
    .executeTakeFirst();
  if (
    !row ||
    !row.debit_consignor_code ||
    !row.debit_consignor_kana ||
    !row.debit_bank_code ||
    !row.debit_branch_code ||
    !row.debit_account_type ||
    !row.debit_account_number
  )
    return null;
  return {
    consignorCode: row.debit_consignor_code,
    consignorKana: row.debit_consignor_kana,
    bankCode: row.debit_bank_code,
    branchCode: row.debit_branch_code,
    accountType: row.debit_account_type === 2 ? 2 : 1,
    accountNumber: row.debit_account_number,
  };
}

export async function updateDebitSettings(
  db: Kysely<Database>,
  settings: DebitSettings,
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom("provider")
      .select(["id", "debit_consignor_code"])
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("provider")
      .set({
        debit_consignor_code: settings.consignorCode,
        debit_consignor_kana: settings.consignorKana,
        debit_bank_code: settings.bankCode,
        debit_branch_code: settings.branchCode,
        debit_account_type: settings.accountType,
        debit_account_number: settings.accountNumber,
      })
      .where("id", "=", before.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "provider.debit_settings",
      entity: "provider",
      entityId: before.id,
      summary: `口座振替の設定を変更: 委託者コード ${before.debit_consignor_code ?? "なし"}→${settings.consignorCode}、${settings.consignorKana}、取引銀行 ${settings.bankCode}-${settings.branchCode}`,
      ip,
    });
  });
}
