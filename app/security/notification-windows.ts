// S1-4① Incident notification: which security events are notified to the customer's
// system administrators, and when each channel may reach them.
//   - E-mail: at once, 24 hours a day, 365 days (a system notification).
//   - Phone: 09:00 ≤ t < 21:00 JST every day except the year-end holidays 12/29–1/3; an
//     event outside that window is phoned at 09:00 of the next day (the same day when it
//     happened before 09:00) that is not a year-end holiday. National holidays and weekends
//     are ordinary phone days: the terms exclude only the year-end break.
//   - Notified events (docs/rules/import-format.md, Events): `cc_callback` from a gateway; an endpoint
//     `virus`/`network_virus` whose action `failed`; a gateway offline longer than the
//     contract's threshold (「一定期間」, 60 minutes unless the contract sets another).
// Pure functions: "now" and the threshold come in as parameters.
import { isYearEndHoliday, nextInstantInWindow, type DailyWindow } from "../lib/jst";

export type SecurityEventType =
  | "virus"
  | "network_virus"
  | "spyware"
  | "grayware"
  | "spam"
  | "phishing"
  | "cc_callback"
  | "web_block"
  | "app_block"
  | "intrusion"
  | "sandbox"
  | "gateway_offline"
  | "gateway_online"
  | "pattern_outdated"
  | "license_expiring";

export type SecurityEventAction = "removed" | "quarantined" | "blocked" | "passed" | "failed";

/** The part of an ingested event (docs/rules/import-format.md, Events) that the notification rules read. */
export interface SecurityEvent {
  id: string;
  device: string;
  /** `endpoint` or `gateway`. */
  source: string;
  type: SecurityEventType;
  action?: SecurityEventAction | null;
  detectedAt: Date;
}

export type NotificationChannel = "email" | "phone";

export interface PlannedNotification {
  eventId: string;
  channel: NotificationChannel;
  at: Date;
}

/** S1-4①: the default of 「一定期間」 when the contract sets no offline threshold. */
export const DEFAULT_OFFLINE_THRESHOLD_MINUTES = 60;

/** S1-4① phone window: 09:00 ≤ t < 21:00, every day but 12/29–1/3. */
export const PHONE_WINDOW: DailyWindow = {
  opens: "09:00",
  closes: "21:00",
  isOpenDay: (date) => !isYearEndHoliday(date),
};

/** S1-4①: e-mail notifications are sent at once, day and night, all year. */
export function emailAt(eventAt: Date): Date {
  return new Date(eventAt.getTime());
}

/**
 * S1-4①: when the customer is phoned about an event — at once inside the phone window,
 * otherwise at 09:00 of the next day that is not a year-end holiday
 * (2024-12-28 22:30 → 2025-01-04 09:00; 08:15 → 09:00 the same day).
 */
export function phoneCallAt(eventAt: Date): Date {
  return nextInstantInWindow(eventAt, PHONE_WINDOW);
}

/**
 * S1-4①: whether an event is notified on its own, at its detection time. A gateway going
 * offline is not: it is notified only once the outage outlasts the contract's threshold
 * (`offlineNotificationAt`, `planNotifications`).
 */
export function isNotifiable(event: Pick<SecurityEvent, "source" | "type" | "action">): boolean {
  if (event.type === "cc_callback") return event.source === "gateway";
  if (event.type === "virus" || event.type === "network_virus") {
    return event.source === "endpoint" && event.action === "failed";
  }
  return false;
}

/**
 * S1-4①: the moment a gateway outage becomes notifiable — `offlineAt + threshold` — or null
 * when the gateway came back before it was offline *longer than* the threshold
 * (docs/rules/import-format.md). Interpretation: back online exactly at the threshold is an outage of
 * exactly the threshold, not longer, so it is not notified (59 and 60 minutes → null,
 * 61 minutes → notified at the 60-minute mark). `backOnlineAt` null = still offline.
 */
export function offlineNotificationAt(
  offlineAt: Date,
  thresholdMinutes: number = DEFAULT_OFFLINE_THRESHOLD_MINUTES,
  backOnlineAt: Date | null = null,
): Date | null {
  assertThreshold(thresholdMinutes);
  const crossing = new Date(offlineAt.getTime() + thresholdMinutes * 60_000);
  if (backOnlineAt !== null && backOnlineAt.getTime() <= crossing.getTime()) return null;
  return crossing;
}

/** One gateway outage: from an offline event to the device's next online event. */
export interface GatewayOutage {
  device: string;
  offlineEventId: string;
  offlineAt: Date;
  /** null while no online event for the device has been received yet. */
  backOnlineAt: Date | null;
}

/**
 * Pairs `gateway_offline` / `gateway_online` events per device in time order (ties by id).
 * A second offline event while the device is already offline belongs to the same outage,
 * and an online event with no outage open is ignored — so each outage is counted once and
 * carries the id of the offline event that opened it.
 */
export function gatewayOutages(events: readonly SecurityEvent[]): GatewayOutage[] {
  const open = new Map<string, GatewayOutage>();
  const outages: GatewayOutage[] = [];
  for (const event of inTimeOrder(events)) {
    if (event.type === "gateway_offline") {
      if (open.has(event.device)) continue;
      const outage: GatewayOutage = {
        device: event.device,
        offlineEventId: event.id,
        offlineAt: event.detectedAt,
        backOnlineAt: null,
      };
      open.set(event.device, outage);
      outages.push(outage);
    } else if (event.type === "gateway_online") {
      const outage = open.get(event.device);
      if (!outage) continue;
      outage.backOnlineAt = event.detectedAt;
      open.delete(event.device);
    }
  }
  return outages;
}

export interface PlanOptions {
  /** The contract's offline threshold (「一定期間」); 60 minutes unless set. */
  offlineThresholdMinutes?: number;
  /**
   * The present. An outage with no online event yet is planned only once its threshold
   * has been crossed by `now`: before that it is not known that it will be notified.
   */
  now: Date;
}

/**
 * S1-4①: every notification the events of one contract caused or will cause, e-mail and
 * phone for each notified event, at the time the terms require (whenever the event was
 * ingested): e-mail at the event time (for a gateway outage, the moment the threshold was
 * crossed, under the offline event's id), phone at the next phone window from that time.
 * Ordered by time, then event id, e-mail before phone. Duplicate event ids count once.
 */
export function planNotifications(
  events: readonly SecurityEvent[],
  options: PlanOptions,
): PlannedNotification[] {
  const threshold = options.offlineThresholdMinutes ?? DEFAULT_OFFLINE_THRESHOLD_MINUTES;
  assertThreshold(threshold);
  const unique = uniqueById(events);
  const triggers: Array<{ eventId: string; at: Date }> = [];

  for (const event of unique) {
    if (isNotifiable(event)) triggers.push({ eventId: event.id, at: event.detectedAt });
  }
  for (const outage of gatewayOutages(unique)) {
    const at = offlineNotificationAt(outage.offlineAt, threshold, outage.backOnlineAt);
    if (at === null) continue;
    if (outage.backOnlineAt === null && at.getTime() > options.now.getTime()) continue;
    triggers.push({ eventId: outage.offlineEventId, at });
  }

  const plan = triggers.flatMap(({ eventId, at }): PlannedNotification[] => [
    { eventId, channel: "email", at: emailAt(at) },
    { eventId, channel: "phone", at: phoneCallAt(at) },
  ]);
  return plan.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      compareText(a.eventId, b.eventId) ||
      compareText(a.channel, b.channel),
  );
}

function assertThreshold(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes <= 0) {
    throw new RangeError(
      `offline threshold must be a positive whole number of minutes, got ${minutes}`,
    );
  }
}

function uniqueById(events: readonly SecurityEvent[]): SecurityEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
}

function inTimeOrder(events: readonly SecurityEvent[]): SecurityEvent[] {
  return [...events].sort(
    (a, b) => a.detectedAt.getTime() - b.detectedAt.getTime() || compareText(a.id, b.id),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
