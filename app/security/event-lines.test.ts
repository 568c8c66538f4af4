// One NDJSON line of docs/rules/import-format.md (Events): what is accepted and the messages for what is not.
import { describe, expect, it } from "vitest";
import { EVENT_ACTIONS, EVENT_TYPES, parseEventLine } from "./event-lines";

const known = (ref: string) => ref === "K1";
const parse = (o: unknown) => parseEventLine(JSON.stringify(o), known);
const base = {
  id: "evt-000001",
  contract: "K1",
  device: "PC-001",
  source: "endpoint",
  type: "virus",
  severity: "high",
  detectedAt: "2024-06-01T10:00:00+09:00",
};

describe("event lines", () => {
  it("reads the two examples of docs/rules/import-format.md", () => {
    expect(parse({ ...base, threat: "TROJ_GENERIC", action: "quarantined" }).record).toEqual({
      kind: "event",
      id: "evt-000001",
      contract: "K1",
      device: "PC-001",
      source: "endpoint",
      type: "virus",
      severity: "high",
      action: "quarantined",
      threat: "TROJ_GENERIC",
      url: null,
      detectedAt: new Date("2024-06-01T01:00:00Z"),
    });
    expect(
      parse({
        id: "evt-000002",
        contract: "K1",
        device: "GW-01",
        source: "gateway",
        type: "cc_callback",
        severity: "critical",
        detectedAt: "2024-06-01T23:10:00+09:00",
        url: "http://bad.example/",
        action: "blocked",
      }).record,
    ).toMatchObject({
      type: "cc_callback",
      url: "http://bad.example/",
      action: "blocked",
      threat: null,
    });
  });

  it("accepts every type and action of the spec, `kind: event`, UTC instants and fractions of a second", () => {
    for (const type of EVENT_TYPES) expect(parse({ ...base, type }).problems).toBeUndefined();
    for (const action of EVENT_ACTIONS) expect(parse({ ...base, action }).problems).toBeUndefined();
    expect(EVENT_TYPES).toHaveLength(15);
    expect(
      parse({ ...base, kind: "event", detectedAt: "2024-06-01T01:00:00.250Z" }).record?.kind,
    ).toBe("event");
  });

  it("reads a device line; fields left out stay null (kept on update)", () => {
    expect(
      parseEventLine(
        '{"kind":"device","contract":"K1","name":"PC-001","deviceType":"pc","os":"Windows 11","ip":"192.168.1.10","location":"本社2F","agentVersion":"14.0","lastSeenAt":"2024-06-01T09:00:00+09:00"}',
        known,
      ).record,
    ).toEqual({
      kind: "device",
      contract: "K1",
      name: "PC-001",
      deviceType: "pc",
      os: "Windows 11",
      ip: "192.168.1.10",
      location: "本社2F",
      agentVersion: "14.0",
      patternVersion: null,
      lastSeenAt: new Date("2024-06-01T00:00:00Z"),
    });
    expect(
      parse({ kind: "device", contract: "K1", name: "GW-02", deviceType: "gateway" }).record,
    ).toMatchObject({ os: null, ip: null, location: null, lastSeenAt: null });
  });

  it("says what is wrong, field by field", () => {
    expect(parseEventLine("", known).problems).toEqual(["not valid JSON"]);
    expect(parse("text").problems).toEqual(["not a JSON object"]);
    expect(
      parse({ ...base, contract: "K2", severity: 3, action: "deleted", url: 5 }).problems,
    ).toEqual([
      'contract: unknown contract "K2"',
      "severity: unknown severity 3",
      'action: unknown action "deleted"',
      "url: must be a string",
    ]);
    expect(parse({ contract: "K1" }).problems).toEqual([
      "id: required",
      "device: required",
      "source: required",
      "type: required",
      "severity: required",
      "detectedAt: required",
    ]);
    expect(parse({ ...base, detectedAt: "2024-06-01" }).problems).toEqual([
      'detectedAt: not an ISO 8601 instant with offset: "2024-06-01"',
    ]);
    expect(parse({ ...base, detectedAt: "2024-02-30T10:00:00+09:00" }).problems).toEqual([
      'detectedAt: not an ISO 8601 instant with offset: "2024-02-30T10:00:00+09:00"',
    ]);
  });
});
