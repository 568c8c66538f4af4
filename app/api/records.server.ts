// The partner API's devices, credit notes and threat reports (issue 19, item 2), within the key's
// tenant and addressed as people address them: a device by its contract and name (K-1001, PC-001),
// a credit note by its number, a threat report by its number in the console's address
// (/reports/17/pdf, as incidents are). The PDFs are the console's own: the archived original of a
// credit note (電子帳簿保存法) and the stored report.
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import { customerInTenant, securityRecordInTenant } from "../auth/tenant-scope.server";
import { archivedCreditNotePdf } from "../billing/document-archive.server";
import { getCreditNote } from "../billing/credit-notes.server";
import { getThreatReportPdf, reportFileName } from "../security/threat-report.server";
import { pdfResponse } from "../lib/http.server";
import {
  decodeCursor,
  instantParam,
  jstIso,
  notFoundProblem,
  page,
  validationProblem,
} from "./http.server";
import type { KeyTenant } from "./keys.server";
import {
  CreatedParams,
  customerIdOf,
  dateParam,
  PageParams,
  refParam,
  UpdatedParams,
  whereCreated,
  whereUpdated,
} from "./resources.server";
import type { ApiCreditNote, ApiCreditNoteDetail, ApiDevice, ApiThreatReport } from "./schemas";
import { instant, isYearMonth, type YearMonth } from "../lib/jst";

/** The internal id of a contract of the tenant by its ref, for filters; a foreign ref is not found. */
async function contractIdOf(db: Kysely<Database>, tenant: KeyTenant, ref: string): Promise<number> {
  const row = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select("contracts.id")
    .where("contracts.ref", "=", ref)
    .where(customerInTenant(tenant))
    .executeTakeFirst();
  if (!row) throw notFoundProblem("契約");
  return row.id;
}

// ---- devices ------------------------------------------------------------------------------

const DEVICE_TYPES = ["pc", "server", "gateway", "smartphone", "tablet"] as const;

export const DeviceListQuery = z.object({
  ...PageParams,
  ...UpdatedParams,
  customer: refParam("customer").describe("顧客番号で絞り込む（例: C1）"),
  contract: refParam("contract").describe("契約番号で絞り込む（例: K-1001）"),
  type: z
    .enum(DEVICE_TYPES, { error: `type は ${DEVICE_TYPES.join("・")} のいずれかです` })
    .optional()
    .describe("機器の種類で絞り込む"),
  notSeenSince: z
    .string()
    .transform(instantParam("notSeenSince"))
    .optional()
    .describe("この日時から通信していない機器だけ（一度も通信していない機器を含む）"),
});

function devices(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("devices")
    .innerJoin("contracts", "contracts.id", "devices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "devices.name",
      "devices.device_type",
      "devices.os",
      "devices.ip",
      "devices.location",
      "devices.agent_version",
      "devices.pattern_version",
      "devices.last_seen_at",
      "devices.updated_at",
      "contracts.ref as contract_ref",
      "customers.ref as customer_ref",
    ])
    .where(customerInTenant(tenant));
}

type DeviceRow = Awaited<ReturnType<ReturnType<typeof devices>["executeTakeFirstOrThrow"]>>;

function presentDevice(d: DeviceRow): ApiDevice {
  return {
    contract: d.contract_ref,
    name: d.name,
    customer: d.customer_ref,
    type: d.device_type,
    os: d.os,
    ip: d.ip,
    location: d.location,
    agentVersion: d.agent_version,
    patternVersion: d.pattern_version,
    lastSeenAt: jstIso(d.last_seen_at),
    updatedAt: jstIso(d.updated_at),
  };
}

/** By contract then name: (contract ref, name) is unique (devices_contract_name_unique). */
export async function listApiDevices(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof DeviceListQuery>,
) {
  const after = decodeCursor(query.cursor, ["string", "string"]);
  let q = devices(db, tenant)
    .orderBy("contracts.ref")
    .orderBy("devices.name")
    .limit(query.limit + 1);
  if (after) {
    const [contract, name] = [String(after[0]), String(after[1])];
    q = q.where((eb) =>
      eb.or([
        eb("contracts.ref", ">", contract),
        eb.and([eb("contracts.ref", "=", contract), eb("devices.name", ">", name)]),
      ]),
    );
  }
  if (query.customer)
    q = q.where("contracts.customer_id", "=", await customerIdOf(db, tenant, query.customer));
  if (query.contract)
    q = q.where("devices.contract_id", "=", await contractIdOf(db, tenant, query.contract));
  if (query.type) q = q.where("devices.device_type", "=", query.type);
  if (query.notSeenSince) {
    const since = query.notSeenSince;
    q = q.where((eb) =>
      eb.or([eb("devices.last_seen_at", "is", null), eb("devices.last_seen_at", "<", since)]),
    );
  }
  q = whereUpdated(q, "devices.updated_at", query);
  return page(await q.execute(), query.limit, (d) => [d.contract_ref, d.name], presentDevice);
}

export async function getApiDevice(
  db: Kysely<Database>,
  tenant: KeyTenant,
  contractRef: string,
  name: string,
) {
  const d = await devices(db, tenant)
    .where("contracts.ref", "=", contractRef)
    .where("devices.name", "=", name)
    .executeTakeFirst();
  if (!d) throw notFoundProblem("機器");
  return presentDevice(d);
}

// ---- credit notes -------------------------------------------------------------------------

export const CreditNoteListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  customer: refParam("customer").describe("顧客番号で絞り込む（例: C1）"),
  invoice: refParam("invoice").describe("元の請求書番号で絞り込む"),
  issueFrom: dateParam("issueFrom").describe("発行日がこの日以降（YYYY-MM-DD）"),
  issueTo: dateParam("issueTo").describe("発行日がこの日以前（YYYY-MM-DD）"),
});

function creditNotes(db: Kysely<Database>, tenant: KeyTenant) {
  return db
    .selectFrom("credit_notes")
    .innerJoin("invoices", "invoices.id", "credit_notes.invoice_id")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "credit_notes.id",
      "credit_notes.seq",
      "credit_notes.credit_note_number",
      "credit_notes.issue_date",
      "credit_notes.reason",
      "credit_notes.taxable_10_yen",
      "credit_notes.tax_10_yen",
      "credit_notes.non_taxable_yen",
      "credit_notes.total_yen",
      "credit_notes.issued_at",
      "invoices.invoice_number",
      "contracts.ref as contract_ref",
      "customers.ref as customer_ref",
    ])
    .where(customerInTenant(tenant));
}

type CreditNoteRow = Awaited<ReturnType<ReturnType<typeof creditNotes>["executeTakeFirstOrThrow"]>>;

function presentCreditNote(c: CreditNoteRow): ApiCreditNote {
  return {
    number: c.credit_note_number,
    invoice: c.invoice_number,
    contract: c.contract_ref,
    customer: c.customer_ref,
    issueDate: c.issue_date,
    reason: c.reason,
    taxable10Yen: c.taxable_10_yen,
    tax10Yen: c.tax_10_yen,
    nonTaxableYen: c.non_taxable_yen,
    totalYen: c.total_yen,
    issuedAt: jstIso(c.issued_at),
  };
}

/** Newest first, as invoices: the issue sequence descending. Issued documents never change, so no update filter. */
export async function listApiCreditNotes(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof CreditNoteListQuery>,
) {
  if (query.issueFrom && query.issueTo && query.issueFrom > query.issueTo)
    throw validationProblem({ issueTo: "issueTo は issueFrom 以降の日付にしてください" });
  const after = decodeCursor(query.cursor, ["number"]);
  let q = creditNotes(db, tenant)
    .orderBy("credit_notes.seq", "desc")
    .limit(query.limit + 1);
  if (after) q = q.where("credit_notes.seq", "<", Number(after[0]));
  if (query.customer)
    q = q.where("contracts.customer_id", "=", await customerIdOf(db, tenant, query.customer));
  if (query.invoice) {
    const invoice = await creditNotesOfInvoice(db, tenant, query.invoice);
    q = q.where("credit_notes.invoice_id", "=", invoice);
  }
  if (query.issueFrom) q = q.where("credit_notes.issue_date", ">=", query.issueFrom);
  if (query.issueTo) q = q.where("credit_notes.issue_date", "<=", query.issueTo);
  q = whereCreated(q, "credit_notes.issued_at", query);
  return page(await q.execute(), query.limit, (c) => [c.seq], presentCreditNote);
}

/** The internal id of an invoice of the tenant by its number, for the filter; a foreign number is not found. */
async function creditNotesOfInvoice(
  db: Kysely<Database>,
  tenant: KeyTenant,
  number: string,
): Promise<number> {
  const row = await db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select("invoices.id")
    .where("invoices.invoice_number", "=", number)
    .where(customerInTenant(tenant))
    .executeTakeFirst();
  if (!row) throw notFoundProblem("請求書");
  return row.id;
}

async function creditNoteIdOf(
  db: Kysely<Database>,
  tenant: KeyTenant,
  number: string,
): Promise<number> {
  const row = await creditNotes(db, tenant)
    .where("credit_notes.credit_note_number", "=", number)
    .executeTakeFirst();
  if (!row) throw notFoundProblem("赤伝");
  return row.id;
}

export async function getApiCreditNote(
  db: Kysely<Database>,
  tenant: KeyTenant,
  number: string,
): Promise<ApiCreditNoteDetail> {
  const id = await creditNoteIdOf(db, tenant, number);
  const found = await getCreditNote(db, { id, tenant });
  if (!found) throw notFoundProblem("赤伝");
  const row = await creditNotes(db, tenant)
    .where("credit_notes.id", "=", id)
    .executeTakeFirstOrThrow();
  return {
    ...presentCreditNote(row),
    lines: found.lines.map((l) => ({
      description: l.description,
      rule: l.rule,
      amountYen: l.amount_yen,
      taxCategory: l.tax_category,
    })),
  };
}

/** The stored original, exactly as the console serves it. */
export async function apiCreditNotePdf(
  db: Kysely<Database>,
  tenant: KeyTenant,
  number: string,
  at: Date,
): Promise<Response> {
  const stored = await archivedCreditNotePdf(db, {
    id: await creditNoteIdOf(db, tenant, number),
    tenant,
    at,
  });
  if (!stored) throw notFoundProblem("赤伝");
  return pdfResponse(stored.pdf, stored.fileName);
}

// ---- threat reports -----------------------------------------------------------------------

export const ThreatReportListQuery = z.object({
  ...PageParams,
  ...CreatedParams,
  contract: refParam("contract").describe("契約番号で絞り込む（例: K-1001）"),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month は YYYY-MM で指定してください")
    .refine((v): v is YearMonth => isYearMonth(v))
    .optional()
    .describe("対象月（YYYY-MM）で絞り込む"),
  kind: z
    .enum(["monthly", "on_demand"], { error: "kind は monthly か on_demand です" })
    .optional()
    .describe("月次か、コンソールで作成したものか"),
});

function threatReports(db: Kysely<Database>, tenant: KeyTenant) {
  return (
    db
      .selectFrom("threat_reports")
      .innerJoin("contracts", "contracts.id", "threat_reports.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "threat_reports.id",
        "threat_reports.period_month",
        "threat_reports.kind",
        "threat_reports.created_at",
        "contracts.ref as contract_ref",
        "customers.ref as customer_ref",
      ])
      // The console's condition (listThreatReports): a transferee sees reports of its own holding only.
      .where(securityRecordInTenant(tenant, "threat_reports.created_at"))
  );
}

type ThreatReportRow = Awaited<
  ReturnType<ReturnType<typeof threatReports>["executeTakeFirstOrThrow"]>
>;

function presentThreatReport(r: ThreatReportRow): ApiThreatReport {
  return {
    id: r.id,
    contract: r.contract_ref,
    customer: r.customer_ref,
    month: r.period_month,
    kind: r.kind,
    createdAt: jstIso(r.created_at),
  };
}

/** Newest first, as the console lists them; (created_at, id) is unique. Reports never change. */
export async function listApiThreatReports(
  db: Kysely<Database>,
  tenant: KeyTenant,
  query: z.output<typeof ThreatReportListQuery>,
) {
  const after = decodeCursor(query.cursor, ["instant", "number"]);
  let q = threatReports(db, tenant)
    .orderBy("threat_reports.created_at", "desc")
    .orderBy("threat_reports.id", "desc")
    .limit(query.limit + 1);
  if (after) {
    const [createdAt, id] = [instant(String(after[0])), Number(after[1])];
    q = q.where((eb) =>
      eb.or([
        eb("threat_reports.created_at", "<", createdAt),
        eb.and([eb("threat_reports.created_at", "=", createdAt), eb("threat_reports.id", "<", id)]),
      ]),
    );
  }
  if (query.contract)
    q = q.where("threat_reports.contract_id", "=", await contractIdOf(db, tenant, query.contract));
  if (query.month) q = q.where("threat_reports.period_month", "=", query.month);
  if (query.kind) q = q.where("threat_reports.kind", "=", query.kind);
  q = whereCreated(q, "threat_reports.created_at", query);
  return page(await q.execute(), query.limit, (r) => [r.created_at, r.id], presentThreatReport);
}

export function reportIdParam(value: string | undefined): number {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) throw notFoundProblem("脅威レポート");
  return Number(value);
}

export async function apiThreatReportPdf(
  db: Kysely<Database>,
  tenant: KeyTenant,
  id: number,
): Promise<Response> {
  const report = await getThreatReportPdf(db, { id, tenant });
  if (!report) throw notFoundProblem("脅威レポート");
  return pdfResponse(report.pdf, reportFileName(report.contract_ref, report.period_month));
}
