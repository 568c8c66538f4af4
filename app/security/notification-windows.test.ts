// S1-4① incident notification windows and the notification plan.
import { describe, expect, it } from "vitest";
import { formatJstIso, parseInstant } from "../lib/jst";
import {
  emailAt,
  gatewayOutages,
  isNotifiable,
  offlineNotificationAt,
  phoneCallAt,
  planNotifications,
  type SecurityEvent,
} from "./notification-windows";

const t = (iso: string): Date => {
  const d = parseInstant(iso);
  if (!d) throw new Error(`bad instant ${iso}`);
  return d;
};
const jst = (d: Date | null) => (d === null ? null : formatJstIso(d));

describe("S1-4① phone window", () => {
  it("phones an event before 09:00 at 09:00 the same day", () => {
    expect(jst(phoneCallAt(t("2025-06-16T08:15:00+09:00")))).toBe("2025-06-16T09:00:00+09:00");
  });

  it("phones at once inside 09:00 ≤ t < 21:00, to the second", () => {
    expect(phoneCallAt(t("2025-06-16T20:59:00+09:00")).toISOString()).toBe(
      "2025-06-16T11:59:00.000Z",
    );
    expect(phoneCallAt(t("2025-06-16T20:59:59+09:00")).toISOString()).toBe(
      "2025-06-16T11:59:59.000Z",
    );
    expect(jst(phoneCallAt(t("2025-06-16T09:00:00+09:00")))).toBe("2025-06-16T09:00:00+09:00");
  });

  it("phones an event at 21:00 or later at 09:00 the next day", () => {
    expect(jst(phoneCallAt(t("2025-06-16T21:00:00+09:00")))).toBe("2025-06-17T09:00:00+09:00");
    expect(jst(phoneCallAt(t("2025-06-16T23:59:59+09:00")))).toBe("2025-06-17T09:00:00+09:00");
  });

  it("phones on weekends and national holidays like any other day", () => {
    expect(jst(phoneCallAt(t("2025-01-13T10:00:00+09:00")))).toBe("2025-01-13T10:00:00+09:00"); // 成人の日
    expect(jst(phoneCallAt(t("2025-05-03T07:00:00+09:00")))).toBe("2025-05-03T09:00:00+09:00"); // Saturday, 憲法記念日
  });

  it("skips the year-end holidays 12/29–1/3 (terms example)", () => {
    expect(jst(phoneCallAt(t("2024-12-28T22:30:00+09:00")))).toBe("2025-01-04T09:00:00+09:00");
    expect(jst(phoneCallAt(t("2025-01-03T10:00:00+09:00")))).toBe("2025-01-04T09:00:00+09:00");
    expect(jst(phoneCallAt(t("2024-12-29T08:00:00+09:00")))).toBe("2025-01-04T09:00:00+09:00");
    expect(jst(phoneCallAt(t("2024-12-28T20:59:00+09:00")))).toBe("2024-12-28T20:59:00+09:00");
  });

  it("reads the instant in Japan time whatever offset it was written with", () => {
    // 2024-12-28T13:30Z is 22:30 JST.
    expect(jst(phoneCallAt(t("2024-12-28T13:30:00Z")))).toBe("2025-01-04T09:00:00+09:00");
  });

  it("e-mails at once, even on New Year's Day at night", () => {
    expect(emailAt(t("2025-01-01T03:07:42+09:00")).toISOString()).toBe("2024-12-31T18:07:42.000Z");
  });
});

describe("S1-4① which events notify", () => {
  it("notifies C&C communication detected by a gateway", () => {
    expect(isNotifiable({ source: "gateway", type: "cc_callback", action: "blocked" })).toBe(true);
    expect(isNotifiable({ source: "endpoint", type: "cc_callback", action: "blocked" })).toBe(
      false,
    );
  });

  it("notifies an endpoint virus only when removal/quarantine failed", () => {
    expect(isNotifiable({ source: "endpoint", type: "virus", action: "failed" })).toBe(true);
    expect(isNotifiable({ source: "endpoint", type: "network_virus", action: "failed" })).toBe(
      true,
    );
    expect(isNotifiable({ source: "endpoint", type: "virus", action: "quarantined" })).toBe(false);
    expect(isNotifiable({ source: "endpoint", type: "virus", action: "removed" })).toBe(false);
    expect(isNotifiable({ source: "gateway", type: "virus", action: "failed" })).toBe(false);
    expect(isNotifiable({ source: "endpoint", type: "spyware", action: "failed" })).toBe(false);
  });

  it("does not notify a gateway offline event by itself", () => {
    expect(isNotifiable({ source: "gateway", type: "gateway_offline", action: null })).toBe(false);
    expect(isNotifiable({ source: "gateway", type: "web_block", action: "blocked" })).toBe(false);
  });
});

describe("S1-4① gateway offline threshold", () => {
  const down = t("2025-06-16T10:00:00+09:00");

  it("does not notify an outage of 59 or exactly 60 minutes", () => {
    expect(offlineNotificationAt(down, 60, t("2025-06-16T10:59:00+09:00"))).toBeNull();
    expect(offlineNotificationAt(down, 60, t("2025-06-16T11:00:00+09:00"))).toBeNull();
  });

  it("notifies an outage of 61 minutes at the moment the threshold was crossed", () => {
    expect(jst(offlineNotificationAt(down, 60, t("2025-06-16T11:01:00+09:00")))).toBe(
      "2025-06-16T11:00:00+09:00",
    );
  });

  it("notifies a gateway still offline, with the contract's own threshold or the default", () => {
    expect(jst(offlineNotificationAt(down, 60, null))).toBe("2025-06-16T11:00:00+09:00");
    expect(jst(offlineNotificationAt(down))).toBe("2025-06-16T11:00:00+09:00");
    expect(jst(offlineNotificationAt(down, 30, t("2025-06-16T10:45:00+09:00")))).toBe(
      "2025-06-16T10:30:00+09:00",
    );
  });

  it("rejects a threshold that is not a positive number of minutes", () => {
    expect(() => offlineNotificationAt(down, 0, null)).toThrow(RangeError);
    expect(() => offlineNotificationAt(down, 1.5, null)).toThrow(RangeError);
  });
});

describe("S1-4① notification plan of one contract", () => {
  const ev = (
    id: string,
    device: string,
    source: string,
    type: SecurityEvent["type"],
    at: string,
    action: SecurityEvent["action"] = null,
  ): SecurityEvent => ({ id, device, source, type, action, detectedAt: t(at) });
  const show = (plan: ReturnType<typeof planNotifications>) =>
    plan.map((n) => `${n.eventId} ${n.channel} ${formatJstIso(n.at)}`);

  it("plans e-mail at once and phone in the window for each notified event", () => {
    const events = [
      ev("evt-000001", "PC-001", "endpoint", "virus", "2024-06-01T10:00:00+09:00", "quarantined"),
      ev("evt-000002", "GW-01", "gateway", "cc_callback", "2024-06-01T23:10:00+09:00", "blocked"),
      ev("evt-000003", "PC-002", "endpoint", "virus", "2024-12-28T22:30:00+09:00", "failed"),
    ];
    expect(show(planNotifications(events, { now: t("2025-02-01T00:00:00+09:00") }))).toEqual([
      "evt-000002 email 2024-06-01T23:10:00+09:00",
      "evt-000002 phone 2024-06-02T09:00:00+09:00",
      "evt-000003 email 2024-12-28T22:30:00+09:00",
      "evt-000003 phone 2025-01-04T09:00:00+09:00",
    ]);
  });

  it("pairs offline/online events per device and notifies each long outage once, under the offline event's id", () => {
    const events = [
      // GW-01: 61 minutes offline, with a repeated offline event inside the same outage.
      ev("evt-000010", "GW-01", "gateway", "gateway_offline", "2025-06-16T20:30:00+09:00"),
      ev("evt-000011", "GW-01", "gateway", "gateway_offline", "2025-06-16T20:45:00+09:00"),
      ev("evt-000012", "GW-01", "gateway", "gateway_online", "2025-06-16T21:31:00+09:00"),
      // GW-02: down 90 minutes; GW-01's online event at 21:31 must not close GW-02's outage.
      ev("evt-000020", "GW-02", "gateway", "gateway_offline", "2025-06-16T21:00:00+09:00"),
      ev("evt-000021", "GW-02", "gateway", "gateway_online", "2025-06-16T22:30:00+09:00"),
      // GW-03: exactly 60 minutes offline — not longer than the threshold.
      ev("evt-000030", "GW-03", "gateway", "gateway_offline", "2025-06-16T12:00:00+09:00"),
      ev("evt-000031", "GW-03", "gateway", "gateway_online", "2025-06-16T13:00:00+09:00"),
      // GW-01 again: a second outage of 59 minutes, then a third still open.
      ev("evt-000013", "GW-01", "gateway", "gateway_offline", "2025-06-17T08:00:00+09:00"),
      ev("evt-000014", "GW-01", "gateway", "gateway_online", "2025-06-17T08:59:00+09:00"),
      ev("evt-000015", "GW-01", "gateway", "gateway_offline", "2025-06-17T10:00:00+09:00"),
    ];
    expect(show(planNotifications(events, { now: t("2025-06-17T12:00:00+09:00") }))).toEqual([
      "evt-000010 email 2025-06-16T21:30:00+09:00",
      "evt-000020 email 2025-06-16T22:00:00+09:00",
      "evt-000010 phone 2025-06-17T09:00:00+09:00",
      "evt-000020 phone 2025-06-17T09:00:00+09:00",
      "evt-000015 email 2025-06-17T11:00:00+09:00",
      "evt-000015 phone 2025-06-17T11:00:00+09:00",
    ]);
  });

  it("leaves out an open outage whose threshold is not yet crossed at `now`", () => {
    const events = [
      ev("evt-000060", "GW-01", "gateway", "gateway_offline", "2025-06-17T10:00:00+09:00"),
    ];
    expect(planNotifications(events, { now: t("2025-06-17T10:59:59+09:00") })).toEqual([]);
    expect(show(planNotifications(events, { now: t("2025-06-17T11:00:00+09:00") }))).toEqual([
      "evt-000060 email 2025-06-17T11:00:00+09:00",
      "evt-000060 phone 2025-06-17T11:00:00+09:00",
    ]);
  });

  it("uses the contract's threshold, and pairs events given out of order (ingested late)", () => {
    const events = [
      ev("evt-000041", "GW-01", "gateway", "gateway_online", "2024-12-31T23:50:00+09:00"),
      ev("evt-000040", "GW-01", "gateway", "gateway_offline", "2024-12-31T23:00:00+09:00"),
    ];
    const now = t("2025-01-10T00:00:00+09:00");
    expect(planNotifications(events, { now })).toEqual([]);
    expect(show(planNotifications(events, { now, offlineThresholdMinutes: 30 }))).toEqual([
      "evt-000040 email 2024-12-31T23:30:00+09:00",
      "evt-000040 phone 2025-01-04T09:00:00+09:00",
    ]);
  });

  it("counts a duplicated event once and ignores an online event with no outage open", () => {
    const cc = ev(
      "evt-000050",
      "GW-01",
      "gateway",
      "cc_callback",
      "2025-06-16T10:00:00+09:00",
      "blocked",
    );
    const events = [
      cc,
      { ...cc },
      ev("evt-000051", "GW-01", "gateway", "gateway_online", "2025-06-16T11:00:00+09:00"),
    ];
    expect(show(planNotifications(events, { now: t("2025-06-17T00:00:00+09:00") }))).toEqual([
      "evt-000050 email 2025-06-16T10:00:00+09:00",
      "evt-000050 phone 2025-06-16T10:00:00+09:00",
    ]);
    expect(gatewayOutages(events)).toEqual([]);
  });
});
