// The L-3 refund workflow: the finance team's list and its decisions (approve, paid, refused),
// each transition checked by the pure refund.ts and audited in one transaction.
import { inTransaction } from "../lib/transaction.server";
import { sql, type Kysely, type Transaction } from "kysely";
import type { Database, RefundStateColumn } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { ListSort, PageRequest } from "../lib/paging";
import { fetchPage } from "../lib/paging.server";
import { now } from "../lib/clock";
import { instantOf, type IsoDate, jstDate } from "../lib/jst";
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

function filteredRefunds(db: Db, tenant: Tenant, filter: { state?: RefundStateColumn }) {
  let q = db
    .selectFrom("refunds")
    .innerJoin("licenses", "licenses.id", "refunds.license_id")
    .innerJoin("customers", "customers.id", "licenses.customer_id")
    .where(customerInTenant(tenant));
  if (filter.state) q = q.where("refunds.state", "=", filter.state);
  return q;
}

function selectRefunds(q: ReturnType<typeof filteredRefunds>) {
  return q
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
    ]);
}

function toRefundRow(
  r: Awaited<ReturnType<ReturnType<typeof selectRefunds>["execute"]>>[number],
): RefundListRow {
  return {
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
  };
}

export async function listRefunds(
  db: Db,
  tenant: Tenant,
  filter: { state?: RefundStateColumn } = {},
): Promise<RefundListRow[]> {
  const rows = await selectRefunds(filteredRefunds(db, tenant, filter))
    .orderBy("refunds.id", "desc")
    .execute();
  return rows.map(toRefundRow);
}

/** The refund list's sortable columns (issue 17 item 2: the list loaded every refund). */
export type RefundSortColumn = "requested" | "amount" | "customer";
export const REFUND_SORT: ListSort<RefundSortColumn> = {
  columns: { requested: "desc", amount: "desc", customer: "asc" },
  default: "requested",
};
const REFUND_SORT_SQL: Record<RefundSortColumn, string> = {
  requested: "refunds.requested_at",
  amount: "refunds.amount_yen",
  customer: "customers.name",
};

/** One page of the refunds with the count and the amounts' sum of the whole filter, in SQL. */
export async function pageRefunds(
  db: Db,
  tenant: Tenant,
  filter: { state?: RefundStateColumn },
  request: PageRequest<RefundSortColumn>,
) {
  const totals = await filteredRefunds(db, tenant, filter)
    .select((eb) => [
      eb.fn.countAll<number>().as("count"),
      eb.fn.coalesce(eb.fn.sum<number>("refunds.amount_yen"), sql<number>`0`).as("amount_yen"),
    ])
    .executeTakeFirstOrThrow();
  const { rows, page } = await fetchPage(
    request,
    async () => totals,
    (w) =>
      selectRefunds(filteredRefunds(db, tenant, filter))
        .orderBy(sql.ref(REFUND_SORT_SQL[w.sort]), w.dir)
        .orderBy("refunds.id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return {
    refunds: rows.map(toRefundRow),
    page,
    totals: { count: Number(totals.count), amountYen: Number(totals.amount_yen) },
  };
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
  const at = instantOf(now());
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
