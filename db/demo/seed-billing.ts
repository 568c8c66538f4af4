// The demo's billing history: a tariff revision, item changes, an outage, visits, a contract
// terminated early (with its ETF), payments (one late, one still unpaid) and the invoices of the
// last six months, issued through the real billing run. Dates are relative to "today".
import type { Kysely } from "kysely";
import { runBillingMonth } from "../../app/billing/billing-run.server";
import { isVisitDay, type Area } from "../../app/contracts/visit-slots";
import {
  addDays,
  addMonths,
  firstDayOf,
  instantOf,
  type IsoDate,
  jstInstant,
  monthOf,
  monthRange,
  type YearMonth,
} from "../../app/lib/jst";
import { toYen } from "../../app/lib/money";
import type { Database } from "../schema";

/** How many closed months the demo shows. */
export const DEMO_BILLED_MONTHS = 6;

function firstVisitDay(area: Area, month: YearMonth, fromDay: number): IsoDate {
  let date = addDays(firstDayOf(month), fromDay - 1);
  while (!isVisitDay(area, date)) date = addDays(date, 1);
  return date;
}

export async function seedBillingHistory(
  db: Kysely<Database>,
  today: IsoDate,
  at: Date,
): Promise<void> {
  const current = monthOf(today);
  const months = monthRange(addMonths(current, -DEMO_BILLED_MONTHS), addMonths(current, -1));
  const createdAt = instantOf(at);
  await db.transaction().execute(async (trx) => {
    const contractId = async (ref: string) =>
      (
        await trx
          .selectFrom("contracts")
          .select("id")
          .where("ref", "=", ref)
          .executeTakeFirstOrThrow()
      ).id;
    // A tariff revision four months ago: the sandbox option gets a price, a lighter plan appears,
    // and the provider fills in the device prices for unreturned rental gateways (S4 ※3).
    const { id: versionId } = await trx
      .insertInto("tariff_versions")
      .values({ effective_from: firstDayOf(addMonths(current, -4)), created_at: createdAt })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("tariff_prices")
      .values([
        { version_id: versionId, code: "sandbox", price_yen: toYen(1000) },
        { version_id: versionId, code: "base.lite", price_yen: toYen(2000) },
        { version_id: versionId, code: "device.gw10", price_yen: toYen(45000) },
        { version_id: versionId, code: "device.gw50", price_yen: toYen(68000) },
        { version_id: versionId, code: "device.gw100", price_yen: toYen(128000) },
      ])
      .execute();

    // K-1001 grows from 10 to 12 rented endpoint seats (the item rule: more seats are a new line of the extra seats).
    const k1001 = await contractId("K-1001");
    const seatChange = addDays(firstDayOf(addMonths(current, -3)), 14);
    await trx
      .insertInto("contract_items")
      .values({
        contract_id: k1001,
        code: "endpoint",
        quantity: 2,
        ownership: "rental",
        repair24h: 0,
        from_date: seatChange,
        to_date: null,
      })
      .execute();
    // K-2001 adds the cloud sandbox option.
    const k2001 = await contractId("K-2001");
    await trx
      .insertInto("contract_items")
      .values({
        contract_id: k2001,
        code: "sandbox",
        quantity: 1,
        ownership: "rental",
        repair24h: 0,
        from_date: addDays(firstDayOf(addMonths(current, -2)), 9),
        to_date: null,
      })
      .execute();

    // A gateway outage on K-2001: 50 hours from when the provider learned of it → 2 days' credit (T-24-2).
    const outageMonth = addMonths(current, -2);
    await trx
      .insertInto("outages")
      .values({
        contract_id: k2001,
        services: "gateway",
        known_at: instantOf(jstInstant(addDays(firstDayOf(outageMonth), 2), "10:00")),
        restored_at: instantOf(jstInstant(addDays(firstDayOf(outageMonth), 4), "12:00")),
        customer_fault: 0,
      })
      .execute();

    // Visits: K-1002's yearly free visit (OS recovery and agent re-install), and a paid data migration at K-2004.
    const k1002 = await contractId("K-1002");
    const { id: freeVisit } = await trx
      .insertInto("visits")
      .values({
        contract_id: k1002,
        visit_date: firstVisitDay("west", addMonths(current, -4), 8),
        start_time: "10:00",
        with_line_application: 0,
        backup_available: 1,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("visit_lines")
      .values([
        {
          visit_id: freeVisit,
          code: "visit.base",
          quantity: 1,
          endpoint_reinstall: null,
          pcs_gb: null,
        },
        {
          visit_id: freeVisit,
          code: "visit.diagnosis",
          quantity: 1,
          endpoint_reinstall: null,
          pcs_gb: null,
        },
        {
          visit_id: freeVisit,
          code: "visit.os_recovery",
          quantity: 1,
          endpoint_reinstall: null,
          pcs_gb: null,
        },
        {
          visit_id: freeVisit,
          code: "visit.app",
          quantity: 2,
          endpoint_reinstall: 1,
          pcs_gb: null,
        },
        {
          visit_id: freeVisit,
          code: "visit.printer",
          quantity: 1,
          endpoint_reinstall: null,
          pcs_gb: null,
        },
      ])
      .execute();
    const k2004 = await contractId("K-2004");
    const { id: paidVisit } = await trx
      .insertInto("visits")
      .values({
        contract_id: k2004,
        visit_date: firstVisitDay("east", addMonths(current, -1), 10),
        start_time: "13:00",
        with_line_application: 0,
        backup_available: 0,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("visit_lines")
      .values([
        {
          visit_id: paidVisit,
          code: "visit.base",
          quantity: 1,
          endpoint_reinstall: null,
          pcs_gb: null,
        },
        {
          visit_id: paidVisit,
          code: "visit.data_migration",
          quantity: null,
          endpoint_reinstall: null,
          pcs_gb: "[30,30,30]",
        },
        {
          visit_id: paidVisit,
          code: "visit.wifi",
          quantity: 4,
          endpoint_reinstall: null,
          pcs_gb: null,
        },
      ])
      .execute();

    // K-1006 was cancelled by the customer: asked for the 1st of the month two months ago,
    // confirmed a few days before (T-20) → ETF on that month's invoice.
    const k1006 = await trx
      .selectFrom("contracts")
      .select(["id", "termination_date"])
      .where("ref", "=", "K-1006")
      .executeTakeFirstOrThrow();
    const terminationDate = k1006.termination_date!;
    await trx
      .insertInto("terminations")
      .values({
        contract_id: k1006.id,
        requested_on: addDays(terminationDate, -20),
        wished_date: terminationDate,
        confirmed_on: addDays(terminationDate, -12),
        terminated_by: "customer",
        withdrawn_at: null,
      })
      .execute();
    // Its rental gateway never came back: the device charge as a taxable manual line (S4 ※3).
    await trx
      .insertInto("manual_lines")
      .values({
        contract_id: k1006.id,
        line_date: addDays(terminationDate, 35),
        description: "レンタルゲートウェイ装置 未返却（GW10）",
        amount_yen: toYen(45000),
        taxable: 1,
        code: "device.gw10",
        rule: "S4※3",
        created_by: "finance@demo.example",
        created_at: createdAt,
      })
      .execute();
  });

  // Payments: every invoice of the demo months is paid a few days before its due date, except
  // K-1003's of the first demo month (paid 30 days late → T-26 interest) and K-2002's of three
  // months ago (still unpaid, overdue). The newest month's invoices are not due yet.
  const contracts = await db.selectFrom("contracts").select(["id", "ref"]).orderBy("ref").execute();
  for (const month of months) {
    await runBillingMonth(db, month, {
      at: new Date(`${firstDayOf(addMonths(month, 1))}T06:00:00+09:00`),
    });
    if (month === addMonths(current, -1)) continue;
    const invoices = await db
      .selectFrom("invoices")
      .select(["contract_id", "due_date"])
      .where("billing_month", "=", month)
      .execute();
    for (const invoice of invoices) {
      const ref = contracts.find((c) => c.id === invoice.contract_id)!.ref;
      if (ref === "K-2002" && month === addMonths(current, -3)) continue;
      const late = ref === "K-1003" && month === months[0];
      const paidOn = late ? addDays(invoice.due_date, 30) : addDays(invoice.due_date, -5);
      if (paidOn > today) continue;
      await db
        .insertInto("payments")
        .values({
          contract_id: invoice.contract_id,
          billing_month: month,
          paid_on: paidOn,
          amount_yen: null,
          recorded_by: "finance@demo.example",
          created_at: createdAt,
        })
        .execute();
    }
  }
  // The demo's past invoices were e-mailed when they were issued.
  await db
    .updateTable("outbox")
    .set((eb) => ({ status: "sent", sent_at: eb.ref("created_at"), attempts: 1 }))
    .where("kind", "=", "invoice")
    .where("status", "=", "queued")
    .execute();
}
