// Incidents as each tenant may see them (S1-4①): lists with filters, the detail with the event
// and notification timelines, and the workflow new → acknowledged → resolved, audited.
import { sql, type Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database, IncidentStatus } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { securityRecordInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { pageInfo, type ListSort, type PageRequest, type SortDirection } from "../lib/paging";
import { createdIso, recordWebhookEvent } from "../webhooks/events.server";
import { INCIDENT_STATUS_LABELS } from "./incident-labels";
import { insertIncidentNote, notesOfIncidents } from "./incident-notes.server";
import { conflict, notAllowed, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf, type Instant } from "../lib/jst";

export interface IncidentFilter {
  severity?: string;
  kind?: string;
  status?: IncidentStatus;
  device?: string;
  from?: Instant; // inclusive
  to?: Instant; // exclusive
}

/** The incident list's sortable columns and the direction each starts in (issue 17 item 2). */
export type IncidentSortColumn = "opened" | "customer" | "contract" | "device";
export const INCIDENT_SORT: ListSort<IncidentSortColumn> = {
  columns: { opened: "desc", customer: "asc", contract: "asc", device: "asc" },
  default: "opened",
};
const INCIDENT_SORT_SQL: Record<IncidentSortColumn, string> = {
  opened: "incidents.opened_at",
  customer: "customers.name",
  contract: "contracts.ref",
  device: "incidents.device_name",
};

function filteredIncidents(db: Kysely<Database>, tenant: Tenant, filter: IncidentFilter) {
  let q = db
    .selectFrom("incidents")
    .innerJoin("contracts", "contracts.id", "incidents.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where(securityRecordInTenant(tenant, "incidents.opened_at"));
  if (filter.severity) q = q.where("incidents.severity", "=", filter.severity);
  if (filter.kind) q = q.where("incidents.kind", "=", filter.kind);
  if (filter.status) q = q.where("incidents.status", "=", filter.status);
  if (filter.device) q = q.where("incidents.device_name", "=", filter.device);
  if (filter.from) q = q.where("incidents.opened_at", ">=", filter.from);
  if (filter.to) q = q.where("incidents.opened_at", "<", filter.to);
  return q;
}

function orderedIncidents(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: IncidentFilter,
  order: { sort: IncidentSortColumn; dir: SortDirection },
) {
  return filteredIncidents(db, tenant, filter)
    .select([
      "incidents.id",
      "incidents.kind",
      "incidents.status",
      "incidents.severity",
      "incidents.title",
      "incidents.opened_at",
      "incidents.assignee",
      "contracts.ref as contract_ref",
      "customers.name as customer_name",
      "incidents.device_name",
    ])
    .orderBy(sql.ref(INCIDENT_SORT_SQL[order.sort]), order.dir)
    .orderBy("incidents.id", order.dir);
}

/** Every incident matching the filter, newest first (callers that need them all; the page lists one page). */
export async function listIncidents(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: IncidentFilter = {},
) {
  return orderedIncidents(db, tenant, filter, { sort: "opened", dir: "desc" }).execute();
}

/** One page of the incident list with the count of the whole filter, in SQL. */
export async function pageIncidents(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: IncidentFilter,
  request: PageRequest<IncidentSortColumn>,
) {
  const { count } = await filteredIncidents(db, tenant, filter)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  const { offset, ...page } = pageInfo(request, Number(count));
  const incidents = await orderedIncidents(db, tenant, filter, page)
    .limit(page.size)
    .offset(offset)
    .execute();
  return { incidents, page };
}

export async function getIncident(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  const incident = await db
    .selectFrom("incidents")
    .innerJoin("contracts", "contracts.id", "incidents.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .selectAll("incidents")
    .select([
      "contracts.ref as contract_ref",
      "contracts.id as contract_id_ref",
      "customers.name as customer_name",
      "customers.id as customer_id",
      "customers.ref as customer_ref",
    ])
    .where("incidents.id", "=", params.id)
    .where(securityRecordInTenant(params.tenant, "incidents.opened_at"))
    .executeTakeFirst();
  if (!incident) return null;
  const [events, notifications] = await Promise.all([
    db
      .selectFrom("incident_events")
      .innerJoin("security_events", "security_events.id", "incident_events.event_id")
      .select([
        "security_events.id",
        "security_events.type",
        "security_events.action",
        "security_events.severity",
        "security_events.device_name",
        "security_events.threat",
        "security_events.url",
        "security_events.detected_at",
      ])
      .where("incident_events.incident_id", "=", incident.id)
      .orderBy("security_events.detected_at")
      .execute(),
    db
      .selectFrom("notifications")
      .select(["id", "channel", "planned_at", "sent_at", "result", "recipient"])
      .where("incident_id", "=", incident.id)
      .orderBy("planned_at")
      .orderBy("channel")
      .execute(),
  ]);
  const notes = (await notesOfIncidents(db, [incident.id])).get(incident.id) ?? [];
  return { incident, events, notifications, notes };
}

export type TransitionResult = Result;

/** Which side a tenant acts for: the provider's operations, or the customer itself. */
export function handlingSide(tenant: Tenant): "provider" | "customer" {
  return tenant.kind === "customer" ? "customer" : "provider";
}

/**
 * Whether this tenant may resolve the incident: a customer may not resolve what the provider's
 * operations are handling (issue 17 item 8) — they close it once their work is done.
 */
export function mayResolve(
  tenant: Tenant,
  incident: { status: IncidentStatus; handled_by: "provider" | "customer" | null },
): boolean {
  if (incident.status === "resolved") return false;
  return !(handlingSide(tenant) === "customer" && incident.handled_by === "provider");
}

/** new → acknowledged → resolved (resolving from new acknowledges at the same moment). */
export async function transitionIncident(
  db: Kysely<Database>,
  params: {
    id: number;
    tenant: Tenant;
    to: "acknowledged" | "resolved";
    assignee: string;
    notes: string;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<TransitionResult> {
  const found = await getIncident(db, params);
  if (!found) return notFoundFailure("インシデントが見つかりません");
  const { incident } = found;
  if (incident.status === "resolved") return conflict("このインシデントはすでに解決済みです");
  if (incident.status === params.to) return conflict("すでに対応中です");
  if (params.to === "resolved" && !mayResolve(params.tenant, incident))
    return notAllowed(
      "セキュアラインの担当者が対応中のため、解決済みにはできません。メモで状況をお知らせください",
    );
  const at = instantOf(params.at);
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable("incidents")
      .set({
        status: params.to,
        acknowledged_at: incident.acknowledged_at ?? at,
        resolved_at: params.to === "resolved" ? at : null,
        assignee: params.assignee || incident.assignee,
        // The side that starts handling it keeps it; a resolution from new is by the resolver.
        handled_by: incident.handled_by ?? handlingSide(params.tenant),
        updated_at: at,
      })
      .where("id", "=", incident.id)
      .execute();
    if (params.notes)
      await insertIncidentNote(trx, {
        incidentId: incident.id,
        at: params.at,
        actor: params.actor,
        body: params.notes,
      });
    if (params.to === "resolved") {
      await recordWebhookEvent(
        trx,
        "incident.resolved",
        {
          customerId: incident.customer_id,
          data: {
            incident: {
              id: incident.id,
              contract: incident.contract_ref,
              customer: incident.customer_ref,
              kind: incident.kind,
              severity: incident.severity,
              title: incident.title,
              device: incident.device_name,
              openedAt: createdIso(new Date(incident.opened_at)),
              resolvedAt: createdIso(params.at),
              assignee: params.assignee || incident.assignee,
            },
          },
        },
        params.at,
      );
    }
    await recordAudit(trx, {
      actor: params.actor,
      action: `incident.${params.to === "resolved" ? "resolve" : "acknowledge"}`,
      entity: "incident",
      entityId: incident.id,
      summary: `${incident.title} を${INCIDENT_STATUS_LABELS[params.to]}に変更${params.notes ? `: ${params.notes}` : ""}`,
      ip: params.ip,
    });
  });
  return ok();
}

/**
 * Adds a note to an incident without changing its state (the partner API's notes, issue 19): the
 * note is appended as the console's transitions append theirs, with the time and who wrote it.
 */
export async function addIncidentNote(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; note: string; at: Date; actor: AuditActor; ip: string },
): Promise<Result> {
  const found = await getIncident(db, params);
  if (!found) return notFoundFailure("インシデントが見つかりません");
  const { incident } = found;
  const at = instantOf(params.at);
  await inTransaction(db, async (trx) => {
    // One row per note, so two notes written at once both stay.
    await insertIncidentNote(trx, {
      incidentId: incident.id,
      at: params.at,
      actor: params.actor,
      body: params.note,
    });
    await trx
      .updateTable("incidents")
      .set({ updated_at: at })
      .where("id", "=", incident.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "incident.note",
      entity: "incident",
      entityId: incident.id,
      summary: `${incident.title} にメモを追加: ${params.note}`,
      ip: params.ip,
    });
  });
  return ok();
}
