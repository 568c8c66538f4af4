// The daily dunning job and the dunning setting. What is owed and the interest to the day come
// from getInvoice (the invoice page's own figures: T-26 through accruedInterest), never a second
// formula. Each step is a unique row per invoice (dunning_steps), claimed in the transaction that
// queues its mail, so a second run the same day sends nothing twice; a paid invoice gets none.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { failureMessage } from "../lib/result";
import { suspendContract } from "../contracts/suspensions.server";
import { addDays, instantOf, type IsoDate } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import { queueMail } from "../mail/outbox.server";
import {
  DUNNING_CATCH_UP_DAYS,
  dunningDaysLabel,
  dunningDaysText,
  dunningMailRef,
  dunningStepDue,
  parseDunningDays,
  reminderMail,
  SUSPENSION_NOTICE_DAYS,
} from "./dunning";
import { interestWaiverOf } from "./interest-waivers.server";
import { getInvoice } from "./invoices.server";
import { recordWebhookEvent } from "../webhooks/events.server";

const SCHEDULER: AuditActor = { id: null, email: "scheduler" };

export async function getDunningDays(db: Kysely<Database>): Promise<number[]> {
  const row = await db
    .selectFrom("provider")
    .select("dunning_days")
    .orderBy("id")
    .executeTakeFirst();
  return parseDunningDays(row?.dunning_days);
}

export async function updateDunningDays(
  db: Kysely<Database>,
  days: readonly number[],
  actor: AuditActor,
  ip: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("provider")
      .select(["id", "dunning_days"])
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("provider")
      .set({ dunning_days: dunningDaysText(days) })
      .where("id", "=", before.id)
      .execute();
    await recordAudit(trx, {
      actor,
      action: "provider.dunning_days",
      entity: "provider",
      entityId: before.id,
      summary: `督促する日を変更: 支払期限の${dunningDaysLabel(parseDunningDays(before.dunning_days))}→${dunningDaysLabel(days)}`,
      ip,
    });
  });
}

export interface DunningRun {
  reminded: number;
  suspensionNotices: number;
}

/** Daily: the reminder due today for each overdue invoice, and after the last one the T-17 prior notice. */
export async function runDunning(
  db: Kysely<Database>,
  today: IsoDate,
  at: Date,
): Promise<DunningRun> {
  const days = await getDunningDays(db);
  const lastDay = days[days.length - 1];
  const provider = await db
    .selectFrom("provider")
    .select(["name", "phone", "bank_account"])
    .orderBy("id")
    .executeTakeFirst();
  if (!provider) return { reminded: 0, suspensionNotices: 0 };
  // Only invoices whose latest step can still be due (dunningStepDue bounds the catch-up).
  const candidates = await db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "invoices.id",
      "invoices.contract_id",
      "customers.email",
      "customers.id as customer_id",
      "customers.ref as customer_ref",
      "contracts.ref as contract_ref",
    ])
    .where("invoices.due_date", "<", addDays(today, -days[0] + 1))
    .where("invoices.due_date", ">=", addDays(today, -(lastDay + DUNNING_CATCH_UP_DAYS)))
    .orderBy("invoices.id")
    .execute();
  const result: DunningRun = { reminded: 0, suspensionNotices: 0 };
  for (const c of candidates) {
    const found = await getInvoice(db, { id: c.id, tenant: { kind: "provider" } }, today);
    if (!found || found.state === "paid" || !found.overdue) continue;
    const done = await db
      .selectFrom("dunning_steps")
      .select("day_offset")
      .where("invoice_id", "=", c.id)
      .where("kind", "=", "reminder")
      .execute();
    const step = dunningStepDue(
      found.invoice.due_date,
      today,
      days,
      done.map((d) => d.day_offset),
    );
    if (step === null) continue;
    const { invoice } = found;
    const isLast = step === lastDay;
    const suspension = isLast ? await suspensionPlan(db, invoice.contract_id, today) : null;
    const owedYen = found.outstandingYen;
    // T-26-3: an invoice whose interest was waived states none.
    const waived = await interestWaiverOf(db, invoice.id);
    const interestYen = waived ? toYen(0) : found.interest.accruedYen;
    const claimed = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto("dunning_steps")
        .values({
          invoice_id: invoice.id,
          kind: "reminder",
          day_offset: step,
          on_date: today,
          owed_yen: owedYen,
          interest_yen: interestYen,
          outbox_id: null,
          suspension_id: null,
          note: null,
          created_at: instantOf(at),
        })
        .onConflict((oc) => oc.columns(["invoice_id", "kind", "day_offset"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!row) return false;
      const outboxId = await queueMail(
        trx,
        {
          kind: "dunning",
          ref: dunningMailRef(invoice.invoice_number, step),
          to: c.email,
          ...reminderMail({
            providerName: provider.name,
            providerPhone: provider.phone,
            bankAccount: provider.bank_account,
            recipientName: invoice.recipient_name,
            invoiceNumber: invoice.invoice_number,
            billingMonth: invoice.billing_month,
            dueDate: invoice.due_date,
            today,
            owedYen,
            interestYen,
            suspensionStartsOn: suspension?.kind === "new" ? suspension.startsOn : null,
          }),
        },
        at,
      );
      await trx
        .updateTable("dunning_steps")
        .set({ outbox_id: outboxId })
        .where("id", "=", row.id)
        .execute();
      // invoice.overdue with each reminder: the partner hears what the customer is told, on the same days.
      await recordWebhookEvent(
        trx,
        "invoice.overdue",
        {
          customerId: c.customer_id,
          data: {
            invoice: {
              number: invoice.invoice_number,
              contract: c.contract_ref,
              customer: c.customer_ref,
              billingMonth: invoice.billing_month,
              dueDate: invoice.due_date,
              totalYen: invoice.total_yen,
            },
            outstandingYen: owedYen,
            interestYen,
            daysAfterDue: step,
            reminderOn: today,
          },
        },
        at,
      );
      return true;
    });
    if (!claimed) continue;
    result.reminded++;
    if (
      suspension &&
      (await recordSuspensionNotice(db, {
        invoiceId: invoice.id,
        contractId: invoice.contract_id,
        step,
        today,
        at,
        owedYen,
        interestYen,
        plan: suspension,
      }))
    ) {
      result.suspensionNotices++;
    }
  }
  return result;
}

type SuspensionPlan =
  | { kind: "new"; startsOn: IsoDate }
  | { kind: "open"; suspensionId: number }
  | { kind: "inactive"; status: string };

async function suspensionPlan(
  db: Kysely<Database>,
  contractId: number,
  today: IsoDate,
): Promise<SuspensionPlan> {
  const open = await db
    .selectFrom("suspensions")
    .select("id")
    .where("contract_id", "=", contractId)
    .where("reason_code", "=", "non_payment")
    .where("lifted_at", "is", null)
    .orderBy("id")
    .executeTakeFirst();
  if (open) return { kind: "open", suspensionId: open.id };
  const contract = await db
    .selectFrom("contracts")
    .select("status")
    .where("id", "=", contractId)
    .executeTakeFirstOrThrow();
  if (contract.status !== "active") return { kind: "inactive", status: contract.status };
  return { kind: "new", startsOn: addDays(today, SUSPENSION_NOTICE_DAYS) };
}

/**
 * T-17 through the existing flow: suspendContract with a future start date records the
 * non-payment suspension and mails its notice (reason, start date, until paid); the daily
 * suspension job starts it, and a payment lifts it (liftPaidUpSuspensions).
 */
async function recordSuspensionNotice(
  db: Kysely<Database>,
  p: {
    invoiceId: number;
    contractId: number;
    step: number;
    today: IsoDate;
    at: Date;
    owedYen: Yen;
    interestYen: Yen;
    plan: SuspensionPlan;
  },
): Promise<boolean> {
  let suspensionId: number | null = null;
  let note: string;
  if (p.plan.kind === "new") {
    const suspended = await suspendContract(db, {
      contractId: p.contractId,
      reason: "non_payment",
      note: "",
      startsOn: p.plan.startsOn,
      endsOn: null,
      emergency: false,
      today: p.today,
      at: p.at,
      actor: SCHEDULER,
      ip: "",
    });
    if (!suspended.ok) {
      note = `利用停止を予告できませんでした: ${suspended.kind === "not_found" ? "契約が見つかりません" : failureMessage(suspended)}`;
    } else {
      const row = await db
        .selectFrom("suspensions")
        .select("id")
        .where("contract_id", "=", p.contractId)
        .where("reason_code", "=", "non_payment")
        .where("lifted_at", "is", null)
        .orderBy("id", "desc")
        .executeTakeFirstOrThrow();
      suspensionId = row.id;
      note = `利用停止を予告（${p.plan.startsOn}から、お支払いまで）`;
    }
  } else if (p.plan.kind === "open") {
    suspensionId = p.plan.suspensionId;
    note = "未払いによる利用停止はすでに予告・実施済み";
  } else {
    note = "契約が利用中でないため、利用停止の予告はしていません";
  }
  const inserted = await db
    .insertInto("dunning_steps")
    .values({
      invoice_id: p.invoiceId,
      kind: "suspension_notice",
      day_offset: p.step,
      on_date: p.today,
      owed_yen: p.owedYen,
      interest_yen: p.interestYen,
      outbox_id: null,
      suspension_id: suspensionId,
      note,
      created_at: instantOf(p.at),
    })
    .onConflict((oc) => oc.columns(["invoice_id", "kind", "day_offset"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return !!inserted && p.plan.kind === "new" && suspensionId !== null;
}

/** The invoice's 督促の履歴, oldest first. */
export async function dunningHistory(db: Kysely<Database>, invoiceId: number) {
  return db
    .selectFrom("dunning_steps")
    .select(["id", "kind", "day_offset", "on_date", "owed_yen", "interest_yen", "note"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("on_date")
    .orderBy("id")
    .execute();
}
