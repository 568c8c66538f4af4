// The L-3 refund workflow: the finance team's list and its decisions (approve, paid, refused),
// each transition checked by the pure refund.ts and audited in one transaction.
import { inTransaction } from "../lib/transaction.server";
import type { Kysely, Transaction } from "kysely";
import type { Database, RefundStateColumn } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { jstDate, type IsoDate } from "../lib/jst";
import { advanceRefund, RefundTransitionError, type RefundRequest } from "./refund";
import { formatYen } from "../lib/format";
import { assertOneRow, guardedChange } from "./license-changes.server";
import { conflict, invalidField, notFoundFailure, ok, type Result } from "../lib/result";

type Db = Kysely<Database> | Transaction<Database>;

export interface RefundListRow {
  id: number;
  licenseId: number;
  licenseRef: string;
  product: string;
  customerName: string;
  amountYen: number;
  rule: string;
  state: RefundStateColumn;
  reason: string | null;
  requestedAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  paidAt: string | null;
}

export async function listRefunds(
  db: Db,
  tenant: Tenant,
  filter: { state?: RefundStateColumn } = {},
): Promise<RefundListRow[]> {
  let q = db
    .selectFrom("refunds")
    .innerJoin("licenses", "licenses.id", "refunds.license_id")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .leftJoin("users as decider", "decider.email", "refunds.decided_by")
    .select([
      "refunds.id",
      "refunds.license_id",
      "licenses.ref",
      "licenses.product",
      "customers.name",
      "refunds.amount_yen",
      "refunds.rule",
      "refunds.state",
      "refunds.reason",
      "refunds.requested_at",
      "refunds.decided_at",
      "refunds.decided_by",
      "decider.display_name as decided_by_name",
      "refunds.paid_at",
    ])
    .where(customerInTenant(tenant))
    .orderBy("refunds.id", "desc");
  if (filter.state) q = q.where("refunds.state", "=", filter.state);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    licenseId: r.license_id,
    licenseRef: r.ref,
    product: r.product,
    customerName: r.name,
    amountYen: r.amount_yen,
    rule: r.rule,
    state: r.state,
    reason: r.reason,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    // By display name: customers see this list, and staff addresses stay inside (issue 17 item 6).
    decidedBy: r.decided_by === null ? null : (r.decided_by_name ?? "担当者"),
    paidAt: r.paid_at,
  }));
}

export type RefundDecisionInput =
  { type: "approve" } | { type: "pay" } | { type: "refuse"; reason: string };

const REFUND_STATE_JA: Record<RefundStateColumn, string> = {
  requested: "申請中",
  approved: "承認済み",
  paid: "返金済み",
  refused: "返金不可",
};
const REFUND_EVENT_JA = { approve: "承認", pay: "返金済みに", refuse: "返金不可に" } as const;

/**
 * L-3 refund workflow: requested → approved → paid, or requested → refused with a reason. The
 * update is guarded by the state it read, so two finance users cannot both decide (the second
 * gets a conflict, as does a move its state does not allow); a refusal needs its reason.
 */
export async function decideRefund(
  db: Kysely<Database>,
  params: {
    refundId: number;
    tenant: Tenant;
    decision: RefundDecisionInput;
    on: IsoDate;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<Result<undefined, "reason">> {
  const row = await db
    .selectFrom("refunds")
    .innerJoin("licenses", "licenses.id", "refunds.license_id")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .select([
      "refunds.id",
      "refunds.amount_yen",
      "refunds.rule",
      "refunds.state",
      "refunds.requested_at",
      "licenses.ref",
      "licenses.uninstall_acknowledged_on",
    ])
    .where("refunds.id", "=", params.refundId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!row) return notFoundFailure("この返金は見つかりません。");
  const before: RefundRequest = {
    licenseRef: row.ref,
    amountYen: row.amount_yen,
    rule: row.rule as RefundRequest["rule"],
    requestedOn: jstDate(new Date(row.requested_at)),
    uninstallAcknowledgedOn: row.uninstall_acknowledged_on ?? jstDate(new Date(row.requested_at)),
    status: row.state,
    approvedOn: null,
    paidOn: null,
    refusedOn: null,
    refusedReason: null,
  };
  const { decision } = params;
  let after: RefundRequest;
  try {
    after = advanceRefund(
      before,
      decision.type === "refuse"
        ? { type: "refuse", on: params.on, reason: decision.reason }
        : { type: decision.type, on: params.on },
    );
  } catch (error) {
    if (!(error instanceof RefundTransitionError)) throw error;
    if (decision.type === "refuse" && decision.reason.trim() === "")
      return invalidField("reason", "返金しない理由を入力してください。");
    return conflict(
      `この返金は「${REFUND_STATE_JA[row.state]}」のため、${REFUND_EVENT_JA[decision.type]}できません。`,
    );
  }
  const at = now().toISOString();
  return guardedChange(async () => {
    await inTransaction(db, async (trx) => {
      const set =
        decision.type === "pay"
          ? { state: after.status, paid_at: at, paid_by: params.actor.email }
          : {
              state: after.status,
              decided_at: at,
              decided_by: params.actor.email,
              reason: after.refusedReason,
            };
      assertOneRow(
        await trx
          .updateTable("refunds")
          .set(set)
          .where("id", "=", row.id)
          .where("state", "=", row.state)
          .executeTakeFirst(),
      );
      await recordAudit(trx, {
        actor: params.actor,
        action: `refund.${decision.type}`,
        entity: "refund",
        entityId: row.id,
        summary:
          `${row.ref} の返金 ${formatYen(row.amount_yen)} を${REFUND_STATE_JA[after.status]}に` +
          (after.refusedReason ? `（理由: ${after.refusedReason}）` : ""),
        ip: params.ip,
      });
    });
    return ok();
  });
}
