// Issued invoices as each tenant may see them, with their payment state (paid, partly paid,
// overdue) derived from the payments recorded against them. Searches by issue date, amount and
// counterparty combine freely (電子帳簿保存法: the three search keys).
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { IsoDate } from "../lib/jst";
import { creditedInterestYenOfInvoice } from "./credit-sums.server";
import { accruedInterest, issuedInvoicePrincipal, lateInterest } from "./late-interest";

export type PaymentState = "unpaid" | "partial" | "paid";
export type StatusFilter = "unpaid" | "overdue" | "paid";

export interface InvoiceSearch {
  issueFrom?: IsoDate;
  issueTo?: IsoDate;
  amountMin?: number;
  amountMax?: number;
  counterparty?: string;
  status?: StatusFilter;
  billingMonth?: string;
  /** One contract's invoices only (the tenant still applies). */
  contractId?: number;
}

export interface PaymentRow {
  id: number;
  paidOn: IsoDate;
  amountYen: number | null;
}

/** What has been paid of an invoice: payments pay what is left; `null` pays it in full. */
export function paidSoFar(totalYen: number, payments: readonly { amountYen: number | null }[]): number {
  let paid = 0;
  for (const p of payments) paid += p.amountYen === null ? Math.max(0, totalYen - paid) : p.amountYen;
  return paid;
}

export function paymentState(totalYen: number, paidYen: number): PaymentState {
  if (paidYen >= totalYen) return "paid";
  return paidYen > 0 ? "partial" : "unpaid";
}

function paymentsSubquery(db: Kysely<Database>) {
  // Sum of amounts, where a full payment (null) counts as the invoice total: paid in full.
  return db
    .selectFrom("payments")
    .select((eb) => [
      "payments.contract_id", "payments.billing_month",
      eb.fn.sum<number>(eb.fn.coalesce("payments.amount_yen", sql<number>`1000000000000`)).as("paid"),
    ])
    .groupBy(["payments.contract_id", "payments.billing_month"]);
}

function creditsSubquery(db: Kysely<Database>) {
  return db.selectFrom("credit_notes")
    .select((eb) => ["credit_notes.invoice_id", eb.fn.sum<number>("credit_notes.total_yen").as("credited")])
    .groupBy("credit_notes.invoice_id");
}

export async function listInvoices(db: Kysely<Database>, tenant: Tenant, search: InvoiceSearch, today: IsoDate) {
  let q = db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin(paymentsSubquery(db).as("p"), (join) =>
      join.onRef("p.contract_id", "=", "invoices.contract_id").onRef("p.billing_month", "=", "invoices.billing_month"))
    .leftJoin(creditsSubquery(db).as("cn"), "cn.invoice_id", "invoices.id")
    .select((eb) => [
      "invoices.id", "invoices.invoice_number", "invoices.billing_month", "invoices.issue_date", "invoices.due_date",
      "invoices.total_yen", "invoices.taxable_10_yen", "invoices.tax_10_yen", "invoices.non_taxable_yen", "invoices.interest_yen",
      "contracts.ref as contract_ref", "customers.name as customer_name", "customers.ref as customer_ref",
      eb.fn.coalesce("p.paid", sql<number>`0`).as("paid_raw"),
      eb.fn.coalesce("cn.credited", sql<number>`0`).as("credited_yen"),
      creditedInterestYenOfInvoice().as("credited_interest_yen"),
    ])
    .where(customerInTenant(tenant))
    .orderBy("invoices.seq", "desc")
    .limit(500);
  if (search.issueFrom) q = q.where("invoices.issue_date", ">=", search.issueFrom);
  if (search.issueTo) q = q.where("invoices.issue_date", "<=", search.issueTo);
  if (search.amountMin !== undefined) q = q.where("invoices.total_yen", ">=", search.amountMin);
  if (search.amountMax !== undefined) q = q.where("invoices.total_yen", "<=", search.amountMax);
  if (search.billingMonth) q = q.where("invoices.billing_month", "=", search.billingMonth);
  if (search.contractId !== undefined) q = q.where("invoices.contract_id", "=", search.contractId);
  if (search.counterparty) {
    const like = `%${search.counterparty}%`;
    q = q.where((eb) => eb.or([eb("customers.name", "like", like), eb("customers.ref", "like", like), eb("contracts.ref", "like", like)]));
  }
  // Owed = total less credit notes; paid when the payments reach it.
  const unpaid = sql<boolean>`coalesce(p.paid, 0) < invoices.total_yen - coalesce(cn.credited, 0)`;
  if (search.status === "paid") q = q.where(sql<boolean>`coalesce(p.paid, 0) >= invoices.total_yen - coalesce(cn.credited, 0)`);
  if (search.status === "unpaid") q = q.where(unpaid);
  if (search.status === "overdue") q = q.where(unpaid).where("invoices.due_date", "<", today);
  const rows = await q.execute();
  const listed = rows.map(({ paid_raw, credited_yen, credited_interest_yen, ...r }) => {
    const owedYen = r.total_yen - Number(credited_yen);
    const paidYen = Math.min(Number(paid_raw), owedYen);
    const state = paymentState(owedYen, paidYen);
    const principalYen = issuedInvoicePrincipal({ owedYen, interestYen: r.interest_yen, creditedInterestYen: Number(credited_interest_yen) });
    return { ...r, owedYen, principalYen, creditedYen: Number(credited_yen), paidYen, state, overdue: state !== "paid" && r.due_date < today };
  });
  // T-26: the interest accrued to today on each overdue invoice, for the overdue list.
  const overdue = listed.filter((i) => i.overdue);
  const payments = overdue.length === 0 ? [] : await db.selectFrom("payments").innerJoin("invoices", (join) =>
    join.onRef("invoices.contract_id", "=", "payments.contract_id").onRef("invoices.billing_month", "=", "payments.billing_month"))
    .select(["invoices.id as invoice_id", "payments.paid_on", "payments.amount_yen"])
    .where("invoices.id", "in", overdue.map((i) => i.id)).execute();
  return listed.map((i) => ({
    ...i,
    accruedInterestYen: i.overdue
      ? accruedInterest(
        { principalYen: i.principalYen, dueDate: i.due_date },
        payments.filter((p) => p.invoice_id === i.id).map((p) => ({ paidOn: p.paid_on, amountYen: p.amount_yen })),
        today,
      )
      : 0,
  }));
}

/** The invoice row (within the tenant) and its lines, as issued. */
export async function getInvoiceForPrint(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  const invoice = await selectInvoice(db, params);
  if (!invoice) return null;
  const lines = await db.selectFrom("invoice_lines").selectAll().where("invoice_id", "=", invoice.id).orderBy("position").execute();
  return { invoice, lines };
}

function selectInvoice(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  return db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .selectAll("invoices")
    .select(["contracts.ref as contract_ref", "contracts.line_id", "customers.ref as customer_ref", "customers.id as customer_id"])
    .where("invoices.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
}

export async function getInvoice(db: Kysely<Database>, params: { id: number; tenant: Tenant }, today: IsoDate) {
  const printable = await getInvoiceForPrint(db, params);
  if (!printable) return null;
  const { invoice, lines } = printable;
  const [paymentRows, credits, creditedInterest] = await Promise.all([
    db.selectFrom("payments").select(["id", "paid_on", "amount_yen"])
      .where("contract_id", "=", invoice.contract_id).where("billing_month", "=", invoice.billing_month)
      .orderBy("paid_on").orderBy("id").execute(),
    db.selectFrom("credit_notes").select(["id", "credit_note_number", "issue_date", "total_yen", "reason"])
      .where("invoice_id", "=", invoice.id).orderBy("seq").execute(),
    db.selectFrom("invoices").select(creditedInterestYenOfInvoice().as("yen")).where("invoices.id", "=", invoice.id).executeTakeFirstOrThrow(),
  ]);
  const creditedYen = credits.reduce((a, c) => a + c.total_yen, 0);
  const owedYen = invoice.total_yen - creditedYen;
  const payments: PaymentRow[] = paymentRows.map((p) => ({ id: p.id, paidOn: p.paid_on, amountYen: p.amount_yen }));
  const paidYen = Math.min(paidSoFar(owedYen, payments), owedYen);
  const state = paymentState(owedYen, paidYen);
  // T-26: interest runs on the principal: what is owed less the interest lines still standing on the invoice.
  const creditedInterestYen = Number(creditedInterest.yen);
  const principal = { principalYen: issuedInvoicePrincipal({ owedYen, interestYen: invoice.interest_yen, creditedInterestYen }), dueDate: invoice.due_date };
  const interestPayments = payments.map((p) => ({ paidOn: p.paidOn, amountYen: p.amountYen }));
  const interest = state === "paid"
    ? { settledYen: lateInterest(principal, interestPayments).interestYen, accruedYen: 0 }
    : { settledYen: 0, accruedYen: accruedInterest(principal, interestPayments, today) };
  return {
    invoice,
    lines,
    payments,
    credits,
    creditedYen,
    principal,
    paidYen,
    outstandingYen: owedYen - paidYen,
    state,
    overdue: state !== "paid" && invoice.due_date < today,
    interest,
  };
}
