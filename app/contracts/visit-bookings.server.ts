// Booking on-site visits (S2) within the tenant: only the slots the terms allow (refused with the
// next possible slot), requests taken 09:00–21:00, the price estimate from the billing rules; the
// operator's record of what was done on a visit becomes a `visits` row that the billing run prices.
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Area, Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { contractTerminationDate, type VisitRecord } from "../billing/contract-history";
import { loadBillableContracts, loadTariffs } from "../billing/history.server";
import { pricedVisitsOfMonth } from "../billing/monthly-invoice";
import { findTariffForMonth } from "../billing/tariff";
import type { VisitLineInput } from "../billing/visit-pricing";
import { isTimeOfDay, jstInstant, monthOf, type IsoDate, instantOf } from "../lib/jst";
import {
  conflict,
  failureMessage,
  invalidField,
  notFoundFailure,
  ok,
  type Result,
} from "../lib/result";
import { estimateVisit, type VisitEstimate, type VisitQuote } from "./visit-estimate";
import type { VisitFormContent } from "./visit-form";
import { visitMenuPrices } from "./visit-menu";
import {
  checkVisitSlot,
  isRequestAcceptedAt,
  nextBookableSlot,
  nextRequestAcceptanceAt,
  type VisitSlot,
} from "./visit-slots";
import { formatDate, formatInstant, formatYen } from "../lib/format";
import { pageRequest, type ListSort, type PageRequest } from "../lib/paging";
import { countOf, fetchPage } from "../lib/paging.server";

export interface BookingRequest extends VisitFormContent {
  date: IsoDate;
  start: string;
}

export type BookingField = "date" | "start" | "lines" | "_form";

/** The quote of the booking, or why not — a refused slot with the next slot the terms allow. */
export type BookingCheck = Result<VisitQuote, BookingField> & { next?: VisitSlot };

async function contractOf(db: Kysely<Database>, id: number, tenant: Tenant) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.area",
      "contracts.status",
      "contracts.service_start",
    ])
    .where("contracts.id", "=", id)
    .where(customerInTenant(tenant))
    .executeTakeFirst();
}

async function bookedVisits(db: Kysely<Database>, contractId: number): Promise<VisitRecord[]> {
  const rows = await db
    .selectFrom("visit_bookings")
    .selectAll()
    .where("contract_id", "=", contractId)
    .where("status", "=", "booked")
    .execute();
  return rows.map((b) => ({
    date: b.visit_date,
    start: b.start_time,
    withLineApplication: b.with_line_application === 1,
    backupAvailable: b.backup_available === 1,
    lines: JSON.parse(b.lines) as VisitLineInput[],
  }));
}

/** Checks the slot and prices the visit; writes nothing. */
export async function checkBooking(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant; request: BookingRequest; at: Date },
): Promise<BookingCheck> {
  const contract = await contractOf(db, params.contractId, params.tenant);
  if (!contract) return notFoundFailure("契約が見つかりません");
  if (contract.status === "terminated") return conflict("解約済みの契約には訪問を予約できません");
  const { request, at } = params;
  if (!isRequestAcceptedAt(at)) {
    return conflict(
      `訪問サポートのご依頼は9:00〜21:00（12/29〜1/3を除く）に承ります。次の受付開始は ${formatInstant(nextRequestAcceptanceAt(at))} です`,
    );
  }
  if (jstInstant(request.date, request.start) <= at) {
    return {
      ...invalidField<BookingField>("date", "訪問日時は現在より後の日時を選んでください"),
      next: nextBookableSlot(contract.area, at),
    };
  }
  const slot = checkVisitSlot({ area: contract.area, date: request.date, start: request.start });
  // The booking form shows a refused day or hour at its date.
  if (!slot.ok)
    return { ...invalidField<BookingField>("date", failureMessage(slot)), next: slot.next };
  const [billable] = await loadBillableContracts(db, contract.service_start, {
    contractIds: [contract.id],
  });
  const history = {
    ...billable.history,
    visits: [...(billable.history.visits ?? []), ...(await bookedVisits(db, contract.id))],
  };
  return estimateVisit(history, await loadTariffs(db), { ...request });
}

export async function bookVisit(
  db: Kysely<Database>,
  params: {
    contractId: number;
    tenant: Tenant;
    request: BookingRequest;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<BookingCheck> {
  const check = await checkBooking(db, params);
  if (!check.ok) return check;
  const estimate = check.value;
  const { request } = params;
  await inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto("visit_bookings")
      .values({
        contract_id: params.contractId,
        visit_date: request.date,
        start_time: request.start,
        lines: JSON.stringify(request.lines),
        with_line_application: request.withLineApplication ? 1 : 0,
        backup_available: request.backupAvailable ? 1 : 0,
        estimate_yen: estimate.totalYen,
        status: "booked",
        visit_id: null,
        created_by: params.actor.email ?? "",
        created_at: instantOf(params.at),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action: "visit.book",
      entity: "visit_booking",
      entityId: id,
      summary: `訪問予約 ${formatDate(request.date)} ${request.start}（見積り ${formatYen(estimate.totalYen)}・税抜${estimate.freeVisit ? "、年1回の無料訪問を適用" : ""}）`,
      ip: params.ip,
    });
  });
  return check;
}

/** The booking list's order (issue 17 item 2): by the visit's date and start, newest first. */
export type BookingSortColumn = "date";
export const BOOKING_SORT: ListSort<BookingSortColumn> = {
  columns: { date: "desc" },
  default: "date",
};

/**
 * A page of the contract's bookings (newest first unless asked otherwise), counted over all of
 * them in SQL, each with whether the operator may record it yet (from its booked start, JST) and,
 * once recorded, what the visit is charged: priced among the contract's recorded visits exactly
 * as the billing run prices it (S2, S5, S6), not the estimate.
 */
export async function listBookings(
  db: Kysely<Database>,
  contractId: number,
  tenant: Tenant,
  at: Date,
  request: PageRequest<BookingSortColumn> = pageRequest(new URLSearchParams(), BOOKING_SORT),
) {
  const contract = await contractOf(db, contractId, tenant);
  if (!contract) return null;
  const scoped = () => db.selectFrom("visit_bookings").where("contract_id", "=", contract.id);
  const { rows, page } = await fetchPage(
    request,
    () => countOf(scoped()),
    (w) =>
      scoped()
        .selectAll()
        .orderBy("visit_date", w.dir)
        .orderBy("start_time", w.dir)
        .orderBy("id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  const charged = rows.some((b) => b.visit_id !== null)
    ? await chargedYenOfVisits(db, contract.id, contract.service_start)
    : new Map<number, number>();
  const bookings = rows.map((b) => ({
    ...b,
    recordable: b.status === "booked" && recordableAt(b, at),
    chargedYen: b.visit_id === null ? null : (charged.get(b.visit_id) ?? null),
  }));
  return { contract, bookings, page };
}

/** Visit id → its charge (yen, before tax) as the billing run prices it; a visit that does not price is left out. */
async function chargedYenOfVisits(
  db: Kysely<Database>,
  contractId: number,
  serviceStart: IsoDate,
): Promise<Map<number, number>> {
  const [billable] = await loadBillableContracts(db, serviceStart, { contractIds: [contractId] });
  const tariffs = await loadTariffs(db);
  // history.visits is in this same order (visit_date, start_time, id): index i is the i-th row.
  const ids = (
    await db
      .selectFrom("visits")
      .select("id")
      .where("contract_id", "=", contractId)
      .orderBy("visit_date")
      .orderBy("start_time")
      .orderBy("id")
      .execute()
  ).map((v) => v.id);
  const history = billable.history;
  const charged = new Map<number, number>();
  for (const month of new Set((history.visits ?? []).map((v) => monthOf(v.date)))) {
    const tariff = findTariffForMonth(tariffs, month);
    if (!tariff) continue;
    for (const p of pricedVisitsOfMonth(history, month, tariff, contractTerminationDate(history))) {
      if (p.priced.ok)
        charged.set(
          ids[p.index],
          p.priced.value.lines.reduce((sum, l) => sum + l.amountYen, 0),
        );
    }
  }
  return charged;
}

/**
 * What the booking form says before it is filled in (issue 17 item 9): the next slot that can be
 * booked (S2) and every menu item's price in the tariff in force for that slot's month (T-2, S5).
 */
export async function bookingFormFacts(db: Kysely<Database>, area: Area, at: Date) {
  const nextSlot = nextBookableSlot(area, at);
  const tariff = findTariffForMonth(await loadTariffs(db), monthOf(nextSlot.date));
  return {
    nextSlot,
    tariffFrom: tariff?.effectiveFrom ?? null,
    menuPrices: tariff ? visitMenuPrices(tariff) : [],
  };
}

/** The booked start as an instant (the booking's date and time are JST wall-clock). */
export function bookedStartOf(booking: { visit_date: string; start_time: string }): Date {
  return jstInstant(booking.visit_date as IsoDate, booking.start_time);
}

/** A visit is recorded only once it has begun: from its booked start on (JST). */
export function recordableAt(
  booking: { visit_date: string; start_time: string },
  at: Date,
): boolean {
  return bookedStartOf(booking).getTime() <= at.getTime();
}

/** 「12月9日 10:00」: the booked start as the refusal names it. */
function bookedStartLabel(booking: { visit_date: string; start_time: string }): string {
  const [, m, d] = booking.visit_date.split("-").map(Number);
  return `${m}月${d}日 ${booking.start_time}`;
}

export interface VisitDone extends VisitFormContent {
  /** When the work actually started (HH:MM); the date is the booking's. */
  start: string;
}

/** A booking of the tenant's contract, with what it asked for; null when foreign or unknown (404). */
export async function getBooking(
  db: Kysely<Database>,
  params: { bookingId: number; contractId: number; tenant: Tenant },
) {
  const booking = await db
    .selectFrom("visit_bookings")
    .innerJoin("contracts", "contracts.id", "visit_bookings.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .selectAll("visit_bookings")
    .select(["contracts.ref as contract_ref", "contracts.service_start"])
    .where("visit_bookings.id", "=", params.bookingId)
    .where("visit_bookings.contract_id", "=", params.contractId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!booking) return null;
  return {
    ...booking,
    content: {
      withLineApplication: booking.with_line_application === 1,
      backupAvailable: booking.backup_available === 1,
      lines: JSON.parse(booking.lines) as VisitLineInput[],
    },
  };
}

type Booking = NonNullable<Awaited<ReturnType<typeof getBooking>>>;

/**
 * Prices what was done as the billing run will (S2, S5, S6, T-24-3): among the contract's
 * recorded visits only — bookings not done yet never take the year's free visit.
 */
async function priceDone(
  db: Kysely<Database>,
  booking: Booking,
  done: VisitDone,
): Promise<VisitEstimate> {
  if (!isTimeOfDay(done.start)) return invalidField("start", "開始時刻を HH:MM で入力してください");
  const [billable] = await loadBillableContracts(db, booking.service_start, {
    contractIds: [booking.contract_id],
  });
  return estimateVisit(billable.history, await loadTariffs(db), {
    ...done,
    date: booking.visit_date,
  });
}

/** The price of what was done on the tenant's booking (not found when the booking is not the tenant's). */
export async function priceVisitDone(
  db: Kysely<Database>,
  params: { bookingId: number; contractId: number; tenant: Tenant; done: VisitDone },
): Promise<VisitEstimate> {
  const booking = await getBooking(db, params);
  return booking ? priceDone(db, booking, params.done) : notFoundFailure("予約が見つかりません");
}

/**
 * The operator records what was done on a booked visit (items and quantities as done, which may
 * differ from the booking): it becomes a visit the billing run prices (T-24-3, T-27-5). Refused
 * before the booked start (a visit recorded before it happens was billed), when the work's start
 * is still ahead, when the lines do not price or the month is already closed.
 */
export async function recordVisitDone(
  db: Kysely<Database>,
  params: {
    bookingId: number;
    contractId: number;
    tenant: Tenant;
    done: VisitDone;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<VisitEstimate> {
  const booking = await getBooking(db, params);
  if (!booking) return notFoundFailure("予約が見つかりません");
  if (booking.status !== "booked") return conflict("この予約はすでに記録済みか取り消されています");
  if (!recordableAt(booking, params.at)) {
    return conflict(
      `予約の開始日時（${bookedStartLabel(booking)}）より前には実施内容を記録できません。`,
    );
  }
  if (
    isTimeOfDay(params.done.start) &&
    !recordableAt({ visit_date: booking.visit_date, start_time: params.done.start }, params.at)
  ) {
    return invalidField(
      "start",
      `開始時刻（${params.done.start}）がまだ来ていません。実際に作業を始めた時刻を入力してください。`,
    );
  }
  const month = monthOf(booking.visit_date);
  const billed = await db
    .selectFrom("billing_months")
    .select("month")
    .where("month", "=", month)
    .where("status", "=", "closed")
    .executeTakeFirst();
  if (billed) return conflict(`${month} は請求締め済みです。手動明細で請求してください`);
  const priced = await priceDone(db, booking, params.done);
  if (!priced.ok) return priced;
  const estimate = priced.value;
  const { done } = params;
  await inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto("visits")
      .values({
        contract_id: booking.contract_id,
        visit_date: booking.visit_date,
        start_time: done.start,
        with_line_application: done.withLineApplication ? 1 : 0,
        backup_available: done.backupAvailable ? 1 : 0,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("visit_lines")
      .values(
        done.lines.map((l) => ({
          visit_id: id,
          code: l.code,
          quantity: l.quantity ?? null,
          endpoint_reinstall: l.endpointReinstall ?? null,
          pcs_gb: l.pcs ? JSON.stringify(l.pcs.map((p) => p.gb)) : null,
        })),
      )
      .execute();
    await trx
      .updateTable("visit_bookings")
      .set({ status: "done", visit_id: id })
      .where("id", "=", booking.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "visit.record",
      entity: "visit",
      entityId: id,
      summary: `訪問サポート ${booking.contract_ref} ${booking.visit_date} ${done.start} の実施を記録（予約 #${booking.id}、見積り ${formatYen(booking.estimate_yen)} → 実績 ${formatYen(estimate.totalYen)}・税抜）`,
      ip: params.ip,
    });
  });
  return ok(estimate);
}
