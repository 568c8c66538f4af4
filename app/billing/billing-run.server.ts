// Closing a billing month (T-27-1): check every contract's invoice with the pure rules, then
// issue them in order of contract ref, a batch per transaction, numbering each invoice with the
// next sequence number inside the same transaction. A kill loses at most the open batch; a
// re-run skips what was issued and continues the sequence, so the result is exactly that of an
// uninterrupted run: no duplicate, no gap. A closed month issues nothing more.
//
// Memory does not grow with the number of contracts (issue 18 item 6): the month is read a page
// of contracts at a time in ref order (keyset paging, `PLAN_PAGE_SIZE`), once to check it (only
// the count and the problems are kept: a problem anywhere stops the run before anything is
// issued) and again as the batches go, each batch planning from what is committed at that
// moment. Between batches the run holds at most a batch and a page of planned invoices.
//
// The run yields between batches, and other writers (the console's users, a command on the same
// file) go on meanwhile: each batch's transaction first plans again, with the same rules, every
// contract written since the month was checked (the billing journal, migration 000960), so an
// invoice holds everything committed before its batch. A write committed after the contract's
// invoice is a write after the invoice, as on any other day (T-26 interest then goes on the next
// invoice, payments.server.ts). The month is marked closed in the last batch's transaction.
import { sql, type CompiledQuery, type Insertable, type Kysely } from "kysely";
import { dialectOf } from "../../db/connection";
import type { Database, InvoiceLineTable, InvoiceTable, OutboxTable } from "../../db/schema";
import { chunks, SQL_CHUNK } from "../../db/chunks";
import { writeTransaction } from "../../db/write-transaction";
import { recordWebhookEventsFor, webhookSubscribers } from "../webhooks/events.server";
import { billingChangesSince, lastBillingChange } from "./billing-changes.server";
import { instantOf, lastDayOf, type YearMonth } from "../lib/jst";
import { sumYen } from "../lib/yen";
import {
  loadBillableContracts,
  loadPriorInvoices,
  loadTariffs,
  type BillableContract,
} from "./history.server";
import type { InvoiceDraft } from "./invoice";
import { LATE_INTEREST_CODE } from "./invoice";
import { outboxRow } from "../mail/outbox.server";
import { invoiceAttachmentName, invoiceMail, invoiceMailRef } from "./invoice-mail";
import { invoiceOptionsOf, type BillingSettings } from "./billing-settings";
import { buildMonthlyInvoice, type PriorInvoice } from "./monthly-invoice";
import type { TariffVersion } from "./tariff";
import { getBillingSettings } from "../settings/provider.server";

export interface ContractProblem {
  contractRef: string;
  path: string;
  message: string;
}

export interface PlannedInvoice {
  contractId: number;
  contractRef: string;
  recipientName: string;
  recipientAddress: string;
  recipientEmail: string;
  draft: InvoiceDraft;
}

export interface MonthPlan {
  month: YearMonth;
  closed: boolean;
  alreadyIssued: number;
  toIssue: PlannedInvoice[];
  problems: ContractProblem[];
}

export interface BillingRunResult {
  month: YearMonth;
  alreadyClosed: boolean;
  issued: number;
  alreadyIssued: number;
  problems: ContractProblem[];
}

export const DEFAULT_BATCH_SIZE = 500;

/**
 * Above this many contracts written during the run, a batch plans the whole month again rather
 * than each of them by id (a bulk import): cheaper than lists of ids that long, and it keeps the
 * `in` lists far below SQLite's limit of bound parameters.
 */
const REPLAN_ALL_ABOVE = 1000;

export function invoiceNumber(seq: number): string {
  return `INV-${String(seq).padStart(8, "0")}`;
}

async function monthState(db: Kysely<Database>, month: YearMonth) {
  return db.selectFrom("billing_months").selectAll().where("month", "=", month).executeTakeFirst();
}

/** Each contract's invoice for `month` by the pure rules, or its problems; issued contracts are skipped. */
function planContracts(
  month: YearMonth,
  contracts: readonly BillableContract[],
  tariffs: readonly TariffVersion[],
  prior: ReadonlyMap<number, PriorInvoice[]>,
  issuedIds: ReadonlySet<number>,
  settings: BillingSettings,
): { toIssue: PlannedInvoice[]; problems: ContractProblem[] } {
  const toIssue: PlannedInvoice[] = [];
  const problems: ContractProblem[] = [];
  const options = invoiceOptionsOf(month, settings);
  for (const contract of contracts) {
    if (issuedIds.has(contract.id)) continue;
    const result = buildMonthlyInvoice(
      contract.history,
      month,
      tariffs,
      prior.get(contract.id) ?? [],
      options,
    );
    if (!result.ok) {
      for (const p of result.problems) problems.push({ contractRef: contract.ref, ...p });
    } else if (result.invoice) {
      toIssue.push({
        contractId: contract.id,
        contractRef: contract.ref,
        recipientName: contract.recipientName,
        recipientAddress: contract.recipientAddress,
        recipientEmail: contract.recipientEmail,
        draft: result.invoice,
      });
    }
  }
  return { toIssue, problems };
}

/** What a run plans with: read once, and again when a tariff or the settings are written during it. */
interface PlanBasis {
  tariffs: TariffVersion[];
  settings: BillingSettings;
}

async function planBasis(db: Kysely<Database>): Promise<PlanBasis> {
  const [tariffs, settings] = await Promise.all([loadTariffs(db), getBillingSettings(db)]);
  return { tariffs, settings };
}

/**
 * The largest page of contracts read and planned at once (bounded memory, issue 18 item 6): a
 * page's ids also go into `in` lists, kept at the size of `chunks`.
 */
export const PLAN_PAGE_SIZE = SQL_CHUNK;

/** One page of the month's plan: the contracts read (in ref order) and what they give. */
interface PlannedPage {
  /** The last contract read, where the next page starts; null when the page is empty. */
  lastRef: string | null;
  /** Fewer contracts than asked for: there are no more. */
  end: boolean;
  toIssue: PlannedInvoice[];
  problems: ContractProblem[];
}

/**
 * The next `limit` contracts after `afterRef` without an invoice for `month`, planned. Their
 * histories are read with `in` lists of the page's ids: memory and the size of every query follow
 * the page, not the book.
 */
async function planPage(
  db: Kysely<Database>,
  month: YearMonth,
  basis: PlanBasis,
  afterRef: string | null,
  limit: number,
): Promise<PlannedPage> {
  let read = { lastRef: null as string | null, count: 0 };
  const contracts = await loadBillableContracts(db, lastDayOf(month), {
    onlyPaymentsRelevantTo: month,
    page: { afterRef, limit, withoutInvoiceFor: month, onRead: (r) => (read = r) },
  });
  const prior = await loadPriorInvoices(db, month, contracts, {
    contractIds: contracts.map((c) => c.id),
  });
  const planned = planContracts(month, contracts, basis.tariffs, prior, new Set(), basis.settings);
  return { ...planned, lastRef: read.lastRef, end: read.count < limit };
}

/**
 * Every page of the month's plan in ref order, from the start (contracts already invoiced for the
 * month are left out). Only one page is held at a time.
 */
async function* planPages(
  db: Kysely<Database>,
  month: YearMonth,
  basis: PlanBasis,
  pageSize: number = PLAN_PAGE_SIZE,
): AsyncGenerator<PlannedPage> {
  let afterRef: string | null = null;
  for (;;) {
    const page = await planPage(db, month, basis, afterRef, pageSize);
    yield page;
    if (page.end || page.lastRef === null) return;
    afterRef = page.lastRef;
  }
}

export interface MonthSummary {
  month: YearMonth;
  closed: boolean;
  alreadyIssued: number;
  /** How many invoices closing the month would issue now. */
  toIssue: number;
  problems: ContractProblem[];
}

/**
 * The month's plan counted page by page, holding no invoice (what a run checks before it issues
 * anything); `each` sees every planned invoice as its page is planned.
 */
async function summarizeMonth(
  db: Kysely<Database>,
  month: YearMonth,
  basis: PlanBasis,
  each?: (planned: PlannedInvoice) => void,
): Promise<Omit<MonthSummary, "closed" | "alreadyIssued">> {
  let toIssue = 0;
  const problems: ContractProblem[] = [];
  for await (const page of planPages(db, month, basis)) {
    toIssue += page.toIssue.length;
    problems.push(...page.problems);
    if (each) for (const p of page.toIssue) each(p);
  }
  return { month, toIssue, problems };
}

async function issuedCount(db: Kysely<Database>, month: YearMonth): Promise<number> {
  const row = await db
    .selectFrom("invoices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("billing_month", "=", month)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What closing `month` would issue, computed without writing anything (also the preview). */
export async function planBillingMonth(db: Kysely<Database>, month: YearMonth): Promise<MonthPlan> {
  const state = await monthState(db, month);
  const basis = await planBasis(db);
  const toIssue: PlannedInvoice[] = [];
  const { problems } = await summarizeMonth(db, month, basis, (p) => toIssue.push(p));
  return {
    month,
    closed: state?.status === "closed",
    alreadyIssued: await issuedCount(db, month),
    toIssue,
    problems,
  };
}

export interface MonthTotals {
  taxable10Yen: number;
  tax10Yen: number;
  nonTaxableYen: number;
  totalYen: number;
}

/** What the month page shows before a close: the whole plan's count and sums, its first rows. */
export interface MonthPreview {
  month: YearMonth;
  closed: boolean;
  /** How many invoices closing the month would issue now, and their sums. */
  count: number;
  totals: MonthTotals;
  /** The first invoices in ref order (at most the limit asked for). */
  first: PlannedInvoice[];
  problems: ContractProblem[];
}

/**
 * The month's plan summed page by page, holding only its first `limit` invoices: the month
 * page and its confirmation show the count and yen of the whole month without keeping every
 * planned invoice in memory (issue 18 item 6).
 */
export async function previewBillingMonth(
  db: Kysely<Database>,
  month: YearMonth,
  limit = 100,
): Promise<MonthPreview> {
  const state = await monthState(db, month);
  const basis = await planBasis(db);
  const totals: MonthTotals = { taxable10Yen: 0, tax10Yen: 0, nonTaxableYen: 0, totalYen: 0 };
  const first: PlannedInvoice[] = [];
  const { toIssue, problems } = await summarizeMonth(db, month, basis, (p) => {
    totals.taxable10Yen += p.draft.totals.taxable10Yen;
    totals.tax10Yen += p.draft.totals.tax10Yen;
    totals.nonTaxableYen += p.draft.totals.nonTaxableYen;
    totals.totalYen += p.draft.totals.totalYen;
    if (first.length < limit) first.push(p);
  });
  return { month, closed: state?.status === "closed", count: toIssue, totals, first, problems };
}

/**
 * `contractIds` planned again from what is committed now (inside a batch's transaction), a page
 * of ids at a time: the invoices of the ones that have one and are not issued yet, in ref order.
 */
async function replanContracts(
  trx: Kysely<Database>,
  month: YearMonth,
  basis: PlanBasis,
  contractIds: readonly number[],
) {
  const toIssue: PlannedInvoice[] = [];
  const problems: ContractProblem[] = [];
  for (const part of chunks(contractIds, PLAN_PAGE_SIZE)) {
    const [contracts, issued] = await Promise.all([
      loadBillableContracts(trx, lastDayOf(month), {
        contractIds: part,
        onlyPaymentsRelevantTo: month,
      }),
      trx
        .selectFrom("invoices")
        .select("contract_id")
        .where("billing_month", "=", month)
        .where("contract_id", "in", part)
        .execute(),
    ]);
    const prior = await loadPriorInvoices(trx, month, contracts, { contractIds: part });
    const planned = planContracts(
      month,
      contracts,
      basis.tariffs,
      prior,
      new Set(issued.map((r) => r.contract_id)),
      basis.settings,
    );
    toIssue.push(...planned.toIssue);
    problems.push(...planned.problems);
  }
  toIssue.sort((a, b) => compareRefs(a.contractRef, b.contractRef));
  return { toIssue, problems };
}

/**
 * The invoices still to issue, with those of `replanned` contracts replaced by their new plan
 * (`planned`): dropped when they no longer have one, added in contract-ref order when they did
 * not have one before (one whose place in that order has passed goes first, into the batch about
 * to be issued).
 */
function mergeReplanned(
  remaining: readonly PlannedInvoice[],
  replanned: readonly number[],
  planned: readonly PlannedInvoice[],
): PlannedInvoice[] {
  const ids = new Set(replanned);
  const kept = remaining.filter((p) => !ids.has(p.contractId));
  const merged: PlannedInvoice[] = [];
  let k = 0;
  for (const p of [...planned].sort((a, b) => compareRefs(a.contractRef, b.contractRef))) {
    while (k < kept.length && compareRefs(kept[k].contractRef, p.contractRef) < 0)
      merged.push(kept[k++]);
    merged.push(p);
  }
  while (k < kept.length) merged.push(kept[k++]);
  return merged;
}

/** SQLite's default (BINARY) text order, which orders the plan (`order by contracts.ref`): UTF-8 bytes. */
function compareRefs(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

interface Issuer {
  name: string;
  phone: string;
}

/** The largest multi-row INSERT; every INSERT has a power-of-two row count up to it. */
const MAX_ROWS_PER_INSERT = 512;

/**
 * Writes rows of one table with multi-row INSERTs of power-of-two row counts, compiling each
 * count's query once per run and executing it again with the next rows' values: building and
 * compiling a fresh query for every chunk of every batch cost Kysely about as much time as
 * SQLite took to write the rows. Returns the rows the query returns, in order.
 */
function reusableInsert<R extends Record<string, unknown>, O>(
  compile: (trx: Kysely<Database>, rows: R[]) => CompiledQuery<O>,
) {
  const compiled = new Map<number, CompiledQuery<O>>();
  return async (trx: Kysely<Database>, rows: readonly R[]): Promise<O[]> => {
    const returned: O[] = [];
    if (rows.length === 0) return returned;
    const columns = Object.keys(rows[0]);
    for (let i = 0; i < rows.length;) {
      const count = Math.min(MAX_ROWS_PER_INSERT, 2 ** Math.floor(Math.log2(rows.length - i)));
      const chunk = rows.slice(i, i + count);
      i += count;
      // Sized once: grown by push, the arrays of every chunk were copied as they grew.
      const parameters: unknown[] = new Array(count * columns.length);
      let p = 0;
      for (const row of chunk) for (const column of columns) parameters[p++] = row[column];
      let query = compiled.get(count);
      if (!query) {
        query = compile(trx, chunk);
        // Reuse is sound only while the query binds every value as a parameter, row by row in
        // column order: refuse to go on if the query builder ever compiles values differently.
        if (
          query.parameters.length !== parameters.length ||
          query.parameters.some((v, k) => v !== parameters[k])
        ) {
          throw new Error(
            `billing run: the compiled INSERT does not bind its ${count} rows as parameters in column order`,
          );
        }
        compiled.set(count, query);
      }
      const result = await trx.executeQuery<O>({ ...query, parameters });
      returned.push(...result.rows);
    }
    return returned;
  };
}

type InvoiceRow = Insertable<InvoiceTable>;
type InvoiceLineRow = Insertable<InvoiceLineTable>;
type OutboxRow = Insertable<OutboxTable>;

/** The INSERTs of one run, each compiled once (see `reusableInsert`). */
/**
 * On PostgreSQL a batch's rows of one table go in as one JSON parameter
 * (json_populate_recordset, columns matched by name): a multi-row INSERT binds up to 5,120
 * parameters, which the server took longer to parse and bind than to write the rows (issue 18
 * item 6). The rows and their order are the same; the returned ids are matched by `seq`.
 */
function jsonInsert<R extends Record<string, unknown>, O>(
  table: "invoices" | "invoice_lines" | "outbox",
  returning: readonly string[] = [],
) {
  return async (trx: Kysely<Database>, rows: readonly R[]): Promise<O[]> => {
    if (rows.length === 0) return [];
    const columns = sql.join(Object.keys(rows[0]).map((c) => sql.ref(c)));
    const result = await sql<O>`insert into ${sql.table(table)} (${columns})
      select ${columns} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}::json)
      ${returning.length ? sql`returning ${sql.join(returning.map((c) => sql.ref(c)))}` : sql``}`.execute(
      trx,
    );
    return result.rows;
  };
}

/** The INSERTs of one run, each compiled once (see `reusableInsert`); JSON rows on PostgreSQL. */
function runInserts(db: Kysely<Database>) {
  if (dialectOf(db) === "postgres")
    return {
      invoices: jsonInsert<InvoiceRow, { id: number; seq: number }>("invoices", ["id", "seq"]),
      lines: jsonInsert<InvoiceLineRow, unknown>("invoice_lines"),
      mails: jsonInsert<OutboxRow, unknown>("outbox"),
    };
  return {
    invoices: reusableInsert((trx, rows: InvoiceRow[]) =>
      trx.insertInto("invoices").values(rows).returning(["id", "seq"]).compile(),
    ),
    lines: reusableInsert((trx, rows: InvoiceLineRow[]) =>
      trx.insertInto("invoice_lines").values(rows).compile(),
    ),
    mails: reusableInsert((trx, rows: OutboxRow[]) =>
      trx.insertInto("outbox").values(rows).compile(),
    ),
  };
}

async function issueBatch(
  trx: Kysely<Database>,
  batch: readonly PlannedInvoice[],
  issuedAt: Date,
  issuer: Issuer,
  inserts: ReturnType<typeof runInserts>,
): Promise<void> {
  const last = await trx
    .selectFrom("invoices")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  let seq = Number(last?.seq ?? 0);
  const issuedAtIso = instantOf(issuedAt);
  const rows = batch.map((p) => {
    seq += 1;
    const t = p.draft.totals;
    const interest = sumYen(
      p.draft.lines.filter((l) => l.code === LATE_INTEREST_CODE).map((l) => l.amountYen),
    );
    return {
      seq,
      invoice_number: invoiceNumber(seq),
      contract_id: p.contractId,
      billing_month: p.draft.billingMonth,
      issue_date: p.draft.issueDate,
      due_date: p.draft.dueDate,
      taxable_10_yen: t.taxable10Yen,
      tax_10_yen: t.tax10Yen,
      non_taxable_yen: t.nonTaxableYen,
      interest_yen: interest,
      total_yen: t.totalYen,
      line_count: p.draft.lines.length,
      recipient_name: p.recipientName,
      recipient_address: p.recipientAddress,
      issued_at: issuedAtIso,
    };
  });
  const ids = new Map<number, number>();
  for (const r of await inserts.invoices(trx, rows)) ids.set(r.seq, r.id);
  const lines = batch.flatMap((p, i) =>
    p.draft.lines.map((l, position) => ({
      invoice_id: ids.get(rows[i].seq)!,
      position: position + 1,
      code: l.code,
      rule: l.rule,
      tariff_version: l.tariffVersion,
      description: l.description,
      quantity: l.quantity,
      unit_price_yen: l.unitPriceYen,
      amount_yen: l.amountYen,
      tax_category: l.taxCategory,
    })),
  );
  await inserts.lines(trx, lines);
  // Each invoice is e-mailed to the billing address: queued with it, its PDF made when sent.
  const mails = batch.map((p, i) => ({
    ...outboxRow(
      {
        kind: "invoice",
        ref: invoiceMailRef(rows[i].invoice_number),
        to: p.recipientEmail,
        ...invoiceMail({
          invoiceNumber: rows[i].invoice_number,
          billingMonth: p.draft.billingMonth,
          recipientName: p.recipientName,
          totalYen: rows[i].total_yen,
          dueDate: p.draft.dueDate,
          providerName: issuer.name,
          providerPhone: issuer.phone,
        }),
      },
      issuedAt,
    ),
    attachment_name: invoiceAttachmentName(rows[i].invoice_number),
  }));
  await inserts.mails(trx, mails);
  await recordIssuedInvoiceEvents(trx, rows, issuedAt);
}

/**
 * invoice.issued webhooks for a batch, in its transaction: one indexed query when nobody listens
 * (the usual case, which keeps the run as fast as before), and then one more for the batch's
 * customers — never a query per invoice.
 */
async function recordIssuedInvoiceEvents(
  trx: Kysely<Database>,
  rows: readonly {
    invoice_number: string;
    contract_id: number;
    billing_month: string;
    issue_date: string;
    due_date: string;
    total_yen: number;
  }[],
  issuedAt: Date,
): Promise<void> {
  const subscribers = await webhookSubscribers(trx, "invoice.issued");
  if (subscribers.length === 0) return;
  const facts = new Map<
    number,
    { contract: string; customerId: number; customer: string; resellerId: number | null }
  >();
  for (const part of chunks([...new Set(rows.map((r) => r.contract_id))])) {
    const found = await trx
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "contracts.id",
        "contracts.ref",
        "customers.id as customer_id",
        "customers.ref as customer_ref",
        "customers.reseller_id",
      ])
      .where("contracts.id", "in", part)
      .execute();
    for (const f of found)
      facts.set(f.id, {
        contract: f.ref,
        customerId: f.customer_id,
        customer: f.customer_ref,
        resellerId: f.reseller_id,
      });
  }
  await recordWebhookEventsFor(
    trx,
    "invoice.issued",
    subscribers,
    rows.map((r) => {
      const f = facts.get(r.contract_id)!;
      return {
        customerId: f.customerId,
        resellerId: f.resellerId,
        data: {
          invoice: {
            number: r.invoice_number,
            contract: f.contract,
            customer: f.customer,
            billingMonth: r.billing_month,
            issueDate: r.issue_date,
            dueDate: r.due_date,
            totalYen: r.total_yen,
          },
        },
      };
    }),
    issuedAt,
  );
}

export interface RunOptions {
  at: Date;
  batchSize?: number;
  /** Called after each batch is committed; a promise it returns is awaited before the next batch. */
  onProgress?: (progress: { done: number; total: number }) => void | Promise<void>;
  /** Called once the month is planned, with how many invoices are to issue (a progress page shows it at once). */
  onPlanned?: (total: number) => void | Promise<void>;
}

/** The provider's name and phone for the invoice e-mails, as of the batch. */
async function issuerOf(trx: Kysely<Database>): Promise<Issuer> {
  // A database holding only imported data may not have the provider's settings yet.
  return (
    (await trx
      .selectFrom("provider")
      .select(["name", "phone"])
      .orderBy("id")
      .executeTakeFirst()) ?? { name: "サービス提供者", phone: "" }
  );
}

/**
 * Issues every invoice of `month` and closes it. Problems in the data stop the run before anything
 * is issued; problems in data written during the run stop it before the batch that would issue
 * them (the month stays open, a re-run continues once they are fixed).
 */
export async function runBillingMonth(
  db: Kysely<Database>,
  month: YearMonth,
  options: RunOptions,
): Promise<BillingRunResult> {
  // A closed month answers first: running it again issues nothing and says so, also when later
  // months are closed since (docs/rules/import-format.md: "running it again issues nothing new").
  if ((await monthState(db, month))?.status === "closed") {
    const issued = await db
      .selectFrom("invoices")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("billing_month", "=", month)
      .executeTakeFirstOrThrow();
    return { month, alreadyIssued: Number(issued.n), problems: [], alreadyClosed: true, issued: 0 };
  }
  const later = await db
    .selectFrom("billing_months")
    .select("month")
    .where("month", ">", month)
    .where("status", "=", "closed")
    .orderBy("month")
    .executeTakeFirst();
  if (later) throw new Error(`month: ${later.month} is already closed; months are closed in order`);

  // Read first: a write committed while the month is checked (its queries are not one snapshot)
  // has a larger id, so the first batch plans its contract again.
  let changesThrough = await lastBillingChange(db);
  const state = await monthState(db, month);
  let basis = await planBasis(db);
  const alreadyIssued = await issuedCount(db, month);
  // Problems anywhere stop the run before anything is issued: the whole month is planned once,
  // a page at a time, keeping only the count and the problems (issue 18 item 6: memory does not
  // grow with the number of contracts). Each batch then plans its contracts again, from what is
  // committed at that moment.
  const checked = await summarizeMonth(db, month, basis);
  const base = { month, alreadyIssued, problems: checked.problems };
  if (state?.status === "closed") return { ...base, alreadyClosed: true, issued: 0 }; // closed while checking
  if (checked.problems.length > 0) return { ...base, alreadyClosed: false, issued: 0 };

  const issuedAt = instantOf(options.at);
  await db
    .insertInto("billing_months")
    .values({ month, status: "running", started_at: issuedAt, closed_at: null, invoice_count: 0 })
    .onConflict((oc) => oc.column("month").doNothing())
    .execute();

  // The total is known once checked: a progress page shows it before the first batch ends.
  await options.onPlanned?.(checked.toIssue);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const inserts = runInserts(db);
  // The plan ahead of the next batch: the invoices planned, in ref order, of the contracts read
  // so far (up to `readThrough`) and not issued yet; at most a batch and a page of them.
  let pending: PlannedInvoice[] = [];
  let readThrough: string | null = null;
  let readAll = false;
  /** For the progress page only: what is issued plus what is expected still to come. */
  let expected = checked.toIssue;
  let issued = 0;
  for (;;) {
    // BEGIN IMMEDIATE: nothing commits between reading the journal and committing the batch, so
    // a write is either seen here or made after the batch's invoices exist.
    const step = await writeTransaction(db, async (trx) => {
      const changes = await billingChangesSince(trx, changesThrough);
      if (changes) {
        if (changes.every || changes.contractIds.length > REPLAN_ALL_ABOVE) {
          // A tariff or the settings written, or a bulk import: the whole month checked again,
          // and read again from its start (contracts invoiced by now are left out by the pages).
          basis = await planBasis(trx);
          const fresh = await summarizeMonth(trx, month, basis);
          if (fresh.problems.length > 0) return { problems: fresh.problems };
          changesThrough = changes.through;
          pending = [];
          readThrough = null;
          readAll = false;
          expected = issued + fresh.toIssue;
        } else {
          const fresh = await replanContracts(trx, month, basis, changes.contractIds);
          if (fresh.problems.length > 0) return { problems: fresh.problems };
          // Those not read yet are planned when their page comes, from what is committed then.
          const read = fresh.toIssue.filter(
            (p) => readThrough !== null && compareRefs(p.contractRef, readThrough) <= 0,
          );
          const before = pending.length;
          pending = mergeReplanned(pending, changes.contractIds, read);
          expected += pending.length - before;
          changesThrough = changes.through;
        }
      }
      // One invoice more than the batch, or the end of the book: whether this batch is the
      // month's last is known in its own transaction, which then closes the month.
      while (pending.length <= batchSize && !readAll) {
        const page = await planPage(trx, month, basis, readThrough, PLAN_PAGE_SIZE);
        if (page.problems.length > 0) return { problems: page.problems };
        pending.push(...page.toIssue);
        if (page.lastRef !== null) readThrough = page.lastRef;
        readAll = page.end;
      }
      const batch = pending.slice(0, batchSize);
      if (batch.length > 0) await issueBatch(trx, batch, options.at, await issuerOf(trx), inserts);
      pending = pending.slice(batch.length);
      issued += batch.length;
      const finished = readAll && pending.length === 0;
      // Closed in the transaction that found nothing more to issue: a write after it is a
      // write after the month's invoices, for every contract.
      if (finished) {
        await trx
          .updateTable("billing_months")
          .set({
            status: "closed",
            closed_at: instantOf(options.at),
            invoice_count: await issuedCount(trx, month),
          })
          .where("month", "=", month)
          .execute();
      }
      return { problems: [], issuedNow: batch.length, finished };
    });
    if (step.problems.length > 0)
      return { ...base, problems: step.problems, alreadyClosed: false, issued };
    if (step.issuedNow)
      await options.onProgress?.({
        done: issued,
        total: step.finished ? issued : Math.max(expected, issued + pending.length),
      });
    if (step.finished) break;
    // SQLite calls are synchronous: give the event loop a turn between batches, so a server
    // closing a month in the background still answers requests (and its progress page).
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { ...base, alreadyClosed: false, issued };
}
