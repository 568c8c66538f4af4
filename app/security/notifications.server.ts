// The S1-4① notification engine: from a contract's stored events, the incidents to open and
// the notifications they require, written idempotently — an incident per causing event
// (incidents.first_event_id is unique) and a notification per event and channel
// (notifications unique (event_id, channel)). The e-mail goes to the outbox at once; the phone
// call is planned at the next phone window. Running it again, or ingesting the same events
// again, changes nothing. The rules themselves are the pure ones in notification-windows.ts.
import { sql, type Insertable, type Kysely, type SqlBool, type Transaction } from "kysely";
import { chunks } from "../../db/chunks";
import type { Database, NotificationTable } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { outboxRow } from "../mail/outbox.server";
import {
  createdIso,
  recordWebhookEventsFor,
  webhookSubscribers,
  type Subscriber,
} from "../webhooks/events.server";
import {
  incidentMail,
  incidentTitle,
  type IncidentFacts,
  type IncidentKind,
} from "./incident-texts";
import {
  gatewayOutages,
  planNotifications,
  type GatewayOutage,
  type PlannedNotification,
  type SecurityEvent,
  type SecurityEventAction,
  type SecurityEventType,
} from "./notification-windows";
import { instantOf } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

export interface NotifySummary {
  incidentsOpened: number;
  notificationsPlanned: number;
  mailsQueued: number;
}

/**
 * The events the S1-4① rules can act on: C&C communication, gateway offline/online, and a
 * virus whose removal failed — a narrowing for speed (most detections are viruses removed or
 * quarantined); `planNotifications` still decides which of them notify. Word for word the
 * condition of the partial index `security_events_rule_idx` (migration 000101), written with
 * literals so that the planner can match the two.
 */
export const RULE_EVENT_CONDITION =
  "(type in ('cc_callback', 'gateway_offline', 'gateway_online') or (type in ('virus', 'network_virus') and action = 'failed'))";
const CHUNK = 400;

interface StoredEvent extends SecurityEvent {
  severity: string;
  threat: string | null;
  url: string | null;
}

interface ContractFacts {
  id: number;
  ref: string;
  offline_threshold_minutes: number;
  admin_email: string;
  admin_phone: string;
  customer_name: string;
  customer_id: number;
  customer_ref: string;
  reseller_id: number | null;
}

/** S1-4①: the notification plan of one contract (`notify plan`); null when the contract is not in the tenant. */
export async function notificationPlan(
  db: Db,
  params: { ref: string; tenant: Tenant; now: Date },
): Promise<PlannedNotification[] | null> {
  const contract = await findContract(db, params.tenant, { ref: params.ref });
  if (!contract) return null;
  return planNotifications(await ruleEvents(db, contract.id), {
    offlineThresholdMinutes: contract.offline_threshold_minutes,
    now: params.now,
  });
}

/** Opens the incidents and plans the notifications that the contracts' events require by `now`. */
export async function notifyContracts(
  trx: Transaction<Database>,
  contractIds: readonly number[],
  now: Date,
): Promise<NotifySummary> {
  const summary: NotifySummary = { incidentsOpened: 0, notificationsPlanned: 0, mailsQueued: 0 };
  const provider = await trx
    .selectFrom("provider")
    .select(["name", "phone"])
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  // incident.opened webhooks: who wants them is read once for the whole run.
  let subscribers: Subscriber[] | null = null;
  for (const contractId of contractIds) {
    const contract = await findContract(trx, { kind: "provider" }, { id: contractId });
    if (!contract) continue;
    const events = await ruleEvents(trx, contract.id);
    const plan = planNotifications(events, {
      offlineThresholdMinutes: contract.offline_threshold_minutes,
      now,
    });
    if (plan.length === 0) continue;
    const missing = await unrecorded(trx, plan);
    if (missing.length > 0) subscribers ??= await webhookSubscribers(trx, "incident.opened");
    const writer = new ContractWriter(
      trx,
      contract,
      events,
      plan,
      now,
      provider ?? { name: "", phone: "" },
      subscribers ?? [],
    );
    if (missing.length > 0) {
      const done = await writer.write(missing);
      summary.incidentsOpened += done.incidentsOpened;
      summary.notificationsPlanned += done.notificationsPlanned;
      summary.mailsQueued += done.mailsQueued;
    }
    await writer.linkRecoveries();
  }
  return summary;
}

/** `notify run`: the contracts with gateway outages, whose threshold may have been crossed since the last ingest. */
export async function notifyAllContracts(db: Kysely<Database>, now: Date): Promise<NotifySummary> {
  const rows = await db
    .selectFrom("security_events")
    .select("contract_id")
    .distinct()
    .where("type", "=", "gateway_offline")
    .execute();
  return db.transaction().execute((trx) =>
    notifyContracts(
      trx,
      rows.map((r) => r.contract_id),
      now,
    ),
  );
}

async function findContract(
  db: Db,
  tenant: Tenant,
  by: { id: number } | { ref: string },
): Promise<ContractFacts | undefined> {
  let q = db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.offline_threshold_minutes",
      "contracts.admin_email",
      "contracts.admin_phone",
      "customers.name as customer_name",
      "contracts.customer_id",
      "customers.ref as customer_ref",
      "customers.reseller_id",
    ])
    .where(customerInTenant(tenant));
  q = "id" in by ? q.where("contracts.id", "=", by.id) : q.where("contracts.ref", "=", by.ref);
  return q.executeTakeFirst();
}

export function ruleEventsQuery(db: Db, contractId: number) {
  return db
    .selectFrom("security_events")
    .select([
      "id",
      "device_name",
      "source",
      "type",
      "action",
      "severity",
      "threat",
      "url",
      "detected_at",
    ])
    .where("contract_id", "=", contractId)
    .where(sql<SqlBool>`${sql.raw(RULE_EVENT_CONDITION)}`)
    .orderBy("detected_at")
    .orderBy("id");
}

async function ruleEvents(db: Db, contractId: number): Promise<StoredEvent[]> {
  const rows = await ruleEventsQuery(db, contractId).execute();
  return rows.map((r) => ({
    id: r.id,
    device: r.device_name,
    source: r.source,
    type: r.type as SecurityEventType,
    action: r.action as SecurityEventAction | null,
    detectedAt: new Date(r.detected_at),
    severity: r.severity,
    threat: r.threat,
    url: r.url,
  }));
}

/** The planned notifications not stored yet. */
async function unrecorded(
  db: Db,
  plan: readonly PlannedNotification[],
): Promise<PlannedNotification[]> {
  const stored = new Set<string>();
  const ids = [...new Set(plan.map((n) => n.eventId))];
  for (const part of chunks(ids, CHUNK)) {
    const rows = await db
      .selectFrom("notifications")
      .select(["event_id", "channel"])
      .where("event_id", "in", part)
      .execute();
    for (const r of rows) stored.add(`${r.event_id}\u0000${r.channel}`);
  }
  return plan.filter((n) => !stored.has(`${n.eventId}\u0000${n.channel}`));
}

/** Writes one contract's missing incidents, links, e-mails and notifications in batches. */
class ContractWriter {
  private readonly byId: Map<string, StoredEvent>;
  private readonly outages: Map<string, GatewayOutage>;
  private readonly planned: Map<string, Date>;

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly contract: ContractFacts,
    private readonly events: readonly StoredEvent[],
    plan: readonly PlannedNotification[],
    private readonly now: Date,
    private readonly provider: { name: string; phone: string },
    private readonly subscribers: readonly Subscriber[],
  ) {
    this.byId = new Map(events.map((e) => [e.id, e]));
    this.outages = new Map(gatewayOutages(events).map((o) => [o.offlineEventId, o]));
    this.planned = new Map(plan.map((n) => [`${n.eventId}:${n.channel}`, n.at]));
  }

  async write(missing: readonly PlannedNotification[]): Promise<NotifySummary> {
    const eventIds = [...new Set(missing.map((n) => n.eventId))];
    const facts = new Map(eventIds.map((id) => [id, this.facts(id)]));

    let incidentsOpened = 0;
    for (const part of chunks(eventIds, CHUNK)) {
      const rows = part.map((id) => {
        const f = facts.get(id)!;
        return {
          contract_id: this.contract.id,
          kind: f.kind,
          severity: this.byId.get(id)!.severity,
          title: incidentTitle(f),
          opened_at: instantOf(f.at),
          acknowledged_at: null,
          resolved_at: null,
          assignee: null,
          first_event_id: id,
          device_name: f.device,
          updated_at: instantOf(this.now),
        };
      });
      const opened = await this.trx
        .insertInto("incidents")
        .values(rows)
        .onConflict((oc) => oc.column("first_event_id").doNothing())
        .returning(["id", "kind", "severity", "title", "device_name", "opened_at"])
        .execute();
      incidentsOpened += opened.length;
      // In this transaction: an incident that is rolled back is never announced.
      await recordWebhookEventsFor(
        this.trx,
        "incident.opened",
        this.subscribers,
        opened.map((i) => ({
          customerId: this.contract.customer_id,
          resellerId: this.contract.reseller_id,
          data: {
            incident: {
              id: i.id,
              contract: this.contract.ref,
              customer: this.contract.customer_ref,
              kind: i.kind,
              severity: i.severity,
              title: i.title,
              device: i.device_name,
              openedAt: createdIso(new Date(i.opened_at)),
            },
          },
        })),
        this.now,
      );
    }
    const incidentIds = await incidentIdsByCause(this.trx, eventIds);
    await insertLinks(
      this.trx,
      eventIds.map((id) => ({ incident_id: incidentIds.get(id)!, event_id: id })),
    );

    const mails = missing
      .filter((n) => n.channel === "email")
      .map((n) => {
        const { subject, text } = incidentMail({
          facts: facts.get(n.eventId)!,
          contractRef: this.contract.ref,
          customerName: this.contract.customer_name,
          providerName: this.provider.name,
          providerPhone: this.provider.phone,
          phoneAt: this.at(n.eventId, "phone"),
        });
        const mail = {
          kind: "incident_notification",
          ref: mailRef(n.eventId),
          to: this.contract.admin_email,
          subject,
          text,
        };
        return outboxRow(mail, this.now);
      });
    let mailsQueued = 0;
    for (const part of chunks(mails, CHUNK)) {
      const result = await this.trx
        .insertInto("outbox")
        .values(part)
        .onConflict((oc) => oc.column("ref").doNothing())
        .executeTakeFirst();
      mailsQueued += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    const outboxIds = await outboxIdsByRef(this.trx, eventIds.map(mailRef));

    const rows: Insertable<NotificationTable>[] = missing.map((n) => ({
      incident_id: incidentIds.get(n.eventId)!,
      contract_id: this.contract.id,
      event_id: n.eventId,
      channel: n.channel,
      planned_at: instantOf(n.at),
      sent_at: null,
      // The e-mail's delivery is tracked in the outbox; a phone call is recorded when it is made.
      result: n.channel === "email" ? "queued" : null,
      recipient: n.channel === "email" ? this.contract.admin_email : this.contract.admin_phone,
      last_error: null,
      outbox_id: n.channel === "email" ? (outboxIds.get(mailRef(n.eventId)) ?? null) : null,
    }));
    let notificationsPlanned = 0;
    for (const part of chunks(rows, CHUNK)) {
      const result = await this.trx
        .insertInto("notifications")
        .values(part)
        .onConflict((oc) => oc.columns(["event_id", "channel"]).doNothing())
        .executeTakeFirst();
      notificationsPlanned += Number(result.numInsertedOrUpdatedRows ?? 0n);
    }
    return { incidentsOpened, notificationsPlanned, mailsQueued };
  }

  /** Links each notified outage's incident to the online event that ended it, once that event is stored. */
  async linkRecoveries(): Promise<void> {
    const recovered = [...this.outages.values()].filter(
      (o) => o.backOnlineAt !== null && this.planned.has(`${o.offlineEventId}:email`),
    );
    if (recovered.length === 0) return;
    const incidentIds = await incidentIdsByCause(
      this.trx,
      recovered.map((o) => o.offlineEventId),
    );
    const links = recovered.flatMap((o) => {
      const online = this.events.find(
        (e) =>
          e.type === "gateway_online" &&
          e.device === o.device &&
          e.detectedAt.getTime() === o.backOnlineAt!.getTime(),
      );
      const incidentId = incidentIds.get(o.offlineEventId);
      return online && incidentId !== undefined
        ? [{ incident_id: incidentId, event_id: online.id }]
        : [];
    });
    await insertLinks(this.trx, links);
  }

  private at(eventId: string, channel: "email" | "phone"): Date {
    return this.planned.get(`${eventId}:${channel}`)!;
  }

  private facts(eventId: string): IncidentFacts {
    const e = this.byId.get(eventId)!;
    const outage = this.outages.get(eventId);
    const kind: IncidentKind =
      e.type === "cc_callback" ? "cc_callback" : outage ? "gateway_offline" : "virus_not_removed";
    return {
      kind,
      device: e.device,
      at: this.at(eventId, "email"),
      offlineAt: outage?.offlineAt,
      thresholdMinutes: outage ? this.contract.offline_threshold_minutes : undefined,
      threat: e.threat,
      url: e.url,
      action: e.action ?? null,
    };
  }
}

async function insertLinks(
  trx: Transaction<Database>,
  links: Array<{ incident_id: number; event_id: string }>,
): Promise<void> {
  for (const part of chunks(links, CHUNK)) {
    await trx
      .insertInto("incident_events")
      .values(part)
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

async function incidentIdsByCause(
  db: Db,
  eventIds: readonly string[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(eventIds, CHUNK)) {
    const rows = await db
      .selectFrom("incidents")
      .select(["id", "first_event_id"])
      .where("first_event_id", "in", part)
      .execute();
    for (const r of rows) ids.set(r.first_event_id, r.id);
  }
  return ids;
}

async function outboxIdsByRef(db: Db, refs: readonly string[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(refs, CHUNK)) {
    const rows = await db
      .selectFrom("outbox")
      .select(["id", "ref"])
      .where("ref", "in", part)
      .execute();
    for (const r of rows) if (r.ref !== null) ids.set(r.ref, r.id);
  }
  return ids;
}

function mailRef(eventId: string): string {
  return `incident:${eventId}:email`;
}
