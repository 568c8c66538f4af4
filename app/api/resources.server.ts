// The partner API's read side (issue 19, item 2): customers, contracts and invoices within the
// key's tenant, addressed by the refs people use (C1, K-1001, INV-00000001), never by internal
// ids. Every query carries the tenant in its `where` (auth/tenant-scope.server.ts): a foreign ref
// is not found, as in the console. Lists are cursor-paginated on a unique sort key.
import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import { quoteContractTermination } from "../billing/termination-quotes.server";
import { getInvoice } from "../billing/invoices.server";
import { itemRecord } from "../billing/history.server";
import { isIsoDate, jstDate, type IsoDate } from "../lib/jst";
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  instantParam,
  jstIso,
  MAX_PAGE_SIZE,
  notFoundProblem,
  page,
  validationProblem,
} from "./http.server";
import type { KeyTenant } from "./keys.server";
import type {
  ApiContract,
  ApiContractDetail,
  ApiCustomer,
  ApiInvoice,
  ApiInvoiceDetail,
} from "./schemas";

const limitParam = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return DEFAULT_PAGE_SIZE;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
      ctx.addIssue({
        code: "custom",
        message: `limit は1〜${MAX_PAGE_SIZE}の整数で指定してください`,
      });
      return z.NEVER;
    }
    return n;
  });
export const dateParam = (label: string) =>
  z.string().refine(isIsoDate, `${label}は日付（YYYY-MM-DD）で指定してください`).optional();
export const refParam = (label: string) =>
  z.string().trim().min(1, `${label}を指定してください`).max(50, `${label}が長すぎます`).optional();

export const PageParams = {
  limit: limitParam.describe(`1ページの件数（既定 ${DEFAULT_PAGE_SIZE}、最大 ${MAX_PAGE_SIZE}）`),
  cursor: z.string().max(500, "cursor が長すぎます").optional().describe("前のページの nextCursor"),
};
export const CreatedParams = {
  createdFrom: z
    .string()
    .transform(instantParam("createdFrom"))
    .optional()
    .describe("作成日時がこれ以降（ISO 8601 の日時か、日付なら日本時間のその日の0時）"),
  createdTo: z
    .string()
    .transform(instantParam("createdTo"))
    .optional()
    .describe("作成日時がこれより前（同上）"),
};
/** For records that change: the instant of their last change (`updated_at`, migration 001120). */
export const UpdatedParams = {
  updatedFrom: z
    .string()
    .transform(instantParam("updatedFrom"))
    .optional()
    .describe(
      "最後の変更がこれ以降（ISO 8601 の日時か、日付なら日本時間のその日の0時）。前回の取得時刻を渡すと変わったものだけを取れます",
    ),
  updatedTo: z
    .string()
    .transform(instantParam("updatedTo"))
    .optional()
    .describe("最後の変更がこれより前（同上）"),
};
export type UpdatedRange = { updatedFrom?: string; updatedTo?: string };

export type CreatedRange = { createdFrom?: string; createdTo?: string };

/** The `createdFrom`/`createdTo` range of a list query, on the column that dates the record's
 * creation (`created_at`, or `issued_at`/`opened_at` where that is the record's birth). */
export function whereCreated<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  column: string,
  range: CreatedRange,
): SelectQueryBuilder<DB, TB, O> {
  let out = q;
  if (range.createdFrom) out = out.where(sql.ref(column), ">=", range.createdFrom);
  if (range.createdTo) out = out.where(sql.ref(column), "<", range.createdTo);
  return out;
}

/** The `updated_at` range of a list query, on the table's column (the caller's query joins it). */
export function whereUpdated<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  column: string,
  range: UpdatedRange,
): SelectQueryBuilder<DB, TB, O> {
  let out = q;
  if (range.updatedFrom) out = out.where(sql.ref(column), ">=", range.updatedFrom);
  if (range.updatedTo) out = out.where(sql.ref(column), "<", range.updatedTo);
  return out;
}

// ---- customers ----------------------------------------------------------------------------

export const CustomerListQuery = z.object({ ...PageParams, ...CreatedParams, ...UpdatedParams });

function customers(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("customers")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select([
      "customers.ref",
      "customers.name",
      "customers.email",
      "customers.phone",
      "customers.address",
      "customers.created_at",
      "customers.updated_at",
      "resellers.ref as reseller_ref",
    ])
    .where(customerInTenant(tenant));
}

type CustomerRow = Awaited<ReturnType<ReturnType<typeof customers>["executeTakeFirstOrThrow"]>>;

function presentCustomer(c: CustomerRow): ApiCustomer {
  return {
    ref: c.ref,
    name: c.name,
    email: c.email,
    phone: c.phone,
    address: c.address,
    reseller: c.reseller_ref,
    createdAt: jstIso(c.created_at),
    updatedAt: jstIso(c.updated_at),
  };
}

export async function listApiCustomers(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof CustomerListQuery>,
) {
  const after = decodeCursor(query.cursor, ["string"]);
  let q = customers(db, tenant)
    .orderBy("customers.ref")
    .limit(query.limit + 1);
  if (after) q = q.where("customers.ref", ">", String(after[0]));
  q = whereCreated(q, "customers.created_at", query);
  q = whereUpdated(q, "customers.updated_at", query);
  return page(await q.execute(), query.limit, (c) => [c.ref], presentCustomer);
}

export async function getApiCustomer(db: Kysely<Database>, tenant: KeyTenant, ref: string) {
  const c = await customers(db, tenant).where("customers.ref", "=", ref).executeTakeFirst();
  if (!c) throw notFoundProblem("顧客");
  return presentCustomer(c);
}

/** The internal id of a customer of the tenant by its ref, for filters; a foreign ref is not found. */
export async function customerIdOf(
  db: Kysely<Database>,
  tenant: KeyTenant,
  ref: string,
): Promise<number> {
  const id = await findCustomerId(db, tenant, ref);
  if (id === undefined) throw notFoundProblem("顧客");
  return id;
}

/** The customer a request body names (`customer`): a validation problem when not the caller's. */
export async function bodyCustomerId(
  db: Kysely<Database>,
  tenant: KeyTenant,
  ref: string,
): Promise<number> {
  const id = await findCustomerId(db, tenant, ref);
  if (id === undefined) throw validationProblem({ customer: `お客さま ${ref} が見つかりません` });
  return id;
}

async function findCustomerId(db: Kysely<Database>, tenant: KeyTenant, ref: string) {
  const row = await db
    .selectFrom("customers")
    .select("customers.id")
    .where("customers.ref", "=", ref)
    .where(customerInTenant(tenant))
    .executeTakeFirst();
  return row?.id;
}

// ---- contracts ----------------------------------------------------------------------------

export const ContractListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  ...UpdatedParams,
  customer: refParam("customer").describe("顧客番号で絞り込む（例: C1）"),
  status: z
    .enum(["active", "suspended", "terminated"], {
      error: "status は active・suspended・terminated のいずれかです",
    })
    .optional()
    .describe("状態で絞り込む"),
});
export const ContractQuery = z.object({
  terminationWished: dateParam("terminationWished").describe(
    "解約希望日（YYYY-MM-DD）。指定すると解約の見積り terminationQuote を付けます",
  ),
});

function contracts(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.line_id",
      "contracts.area",
      "contracts.base_plan",
      "contracts.service_start",
      "contracts.status",
      "contracts.termination_date",
      "contracts.created_at",
      "contracts.updated_at",
      "customers.ref as customer_ref",
    ])
    .where(customerInTenant(tenant));
}

type ContractRow = Awaited<ReturnType<ReturnType<typeof contracts>["executeTakeFirstOrThrow"]>>;

function presentContract(k: ContractRow): ApiContract {
  return {
    ref: k.ref,
    customer: k.customer_ref,
    lineId: k.line_id,
    area: k.area,
    basePlan: k.base_plan,
    serviceStart: k.service_start,
    status: k.status,
    terminationDate: k.termination_date,
    createdAt: jstIso(k.created_at),
    updatedAt: jstIso(k.updated_at),
  };
}

export async function listApiContracts(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof ContractListQuery>,
) {
  const after = decodeCursor(query.cursor, ["string"]);
  let q = contracts(db, tenant)
    .orderBy("contracts.ref")
    .limit(query.limit + 1);
  if (after) q = q.where("contracts.ref", ">", String(after[0]));
  if (query.customer)
    q = q.where("contracts.customer_id", "=", await customerIdOf(db, tenant, query.customer));
  if (query.status) q = q.where("contracts.status", "=", query.status);
  q = whereCreated(q, "contracts.created_at", query);
  q = whereUpdated(q, "contracts.updated_at", query);
  return page(await q.execute(), query.limit, (k) => [k.ref], presentContract);
}

export async function getApiContract(
  db: Kysely<Database>,
  tenant: KeyTenant,
  ref: string,
  query: z.output<typeof ContractQuery>,
  at: Date,
): Promise<ApiContractDetail> {
  const k = await contracts(db, tenant).where("contracts.ref", "=", ref).executeTakeFirst();
  if (!k) throw notFoundProblem("契約");
  const items = await db
    .selectFrom("contract_items")
    .select(["code", "quantity", "ownership", "repair24h", "from_date", "to_date"])
    .where("contract_id", "=", k.id)
    .orderBy("from_date")
    .orderBy("id")
    .execute();
  // As the CLI computes it: the provider would confirm today at the earliest (T-20).
  const terminationQuote = query.terminationWished
    ? await quoteContractTermination(
        db,
        { id: k.id, serviceStart: k.service_start },
        query.terminationWished,
        jstDate(at),
      )
    : null;
  return {
    ...presentContract(k),
    items: items.map(itemRecord),
    ...(terminationQuote ? { terminationQuote } : {}),
  };
}

// ---- invoices -----------------------------------------------------------------------------

export const InvoiceListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  customer: refParam("customer").describe("顧客番号で絞り込む（例: C1）"),
  issueFrom: dateParam("issueFrom").describe("発行日がこの日以降（YYYY-MM-DD）"),
  issueTo: dateParam("issueTo").describe("発行日がこの日以前（YYYY-MM-DD）"),
});

function invoices(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "invoices.id",
      "invoices.seq",
      "invoices.invoice_number",
      "invoices.billing_month",
      "invoices.issue_date",
      "invoices.due_date",
      "invoices.taxable_10_yen",
      "invoices.tax_10_yen",
      "invoices.non_taxable_yen",
      "invoices.interest_yen",
      "invoices.total_yen",
      "invoices.issued_at",
      "contracts.ref as contract_ref",
      "customers.ref as customer_ref",
    ])
    .where(customerInTenant(tenant));
}

type InvoiceRow = Awaited<ReturnType<ReturnType<typeof invoices>["executeTakeFirstOrThrow"]>>;

function presentInvoice(i: InvoiceRow): ApiInvoice {
  return {
    number: i.invoice_number,
    contract: i.contract_ref,
    customer: i.customer_ref,
    billingMonth: i.billing_month,
    issueDate: i.issue_date,
    dueDate: i.due_date,
    taxable10Yen: i.taxable_10_yen,
    tax10Yen: i.tax_10_yen,
    nonTaxableYen: i.non_taxable_yen,
    interestYen: i.interest_yen,
    totalYen: i.total_yen,
    issuedAt: jstIso(i.issued_at),
  };
}

export async function listApiInvoices(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof InvoiceListQuery>,
) {
  if (query.issueFrom && query.issueTo && query.issueFrom > query.issueTo)
    throw validationProblem({ issueTo: "issueTo は issueFrom 以降の日付にしてください" });
  const after = decodeCursor(query.cursor, ["number"]);
  // Newest first, as the console lists them.
  let q = invoices(db, tenant)
    .orderBy("invoices.seq", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where("invoices.seq", "<", Number(after[0]));
  if (query.customer)
    q = q.where("contracts.customer_id", "=", await customerIdOf(db, tenant, query.customer));
  if (query.issueFrom) q = q.where("invoices.issue_date", ">=", query.issueFrom);
  if (query.issueTo) q = q.where("invoices.issue_date", "<=", query.issueTo);
  q = whereCreated(q, "invoices.issued_at", query);
  return page(await q.execute(), query.limit, (i) => [i.seq], presentInvoice);
}

/** The internal id of an invoice of the tenant by its number; a foreign number is not found. */
export async function invoiceIdOf(
  db: Kysely<Database>,
  tenant: KeyTenant,
  number: string,
): Promise<number> {
  const row = await invoices(db, tenant)
    .where("invoices.invoice_number", "=", number)
    .executeTakeFirst();
  if (!row) throw notFoundProblem("請求書");
  return row.id;
}

export async function getApiInvoice(
  db: Kysely<Database>,
  tenant: KeyTenant,
  number: string,
  today: IsoDate,
): Promise<ApiInvoiceDetail> {
  const id = await invoiceIdOf(db, tenant, number);
  const found = await getInvoice(db, { id, tenant }, today);
  if (!found) throw notFoundProblem("請求書");
  const row = await invoices(db, tenant).where("invoices.id", "=", id).executeTakeFirstOrThrow();
  return {
    ...presentInvoice(row),
    lines: found.lines.map((l) => ({
      description: l.description,
      quantity: l.quantity,
      unitPriceYen: l.unit_price_yen,
      amountYen: l.amount_yen,
      taxCategory: l.tax_category,
      rule: l.rule,
    })),
    creditedYen: found.creditedYen,
    paidYen: found.paidYen,
    outstandingYen: found.outstandingYen,
    paymentState: found.state,
    overdue: found.overdue,
    payments: found.payments.map((p) => ({ paidOn: p.paidOn, amountYen: p.amountYen })),
    creditNotes: found.credits.map((c) => ({
      number: c.credit_note_number,
      issueDate: c.issue_date,
      totalYen: c.total_yen,
      reason: c.reason,
    })),
  };
}
