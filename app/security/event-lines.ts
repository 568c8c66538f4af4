// One line of an events NDJSON file (docs/rules/import-format.md, Events): a device line
// (`"kind":"device"`, S7 device data) or a security event. Pure: the caller says which
// contract refs exist. Problems are `field: message`, ready to be prefixed with `FILE:LINE: `.
import { isIsoDate, parseInstant } from "../lib/jst";
import type { SecurityEventAction, SecurityEventType } from "./notification-windows";

export const EVENT_TYPES: readonly SecurityEventType[] = [
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
  "gateway_offline",
  "gateway_online",
  "pattern_outdated",
  "license_expiring",
];
export const EVENT_ACTIONS: readonly SecurityEventAction[] = [
  "removed",
  "quarantined",
  "blocked",
  "passed",
  "failed",
];
// Interpretation (docs/decisions/0004-security-data.md): the spec shows `high`/`critical` and the
// S1 functions (gateway, endpoint, cloud sandbox); the lists are completed accordingly.
export const EVENT_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export const EVENT_SOURCES = ["endpoint", "gateway", "sandbox"] as const;
export const DEVICE_TYPES = ["pc", "server", "gateway", "smartphone", "tablet"] as const;

export type DeviceType = (typeof DEVICE_TYPES)[number];

export interface EventRecord {
  kind: "event";
  id: string;
  contract: string;
  device: string;
  source: string;
  type: SecurityEventType;
  severity: string;
  action: SecurityEventAction | null;
  threat: string | null;
  url: string | null;
  detectedAt: Date;
}

/** S7 device data; a field left out keeps what is stored (or "" for a new device). */
export interface DeviceRecord {
  kind: "device";
  contract: string;
  name: string;
  deviceType: DeviceType;
  os: string | null;
  ip: string | null;
  location: string | null;
  agentVersion: string | null;
  patternVersion: string | null;
  lastSeenAt: Date | null;
}

export type IngestRecord = EventRecord | DeviceRecord;

export type LineResult =
  { record: IngestRecord; problems?: undefined } | { record?: undefined; problems: string[] };

/** Parses and validates one non-blank line of text. */
export function parseEventLine(
  text: string,
  isKnownContract: (ref: string) => boolean,
): LineResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problems: ["not valid JSON"] };
  }
  return validateIngestObject(value, isKnownContract);
}

/** Validates one decoded line (also used for the vendor API's items once mapped). */
export function validateIngestObject(
  value: unknown,
  isKnownContract: (ref: string) => boolean,
): LineResult {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { problems: ["not a JSON object"] };
  const o = value as Record<string, unknown>;
  const problems: string[] = [];
  const check = new Checker(o, problems);

  const contract = check.text("contract");
  if (contract !== null && !isKnownContract(contract))
    problems.push(`contract: unknown contract "${contract}"`);

  if (o.kind === "device") {
    const record: DeviceRecord = {
      kind: "device",
      contract: contract ?? "",
      name: check.text("name") ?? "",
      deviceType: check.oneOf("deviceType", DEVICE_TYPES, "device type") ?? "pc",
      os: check.optionalText("os"),
      ip: check.optionalText("ip"),
      location: check.optionalText("location"),
      agentVersion: check.optionalText("agentVersion"),
      patternVersion: check.optionalText("patternVersion"),
      lastSeenAt:
        o.lastSeenAt === undefined || o.lastSeenAt === null ? null : check.instant("lastSeenAt"),
    };
    return problems.length ? { problems } : { record };
  }
  if (o.kind !== undefined && o.kind !== "event") {
    return { problems: [`kind: unknown kind ${JSON.stringify(o.kind)}`, ...problems] };
  }

  const record: EventRecord = {
    kind: "event",
    id: check.text("id") ?? "",
    contract: contract ?? "",
    device: check.text("device") ?? "",
    source: check.oneOf("source", EVENT_SOURCES, "source") ?? "",
    type: check.oneOf("type", EVENT_TYPES, "type") ?? "virus",
    severity: check.oneOf("severity", EVENT_SEVERITIES, "severity") ?? "",
    action:
      o.action === undefined || o.action === null
        ? null
        : check.oneOf("action", EVENT_ACTIONS, "action"),
    threat: check.optionalText("threat"),
    url: check.optionalText("url"),
    detectedAt: check.instant("detectedAt") ?? new Date(0),
  };
  return problems.length ? { problems } : { record };
}

class Checker {
  constructor(
    private readonly o: Record<string, unknown>,
    private readonly problems: string[],
  ) {}

  text(field: string): string | null {
    const v = this.o[field];
    if (typeof v === "string" && v.trim() !== "") return v;
    this.problems.push(
      v === undefined || v === null ? `${field}: required` : `${field}: must be a non-empty string`,
    );
    return null;
  }

  optionalText(field: string): string | null {
    const v = this.o[field];
    if (v === undefined || v === null) return null;
    if (typeof v === "string") return v;
    this.problems.push(`${field}: must be a string`);
    return null;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], what: string): T | null {
    const v = this.o[field];
    if (v === undefined || v === null) {
      this.problems.push(`${field}: required`);
      return null;
    }
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
    this.problems.push(`${field}: unknown ${what} ${JSON.stringify(v)}`);
    return null;
  }

  instant(field: string): Date | null {
    const v = this.o[field];
    if (v === undefined || v === null) {
      this.problems.push(`${field}: required`);
      return null;
    }
    // parseInstant lets Date roll 02-30 over to 03-01; a date that does not exist is refused here
    // (only days 29–31 can roll over, so only they are looked up: this runs once per event).
    const t = parseInstant(v);
    const exists =
      t !== null && (Number(String(v).slice(8, 10)) <= 28 || isIsoDate(String(v).slice(0, 10)));
    if (!exists)
      this.problems.push(`${field}: not an ISO 8601 instant with offset: ${JSON.stringify(v)}`);
    return exists ? t : null;
  }
}
