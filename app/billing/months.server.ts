// Billing months as finance sees them: which are closed, and which one is next to close.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { addMonths, monthOf, type IsoDate, type YearMonth } from "../lib/jst";

export async function listBillingMonths(db: Kysely<Database>) {
  const rows = await db
    .selectFrom("billing_months")
    .leftJoin("invoices", "invoices.billing_month", "billing_months.month")
    .select((eb) => [
      "billing_months.month",
      "billing_months.status",
      "billing_months.closed_at",
      eb.fn.count<number>("invoices.id").as("invoice_count"),
      eb.fn.coalesce(eb.fn.sum<number>("invoices.total_yen"), eb.val(0)).as("total_yen"),
    ])
    .groupBy(["billing_months.month", "billing_months.status", "billing_months.closed_at"])
    .orderBy("billing_months.month", "desc")
    .execute();
  return rows.map((r) => ({
    ...r,
    invoice_count: Number(r.invoice_count),
    total_yen: Number(r.total_yen),
  }));
}

/** The month after the last closed one, but never the current or a future month (it is not over yet). */
export function nextMonthToClose(lastClosed: YearMonth | null, today: IsoDate): YearMonth | null {
  const lastFinished = addMonths(monthOf(today), -1);
  const next = lastClosed ? addMonths(lastClosed, 1) : lastFinished;
  return next <= lastFinished ? next : null;
}

/** How many invoices a billing month has issued, and their sum (the provider's whole month). */
export async function issuedInMonth(
  db: Kysely<Database>,
  month: YearMonth,
): Promise<{ count: number; totalYen: number }> {
  const issued = await db
    .selectFrom("invoices")
    .select((eb) => [
      eb.fn.countAll<number>().as("n"),
      eb.fn.coalesce(eb.fn.sum<number>("total_yen"), eb.val(0)).as("total"),
    ])
    .where("billing_month", "=", month)
    .executeTakeFirstOrThrow();
  return { count: Number(issued.n), totalYen: Number(issued.total) };
}
