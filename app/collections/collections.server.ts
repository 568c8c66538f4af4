// 口座振替 and bank transfers (issue 20; docs/rules/zengin.md, docs/decisions/0019): the request
// file for a due date, the bank's result file, and bank statements matched to unpaid invoices.
// Payments go through writePayment (T-26 interest carried, audit) and T-17 suspensions are lifted
// after the commit, as when finance records a payment by hand.
import {
  conflict,
  failureMessage,
  invalidField,
  notFoundFailure,
  ok,
  type Failure,
  type Result,
} from "../lib/result";
import iconv from "iconv-lite";
import { inTransaction } from "../lib/transaction.server";
import { sql, type Kysely, type Transaction } from "kysely";
import { dialectOf } from "../../db/connection";
import type { Database } from "../../db/schema";
import type { AuditActor } from "../audit/audit.server";
import { recordAudit } from "../audit/audit.server";
import type { Tenant } from "../auth/tenancy";
import { creditedYenOfInvoice, paidYenOfInvoice } from "../billing/credit-sums.server";
import { getInvoice } from "../billing/invoices.server";
import { writePayment } from "../billing/payments.server";
import { liftPaidUpSuspensions } from "../contracts/suspensions.server";
import { instantOf, isIsoDate, type IsoDate, jstDate } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";
import type { ListSort, PageRequest } from "../lib/paging";
import { countAndYenOf, fetchPage } from "../lib/paging.server";
import { getDebitSettings } from "../settings/provider.server";
import { findBranch } from "./bank-codes.server";
import { debitDateFor, payerKey, RESULT_LABELS, type AccountType } from "./zengin";
import { parseResultFile, requestFile, type DebitRecord } from "./zengin-file.server";
import { formatDate, formatYen } from "../lib/format";

const PROVIDER: Tenant = { kind: "provider" };

/** A refused file (validation of `file`) or missing settings (a conflict): the one result type's failure. */
export type Refused = Failure<"file">;

/** A problem in the file: nothing is recorded. */
const fileProblem = (message: string): Refused => invalidField("file", message);

/** A problem in a file: `record 3 (引落金額): …` (the command puts the file's name first). */
class FileProblem extends Error {}

/** 顧客番号: the digits of the invoice number (INV-00000123 → 123), right-aligned in 20 digits. */
export function customerNumberOf(invoiceSeq: number): string {
  return String(invoiceSeq).padStart(20, "0");
}

// ---- request -------------------------------------------------------------------------------------

export interface RequestSummary {
  date: IsoDate;
  debitDate: IsoDate;
  count: number;
  yen: number;
  bytes: Buffer;
}

/**
 * The request file for the invoices due on `dueDate` of customers registered for direct debit
 * with something still owed; each debit is recorded (invoice × 引落日) so that the result file can
 * be matched. Writing the same date again writes the same file.
 */
export async function writeDebitRequest(
  db: Kysely<Database>,
  params: { dueDate: IsoDate; at: Date; actor: AuditActor; ip: string },
): Promise<Result<RequestSummary, "file">> {
  const settings = await getDebitSettings(db);
  if (!settings)
    return conflict(
      "事業者設定で口座振替の委託者コード・委託者名・取引銀行の口座を設定してください",
    );
  const bank = findBranch(settings.bankCode, settings.branchCode);
  if (!bank.ok) return conflict(`事業者設定の取引銀行: ${failureMessage(bank)}`);
  const debitDate = debitDateFor(params.dueDate);
  const today = jstDate(params.at);
  const records = await inTransaction(db, async (trx) => {
    const invoices = await trx
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .innerJoin("customer_direct_debits as d", "d.customer_id", "contracts.customer_id")
      .select([
        "invoices.id",
        "invoices.seq",
        "contracts.customer_id",
        "d.bank_code",
        "d.branch_code",
        "d.account_type",
        "d.account_number",
        "d.holder_kana",
      ])
      .where("invoices.due_date", "=", params.dueDate)
      .orderBy("invoices.seq")
      .execute();
    const out: DebitRecord[] = [];
    for (const inv of invoices) {
      const existing = await trx
        .selectFrom("direct_debits")
        .select(["id", "result_code"])
        .where("invoice_id", "=", inv.id)
        .where("debit_date", "=", debitDate)
        .executeTakeFirst();
      if (existing?.result_code != null) continue; // the bank already answered for this debit
      const found = await getInvoice(trx, { id: inv.id, tenant: PROVIDER }, today);
      if (!found || found.outstandingYen <= 0) continue;
      // 新規コード 1 until a debit of this very account has gone through (decision 0019).
      const debitedBefore = await trx
        .selectFrom("direct_debits")
        .innerJoin("invoices", "invoices.id", "direct_debits.invoice_id")
        .innerJoin("contracts", "contracts.id", "invoices.contract_id")
        .select("direct_debits.id")
        .where("contracts.customer_id", "=", inv.customer_id)
        .where("direct_debits.result_code", "=", "0")
        .where("direct_debits.bank_code", "=", inv.bank_code)
        .where("direct_debits.branch_code", "=", inv.branch_code)
        .where("direct_debits.account_type", "=", inv.account_type)
        .where("direct_debits.account_number", "=", inv.account_number)
        .where("direct_debits.debit_date", "<", debitDate)
        .executeTakeFirst();
      const branch = findBranch(inv.bank_code, inv.branch_code);
      const record: DebitRecord = {
        bankCode: inv.bank_code,
        bankKana: branch.ok ? branch.value.bankKana : "",
        branchCode: inv.branch_code,
        branchKana: branch.ok ? branch.value.branchKana : "",
        accountType: inv.account_type as AccountType,
        accountNumber: inv.account_number,
        holderKana: inv.holder_kana,
        amountYen: found.outstandingYen,
        newCode: debitedBefore ? 0 : 1,
        customerNumber: customerNumberOf(inv.seq),
      };
      const values = {
        amount_yen: toYen(record.amountYen),
        bank_code: record.bankCode,
        branch_code: record.branchCode,
        account_type: record.accountType,
        account_number: record.accountNumber,
        holder_kana: record.holderKana,
        new_code: record.newCode,
        requested_at: instantOf(params.at),
      };
      await trx
        .insertInto("direct_debits")
        .values({ invoice_id: inv.id, debit_date: debitDate, ...values })
        .onConflict((oc) => oc.columns(["invoice_id", "debit_date"]).doUpdateSet(values))
        .execute();
      out.push(record);
    }
    const yen = out.reduce((a, r) => a + r.amountYen, 0);
    await recordAudit(trx, {
      actor: params.actor,
      action: "collections.request",
      entity: "direct_debit",
      entityId: debitDate,
      summary: `口座振替の依頼ファイルを作成: 支払期限 ${params.dueDate}、引落日 ${debitDate}、${out.length}件 ${formatYen(yen)}`,
      ip: params.ip,
    });
    return out;
  });
  const bytes = requestFile(
    {
      code: settings.consignorCode,
      kana: settings.consignorKana,
      bankCode: settings.bankCode,
      bankKana: bank.value.bankKana,
      branchCode: settings.branchCode,
      branchKana: bank.value.branchKana,
      accountType: settings.accountType,
      accountNumber: settings.accountNumber,
    },
    debitDate,
    records,
  );
  return {
    ok: true,
    value: {
      date: params.dueDate,
      debitDate,
      count: records.length,
      yen: records.reduce((a, r) => a + r.amountYen, 0),
      bytes,
    },
  };
}

// ---- result --------------------------------------------------------------------------------------

export interface ResultSummary {
  paid: number;
  paidYen: number;
  failed: number;
  failedYen: number;
  alreadyRecorded: number;
}

/** Imports the bank's result file in one transaction: all of it or, on the first problem, nothing. */
export async function importDebitResult(
  db: Kysely<Database>,
  params: { bytes: Buffer; at: Date; actor: AuditActor; ip: string },
): Promise<Result<ResultSummary, "file">> {
  const parsed = parseResultFile(params.bytes);
  if (!parsed.ok) return parsed;
  const file = parsed.value;
  const settings = await getDebitSettings(db);
  if (!settings) return conflict("事業者設定で口座振替の委託者コードを設定してください");
  if (file.consignorCode !== settings.consignorCode) {
    return fileProblem(
      `record 1 (委託者コード): 事業者設定の委託者コード（${settings.consignorCode}）と異なります: "${file.consignorCode}"`,
    );
  }
  const today = jstDate(params.at);
  const monthDay = `${file.debitMonthDay.slice(0, 2)}-${file.debitMonthDay.slice(2)}`;
  const summary: ResultSummary = {
    paid: 0,
    paidYen: 0,
    failed: 0,
    failedYen: 0,
    alreadyRecorded: 0,
  };
  const paidContracts = new Set<number>();
  // The debit date's MM-DD: text on SQLite, a date on PostgreSQL (decision 0023).
  const debitMonthDay =
    dialectOf(db) === "postgres"
      ? sql<string>`to_char(direct_debits.debit_date, 'MM-DD')`
      : sql<string>`substr(direct_debits.debit_date, 6)`;
  try {
    await inTransaction(db, async (trx) => {
      for (const r of file.records) {
        const debit = await trx
          .selectFrom("direct_debits")
          .innerJoin("invoices", "invoices.id", "direct_debits.invoice_id")
          .select([
            "direct_debits.id",
            "direct_debits.invoice_id",
            "direct_debits.debit_date",
            "direct_debits.amount_yen",
            "direct_debits.result_code",
            "direct_debits.account_number",
            "invoices.contract_id",
            "invoices.invoice_number",
          ])
          .where("invoices.seq", "=", Number(r.customerNumber))
          .where(debitMonthDay, "=", monthDay)
          .orderBy("direct_debits.debit_date", "desc")
          .executeTakeFirst();
        if (!debit)
          throw new FileProblem(
            `record ${r.record} (顧客番号): 引落日 ${file.debitMonthDay} に依頼した請求書ではありません: "${r.customerNumber}"`,
          );
        if (debit.amount_yen !== r.amountYen) {
          throw new FileProblem(
            `record ${r.record} (引落金額): 依頼した金額（${formatYen(debit.amount_yen)}）と異なります: ${formatYen(r.amountYen)}`,
          );
        }
        if (debit.account_number !== r.accountNumber)
          throw new FileProblem(
            `record ${r.record} (口座番号): 依頼した口座と異なります: "${r.accountNumber}"`,
          );
        if (debit.debit_date > today)
          throw new FileProblem(`record 1 (引落日): 引落日 ${debit.debit_date} はまだ来ていません`);
        if (debit.result_code !== null) {
          summary.alreadyRecorded++;
          continue;
        }
        await trx
          .updateTable("direct_debits")
          .set({ result_code: r.resultCode, result_at: instantOf(params.at) })
          .where("id", "=", debit.id)
          .execute();
        if (r.resultCode === "0") {
          const found = await getInvoice(trx, { id: debit.invoice_id, tenant: PROVIDER }, today);
          // Paid meanwhile by other means: the debit is recorded, the overpayment is for finance to refund.
          if (found && found.outstandingYen > 0) {
            await writePayment(
              trx,
              found,
              {
                paidOn: debit.debit_date,
                amountYen: toYen(Math.min(r.amountYen, found.outstandingYen)),
              },
              params.actor,
              params.ip,
              "（口座振替）",
            );
            paidContracts.add(debit.contract_id);
          }
          summary.paid++;
          summary.paidYen += r.amountYen;
        } else {
          summary.failed++;
          summary.failedYen += r.amountYen;
          await recordAudit(trx, {
            actor: params.actor,
            action: "collections.debit_failed",
            entity: "invoice",
            entityId: debit.invoice_number,
            summary: `${debit.invoice_number} 口座振替不能（${formatDate(debit.debit_date)}、${r.resultCode} ${RESULT_LABELS[r.resultCode]}）`,
            ip: params.ip,
          });
        }
      }
    });
  } catch (error) {
    if (error instanceof FileProblem) return fileProblem(error.message);
    throw error;
  }
  for (const contractId of paidContracts)
    await liftPaidUpSuspensions(db, contractId, today, params.at, params.actor);
  return ok(summary);
}

/** The latest failed debit of each invoice given (for the invoice page and the overdue list). */
export async function debitFailures(
  db: Kysely<Database>,
  invoiceIds: readonly number[],
): Promise<Map<number, { debitDate: IsoDate; code: string; label: string }>> {
  const map = new Map<number, { debitDate: IsoDate; code: string; label: string }>();
  if (invoiceIds.length === 0) return map;
  const rows = await db
    .selectFrom("direct_debits")
    .select(["invoice_id", "debit_date", "result_code"])
    .where("invoice_id", "in", [...invoiceIds].slice(0, 500))
    .where("result_code", "is not", null)
    .orderBy("debit_date")
    .execute();
  for (const r of rows) {
    if (r.result_code === "0") map.delete(r.invoice_id);
    else
      map.set(r.invoice_id, {
        debitDate: r.debit_date,
        code: r.result_code!,
        label: RESULT_LABELS[r.result_code!] ?? "その他",
      });
  }
  return map;
}

// ---- bank statement ----------------------------------------------------------------------------

export interface StatementLine {
  line: number;
  date: IsoDate;
  amountYen: Yen;
  payerName: string;
}

/** UTF-8 (with or without BOM) or, when it is not valid UTF-8, Shift_JIS. */
function decodeStatement(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return bytes.subarray(3).toString("utf8");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, "Shift_JIS");
  }
}

function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i = line.indexOf(",", i) === -1 ? line.length + 1 : line.indexOf(",", i) + 1;
    } else {
      const end = line.indexOf(",", i);
      fields.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return fields;
}

export function parseStatement(bytes: Buffer): Result<StatementLine[], "file"> {
  const lines = decodeStatement(bytes).split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === "") lines.pop();
  const header = lines.length > 0 ? csvFields(lines[0]).map((f) => f.trim()) : [];
  if (header.join(",") !== "取引日,入金額,振込依頼人名")
    return fileProblem(
      `line 1 (見出し): 「取引日,入金額,振込依頼人名」ではありません: "${lines[0] ?? ""}"`,
    );
  const out: StatementLine[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === "") continue;
    const [date, amount, payer, ...rest] = csvFields(lines[i]).map((f) => f.trim());
    if (rest.length > 0 || payer === undefined)
      return fileProblem(`line ${line} (列数): 3列ではありません`);
    const iso = date.replace(/\//g, "-");
    if (!isIsoDate(iso))
      return fileProblem(
        `line ${line} (取引日): 日付（YYYY-MM-DD か YYYY/MM/DD）ではありません: "${date}"`,
      );
    const yen = amount.replace(/,/g, "");
    if (!/^\d{1,12}$/.test(yen) || Number(yen) === 0)
      return fileProblem(`line ${line} (入金額): 1円以上の整数ではありません: "${amount}"`);
    if (payer === "") return fileProblem(`line ${line} (振込依頼人名): 空です`);
    out.push({ line, date: iso, amountYen: toYen(Number(yen)), payerName: payer });
  }
  return ok(out);
}

export interface StatementSummary {
  credits: number;
  matched: number;
  matchedYen: number;
  pending: number;
  alreadyRecorded: number;
}

/** Unpaid invoices (issued by `date`) owing exactly `amountYen`, with their customer's name keys. */
async function invoicesOwing(
  trx: Transaction<Database> | Kysely<Database>,
  amountYen: Yen,
  date: IsoDate,
) {
  const rows = await trx
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin("customer_direct_debits as d", "d.customer_id", "customers.id")
    .select(["invoices.id", "invoices.total_yen", "customers.kana_name", "d.holder_kana"])
    .select(paidYenOfInvoice().as("paid"))
    .select(creditedYenOfInvoice().as("credited"))
    .where("invoices.total_yen", ">=", amountYen)
    .where("invoices.issue_date", "<=", date)
    .execute();
  return rows
    .filter((r) => {
      const owed = r.total_yen - Number(r.credited);
      return owed - Math.min(Number(r.paid), owed) === amountYen;
    })
    .map((r) => ({
      id: r.id,
      keys: [r.kana_name, r.holder_kana].filter((k): k is string => !!k).map(payerKey),
    }));
}

/**
 * Imports a statement's credits once each (a key per line: date, yen, payer and its occurrence);
 * a credit matching exactly one unpaid invoice by amount and name is recorded as its payment, the
 * others wait on /bank-credits.
 */
export async function importStatement(
  db: Kysely<Database>,
  params: { bytes: Buffer; at: Date; actor: AuditActor; ip: string },
): Promise<Result<StatementSummary, "file">> {
  const parsed = parseStatement(params.bytes);
  if (!parsed.ok) return parsed;
  const today = jstDate(params.at);
  const summary: StatementSummary = {
    credits: parsed.value.length,
    matched: 0,
    matchedYen: 0,
    pending: 0,
    alreadyRecorded: 0,
  };
  const paidContracts = new Set<number>();
  const seen = new Map<string, number>();
  await inTransaction(db, async (trx) => {
    for (const l of parsed.value) {
      const key = payerKey(l.payerName);
      const base = `${l.date}|${l.amountYen}|${key}`;
      const occurrence = (seen.get(base) ?? 0) + 1;
      seen.set(base, occurrence);
      const lineKey = `${base}|${occurrence}`;
      const exists = await trx
        .selectFrom("bank_credits")
        .select("id")
        .where("line_key", "=", lineKey)
        .executeTakeFirst();
      if (exists) {
        summary.alreadyRecorded++;
        continue;
      }
      const candidates =
        l.date <= today
          ? (await invoicesOwing(trx, l.amountYen, l.date)).filter((c) => c.keys.includes(key))
          : [];
      const match = candidates.length === 1 ? candidates[0] : null;
      await trx
        .insertInto("bank_credits")
        .values({
          line_key: lineKey,
          transaction_date: l.date,
          amount_yen: l.amountYen,
          payer_name: l.payerName,
          payer_kana: key,
          status: match ? "matched" : "pending",
          invoice_id: match?.id ?? null,
          imported_at: instantOf(params.at),
          resolved_by: match ? "自動照合" : null,
          resolved_at: match ? instantOf(params.at) : null,
        })
        .execute();
      if (!match) {
        summary.pending++;
        continue;
      }
      const found = (await getInvoice(trx, { id: match.id, tenant: PROVIDER }, today))!;
      await writePayment(
        trx,
        found,
        { paidOn: l.date, amountYen: l.amountYen },
        params.actor,
        params.ip,
        `（振込 ${l.payerName}）`,
      );
      paidContracts.add(found.invoice.contract_id);
      summary.matched++;
      summary.matchedYen += l.amountYen;
    }
    // A statement imported again changes nothing, not even the log.
    if (summary.matched + summary.pending > 0)
      await recordAudit(trx, {
        actor: params.actor,
        action: "collections.statement",
        entity: "bank_credit",
        entityId: null,
        summary: `入金明細を取り込み: ${summary.credits}件（照合済み ${summary.matched}件、照合待ち ${summary.pending}件、取込済み ${summary.alreadyRecorded}件）`,
        ip: params.ip,
      });
  });
  for (const contractId of paidContracts)
    await liftPaidUpSuspensions(db, contractId, today, params.at, params.actor);
  return ok(summary);
}

export const CREDIT_SORT: ListSort<"date"> = { columns: { date: "asc" }, default: "date" };

/**
 * One page of the credits waiting for finance, oldest first, with the unpaid invoices owing exactly
 * their amount as suggestions, and the count and sum of all waiting credits in SQL (issue 17
 * item 2: the list stopped at 500).
 */
export async function pagePendingCredits(db: Kysely<Database>, request: PageRequest<"date">) {
  const pending = () => db.selectFrom("bank_credits").where("status", "=", "pending");
  const totals = await countAndYenOf(pending());
  const { rows: credits, page } = await fetchPage(
    { ...request, dir: "asc" },
    async () => totals,
    (w) =>
      pending()
        .selectAll()
        .orderBy("transaction_date")
        .orderBy("id")
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  const withCandidates = await Promise.all(
    credits.map(async (c) => {
      const owing = await invoicesOwing(db, c.amount_yen, c.transaction_date);
      const invoices =
        owing.length === 0
          ? []
          : await db
              .selectFrom("invoices")
              .innerJoin("contracts", "contracts.id", "invoices.contract_id")
              .innerJoin("customers", "customers.id", "contracts.customer_id")
              .select([
                "invoices.id",
                "invoices.invoice_number",
                "invoices.due_date",
                "customers.name as customer_name",
                "customers.kana_name",
              ])
              .where(
                "invoices.id",
                "in",
                owing.slice(0, 50).map((o) => o.id),
              )
              .orderBy("invoices.seq")
              .execute();
      return { ...c, candidates: invoices };
    }),
  );
  return {
    pending: withCandidates,
    page,
    totals: { count: Number(totals.count), amountYen: Number(totals.amount_yen) },
  };
}

export const RESOLVED_CREDIT_SORT: ListSort<"resolved"> = {
  columns: { resolved: "desc" },
  default: "resolved",
};

/** One page of the credits already assigned or dismissed, latest first, with the count of all. */
export async function pageResolvedCredits(db: Kysely<Database>, request: PageRequest<"resolved">) {
  const resolved = () =>
    db
      .selectFrom("bank_credits")
      .leftJoin("invoices", "invoices.id", "bank_credits.invoice_id")
      .where("bank_credits.status", "<>", "pending");
  const { rows, page } = await fetchPage(
    { ...request, dir: "desc" },
    () =>
      resolved()
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    (w) =>
      resolved()
        .select([
          "bank_credits.id",
          "bank_credits.transaction_date",
          "bank_credits.amount_yen",
          "bank_credits.payer_name",
          "bank_credits.status",
          "bank_credits.resolved_by",
          "bank_credits.resolved_at",
          "invoices.invoice_number",
          "invoices.id as invoice_id",
        ])
        .orderBy("bank_credits.id", "desc")
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { resolved: rows, page };
}

/** Finance assigns a waiting credit to an invoice (by its number): recorded as its payment. */
export async function assignCredit(
  db: Kysely<Database>,
  params: { creditId: number; invoiceNumber: string; at: Date; actor: AuditActor; ip: string },
): Promise<Result<undefined, "invoiceNumber">> {
  const today = jstDate(params.at);
  const result = await inTransaction(db, async (trx): Promise<Result<number, "invoiceNumber">> => {
    const credit = await trx
      .selectFrom("bank_credits")
      .selectAll()
      .where("id", "=", params.creditId)
      .executeTakeFirst();
    if (!credit) return notFoundFailure();
    if (credit.status !== "pending") return conflict("この入金はすでに処理されています");
    const invoice = await trx
      .selectFrom("invoices")
      .select("id")
      .where("invoice_number", "=", params.invoiceNumber.trim())
      .executeTakeFirst();
    if (!invoice)
      return invalidField("invoiceNumber", `請求書 ${params.invoiceNumber} は見つかりません`);
    const found = (await getInvoice(trx, { id: invoice.id, tenant: PROVIDER }, today))!;
    if (found.outstandingYen <= 0) return conflict("この請求書はお支払い済みです");
    if (credit.amount_yen > found.outstandingYen)
      return conflict(`入金額が未入金残高（${formatYen(found.outstandingYen)}）を超えています`);
    if (credit.transaction_date < found.invoice.issue_date)
      return conflict(`取引日が請求書の発行日（${found.invoice.issue_date}）より前です`);
    await trx
      .updateTable("bank_credits")
      .set({
        status: "assigned",
        invoice_id: invoice.id,
        resolved_by: params.actor.email,
        resolved_at: instantOf(params.at),
      })
      .where("id", "=", credit.id)
      .where("status", "=", "pending")
      .execute();
    await writePayment(
      trx,
      found,
      { paidOn: credit.transaction_date, amountYen: credit.amount_yen },
      params.actor,
      params.ip,
      `（振込 ${credit.payer_name}）`,
    );
    return ok(found.invoice.contract_id);
  });
  if (!result.ok) return result;
  await liftPaidUpSuspensions(db, result.value, today, params.at, params.actor);
  return ok();
}

export async function dismissCredit(
  db: Kysely<Database>,
  params: { creditId: number; at: Date; actor: AuditActor; ip: string },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const credit = await trx
      .selectFrom("bank_credits")
      .selectAll()
      .where("id", "=", params.creditId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (!credit) return false;
    await trx
      .updateTable("bank_credits")
      .set({
        status: "dismissed",
        resolved_by: params.actor.email,
        resolved_at: instantOf(params.at),
      })
      .where("id", "=", credit.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "collections.credit_dismissed",
      entity: "bank_credit",
      entityId: credit.id,
      summary: `入金 ${credit.transaction_date} ${formatYen(credit.amount_yen)}（${credit.payer_name}）を照合対象外にしました`,
      ip: params.ip,
    });
    return true;
  });
}
