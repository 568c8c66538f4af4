// Renewal reminders (minimum term and auto-renewal, S4 ※1): 60 days before each renewal month
// begins, the customer and its reseller are told that the contract renews and that terminating
// in the renewal month costs no fee. Queued once per contract and renewal month (outbox ref).
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { contractYearOf, upcomingRenewal } from "../billing/contract-years";
import { queueMail } from "../mail/outbox.server";
import { addMonths, firstDayOf, lastDayOf, monthOf, type IsoDate } from "../lib/jst";
import { formatDate, formatMonth } from "../lib/format";

export async function queueRenewalReminders(
  db: Kysely<Database>,
  today: IsoDate,
  at: Date,
): Promise<number> {
  const contracts = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.service_start",
      "contracts.line_id",
      "customers.name as customer_name",
      "customers.email as customer_email",
      "customers.reseller_id",
    ])
    .where("contracts.status", "<>", "terminated")
    .execute();
  const managers = await db
    .selectFrom("users")
    .select(["email", "reseller_id"])
    .where("role", "=", "reseller_manager")
    .execute();
  const provider = await db.selectFrom("provider").select(["name", "phone"]).executeTakeFirst();
  let queued = 0;
  for (const c of contracts) {
    const { renewalMonth, reminderDate } = upcomingRenewal(c.service_start, today);
    if (today < reminderDate) continue;
    const year = contractYearOf(c.service_start, renewalMonth);
    const subject = `【${provider?.name ?? "セキュアライン"}】契約更新月のお知らせ（${c.ref}、${formatMonth(renewalMonth)}）`;
    const text = [
      `${c.customer_name} さま`,
      "",
      `ご契約 ${c.ref}（回線 ${c.line_id}）は ${formatDate(firstDayOf(renewalMonth))} から契約${year}年目に自動更新されます。`,
      `契約更新月（${formatDate(firstDayOf(renewalMonth))}〜${formatDate(lastDayOf(renewalMonth))}）中の解約には解約違約金がかかりません。`,
      `更新月を過ぎると、次の更新月（${formatMonth(addMonths(renewalMonth, 12))}）までの解約には違約金がかかります。`,
      "解約の費用は管理コンソールの契約画面「解約の手続き」でいつでも確認できます。",
    ].join("\n");
    const recipients = [
      { to: c.customer_email, who: "customer" },
      ...managers
        .filter((m) => m.reseller_id !== null && m.reseller_id === c.reseller_id)
        .map((m) => ({ to: m.email, who: `reseller:${m.email}` })),
    ];
    for (const r of recipients) {
      const ref = `renewal:${c.ref}:${renewalMonth}:${r.who}`;
      const existing = await db
        .selectFrom("outbox")
        .select("id")
        .where("ref", "=", ref)
        .executeTakeFirst();
      if (existing) continue;
      await queueMail(db, { kind: "renewal_reminder", ref, to: r.to, subject, text }, at);
      queued++;
    }
  }
  return queued;
}

/** Contract year and next renewal month, for the contract page. */
export function renewalFacts(serviceStart: IsoDate, today: IsoDate) {
  const { renewalMonth, reminderDate } = upcomingRenewal(serviceStart, today);
  return { contractYear: contractYearOf(serviceStart, monthOf(today)), renewalMonth, reminderDate };
}
