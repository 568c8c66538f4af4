// Suspension and termination by the provider, and rental gateways after termination:
// - T-17: the reason, start date and period are e-mailed before the suspension starts (except in
//   an emergency); fees go on meanwhile (T-24-2(1)); paying what is overdue lifts a non-payment
//   suspension.
// - T-21: termination by the provider, with the ETF when it is for the customer's fault
//   (T-21(1)(3)) and none when the provider ends the service itself (T-19, T-21(2)).
// - S4 ※3: a rental gateway not returned 30 days after termination is charged at the model's
//   device price as a taxable manual line.
import type { Kysely, Transaction } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { creditedYenOfInvoice, paidYenOfInvoice } from "../billing/credit-sums.server";
import { loadTariffs } from "../billing/history.server";
import { findTariffForMonth, gatewayDevicePrice } from "../billing/tariff";
import { queueMail } from "../mail/outbox.server";
import { addDays, instantOf, type IsoDate, jstDate, monthOf } from "../lib/jst";
import { SUSPENSION_REASONS, type SuspensionReason } from "./suspension-reasons";
import { recordTerminationEvent } from "./termination-events.server";
import { formatDate } from "../lib/format";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { conflict, invalidField, notFoundFailure, ok, type Result } from "../lib/result";

export const GATEWAY_RETURN_DAYS = 30;

/** When and by whom a suspension or termination step is taken (audit and notices). */
interface StepMoment {
  today: IsoDate;
  at: Date;
  actor: AuditActor;
  ip: string;
}

async function contractFacts(db: Kysely<Database>, contractId: number) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.status",
      "contracts.admin_email",
      "customers.name as customer_name",
    ])
    .where("contracts.id", "=", contractId)
    .executeTakeFirst();
}

export async function suspendContract(
  db: Kysely<Database>,
  params: {
    contractId: number;
    reason: SuspensionReason;
    note: string;
    startsOn: IsoDate;
    endsOn: IsoDate | null;
    emergency: boolean;
  } & StepMoment,
): Promise<Result> {
  const c = await contractFacts(db, params.contractId);
  if (!c) return notFoundFailure();
  if (c.status !== "active") return conflict("利用中の契約ではありません");
  if (!params.emergency && params.startsOn <= params.today)
    return invalidField(
      "startsOn",
      "緊急の場合を除き、開始日は通知の翌日以降にしてください（規約第17条）",
    );
  if (params.endsOn !== null && params.endsOn < params.startsOn)
    return invalidField("endsOn", "終了日は開始日以降にしてください");
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("suspensions")
      .values({
        contract_id: c.id,
        reason_code: params.reason,
        reason_note: params.note || null,
        starts_on: params.startsOn,
        ends_on: params.endsOn,
        emergency: params.emergency ? 1 : 0,
        notified_at: instantOf(params.at),
        lifted_at: null,
        lifted_reason: null,
        created_by: params.actor.email ?? "",
        created_at: instantOf(params.at),
      })
      .execute();
    if (params.startsOn <= params.today)
      await trx
        .updateTable("contracts")
        .set({ status: "suspended", updated_at: instantOf(params.at) })
        .where("id", "=", c.id)
        .execute();
    await queueMail(
      trx,
      {
        kind: "suspension_notice",
        ref: `suspension:${c.ref}:${params.startsOn}`,
        to: c.admin_email,
        subject: `【重要】セキュリティサポートの利用停止のお知らせ（${c.ref}）`,
        text: [
          `${c.customer_name} さま`,
          "",
          `ご契約 ${c.ref} のご利用を、規約第17条に基づき次のとおり停止します。`,
          `理由: ${SUSPENSION_REASONS[params.reason]}${params.note ? `（${params.note}）` : ""}`,
          `開始日: ${formatDate(params.startsOn)}`,
          `期間: ${params.endsOn ? `${formatDate(params.endsOn)}まで` : "理由が解消されるまで"}`,
          "利用停止中も月額料金はかかります（規約第24条第2項）。",
          params.reason === "non_payment"
            ? "未払いの料金をお支払いいただくと、利用停止は解除されます。"
            : "",
        ]
          .filter(Boolean)
          .join("\n"),
      },
      params.at,
    );
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.suspend",
      entity: "contract",
      entityId: c.ref,
      summary: `${c.ref} 利用停止（${SUSPENSION_REASONS[params.reason]}、${formatDate(params.startsOn)}〜${params.endsOn ? formatDate(params.endsOn) : "解消まで"}${params.emergency ? "、緊急" : ""}）`,
      ip: params.ip,
    });
  });
  return ok();
}

/**
 * Daily: suspensions past their end date are lifted, then those whose start date has come take
 * effect. Lifting first, and starting against the contract's status as it is after the lifts,
 * keeps a contract suspended when one suspension ends the day before the next one starts; a
 * second run the same day changes nothing.
 */
export async function applySuspensionSchedule(
  db: Kysely<Database>,
  today: IsoDate,
  at: Date,
): Promise<{ started: number; ended: number }> {
  const open = await db
    .selectFrom("suspensions")
    .select(["id", "contract_id", "starts_on", "ends_on"])
    .where("lifted_at", "is", null)
    .orderBy("id")
    .execute();
  const over = (s: (typeof open)[number]) => s.ends_on !== null && s.ends_on < today;
  let ended = 0;
  for (const s of open.filter(over)) {
    const lifted = await liftSuspension(db, {
      suspensionId: s.id,
      reason: "期間満了",
      at,
      actor: { id: null, email: "scheduler" },
      ip: "",
    });
    if (lifted.ok) ended++;
  }
  let started = 0;
  for (const s of open.filter((s) => !over(s) && s.starts_on <= today)) {
    const updated = await db
      .updateTable("contracts")
      .set({ status: "suspended", updated_at: instantOf(at) })
      .where("id", "=", s.contract_id)
      .where("status", "=", "active")
      .executeTakeFirst();
    if (updated.numUpdatedRows > 0n) started++;
  }
  return { started, ended };
}

/** Lifts a suspension; with `contractId` (a page's contract) a suspension of another contract is not found. */
export async function liftSuspension(
  db: Kysely<Database>,
  params: {
    suspensionId: number;
    contractId?: number;
    reason: string;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result> {
  const s = await db
    .selectFrom("suspensions")
    .innerJoin("contracts", "contracts.id", "suspensions.contract_id")
    .select([
      "suspensions.id",
      "suspensions.contract_id",
      "suspensions.lifted_at",
      "contracts.ref",
      "contracts.status",
    ])
    .where("suspensions.id", "=", params.suspensionId)
    .executeTakeFirst();
  if (s && params.contractId !== undefined && s.contract_id !== params.contractId)
    return notFoundFailure();
  if (!s || s.lifted_at) return conflict("解除できる利用停止はありません");
  const today = jstDate(params.at);
  const lifted = await inTransaction(db, async (trx) => {
    // Lifted at most once, even when the daily run and a payment lift it at the same time.
    const updated = await trx
      .updateTable("suspensions")
      .set({ lifted_at: instantOf(params.at), lifted_reason: params.reason })
      .where("id", "=", s.id)
      .where("lifted_at", "is", null)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    // The contract stays suspended while another suspension of it is in effect (e.g. a
    // non-payment one over a fixed-term one).
    const another = await trx
      .selectFrom("suspensions")
      .select("id")
      .where("contract_id", "=", s.contract_id)
      .where("id", "<>", s.id)
      .where("lifted_at", "is", null)
      .where("starts_on", "<=", today)
      .where((eb) => eb.or([eb("ends_on", "is", null), eb("ends_on", ">=", today)]))
      .executeTakeFirst();
    if (!another)
      await trx
        .updateTable("contracts")
        .set({ status: "active", updated_at: instantOf(params.at) })
        .where("id", "=", s.contract_id)
        .where("status", "=", "suspended")
        .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.unsuspend",
      entity: "contract",
      entityId: s.ref,
      summary: `${s.ref} 利用停止を解除（${params.reason}）`,
      ip: params.ip,
    });
    return true;
  });
  return lifted ? ok() : conflict("解除できる利用停止はありません");
}

/**
 * T-17: once nothing is overdue on the contract, its non-payment suspensions are lifted. What is
 * owed on an invoice is its total less its credit notes, so a credit note can settle it too (run
 * after a payment and after a credit note).
 */
export async function liftPaidUpSuspensions(
  db: Kysely<Database>,
  contractId: number,
  today: IsoDate,
  at: Date,
  actor: AuditActor,
): Promise<number> {
  const overdue = await db
    .selectFrom("invoices")
    .select(["invoices.total_yen", "invoices.billing_month"])
    .select(paidYenOfInvoice().as("paid"))
    .select(creditedYenOfInvoice().as("credited"))
    .where("invoices.contract_id", "=", contractId)
    .where("invoices.due_date", "<", today)
    .execute();
  if (overdue.some((i) => Number(i.paid) < i.total_yen - Number(i.credited))) return 0;
  const suspensions = await db
    .selectFrom("suspensions")
    .select("id")
    .where("contract_id", "=", contractId)
    .where("reason_code", "=", "non_payment")
    .where("lifted_at", "is", null)
    .execute();
  for (const s of suspensions)
    await liftSuspension(db, { suspensionId: s.id, reason: "未払い料金の入金", at, actor, ip: "" });
  return suspensions.length;
}

export async function terminateByProvider(
  db: Kysely<Database>,
  params: {
    contractId: number;
    customerFault: boolean;
    reason: string;
    endDate: IsoDate;
  } & StepMoment,
): Promise<Result> {
  const c = await contractFacts(db, params.contractId);
  if (!c) return notFoundFailure();
  if (c.status === "terminated") return conflict("すでに解約済みです");
  if (params.endDate < params.today)
    return invalidField("endDate", "終了日は本日以降にしてください");
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("terminations")
      .values({
        contract_id: c.id,
        requested_on: params.today,
        wished_date: params.endDate,
        confirmed_on: params.today,
        terminated_by: params.customerFault ? "provider_fault" : "provider_service_end",
        withdrawn_at: null,
      })
      .onConflict((oc) =>
        oc.column("contract_id").doUpdateSet({
          requested_on: params.today,
          wished_date: params.endDate,
          confirmed_on: params.today,
          terminated_by: params.customerFault ? "provider_fault" : "provider_service_end",
          withdrawn_at: null,
        }),
      )
      .execute();
    await trx
      .updateTable("contracts")
      .set({
        status: "terminated",
        termination_date: params.endDate,
        updated_at: instantOf(params.at),
      })
      .where("id", "=", c.id)
      .execute();
    await scheduleGatewayReturns(trx, c.id, params.endDate);
    await recordTerminationEvent(trx, {
      contractId: c.id,
      terminationDate: params.endDate,
      by: params.customerFault ? "provider_fault" : "provider_service_end",
      at: params.at,
    });
    await queueMail(
      trx,
      {
        kind: "termination_notice",
        ref: `termination:${c.ref}:${params.endDate}`,
        to: c.admin_email,
        subject: `【重要】セキュリティサポートの契約解除のお知らせ（${c.ref}）`,
        text: [
          `${c.customer_name} さま`,
          "",
          `ご契約 ${c.ref} を規約第21条に基づき ${formatDate(params.endDate)} をもって解除します。`,
          `理由: ${params.reason}`,
          params.customerFault
            ? "最低利用期間内の解除には解約違約金がかかります（別紙4 注※1）。"
            : "当社の事情による終了のため、解約違約金はかかりません。",
          "レンタルのゲートウェイ装置は30日以内にご返却ください。",
        ].join("\n"),
      },
      params.at,
    );
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.terminate_by_provider",
      entity: "contract",
      entityId: c.ref,
      summary: `${c.ref} を${formatDate(params.endDate)}で解除（${params.customerFault ? "お客さまの責め：違約金あり" : "当社の事情：違約金なし"}）: ${params.reason}`,
      ip: params.ip,
    });
  });
  return ok();
}

/** S4 ※3: every rental gateway live at termination is awaited back within 30 days. */
export async function scheduleGatewayReturns(
  db: Kysely<Database> | Transaction<Database>,
  contractId: number,
  terminationDate: IsoDate,
): Promise<void> {
  const gateways = await db
    .selectFrom("contract_items")
    .select(["code", "quantity"])
    .where("contract_id", "=", contractId)
    .where("code", "like", "gateway.%")
    .where("ownership", "=", "rental")
    .where((eb) => eb.or([eb("to_date", "is", null), eb("to_date", ">=", terminationDate)]))
    .execute();
  for (const g of gateways) {
    for (let i = 0; i < g.quantity; i++) {
      await db
        .insertInto("gateway_returns")
        .values({
          contract_id: contractId,
          model: g.code,
          due_on: addDays(terminationDate, GATEWAY_RETURN_DAYS),
          returned_on: null,
          charged_manual_line_id: null,
          status: "awaiting",
        })
        .execute();
    }
  }
}

/**
 * Daily: rental gateways not back by their due date are charged at the model's device price
 * (S4 ※3). While the tariff gives the model no device price (0 until the provider sets one), the
 * gateway stays awaited and is counted as unpriced: charging 0 would close it for good.
 */
export async function chargeUnreturnedGateways(
  db: Kysely<Database>,
  today: IsoDate,
  at: Date,
): Promise<{ charged: number; unpriced: number }> {
  const due = await db
    .selectFrom("gateway_returns")
    .selectAll()
    .where("status", "=", "awaiting")
    .where("due_on", "<", today)
    .execute();
  if (due.length === 0) return { charged: 0, unpriced: 0 };
  const tariffs = await loadTariffs(db);
  const tariff = findTariffForMonth(tariffs, monthOf(today))!;
  let charged = 0;
  let unpriced = 0;
  for (const r of due) {
    if (gatewayDevicePrice(tariff, r.model) <= 0) {
      unpriced++;
      continue;
    }
    await inTransaction(db, async (trx) => {
      // A return recorded since the list was read is not charged.
      const claimed = await trx
        .updateTable("gateway_returns")
        .set({ status: "charged" })
        .where("id", "=", r.id)
        .where("status", "=", "awaiting")
        .executeTakeFirst();
      if (claimed.numUpdatedRows === 0n) return;
      const model = r.model.slice("gateway.".length).toUpperCase();
      const { id } = await trx
        .insertInto("manual_lines")
        .values({
          contract_id: r.contract_id,
          line_date: today,
          description: `レンタルゲートウェイ装置 未返却（${model}、返却期限 ${formatDate(r.due_on)}）`,
          amount_yen: gatewayDevicePrice(tariff, r.model),
          taxable: 1,
          code: `device.${r.model.slice("gateway.".length)}`,
          rule: "S4※3",
          created_by: "scheduler",
          created_at: instantOf(at),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("gateway_returns")
        .set({ charged_manual_line_id: id })
        .where("id", "=", r.id)
        .execute();
      charged++;
    });
  }
  return { charged, unpriced };
}

/** Records a rental gateway as returned; with `contractId` a return of another contract is not found. */
export async function markGatewayReturned(
  db: Kysely<Database>,
  params: {
    returnId: number;
    contractId?: number;
    returnedOn: IsoDate;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result> {
  const r = await db
    .selectFrom("gateway_returns")
    .selectAll()
    .where("id", "=", params.returnId)
    .executeTakeFirst();
  if (r && params.contractId !== undefined && r.contract_id !== params.contractId)
    return notFoundFailure();
  if (!r || r.status !== "awaiting") return conflict("返却待ちの装置ではありません");
  const recorded = await inTransaction(db, async (trx) => {
    // Not over a charge the daily run made since the page was read.
    const updated = await trx
      .updateTable("gateway_returns")
      .set({ status: "returned", returned_on: params.returnedOn })
      .where("id", "=", r.id)
      .where("status", "=", "awaiting")
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) return false;
    await recordAudit(trx, {
      actor: params.actor,
      action: "gateway.returned",
      entity: "contract",
      entityId: r.contract_id,
      summary: `${r.model} の返却を記録（${formatDate(params.returnedOn)}）`,
      ip: params.ip,
    });
    return true;
  });
  return recorded ? ok() : conflict("返却待ちの装置ではありません");
}

/** The contract's suspensions (newest first) and rental-gateway returns, for its admin page; empty for a foreign contract. */
export async function suspensionRecords(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant },
) {
  const ownContract = db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select("contracts.id")
    .where("contracts.id", "=", params.contractId)
    .where(customerInTenant(params.tenant));
  const [suspensions, returns] = await Promise.all([
    db
      .selectFrom("suspensions")
      .selectAll()
      .where("contract_id", "in", ownContract)
      .orderBy("id", "desc")
      .execute(),
    db
      .selectFrom("gateway_returns")
      .selectAll()
      .where("contract_id", "in", ownContract)
      .orderBy("id")
      .execute(),
  ]);
  return { suspensions, returns };
}
