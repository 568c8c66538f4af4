// S1-4① phone notifications as the operators work them: the calls due now or within the next
// hour, oldest first, and the record of each call made (its result sets sent_at, once). The
// plan itself — when each call may be made — comes from the notification engine
// (notifications.server.ts): a call planned for later is outside the phone window until then.
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { securityRecordInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { ListSort, PageRequest } from "../lib/paging";
import { fetchPage } from "../lib/paging.server";
import { displayNameOf, insertIncidentNote } from "./incident-notes.server";
import { INCIDENT_STATUS_LABELS } from "./incident-labels";
import { formatInstant } from "../lib/format";
import { conflict, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";

export const CALL_RESULTS = ["answered", "no_answer", "wrong_number"] as const;
export type CallResult = (typeof CALL_RESULTS)[number];

export const CALL_RESULT_LABELS: Record<CallResult, string> = {
  answered: "通話済み",
  no_answer: "不在・留守電",
  wrong_number: "番号誤り",
};

/** What a notification's `result` says, in Japanese: a call's outcome, or where its e-mail stands. */
export const NOTIFICATION_RESULT_LABELS: Record<string, string> = {
  ...CALL_RESULT_LABELS,
  queued: "送信待ち",
  sent: "送信済み",
  failed: "送信失敗",
};

/** Calls planned up to this far ahead are listed, so that the operator can prepare them. */
export const CALLS_LOOKAHEAD_MINUTES = 60;

export function isCallResult(value: unknown): value is CallResult {
  return typeof value === "string" && (CALL_RESULTS as readonly string[]).includes(value);
}

function dueCallsQuery(db: Kysely<Database>, tenant: Tenant, now: Date) {
  const until = instantOf(new Date(now.getTime() + CALLS_LOOKAHEAD_MINUTES * 60_000));
  return db
    .selectFrom("notifications")
    .innerJoin("incidents", "incidents.id", "notifications.incident_id")
    .innerJoin("contracts", "contracts.id", "notifications.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where("notifications.channel", "=", "phone")
    .where("notifications.sent_at", "is", null)
    .where("notifications.planned_at", "<=", until)
    .where(securityRecordInTenant(tenant, "notifications.planned_at"));
}

function selectDueCalls(q: ReturnType<typeof dueCallsQuery>) {
  return q
    .select([
      "notifications.id",
      "notifications.planned_at",
      "notifications.recipient",
      "incidents.id as incident_id",
      "incidents.title",
      "incidents.severity",
      "incidents.status as incident_status",
      "contracts.id as contract_id",
      "contracts.ref as contract_ref",
      "customers.name as customer_name",
    ])
    .orderBy("notifications.planned_at")
    .orderBy("notifications.id");
}

/** Phone notifications not made yet and planned up to `now` + 1 hour, by planned time. */
export async function dueCalls(db: Kysely<Database>, tenant: Tenant, now: Date) {
  return selectDueCalls(dueCallsQuery(db, tenant, now)).execute();
}

export const CALL_SORT: ListSort<"planned"> = { columns: { planned: "asc" }, default: "planned" };

/** One page of the due calls, earliest first, with the count of all (issue 17 item 2: it stopped at 500). */
export async function pageDueCalls(
  db: Kysely<Database>,
  tenant: Tenant,
  now: Date,
  request: PageRequest<"planned">,
) {
  // The queue is always worked earliest first: the direction is not a choice here.
  const { rows, page } = await fetchPage(
    { ...request, dir: "asc" },
    () =>
      dueCallsQuery(db, tenant, now)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    (w) =>
      selectDueCalls(dueCallsQuery(db, tenant, now))
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { calls: rows, page };
}

export type RecordCallResult = Result;

const ALREADY_CALLED = "この電話連絡はすでに記録されています";

/**
 * Records a call: sets the notification's sent_at and result, adds a line to the incident's
 * notes (so that whoever opens the incident sees the call) and writes the audit row, in one
 * transaction. Not found when the call is not a phone notification of the tenant.
 */
export async function recordCall(
  db: Kysely<Database>,
  params: {
    id: number;
    tenant: Tenant;
    result: CallResult;
    note: string;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<RecordCallResult> {
  const call = await db
    .selectFrom("notifications")
    .innerJoin("incidents", "incidents.id", "notifications.incident_id")
    .innerJoin("contracts", "contracts.id", "notifications.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "notifications.id",
      "notifications.planned_at",
      "notifications.sent_at",
      "notifications.recipient",
      "incidents.id as incident_id",
      "incidents.title",
      "incidents.status as incident_status",
      "incidents.assignee",
      "contracts.ref as contract_ref",
      "customers.name as customer_name",
    ])
    .where("notifications.id", "=", params.id)
    .where("notifications.channel", "=", "phone")
    .where(securityRecordInTenant(params.tenant, "notifications.planned_at"))
    .executeTakeFirst();
  if (!call) return notFoundFailure("電話連絡が見つかりません");
  if (call.sent_at !== null) return conflict(ALREADY_CALLED);
  // S1-4①: the plan puts every call at the first moment of the phone window; before it the
  // window is closed (09:00–21:00, not 12/29–1/3), so the call cannot have been made yet.
  if (call.planned_at > params.at.toISOString()) {
    return conflict(
      `予定時刻（${formatInstant(call.planned_at)}）より前には記録できません。電話連絡は9:00〜21:00です`,
    );
  }
  const at = instantOf(params.at);
  const label = CALL_RESULT_LABELS[params.result];
  const note = `電話連絡（${call.recipient}）${label}${params.note ? `: ${params.note}` : ""}`;
  return inTransaction(db, async (trx): Promise<RecordCallResult> => {
    const updated = await trx
      .updateTable("notifications")
      .set({ sent_at: at, result: params.result })
      .where("id", "=", call.id)
      .where("sent_at", "is", null)
      .executeTakeFirst();
    // Two operators on the same call: the second one finds it already recorded.
    if (Number(updated.numUpdatedRows) !== 1) return conflict(ALREADY_CALLED);
    await insertIncidentNote(trx, {
      incidentId: call.incident_id,
      at: params.at,
      actor: params.actor,
      body: note,
    });
    // Issue 17 item 8: a call made means the provider's operations are handling the incident —
    // a new one becomes 対応中 with the caller as its assignee, and the customer can no longer
    // resolve it behind the operator's back.
    const ack = call.incident_status === "new";
    await trx
      .updateTable("incidents")
      .set({
        updated_at: at,
        ...(call.incident_status !== "resolved" ? { handled_by: "provider" as const } : {}),
        ...(ack
          ? {
              status: "acknowledged" as const,
              acknowledged_at: at,
              assignee: call.assignee ?? (await displayNameOf(trx, params.actor)),
            }
          : {}),
      })
      .where("id", "=", call.incident_id)
      .execute();
    if (ack)
      await recordAudit(trx, {
        actor: params.actor,
        action: "incident.acknowledge",
        entity: "incident",
        entityId: call.incident_id,
        summary: `${call.title} を${INCIDENT_STATUS_LABELS.acknowledged}に変更: 電話連絡を記録`,
        ip: params.ip,
      });
    await recordAudit(trx, {
      actor: params.actor,
      action: "notification.call",
      entity: "notification",
      entityId: call.id,
      summary: `電話連絡 ${call.contract_ref} ${call.customer_name}（${call.recipient}）: ${label}${params.note ? ` — ${params.note}` : ""}（${call.title}）`,
      ip: params.ip,
    });
    return ok();
  });
}
