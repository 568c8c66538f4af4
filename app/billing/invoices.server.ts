// Issued invoices as each tenant may see them, with their payment state (paid, partly paid,
// overdue) derived from the payments recorded against them. Searches by issue date, amount and
// counterparty combine freely (電子帳簿保存法: the three search keys).
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { isIsoDate, type IsoDate, isYearMonth, type YearMonth } from "../lib/jst";
import { parseYenInput, toYen, type Yen } from "../lib/money";
import { creditedInterestYenOfInvoice } from "./credit-sums.server";
import { chunks } from "../../db/chunks";
import { pageInfo, type ListSort, type PageRequest, type SortDirection } from "../lib/paging";
import { accruedInterest, issuedInvoicePrincipal, lateInterest } from "./late-interest";

export type PaymentState = "unpaid" | "partial" | "paid";
export type StatusFilter = "unpaid" | "overdue" | "paid";

export interface InvoiceSearch {
  issueFrom?: IsoDate;
  issueTo?: IsoDate;
  amountMin?: Yen;
  amountMax?: Yen;
  counterparty?: string;
  status?: StatusFilter;
  billingMonth?: YearMonth;
  /** One contract's invoices only (the tenant still applies). */
  contractId?: number;
  /** One customer's invoices only (the customer page; the tenant still applies). */
  customerId?: number;
}

export interface PaymentRow {
  id: number;
  paidOn: IsoDate;
  amountYen: number | null;
}

/** What has been paid of an invoice: payments pay what is left; `null` pays it in full. */
export function paidSoFar(
  totalYen: number,
  payments: readonly { amountYen: number | null }[],
): number {
  let paid = 0;
  for (const p of payments)
    paid += p.amountYen === null ? Math.max(0, totalYen - paid) : p.amountYen;
  return paid;
}

export function paymentState(totalYen: number, paidYen: number): PaymentState {
  if (paidYen >= totalYen) return "paid";
  return paidYen > 0 ? "partial" : "unpaid";
}

/**
 * What was paid of the invoice in the outer query, a full payment (null) counting as the whole
 * total. A correlated subquery by the payments index (contract, month): computed for the rows a
 * page or a filter needs, instead of grouping every payment ever recorded on each request (the
 * invoice list answered 5xx under load once payments reached hundreds of thousands).
 */
const paidOfInvoice = sql<number>`(select coalesce(sum(coalesce(payments.amount_yen, 1000000000000)), 0) from payments
  where payments.contract_id = invoices.contract_id and payments.billing_month = invoices.billing_month)`;

/** The credit notes' total of the invoice in the outer query (by credit_notes_invoice_idx). */
const creditedOfInvoice = sql<number>`(select coalesce(sum(credit_notes.total_yen), 0) from credit_notes where credit_notes.invoice_id = invoices.id)`;

export const INVOICE_FILTER_KEYS = ["from", "to", "min", "max", "q", "status", "month"] as const;
export type InvoiceFilterValues = Record<(typeof INVOICE_FILTER_KEYS)[number], string>;

/** The invoice list's filters as given in the address (ignored where malformed, as a search form may be half filled). */
export function invoiceSearchOf(params: URLSearchParams): {
  search: InvoiceSearch;
  values: InvoiceFilterValues;
  filtered: boolean;
} {
  const values = Object.fromEntries(
    INVOICE_FILTER_KEYS.map((k) => [k, (params.get(k) ?? "").trim().slice(0, 200)]),
  ) as InvoiceFilterValues;
  const search: InvoiceSearch = {
    issueFrom: isIsoDate(values.from) ? values.from : undefined,
    issueTo: isIsoDate(values.to) ? values.to : undefined,
    amountMin: parseYenInput(values.min) ?? undefined,
    amountMax: parseYenInput(values.max) ?? undefined,
    counterparty: values.q || undefined,
    status: (["unpaid", "overdue", "paid"] as const).find((s) => s === values.status),
    billingMonth: isYearMonth(values.month) ? values.month : undefined,
  };
  return { search, values, filtered: Object.values(values).some((v) => v !== "") };
}

/** The invoice list's sortable columns and the direction each starts in (issue 17 item 2). */
export const INVOICE_SORT: ListSort<InvoiceSortColumn> = {
  columns: {
    number: "desc",
    month: "desc",
    customer: "asc",
    issued: "desc",
    due: "desc",
    total: "desc",
  },
  default: "number",
};
export type InvoiceSortColumn = "number" | "month" | "customer" | "issued" | "due" | "total";
const INVOICE_SORT_SQL: Record<InvoiceSortColumn, string> = {
  number: "invoices.seq",
  month: "invoices.billing_month",
  customer: "customers.name",
  issued: "invoices.issue_date",
  due: "invoices.due_date",
  total: "invoices.total_yen",
};

/** The invoices of the tenant matching the search, joined to what was paid and credited, not yet selected. */
function filteredInvoices(
  db: Kysely<Database>,
  tenant: Tenant,
  search: InvoiceSearch,
  today: IsoDate,
) {
  let q = db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where(customerInTenant(tenant));
  if (search.issueFrom) q = q.where("invoices.issue_date", ">=", search.issueFrom);
  if (search.issueTo) q = q.where("invoices.issue_date", "<=", search.issueTo);
  if (search.amountMin !== undefined) q = q.where("invoices.total_yen", ">=", search.amountMin);
  if (search.amountMax !== undefined) q = q.where("invoices.total_yen", "<=", search.amountMax);
  if (search.billingMonth) q = q.where("invoices.billing_month", "=", search.billingMonth);
  if (search.contractId !== undefined) q = q.where("invoices.contract_id", "=", search.contractId);
  if (search.customerId !== undefined) q = q.where("contracts.customer_id", "=", search.customerId);
  if (search.counterparty) {
    const like = `%${search.counterparty}%`;
    q = q.where((eb) =>
      eb.or([
        eb("customers.name", "like", like),
        eb("customers.ref", "like", like),
        eb("contracts.ref", "like", like),
      ]),
    );
  }
  // Owed = total less credit notes; paid when the payments reach it.
  const unpaid = sql<boolean>`${paidOfInvoice} < invoices.total_yen - ${creditedOfInvoice}`;
  if (search.status === "paid")
    q = q.where(sql<boolean>`${paidOfInvoice} >= invoices.total_yen - ${creditedOfInvoice}`);
  if (search.status === "unpaid") q = q.where(unpaid);
  if (search.status === "overdue") q = q.where(unpaid).where("invoices.due_date", "<", today);
  return q;
}

function selectInvoiceRows(q: ReturnType<typeof filteredInvoices>) {
  return q.select((_eb) => [
    "invoices.id",
    "invoices.invoice_number",
    "invoices.billing_month",
    "invoices.issue_date",
    "invoices.due_date",
    "invoices.total_yen",
    "invoices.taxable_10_yen",
    "invoices.tax_10_yen",
    "invoices.non_taxable_yen",
    "invoices.interest_yen",
    "contracts.ref as contract_ref",
    "customers.name as customer_name",
    "customers.ref as customer_ref",
    paidOfInvoice.as("paid_raw"),
    creditedOfInvoice.as("credited_yen"),
    creditedInterestYenOfInvoice().as("credited_interest_yen"),
  ]);
}
type InvoiceQueryRow = Awaited<ReturnType<ReturnType<typeof selectInvoiceRows>["execute"]>>[number];

/** Every invoice matching the search, newest first (for the portfolio and transfers; the list pages). */
export async function listInvoices(
  db: Kysely<Database>,
  tenant: Tenant,
  search: InvoiceSearch,
  today: IsoDate,
) {
  const rows = await selectInvoiceRows(filteredInvoices(db, tenant, search, today))
    .orderBy("invoices.seq", "desc")
    .execute();
  return withPaymentState(db, rows, today);
}

/**
 * What is still owed of the invoice in the outer query: its total less credit notes and payments,
 * never below 0 (the list's 未入金・一部入金 rows; late interest is not part of it).
 */
const unpaidOfInvoice = sql<number>`case when ${paidOfInvoice} < invoices.total_yen - ${creditedOfInvoice}
  then invoices.total_yen - ${creditedOfInvoice} - ${paidOfInvoice} else 0 end`;

/**
 * The count and the sums of the whole filter, in SQL (issue 17 item 2: never summed over one page).
 * `unpaid` adds what is still owed of them (the customer page's 未払い), left out when not asked:
 * it reads each invoice's payments and credit notes.
 */
export async function invoiceTotals(
  db: Kysely<Database>,
  tenant: Tenant,
  search: InvoiceSearch,
  today: IsoDate,
  options: { unpaid?: boolean } = {},
) {
  const row = await filteredInvoices(db, tenant, search, today)
    .select((eb) => [
      eb.fn.countAll<number>().as("count"),
      eb.fn.coalesce(eb.fn.sum<number>("invoices.total_yen"), sql<number>`0`).as("total_yen"),
      (options.unpaid
        ? sql<number | null>`coalesce(sum(${unpaidOfInvoice}), 0)`
        : sql<number | null>`null`
      ).as("unpaid_yen"),
    ])
    .executeTakeFirstOrThrow();
  const totals: { count: number; totalYen: number; unpaidYen?: number } = {
    count: Number(row.count),
    totalYen: Number(row.total_yen),
  };
  if (row.unpaid_yen !== null) totals.unpaidYen = Number(row.unpaid_yen);
  return totals;
}

/** One page of the invoice list with the count and total of the whole filter. */
export async function pageInvoices(
  db: Kysely<Database>,
  tenant: Tenant,
  search: InvoiceSearch,
  today: IsoDate,
  request: PageRequest<InvoiceSortColumn>,
  options: { unpaid?: boolean } = {},
) {
  const totals = await invoiceTotals(db, tenant, search, today, options);
  const info = pageInfo(request, totals.count);
  const rows = await orderedInvoices(db, tenant, search, today, info)
    .limit(info.size)
    .offset(info.offset)
    .execute();
  const { offset: _, ...page } = info;
  return { invoices: await withPaymentState(db, rows, today), totals, page };
}

function orderedInvoices(
  db: Kysely<Database>,
  tenant: Tenant,
  search: InvoiceSearch,
  today: IsoDate,
  order: { sort: InvoiceSortColumn; dir: SortDirection },
) {
  // The id breaks ties so that pages never overlap or skip rows of equal sort values.
  return selectInvoiceRows(filteredInvoices(db, tenant, search, today))
    .orderBy(sql.ref(INVOICE_SORT_SQL[order.sort]), order.dir)
    .orderBy("invoices.id", order.dir);
}

/** The whole filter in the list's order, a chunk at a time (the CSV download: never capped, never all in memory). */
export async function* invoiceChunks(
  db: Kysely<Database>,
  tenant: Tenant,
  search: InvoiceSearch,
  today: IsoDate,
  order: { sort: InvoiceSortColumn; dir: SortDirection },
  chunkSize = 1000,
) {
  for (let offset = 0; ; offset += chunkSize) {
    const rows = await orderedInvoices(db, tenant, search, today, order)
      .limit(chunkSize)
      .offset(offset)
      .execute();
    if (rows.length > 0) yield await withPaymentState(db, rows, today);
    if (rows.length < chunkSize) return;
  }
}

async function withPaymentState(db: Kysely<Database>, rows: InvoiceQueryRow[], today: IsoDate) {
  const listed = rows.map(({ paid_raw, credited_yen, credited_interest_yen, ...r }) => {
    const owedYen = r.total_yen - Number(credited_yen);
    const paidYen = Math.min(Number(paid_raw), owedYen);
    const state = paymentState(owedYen, paidYen);
    const principalYen = issuedInvoicePrincipal({
      owedYen,
      interestYen: r.interest_yen,
      creditedInterestYen: Number(credited_interest_yen),
    });
    return {
      ...r,
      owedYen,
      principalYen,
      creditedYen: Number(credited_yen),
      paidYen,
      state,
      overdue: state !== "paid" && r.due_date < today,
    };
  });
  // T-26: the interest accrued to today on each overdue invoice, for the overdue list.
  const overdue = listed.filter((i) => i.overdue);
  const payments: { invoice_id: number; paid_on: IsoDate; amount_yen: number | null }[] = [];
  for (const ids of chunks(overdue.map((i) => i.id))) {
    payments.push(
      ...(await db
        .selectFrom("payments")
        .innerJoin("invoices", (join) =>
          join
            .onRef("invoices.contract_id", "=", "payments.contract_id")
            .onRef("invoices.billing_month", "=", "payments.billing_month"),
        )
        .select(["invoices.id as invoice_id", "payments.paid_on", "payments.amount_yen"])
        .where("invoices.id", "in", ids)
        .execute()),
    );
  }
  const byInvoice = new Map<number, typeof payments>();
  for (const p of payments)
    byInvoice.set(p.invoice_id, [...(byInvoice.get(p.invoice_id) ?? []), p]);
  return listed.map((i) => ({
    ...i,
    accruedInterestYen: i.overdue
      ? accruedInterest(
          { principalYen: i.principalYen, dueDate: i.due_date },
          (byInvoice.get(i.id) ?? []).map((p) => ({ paidOn: p.paid_on, amountYen: p.amount_yen })),
          today,
        )
      : 0,
  }));
}

/** The invoice row (within the tenant) and its lines, as issued. */
export async function getInvoiceForPrint(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
) {
  const invoice = await selectInvoice(db, params);
  if (!invoice) return null;
  const lines = await db
    .selectFrom("invoice_lines")
    .selectAll()
    .where("invoice_id", "=", invoice.id)
    .orderBy("position")
    .execute();
  return { invoice, lines };
}

function selectInvoice(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  return db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .selectAll("invoices")
    .select([
      "contracts.ref as contract_ref",
      "contracts.line_id",
      "customers.ref as customer_ref",
      "customers.id as customer_id",
    ])
    .where("invoices.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
}

export async function getInvoice(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
  today: IsoDate,
) {
  const printable = await getInvoiceForPrint(db, params);
  if (!printable) return null;
  const { invoice, lines } = printable;
  const [paymentRows, credits, creditedInterest] = await Promise.all([
    db
      .selectFrom("payments")
      .select(["id", "paid_on", "amount_yen"])
      .where("contract_id", "=", invoice.contract_id)
      .where("billing_month", "=", invoice.billing_month)
      .orderBy("paid_on")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("credit_notes")
      .select(["id", "credit_note_number", "issue_date", "total_yen", "reason"])
      .where("invoice_id", "=", invoice.id)
      .orderBy("seq")
      .execute(),
    db
      .selectFrom("invoices")
      .select(creditedInterestYenOfInvoice().as("yen"))
      .where("invoices.id", "=", invoice.id)
      .executeTakeFirstOrThrow(),
  ]);
  const creditedYen = credits.reduce((a, c) => a + c.total_yen, 0);
  const owedYen = invoice.total_yen - creditedYen;
  const payments: PaymentRow[] = paymentRows.map((p) => ({
    id: p.id,
    paidOn: p.paid_on,
    amountYen: p.amount_yen,
  }));
  const paidYen = Math.min(paidSoFar(owedYen, payments), owedYen);
  const state = paymentState(owedYen, paidYen);
  // T-26: interest runs on the principal: what is owed less the interest lines still standing on the invoice.
  const creditedInterestYen = Number(creditedInterest.yen);
  const principal = {
    principalYen: issuedInvoicePrincipal({
      owedYen,
      interestYen: invoice.interest_yen,
      creditedInterestYen,
    }),
    dueDate: invoice.due_date,
  };
  const interestPayments = payments.map((p) => ({ paidOn: p.paidOn, amountYen: p.amountYen }));
  const interest =
    state === "paid"
      ? { settledYen: lateInterest(principal, interestPayments).interestYen, accruedYen: toYen(0) }
      : { settledYen: toYen(0), accruedYen: accruedInterest(principal, interestPayments, today) };
  return {
    invoice,
    lines,
    payments,
    credits,
    creditedYen,
    principal,
    paidYen,
    outstandingYen: toYen(owedYen - paidYen),
    state,
    overdue: state !== "paid" && invoice.due_date < today,
    interest,
  };
}
