// The provider's own details (issuer of every invoice). One row; changes are audited.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";

export interface ProviderSettings {
  name: string;
  address: string;
  phone: string;
  email: string;
  registrationNumber: string;
  bankAccount: string;
}

export async function getProviderSettings(db: Kysely<Database>): Promise<ProviderSettings> {
  const row = await db.selectFrom("provider").selectAll().orderBy("id").executeTakeFirstOrThrow();
  return {
    name: row.name, address: row.address, phone: row.phone, email: row.email,
    registrationNumber: row.registration_number ?? "", bankAccount: row.bank_account,
  };
}

export async function updateProviderSettings(
  db: Kysely<Database>,
  settings: ProviderSettings,
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom("provider").selectAll().orderBy("id").executeTakeFirstOrThrow();
    await trx.updateTable("provider").set({
      name: settings.name, address: settings.address, phone: settings.phone, email: settings.email,
      registration_number: settings.registrationNumber, bank_account: settings.bankAccount,
    }).where("id", "=", before.id).execute();
    const changed = [
      before.name !== settings.name && "名称",
      before.address !== settings.address && "住所",
      before.phone !== settings.phone && "電話",
      before.email !== settings.email && "メール",
      before.registration_number !== settings.registrationNumber && `登録番号 ${before.registration_number ?? "なし"}→${settings.registrationNumber}`,
      before.bank_account !== settings.bankAccount && "振込先",
    ].filter(Boolean);
    await recordAudit(trx, {
      actor, action: "provider.update", entity: "provider", entityId: before.id,
      summary: changed.length ? `事業者設定を変更: ${changed.join("、")}` : "事業者設定を保存（変更なし）", ip,
    });
  });
}
