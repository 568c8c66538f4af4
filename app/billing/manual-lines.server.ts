// A contract's manual invoice lines (manual-line-entry.ts): listed with the invoice that carries
// them, entered and removed by finance and operations. A line goes on the invoice of the month of
// its date, so it is accepted only while that invoice is not issued; checked and written under the
// write lock (BEGIN IMMEDIATE), so a billing batch issues it or the entry is refused, never
// neither (decision 0010).
import { sql, type Kysely } from "kysely";
import { dialectOf } from "../../db/connection";
import type { Database } from "../../db/schema";
import { writeTransaction } from "../../db/write-transaction";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { instantOf, monthOf, type YearMonth } from "../lib/jst";
import type { ManualLineEntry } from "./manual-line-entry";
import { formatDate, formatYen } from "../lib/format";
import {
  conflict,
  invalidField,
  notAllowed,
  notFoundFailure,
  ok,
  type Result,
} from "../lib/result";

/** Lines entered by hand (or imported); others are the system's (S4 ※3 unreturned gateways, carried interest). */
const REMOVABLE_RULES = ["T-25", "T-32", "S1-4④", "S6", "manual"];

/**
 * The line's id; a date the contract or an issued month refuses is a validation failure of the
 * date, a system's or invoiced line a refusal, another contract's line not found.
 */
export type ManualLineResult = Result<{ id: number }, "date">;

export interface ManualLineRow {
  id: number;
  lineDate: string;
  description: string;
  amountYen: number;
  taxable: boolean;
  code: string;
  rule: string;
  createdBy: string | null;
  createdAt: string;
  /** The issued invoice that carries it, or null while its month is open. */
  invoiceNumber: string | null;
  invoiceId: number | null;
  removable: boolean;
}

export async function listManualLines(
  db: Kysely<Database>,
  contractId: number,
): Promise<ManualLineRow[]> {
  // The line's month: a text prefix on SQLite, a date on PostgreSQL (decision 0023).
  const lineMonth =
    dialectOf(db) === "postgres"
      ? sql<string>`to_char(${sql.ref("manual_lines.line_date")}, 'YYYY-MM')`
      : sql<string>`substr(${sql.ref("manual_lines.line_date")}, 1, 7)`;
  const rows = await db
    .selectFrom("manual_lines")
    .leftJoin("invoices", (join) =>
      join
        .on("invoices.contract_id", "=", contractId)
        .onRef("invoices.billing_month", "=", lineMonth),
    )
    .select([
      "manual_lines.id",
      "manual_lines.line_date",
      "manual_lines.description",
      "manual_lines.amount_yen",
      "manual_lines.taxable",
      "manual_lines.code",
      "manual_lines.rule",
      "manual_lines.created_by",
      "manual_lines.created_at",
      "invoices.invoice_number",
      "invoices.id as invoice_id",
    ])
    .where("manual_lines.contract_id", "=", contractId)
    .orderBy("manual_lines.line_date", "desc")
    .orderBy("manual_lines.id", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    lineDate: r.line_date,
    description: r.description,
    amountYen: r.amount_yen,
    taxable: r.taxable === 1,
    code: r.code ?? "manual",
    rule: r.rule ?? "manual",
    createdBy: r.created_by,
    createdAt: r.created_at,
    invoiceNumber: r.invoice_number,
    invoiceId: r.invoice_id,
    removable: r.invoice_number === null && REMOVABLE_RULES.includes(r.rule ?? "manual"),
  }));
}

/** Why a line dated in `month` can no longer reach an invoice of the contract, or null. */
async function monthIssued(
  db: Kysely<Database>,
  contractId: number,
  month: YearMonth,
): Promise<string | null> {
  const [closed, invoice] = await Promise.all([
    db
      .selectFrom("billing_months")
      .select("month")
      .where("month", "=", month)
      .where("status", "=", "closed")
      .executeTakeFirst(),
    db
      .selectFrom("invoices")
      .select("invoice_number")
      .where("contract_id", "=", contractId)
      .where("billing_month", "=", month)
      .executeTakeFirst(),
  ]);
  if (invoice)
    return `${month} の請求書（${invoice.invoice_number}）は発行済みです。計上日を翌月以降にしてください`;
  if (closed) return `${month} は請求締め済みです。計上日を締めていない月にしてください`;
  return null;
}

export async function addManualLine(
  db: Kysely<Database>,
  params: { contractId: number; entry: ManualLineEntry; at: Date; actor: AuditActor; ip: string },
): Promise<ManualLineResult> {
  const { entry } = params;
  return writeTransaction(db, async (trx) => {
    const contract = await trx
      .selectFrom("contracts")
      .select(["id", "ref", "service_start"])
      .where("id", "=", params.contractId)
      .executeTakeFirst();
    if (!contract) return notFoundFailure();
    if (entry.lineDate < contract.service_start) {
      return invalidField(
        "date",
        `計上日は利用開始日（${formatDate(contract.service_start)}）以降にしてください`,
      );
    }
    const issued = await monthIssued(trx, contract.id, monthOf(entry.lineDate));
    if (issued) return invalidField("date", issued);
    const { id } = await trx
      .insertInto("manual_lines")
      .values({
        contract_id: contract.id,
        line_date: entry.lineDate,
        description: entry.description,
        amount_yen: entry.amountYen,
        taxable: entry.taxable ? 1 : 0,
        code: entry.code,
        rule: entry.rule,
        created_by: params.actor.email,
        created_at: instantOf(params.at),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action: "billing.manual_line_add",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} に手動明細を登録（${entry.rule}、${entry.lineDate}、${formatYen(entry.amountYen)}、${entry.taxable ? "課税" : "非課税・不課税"}）: ${entry.description}`,
      ip: params.ip,
    });
    return ok({ id });
  });
}

export async function removeManualLine(
  db: Kysely<Database>,
  params: { contractId: number; lineId: number; actor: AuditActor; ip: string },
): Promise<ManualLineResult> {
  return writeTransaction(db, async (trx) => {
    const line = await trx
      .selectFrom("manual_lines")
      .innerJoin("contracts", "contracts.id", "manual_lines.contract_id")
      .select([
        "manual_lines.id",
        "manual_lines.line_date",
        "manual_lines.description",
        "manual_lines.amount_yen",
        "manual_lines.rule",
        "contracts.ref",
      ])
      .where("manual_lines.id", "=", params.lineId)
      .where("manual_lines.contract_id", "=", params.contractId)
      .executeTakeFirst();
    if (!line) return notFoundFailure();
    if (!REMOVABLE_RULES.includes(line.rule ?? "manual"))
      return notAllowed("この明細はシステムが計上したもので、削除できません");
    const issued = await monthIssued(trx, params.contractId, monthOf(line.line_date));
    if (issued)
      return conflict(
        "請求書に計上済みの明細は削除できません。訂正は返還請求書（クレジットノート）で行います",
      );
    await trx.deleteFrom("manual_lines").where("id", "=", line.id).execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "billing.manual_line_remove",
      entity: "contract",
      entityId: line.ref,
      summary: `${line.ref} の手動明細を削除（${line.line_date}、${formatYen(line.amount_yen)}）: ${line.description}`,
      ip: params.ip,
    });
    return ok({ id: line.id });
  });
}
