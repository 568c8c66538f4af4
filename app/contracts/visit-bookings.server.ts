// Booking on-site visits (S2) within the tenant: only the slots the terms allow (refused with the
// next possible slot), requests taken 09:00–21:00, the price estimate from the billing rules; the
// operator's record of a visit done becomes a `visits` row that the billing run prices.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { VisitRecord } from "../billing/contract-history";
import { loadBillableContracts, loadTariffs } from "../billing/history.server";
import type { VisitLineInput } from "../billing/visit-pricing";
import { formatJstDateTime, jstInstant, type IsoDate } from "../lib/jst";
import { estimateVisit, type VisitEstimate } from "./visit-estimate";
import { checkVisitSlot, isRequestAcceptedAt, nextRequestAcceptanceAt, nextVisitSlot, type VisitSlot } from "./visit-slots";

export interface BookingRequest {
  date: IsoDate;
  start: string;
  withLineApplication: boolean;
  backupAvailable: boolean;
  lines: VisitLineInput[];
}

export type BookingCheck =
  | { ok: true; estimate: Extract<VisitEstimate, { ok: true }> }
  | { ok: false; field: "date" | "start" | "lines" | "_form"; message: string; next?: VisitSlot };

async function contractOf(db: Kysely<Database>, id: number, tenant: Tenant) {
  return db.selectFrom("contracts").innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["contracts.id", "contracts.ref", "contracts.area", "contracts.status", "contracts.service_start"])
    .where("contracts.id", "=", id).where(customerInTenant(tenant)).executeTakeFirst();
}

async function bookedVisits(db: Kysely<Database>, contractId: number): Promise<VisitRecord[]> {
  const rows = await db.selectFrom("visit_bookings").selectAll().where("contract_id", "=", contractId).where("status", "=", "booked").execute();
  return rows.map((b) => ({
    date: b.visit_date, start: b.start_time, withLineApplication: b.with_line_application === 1, backupAvailable: b.backup_available === 1,
    lines: JSON.parse(b.lines) as VisitLineInput[],
  }));
}

/** Checks the slot and prices the visit; writes nothing. */
export async function checkBooking(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant; request: BookingRequest; at: Date },
): Promise<BookingCheck | null> {
  const contract = await contractOf(db, params.contractId, params.tenant);
  if (!contract) return null;
  if (contract.status === "terminated") return { ok: false, field: "_form", message: "解約済みの契約には訪問を予約できません" };
  const { request, at } = params;
  if (!isRequestAcceptedAt(at)) {
    return { ok: false, field: "_form", message: `訪問サポートのご依頼は9:00〜21:00（12/29〜1/3を除く）に承ります。次の受付開始は ${formatJstDateTime(nextRequestAcceptanceAt(at))} です` };
  }
  if (jstInstant(request.date, request.start) <= at) {
    return { ok: false, field: "date", message: "訪問日時は現在より後の日時を選んでください", next: nextVisitSlot(contract.area, at) };
  }
  const slot = checkVisitSlot({ area: contract.area, date: request.date, start: request.start });
  if (!slot.ok) return { ok: false, field: "date", message: slot.reason, next: slot.next };
  const [billable] = await loadBillableContracts(db, contract.service_start, { contractIds: [contract.id] });
  const history = { ...billable.history, visits: [...(billable.history.visits ?? []), ...(await bookedVisits(db, contract.id))] };
  const estimate = estimateVisit(history, await loadTariffs(db), { ...request });
  if (!estimate.ok) return { ok: false, field: "lines", message: estimate.message };
  return { ok: true, estimate };
}

export async function bookVisit(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant; request: BookingRequest; at: Date; actor: AuditActor; ip: string },
): Promise<BookingCheck | null> {
  const check = await checkBooking(db, params);
  if (!check?.ok) return check;
  const { request } = params;
  await db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("visit_bookings").values({
      contract_id: params.contractId, visit_date: request.date, start_time: request.start, lines: JSON.stringify(request.lines),
      with_line_application: request.withLineApplication ? 1 : 0, backup_available: request.backupAvailable ? 1 : 0,
      estimate_yen: check.estimate.totalYen, status: "booked", visit_id: null, created_by: params.actor.email ?? "",
      created_at: params.at.toISOString(),
    }).returning("id").executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor, action: "visit.book", entity: "visit_booking", entityId: id,
      summary: `訪問予約 ${request.date} ${request.start}（見積り ${check.estimate.totalYen.toLocaleString("ja-JP")}円・税抜${check.estimate.freeVisit ? "、年1回の無料訪問を適用" : ""}）`,
      ip: params.ip,
    });
  });
  return check;
}

export async function listBookings(db: Kysely<Database>, contractId: number, tenant: Tenant) {
  const contract = await contractOf(db, contractId, tenant);
  if (!contract) return null;
  const bookings = await db.selectFrom("visit_bookings").selectAll().where("contract_id", "=", contract.id).orderBy("visit_date", "desc").execute();
  return { contract, bookings };
}

/** The operator records that a booked visit was done as booked: it becomes a visit the billing run prices (T-24-3, T-27-5). */
export async function recordVisitDone(
  db: Kysely<Database>,
  params: { bookingId: number; actor: AuditActor; ip: string },
): Promise<{ ok: true } | { ok: false; message: string }> {
  const booking = await db.selectFrom("visit_bookings").selectAll().where("id", "=", params.bookingId).executeTakeFirst();
  if (!booking || booking.status !== "booked") return { ok: false, message: "記録できる予約がありません" };
  const billed = await db.selectFrom("billing_months").select("month").where("month", "=", booking.visit_date.slice(0, 7)).where("status", "=", "closed").executeTakeFirst();
  if (billed) return { ok: false, message: `${booking.visit_date.slice(0, 7)} は請求締め済みです。手動明細で請求してください` };
  await db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("visits").values({
      contract_id: booking.contract_id, visit_date: booking.visit_date, start_time: booking.start_time,
      with_line_application: booking.with_line_application, backup_available: booking.backup_available,
    }).returning("id").executeTakeFirstOrThrow();
    const lines = JSON.parse(booking.lines) as VisitLineInput[];
    await trx.insertInto("visit_lines").values(lines.map((l) => ({
      visit_id: id, code: l.code, quantity: l.quantity ?? null, endpoint_reinstall: l.endpointReinstall ?? null,
      pcs_gb: l.pcs ? JSON.stringify(l.pcs.map((p) => p.gb)) : null,
    }))).execute();
    await trx.updateTable("visit_bookings").set({ status: "done", visit_id: id }).where("id", "=", booking.id).execute();
    await recordAudit(trx, {
      actor: params.actor, action: "visit.record", entity: "visit", entityId: id,
      summary: `訪問サポート ${booking.visit_date} を実施として記録（予約 #${booking.id}）`, ip: params.ip,
    });
  });
  return { ok: true };
}
