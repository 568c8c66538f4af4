// Reads what the billing rules need from the database, in bulk: the tariff versions, every
// contract's history as a ContractHistory (the import file's shape), and the invoices already
// issued with their payments (for T-26). A handful of queries whatever the number of contracts.
import { sql, type Kysely, type SqlBool, type Transaction } from "kysely";
import { dialectOf } from "../../db/connection";
import { SQL_CHUNK } from "../../db/chunks";
import type { Database, Ownership } from "../../db/schema";
import { firstDayOf, type IsoDate, lastDayOf, type YearMonth } from "../lib/jst";
import type { ContractHistory, PaymentRecord } from "./contract-history";
import { creditedInterestYenOfInvoice, creditedYenOfInvoice } from "./credit-sums.server";
import type { PriorInvoice } from "./monthly-invoice";
import type { OutageService } from "./outage-credit";
import { tariffVersions, type TariffVersion } from "./tariff";

type Db = Kysely<Database> | Transaction<Database>;

/** A contract item as the history export and the partner API show it (1/0 flags as booleans). */
export function itemRecord(i: {
  code: string;
  quantity: number;
  ownership: Ownership;
  repair24h: number;
  from_date: IsoDate;
  to_date: IsoDate | null;
}) {
  return {
    code: i.code,
    quantity: i.quantity,
    ownership: i.ownership,
    repair24h: i.repair24h === 1,
    from: i.from_date,
    to: i.to_date,
  };
}

export async function loadTariffs(db: Db): Promise<TariffVersion[]> {
  const rows = await db
    .selectFrom("tariff_prices")
    .innerJoin("tariff_versions", "tariff_versions.id", "tariff_prices.version_id")
    .select(["tariff_versions.effective_from", "tariff_prices.code", "tariff_prices.price_yen"])
    .orderBy("tariff_versions.effective_from")
    .execute();
  const updates = new Map<IsoDate, Record<string, number>>();
  for (const row of rows) {
    const prices = updates.get(row.effective_from) ?? {};
    prices[row.code] = row.price_yen;
    updates.set(row.effective_from, prices);
  }
  return tariffVersions([...updates].map(([effectiveFrom, prices]) => ({ effectiveFrom, prices })));
}

export interface BillableContract {
  id: number;
  ref: string;
  recipientName: string;
  recipientAddress: string;
  /** Where the invoice is e-mailed: the customer's registered address (T-13). */
  recipientEmail: string;
  history: ContractHistory;
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

export interface LoadOptions {
  contractIds?: readonly number[];
  /**
   * Billing one month needs only the payments of the invoices that can bear interest billed in
   * that month (T-26, `invoicesPaidLateIn`); set it to read just those instead of every payment
   * ever made.
   */
  onlyPaymentsRelevantTo?: YearMonth;
  /**
   * One page of the book in ref order (keyset paging: the billing run reads the month a page at a
   * time so that its memory does not grow with the number of contracts): at most `limit`
   * contracts whose ref sorts after `afterRef` (from the start when null), leaving out those
   * that already have an invoice for `withoutInvoiceFor`.
   */
  page?: {
    afterRef: string | null;
    limit: number;
    withoutInvoiceFor?: YearMonth;
    /** Told where the page ended: the last contract read and how many were read, invoiced ones included. */
    onRead?: (read: { lastRef: string | null; count: number }) => void;
  };
}

/**
 * The invoices (contract and billing month) with a payment dated in `month` after their due date:
 * the only ones that can bear interest billed in `month` (T-26). Interest is billed in the month
 * of the final payment and only when some payment came more than 15 days after the due date; the
 * final payment is the latest, so it too is after the due date. Invoices paid on time (most of
 * them) are left out: reading them and their payments every month cost as much as the rest of
 * the history. Read once as a set and joined, rather than tested with a correlated subquery per
 * payment or invoice row, which cost a lookup for every row ever stored.
 */
function invoicesPaidLateIn(db: Db, month: YearMonth, contractIds?: readonly number[]) {
  // Some contracts (a page of the billing run) on PostgreSQL: the date range written so that it
  // cannot use the index on paid_on, leaving the contracts' own index (payments_contract_idx).
  // The planner otherwise scanned every payment of the month for each page of 500 contracts:
  // the close's time grew with the square of the book.
  const paidOn =
    contractIds && dialectOf(db) === "postgres"
      ? sql<string>`${sql.ref("payments.paid_on")} + 0`
      : sql<string>`${sql.ref("payments.paid_on")}`;
  let q = db
    .selectFrom("payments")
    .innerJoin("invoices", (join) =>
      join
        .onRef("invoices.contract_id", "=", "payments.contract_id")
        .onRef("invoices.billing_month", "=", "payments.billing_month"),
    )
    .select(["payments.contract_id", "payments.billing_month"])
    .distinct()
    .where(paidOn, ">=", firstDayOf(month))
    .where(paidOn, "<=", lastDayOf(month))
    .whereRef("payments.paid_on", ">", "invoices.due_date");
  if (contractIds) q = q.where(idIn(db, "payments.contract_id", contractIds));
  return q;
}

/** An `in` list never empty (SQL has no empty list): -1 matches no id. */
function idList(ids: readonly number[]): readonly number[] {
  return ids.length ? ids : [-1];
}

/**
 * `column` is one of `ids`. On PostgreSQL one array parameter (`= any($1)`): a list of hundreds
 * of parameters (a page of the billing run) cost the server more to parse and plan than to read
 * the rows. On SQLite an `in` list, which its planner turns into index lookups.
 */
function idIn(db: Db, column: string, ids: readonly number[]) {
  const list = idList(ids);
  return dialectOf(db) === "postgres"
    ? sql<SqlBool>`${sql.ref(column)} = any(${sql.val(list)}::bigint[])`
    : sql<SqlBool>`${sql.ref(column)} in (${sql.join(list)})`;
}

const paymentColumns = [
  "payments.contract_id",
  "payments.billing_month",
  "payments.paid_on",
  "payments.amount_yen",
] as const;

/** Every contract whose service started on or before `lastDay`, ordered by ref, with its history. */
export async function loadBillableContracts(
  db: Db,
  lastDay: IsoDate,
  options: LoadOptions = {},
): Promise<BillableContract[]> {
  const { contractIds, onlyPaymentsRelevantTo: month, page } = options;
  // More ids than one `in` list may carry (the provider's portfolio of a book of 32,800 imported
  // contracts): the whole book, then those asked for — one pass, in the same ref order.
  if (contractIds && contractIds.length > SQL_CHUNK) {
    const wanted = new Set(contractIds);
    return (
      await loadBillableContracts(db, lastDay, { ...options, contractIds: undefined })
    ).filter((c) => wanted.has(c.id));
  }
  let q = db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.line_id",
      "contracts.area",
      "contracts.base_plan",
      "contracts.service_start",
      "customers.ref as customer_ref",
      "customers.name as customer_name",
      "customers.address as customer_address",
      "customers.email as customer_email",
    ])
    .where("contracts.service_start", "<=", lastDay)
    .orderBy("contracts.ref");
  if (contractIds) q = q.where(idIn(db, "contracts.id", contractIds));
  if (page) {
    if (page.afterRef !== null) q = q.where("contracts.ref", ">", page.afterRef);
    q = q.limit(page.limit);
  }
  const read = await q.execute();
  let contracts = read;
  // Those invoiced already, left out by one lookup of the page's ids on the (contract, month)
  // key: a `not exists` in the page's query made PostgreSQL, its statistics behind the rows the
  // run was inserting, scan the month's invoices for every page.
  const invoicedMonth = page?.withoutInvoiceFor;
  if (invoicedMonth && read.length > 0) {
    const invoiced = await db
      .selectFrom("invoices")
      .select("contract_id")
      .where("billing_month", "=", invoicedMonth)
      .where(
        idIn(
          db,
          "contract_id",
          read.map((c) => c.id),
        ),
      )
      .execute();
    const skip = new Set(invoiced.map((r) => r.contract_id));
    contracts = read.filter((c) => !skip.has(c.id));
  }
  page?.onRead?.({ lastRef: read.at(-1)?.ref ?? null, count: read.length });
  if (contracts.length === 0) return [];

  // Some contracts (a quote, a re-plan in the billing run, a page of the book): the history of
  // those only. The whole book: every row, without an `in` list of every contract.
  const ids = contractIds || page ? contracts.map((c) => c.id) : null;
  const [items, planChanges, terminations, outages, visits, visitLines, manualLines, payments] =
    await Promise.all([
      // Only the columns the history holds: items and payments are the bulk of what a month reads.
      db
        .selectFrom("contract_items")
        .select([
          "contract_id",
          "code",
          "quantity",
          "ownership",
          "repair24h",
          "from_date",
          "to_date",
        ])
        .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
        .orderBy("id")
        .execute(),
      db
        .selectFrom("plan_changes")
        .selectAll()
        .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
        .orderBy("change_date")
        .orderBy("id")
        .execute(),
      db
        .selectFrom("terminations")
        .selectAll()
        .where("withdrawn_at", "is", null)
        .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
        .execute(),
      db
        .selectFrom("outages")
        .selectAll()
        .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
        .orderBy("id")
        .execute(),
      db
        .selectFrom("visits")
        .selectAll()
        .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
        .orderBy("visit_date")
        .orderBy("start_time")
        .orderBy("id")
        .execute(),
      db
        .selectFrom("visit_lines")
        .selectAll()
        .$if(ids !== null, (qb) =>
          qb.where(
            "visit_id",
            "in",
            db
              .selectFrom("visits")
              .select("id")
              .where(idIn(db, "contract_id", ids!)),
          ),
        )
        .orderBy("id")
        .execute(),
      db
        .selectFrom("manual_lines")
        .selectAll()
        .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
        .orderBy("line_date")
        .orderBy("id")
        .execute(),
      month
        ? db
            .selectFrom("payments")
            .select(paymentColumns)
            .innerJoin(invoicesPaidLateIn(db, month, ids ?? undefined).as("paid"), (join) =>
              join
                .onRef("paid.contract_id", "=", "payments.contract_id")
                .onRef("paid.billing_month", "=", "payments.billing_month"),
            )
            .orderBy("payments.paid_on")
            .orderBy("payments.id")
            .execute()
        : db
            .selectFrom("payments")
            .select(paymentColumns)
            .$if(ids !== null, (qb) => qb.where(idIn(db, "contract_id", ids!)))
            .orderBy("paid_on")
            .orderBy("id")
            .execute(),
    ]);
  const itemsOf = groupBy(items, (r) => r.contract_id);
  const changesOf = groupBy(planChanges, (r) => r.contract_id);
  const terminationOf = new Map(terminations.map((t) => [t.contract_id, t]));
  const outagesOf = groupBy(outages, (r) => r.contract_id);
  const visitsOf = groupBy(visits, (r) => r.contract_id);
  const linesOfVisit = groupBy(visitLines, (r) => r.visit_id);
  const manualOf = groupBy(manualLines, (r) => r.contract_id);
  const paymentsOf = groupBy(payments, (r) => r.contract_id);

  return contracts.map((c) => {
    const termination = terminationOf.get(c.id);
    const history: ContractHistory = {
      ref: c.ref,
      customer: c.customer_ref,
      lineId: c.line_id,
      area: c.area,
      basePlan: c.base_plan,
      serviceStart: c.service_start,
      items: (itemsOf.get(c.id) ?? []).map(itemRecord),
      planChanges: (changesOf.get(c.id) ?? []).map((p) => ({
        date: p.change_date,
        basePlan: p.base_plan,
      })),
      outages: (outagesOf.get(c.id) ?? []).map((o) => ({
        services: o.services.split(",") as OutageService[],
        knownAt: o.known_at,
        restoredAt: o.restored_at,
        customerFault: o.customer_fault === 1,
      })),
      visits: (visitsOf.get(c.id) ?? []).map((v) => ({
        date: v.visit_date,
        start: v.start_time,
        withLineApplication: v.with_line_application === 1,
        backupAvailable: v.backup_available === 1,
        lines: (linesOfVisit.get(v.id) ?? []).map((l) => ({
          code: l.code,
          quantity: l.quantity,
          endpointReinstall: l.endpoint_reinstall,
          pcs: l.pcs_gb ? (JSON.parse(l.pcs_gb) as number[]).map((gb) => ({ gb })) : null,
        })),
      })),
      manualLines: (manualOf.get(c.id) ?? []).map((m) => ({
        date: m.line_date,
        description: m.description,
        amountYen: m.amount_yen,
        taxable: m.taxable === 1,
        code: m.code,
        rule: m.rule,
      })),
      termination: termination
        ? {
            requestedOn: termination.requested_on,
            wishedDate: termination.wished_date,
            confirmedOn: termination.confirmed_on,
          }
        : null,
      terminatedBy: termination?.terminated_by ?? "customer",
      payments: (paymentsOf.get(c.id) ?? []).map((p): PaymentRecord => ({
        billingMonth: p.billing_month,
        paidOn: p.paid_on,
        amountYen: p.amount_yen,
      })),
    };
    return {
      id: c.id,
      ref: c.ref,
      recipientName: c.customer_name,
      recipientAddress: c.customer_address,
      recipientEmail: c.customer_email,
      history,
    };
  });
}

/**
 * The earlier invoices that can produce late interest in `month` (T-26: billed in the month the
 * invoice is finally paid): those with a payment dated in `month` after their due date, with all
 * their payments (`invoicesPaidLateIn`). Other invoices bear no interest billed in `month`, so
 * they are not read.
 */
export async function loadPriorInvoices(
  db: Db,
  month: YearMonth,
  contracts: readonly BillableContract[],
  options: Pick<LoadOptions, "contractIds"> = {},
): Promise<Map<number, PriorInvoice[]>> {
  // Driven by the (few) invoices paid late in the month, each found by its contract and month, so
  // the cost does not grow with the years of invoices stored.
  const rows = await db
    .selectFrom(invoicesPaidLateIn(db, month, options.contractIds).as("paid"))
    .innerJoin("invoices", (join) =>
      join
        .onRef("invoices.contract_id", "=", "paid.contract_id")
        .onRef("invoices.billing_month", "=", "paid.billing_month"),
    )
    .select((eb) => [
      "invoices.contract_id",
      "invoices.billing_month",
      "invoices.invoice_number",
      "invoices.due_date",
      // The interest lines still standing: less what credit notes returned of them (T-26 principal).
      eb("invoices.interest_yen", "-", creditedInterestYenOfInvoice()).as("interest_yen"),
      // What is owed: the total less credit notes issued against it (T-27-4).
      eb("invoices.total_yen", "-", creditedYenOfInvoice()).as("total_yen"),
    ])
    .where("invoices.billing_month", "<", month)
    // T-26-3: a waived invoice bears no interest.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("interest_waivers")
            .select("interest_waivers.invoice_id")
            .whereRef("interest_waivers.invoice_id", "=", "invoices.id"),
        ),
      ),
    )
    .orderBy("invoices.billing_month")
    .execute();
  const paymentsByContract = new Map(contracts.map((c) => [c.id, c.history.payments ?? []]));
  const result = new Map<number, PriorInvoice[]>();
  for (const row of rows) {
    const payments = (paymentsByContract.get(row.contract_id) ?? [])
      .filter((p) => p.billingMonth === row.billing_month)
      .map((p) => ({ paidOn: p.paidOn, amountYen: p.amountYen }));
    const list = result.get(row.contract_id) ?? [];
    list.push({
      billingMonth: row.billing_month,
      invoiceNumber: row.invoice_number,
      totalYen: Number(row.total_yen),
      interestYen: Number(row.interest_yen),
      dueDate: row.due_date,
      payments,
    });
    result.set(row.contract_id, list);
  }
  return result;
}
