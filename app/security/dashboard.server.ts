// The security dashboard (issue "Security data", item 5): what the tenant's network detected
// over a period of JST days, how the gateways and agents are doing, and the open incidents.
// Every figure is counted in SQL within the viewer's tenant (customerInTenant in each `where`);
// no event row is read into JavaScript. Only the few rows that SQL has already reduced — one
// per day and type, per gateway outage or per version — are shaped here.
import { sql, type Kysely, type SqlBool } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant, heldAt, heldOnDay } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import {
  addDays,
  daysBetween,
  type Instant,
  instantOf,
  type IsoDate,
  jstInstant,
} from "../lib/jst";
import type { SecurityEventAction, SecurityEventType } from "./notification-windows";
import { EVENT_ACTION_LABELS, EVENT_TYPE_LABELS } from "./event-labels";
import { RULE_EVENT_CONDITION } from "./notifications.server";

/** Event types that are detections (S7); the status types (offline/online, pattern, licence) are not. */
export const DETECTION_TYPES = [
  "virus",
  "network_virus",
  "spyware",
  "grayware",
  "spam",
  "phishing",
  "cc_callback",
  "web_block",
  "app_block",
  "intrusion",
  "sandbox",
] as const satisfies readonly SecurityEventType[];

export const DETECTION_TYPE_LABELS: Record<(typeof DETECTION_TYPES)[number], string> =
  EVENT_TYPE_LABELS;

/** The handling of a detection, in the order the dashboard lists them. */
export const DETECTION_ACTIONS = [
  "blocked",
  "quarantined",
  "removed",
  "failed",
  "passed",
] as const satisfies readonly SecurityEventAction[];

export const DETECTION_ACTION_LABELS: Record<(typeof DETECTION_ACTIONS)[number], string> =
  EVENT_ACTION_LABELS;

/** S1-4⑤: event logs are kept six months; the dashboard never looks further back. */
export { RETENTION_MONTHS } from "./retention";

/** The periods the page offers, in days ending today (JST). */
export const PERIOD_DAYS = [7, 30, 90] as const;
export const DEFAULT_PERIOD_DAYS = 30;

const TOP_N = 10;
const OUTDATED_LIST_LIMIT = 50;

export type DetectionType = (typeof DETECTION_TYPES)[number];
export type DetectionAction = (typeof DETECTION_ACTIONS)[number];

export interface DashboardPeriod {
  /** First JST day, included. */
  from: IsoDate;
  /** Last JST day, included. */
  to: IsoDate;
  /** The present: availability is measured up to it when the period reaches into the future. */
  now?: Date;
  /** Narrows every figure to one contract of the tenant (the monthly threat report, S1-4⑤). */
  contractId?: number;
}

/** A tenant, optionally narrowed to one of its contracts. */
export type Scope = Tenant & { contractId?: number };

/**
 * The tenant condition, and the contract one when the scope names a contract (queries join
 * `contracts`). Records stamped with an instant `at` or a JST `day` are, for a customer, only
 * those of its own holding of the contract (T-10, see securityRecordInTenant).
 */
function inScope(scope: Scope, record?: { at: string } | { day: string }) {
  const conditions = [customerInTenant(scope)];
  if (scope.contractId !== undefined)
    conditions.push(sql<SqlBool>`${sql.ref("contracts.id")} = ${scope.contractId}`);
  if (record && scope.kind === "customer")
    conditions.push("at" in record ? heldAt(record.at) : heldOnDay(record.day));
  return conditions.length === 1
    ? conditions[0]
    : sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

/** For a customer, the later of an instant and the start of its holding of the contract (T-10). */
function fromHolding(scope: Scope, at: string, holderSince: string | null): string {
  return scope.kind === "customer" && holderSince !== null && holderSince > at ? holderSince : at;
}

export interface DayDetections {
  day: IsoDate;
  counts: Partial<Record<DetectionType, number>>;
  total: number;
}

export interface GatewayStatus {
  contractRef: string;
  customerName: string;
  device: string;
  location: string;
  lastSeenAt: string | null;
  /** From the latest gateway_offline / gateway_online event up to the period's end. */
  status: "online" | "offline";
  statusSince: string | null;
  downtimeMinutes: number;
  /** Percent of the period the gateway was not in an outage, rounded down to 0.01. */
  availabilityPercent: number;
}

export interface OutdatedDevice {
  contractRef: string;
  customerName: string;
  device: string;
  deviceType: string;
  agentVersion: string | null;
  patternVersion: string | null;
  agentOutdated: boolean;
  patternOutdated: boolean;
}

export interface DashboardFigures {
  from: IsoDate;
  to: IsoDate;
  detectionTotal: number;
  /** Every day of the period, oldest first, days without detections included. */
  detectionsByDay: DayDetections[];
  /** The detection types that occur in the period, in DETECTION_TYPES order. */
  typesSeen: DetectionType[];
  /** Every action of DETECTION_ACTIONS, in that order, zero counts included. */
  actions: Array<{ action: DetectionAction; count: number }>;
  topThreats: Array<{ threat: string; count: number }>;
  topDevices: Array<{ contractRef: string; customerName: string; device: string; count: number }>;
  gateways: GatewayStatus[];
  gatewaysOffline: number;
  /** All gateways together, rounded down to 0.01; null without gateways. */
  availabilityPercent: number | null;
  outdated: {
    newestAgent: string | null;
    newestPattern: string | null;
    count: number;
    devices: OutdatedDevice[];
  };
  openIncidents: { total: number; bySeverity: Record<string, number> };
}

/** The period of `days` JST days ending on `today`. */
export function periodEnding(today: IsoDate, days: number): { from: IsoDate; to: IsoDate } {
  return { from: addDays(today, -(days - 1)), to: today };
}

/**
 * Compares dotted version strings numerically, part by part ("9.0" < "14.0.6", "19.711.00" <
 * "19.915.00"); a text order would get the first wrong. Non-numeric parts compare as text.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.\-_ ]/);
  const pb = b.split(/[.\-_ ]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "0";
    const y = pb[i] ?? "0";
    const nx = /^\d+$/.test(x) ? Number(x) : NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : NaN;
    const c = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

/** Percent rounded down to 0.01, so that any downtime at all never shows as 100 %. */
function percentDown(part: number, whole: number): number {
  if (whole <= 0) return 100;
  return Math.floor((part / whole) * 10_000) / 100;
}

const asNumber = (v: unknown) => Number(v ?? 0);

/**
 * Offline/online events are a few among millions: each query that looks for them also states
 * the condition of the partial index security_events_rule_idx (migration 000101) word for word,
 * so that SQLite reads that small index instead of every event of the contract. Harmless where
 * the index does not exist (the condition only widens the type filter it is combined with).
 */
const inRuleIndex = sql<SqlBool>`${sql.raw(RULE_EVENT_CONDITION)}`;

export async function dashboardFigures(
  db: Kysely<Database>,
  viewerTenant: Tenant,
  period: DashboardPeriod,
): Promise<DashboardFigures> {
  const tenant: Scope = { ...viewerTenant, contractId: period.contractId };
  if (daysBetween(period.from, period.to) < 0)
    throw new RangeError(`period ends before it starts: ${period.from}..${period.to}`);
  const startsAt = instantOf(jstInstant(period.from));
  const endsAt = instantOf(jstInstant(addDays(period.to, 1)));
  // Availability is measured over the part of the period that has happened.
  const measuredEnd = period.now && instantOf(period.now) < endsAt ? instantOf(period.now) : endsAt;

  const [byDay, threats, devices, gateways, outages, agentVersions, patternVersions, incidents] =
    await Promise.all([
      detectionsPerDay(db, tenant, period.from, period.to),
      dailyThreats(db, tenant, period.from, period.to)
        .select((eb) => [
          "event_daily_threats.threat",
          eb.fn.sum<number>("event_daily_threats.count").as("n"),
        ])
        .groupBy("event_daily_threats.threat")
        .orderBy("n", "desc")
        .orderBy("event_daily_threats.threat")
        .limit(TOP_N)
        .execute(),
      dailyDevices(db, tenant, period.from, period.to)
        .select((eb) => [
          "contracts.ref",
          "customers.name",
          "event_daily_devices.device_name",
          eb.fn.sum<number>("event_daily_devices.count").as("n"),
        ])
        .groupBy(["contracts.ref", "customers.name", "event_daily_devices.device_name"])
        .orderBy("n", "desc")
        .orderBy("contracts.ref")
        .orderBy("event_daily_devices.device_name")
        .limit(TOP_N)
        .execute(),
      gatewayDevices(db, tenant, endsAt),
      gatewayOutagesInPeriod(db, tenant, startsAt, endsAt),
      liveDevices(db, tenant)
        .select((eb) => ["devices.agent_version as version", eb.fn.countAll<number>().as("n")])
        .where("devices.agent_version", "is not", null)
        .groupBy("devices.agent_version")
        .execute(),
      liveDevices(db, tenant)
        .select((eb) => ["devices.pattern_version as version", eb.fn.countAll<number>().as("n")])
        .where("devices.pattern_version", "is not", null)
        .groupBy("devices.pattern_version")
        .execute(),
      db
        .selectFrom("incidents")
        .innerJoin("contracts", "contracts.id", "incidents.contract_id")
        .innerJoin("customers", "customers.id", "contracts.customer_id")
        .select((eb) => ["incidents.severity", eb.fn.countAll<number>().as("n")])
        .where("incidents.status", "<>", "resolved")
        .where(inScope(tenant, { at: "incidents.opened_at" }))
        .groupBy("incidents.severity")
        .execute(),
    ]);

  // Gateways: status and availability per device, from the outages SQL has already paired.
  const spanMs = Date.parse(measuredEnd) - Date.parse(startsAt);
  const downMs = new Map<string, number>();
  for (const o of outages) {
    const from = Math.max(Date.parse(o.offline_at), Date.parse(startsAt));
    const to = Math.min(
      o.online_at === null ? Infinity : Date.parse(o.online_at),
      Date.parse(measuredEnd),
    );
    if (to <= from) continue;
    const key = `${o.contract_id}\u0000${o.device_name}`;
    downMs.set(key, (downMs.get(key) ?? 0) + (to - from));
  }
  const measured = gateways.map((g) => ({
    g,
    down: downMs.get(`${g.contract_id}\u0000${g.name}`) ?? 0,
  }));
  const gatewayRows: GatewayStatus[] = measured
    .map(({ g, down }) => ({
      contractRef: g.ref,
      customerName: g.customer_name,
      device: g.name,
      location: g.location,
      lastSeenAt: g.last_seen_at,
      status: g.last_status === "gateway_offline" ? ("offline" as const) : ("online" as const),
      statusSince: g.last_status_at ? fromHolding(tenant, g.last_status_at, g.holder_since) : null,
      downtimeMinutes: Math.floor(down / 60_000),
      availabilityPercent: percentDown(spanMs - down, spanMs),
    }))
    .sort(
      (a, b) =>
        (a.status === b.status ? 0 : a.status === "offline" ? -1 : 1) ||
        a.contractRef.localeCompare(b.contractRef) ||
        a.device.localeCompare(b.device),
    );
  const totalDown = measured.reduce((sum, m) => sum + m.down, 0);

  // Agents and patterns: the newest version the tenant's devices run, and who lags behind it.
  const newest = (rows: Array<{ version: string | null }>) =>
    rows
      .map((r) => r.version!)
      .reduce<string | null>((m, v) => (m === null || compareVersions(v, m) > 0 ? v : m), null);
  const newestAgent = newest(agentVersions);
  const newestPattern = newest(patternVersions);
  const olderAgents = agentVersions
    .map((r) => r.version!)
    .filter((v) => compareVersions(v, newestAgent!) < 0);
  const olderPatterns = patternVersions
    .map((r) => r.version!)
    .filter((v) => compareVersions(v, newestPattern!) < 0);
  const outdated = await outdatedDevices(db, tenant, olderAgents, olderPatterns);

  const bySeverity = Object.fromEntries(incidents.map((r) => [r.severity, asNumber(r.n)]));
  return {
    from: period.from,
    to: period.to,
    detectionTotal: byDay.days.reduce((s, d) => s + d.total, 0),
    detectionsByDay: byDay.days,
    typesSeen: byDay.typesSeen,
    actions: DETECTION_ACTIONS.map((action) => ({ action, count: byDay.actions.get(action) ?? 0 })),
    topThreats: threats.map((r) => ({ threat: r.threat!, count: asNumber(r.n) })),
    topDevices: devices.map((r) => ({
      contractRef: r.ref,
      customerName: r.name,
      device: r.device_name,
      count: asNumber(r.n),
    })),
    gateways: gatewayRows,
    gatewaysOffline: gatewayRows.filter((g) => g.status === "offline").length,
    availabilityPercent:
      gatewayRows.length === 0
        ? null
        : percentDown(spanMs * gatewayRows.length - totalDown, spanMs * gatewayRows.length),
    outdated: { newestAgent, newestPattern, ...outdated },
    openIncidents: { total: incidents.reduce((s, r) => s + asNumber(r.n), 0), bySeverity },
  };
}

/*
 * The detection figures read the daily aggregates (migration 000800, kept by triggers on
 * security_events in the same transaction as every insert and delete): a few rows per
 * contract, JST day and type instead of every event of the period. A period is whole JST
 * days, so [from, to] on `day` is exactly [00:00 JST of from, 00:00 JST after to) on
 * detected_at. The primary keys start with (contract_id, day): each contract of the tenant
 * is one range read.
 */

/** Detections per threat of the tenant's contracts on the JST days [from, to] (detections only, threat set). */
function dailyThreats(db: Kysely<Database>, tenant: Scope, from: IsoDate, to: IsoDate) {
  return db
    .selectFrom("event_daily_threats")
    .innerJoin("contracts", "contracts.id", "event_daily_threats.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where("event_daily_threats.day", ">=", from)
    .where("event_daily_threats.day", "<=", to)
    .where(inScope(tenant, { day: "event_daily_threats.day" }));
}

/** Detections per device of the tenant's contracts on the JST days [from, to]. */
function dailyDevices(db: Kysely<Database>, tenant: Scope, from: IsoDate, to: IsoDate) {
  return db
    .selectFrom("event_daily_devices")
    .innerJoin("contracts", "contracts.id", "event_daily_devices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where("event_daily_devices.day", ">=", from)
    .where("event_daily_devices.day", "<=", to)
    .where(inScope(tenant, { day: "event_daily_devices.day" }));
}

/** Detections per JST day and type, and per action, from event_daily_counts (action '' = none). */
async function detectionsPerDay(db: Kysely<Database>, tenant: Scope, from: IsoDate, to: IsoDate) {
  const days = Array.from({ length: daysBetween(from, to) + 1 }, (_, i) => addDays(from, i));
  const rows = await db
    .selectFrom("event_daily_counts")
    .innerJoin("contracts", "contracts.id", "event_daily_counts.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select((eb) => [
      "event_daily_counts.day",
      "event_daily_counts.type",
      "event_daily_counts.action",
      eb.fn.sum<number>("event_daily_counts.count").as("n"),
    ])
    .where("event_daily_counts.day", ">=", from)
    .where("event_daily_counts.day", "<=", to)
    .where("event_daily_counts.type", "in", DETECTION_TYPES)
    .where(inScope(tenant, { day: "event_daily_counts.day" }))
    .groupBy(["event_daily_counts.day", "event_daily_counts.type", "event_daily_counts.action"])
    .execute();
  const byDay = new Map<string, DayDetections>(
    days.map((day) => [day, { day, counts: {}, total: 0 }]),
  );
  const actions = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of rows) {
    const entry = byDay.get(r.day)!;
    const n = asNumber(r.n);
    const type = r.type as DetectionType;
    entry.counts[type] = (entry.counts[type] ?? 0) + n;
    entry.total += n;
    seen.add(type);
    if (r.action !== "") actions.set(r.action, (actions.get(r.action) ?? 0) + n);
  }
  return {
    days: [...byDay.values()],
    typesSeen: DETECTION_TYPES.filter((t) => seen.has(t)),
    actions,
  };
}

/** Devices of the tenant's contracts that are not terminated. */
function liveDevices(db: Kysely<Database>, tenant: Scope) {
  return db
    .selectFrom("devices")
    .innerJoin("contracts", "contracts.id", "devices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where("contracts.status", "<>", "terminated")
    .where(inScope(tenant));
}

/** Each live gateway with its last heartbeat and its latest offline/online event before `endsAt`. */
function gatewayDevices(db: Kysely<Database>, tenant: Scope, endsAt: Instant) {
  return liveDevices(db, tenant)
    .select((eb) => {
      const latestStatusEvent = () =>
        eb
          .selectFrom("security_events as s")
          .whereRef("s.contract_id", "=", "devices.contract_id")
          .whereRef("s.device_name", "=", "devices.name")
          .where("s.type", "in", ["gateway_offline", "gateway_online"])
          .where(inRuleIndex)
          .where("s.detected_at", "<", endsAt)
          .orderBy("s.detected_at", "desc")
          .orderBy("s.id", "desc")
          .limit(1);
      return [
        "devices.contract_id",
        "devices.name",
        "devices.location",
        "devices.last_seen_at",
        "contracts.ref",
        "contracts.holder_since",
        "customers.name as customer_name",
        latestStatusEvent().select("s.type").as("last_status"),
        latestStatusEvent().select("s.detected_at").as("last_status_at"),
      ];
    })
    .where("devices.device_type", "=", "gateway")
    .orderBy("contracts.ref")
    .orderBy("devices.name")
    .execute();
}

/**
 * The gateway outages that overlap [startsAt, endsAt), paired in SQL as `gatewayOutages` pairs
 * them (notification-windows.ts): each offline event takes the device's first online event
 * after it; offline events that share that online event are one outage, from the earliest.
 * `online_at` null = still offline. A customer's outages start no earlier than its holding of
 * the contract (T-10): one that was over before is not its own.
 */
export async function gatewayOutagesInPeriod(
  db: Kysely<Database>,
  tenant: Scope,
  startsAt: Instant,
  endsAt: Instant,
) {
  const paired = db
    .selectFrom("security_events as off")
    .innerJoin("contracts", "contracts.id", "off.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select((eb) => [
      "off.contract_id",
      "off.device_name",
      "off.detected_at as offline_at",
      "contracts.holder_since",
      eb
        .selectFrom("security_events as on")
        .select((e) => e.fn.min<string>("on.detected_at").as("t"))
        .whereRef("on.contract_id", "=", "off.contract_id")
        .whereRef("on.device_name", "=", "off.device_name")
        .where("on.type", "=", "gateway_online")
        .where(inRuleIndex)
        .whereRef("on.detected_at", ">", "off.detected_at")
        .as("online_at"),
    ])
    .where("off.type", "=", "gateway_offline")
    .where(inRuleIndex)
    .where("off.detected_at", "<", endsAt)
    .where(inScope(tenant));
  const outages = await db
    .selectFrom(paired.as("p"))
    .select((eb) => [
      "p.contract_id",
      "p.device_name",
      eb.fn.min<string>("p.offline_at").as("offline_at"),
      "p.online_at",
      "p.holder_since",
    ])
    .where((eb) => eb.or([eb("p.online_at", "is", null), eb("p.online_at", ">", startsAt)]))
    // holder_since is the contract's: grouping by it changes nothing, and PostgreSQL requires it.
    .groupBy(["p.contract_id", "p.device_name", "p.online_at", "p.holder_since"])
    .execute();
  return outages
    .map(({ holder_since, ...o }) => ({
      ...o,
      offline_at: fromHolding(tenant, o.offline_at, holder_since),
    }))
    .filter((o) => o.online_at === null || o.online_at > o.offline_at);
}

async function outdatedDevices(
  db: Kysely<Database>,
  tenant: Scope,
  olderAgents: string[],
  olderPatterns: string[],
) {
  if (olderAgents.length === 0 && olderPatterns.length === 0)
    return { count: 0, devices: [] as OutdatedDevice[] };
  const lagging = () =>
    liveDevices(db, tenant).where((eb) =>
      eb.or([
        ...(olderAgents.length ? [eb("devices.agent_version", "in", olderAgents)] : []),
        ...(olderPatterns.length ? [eb("devices.pattern_version", "in", olderPatterns)] : []),
      ]),
    );
  const [count, rows] = await Promise.all([
    lagging()
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
    lagging()
      .select([
        "contracts.ref",
        "customers.name as customer_name",
        "devices.name",
        "devices.device_type",
        "devices.agent_version",
        "devices.pattern_version",
      ])
      .orderBy("contracts.ref")
      .orderBy("devices.name")
      .limit(OUTDATED_LIST_LIMIT)
      .execute(),
  ]);
  return {
    count: asNumber(count.n),
    devices: rows.map((r) => ({
      contractRef: r.ref,
      customerName: r.customer_name,
      device: r.name,
      deviceType: r.device_type,
      agentVersion: r.agent_version,
      patternVersion: r.pattern_version,
      agentOutdated: r.agent_version !== null && olderAgents.includes(r.agent_version),
      patternOutdated: r.pattern_version !== null && olderPatterns.includes(r.pattern_version),
    })),
  };
}
