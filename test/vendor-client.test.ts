// The security vendor API client (docs/vendor-api.md) against msw handlers: paging, resuming
// after a restart, 429 with Retry-After, 5xx, timeouts and malformed payloads. The real
// client and the real ingest path run; only the vendor's side is simulated.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../db/connection";
import {
  retryAfterMs,
  syncVendor,
  type VendorClientConfig,
} from "../app/security/vendor-client.server";
import { fakeVendor, VENDOR_BASE, VENDOR_TOKEN, type FakeVendor } from "./mocks/vendor-api";
import { createTestDatabase, fastPathOf, type TestDatabase } from "./support/database";

/** The demo data's "today": Friday 2026-11-20, 12:00 in Japan. */
const SEED_AT = new Date("2026-11-20T12:00:00+09:00");

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const device = (contractRef: string, name: string) => ({
  deviceId: `d-${name}`,
  contractRef,
  name,
  type: "pc",
  os: "Windows 11 Pro",
  ip: "192.168.50.10",
  location: "本社",
  agentVersion: "14.0.6",
  patternVersion: "19.915.00",
  lastSeenAt: "2026-11-20T09:00:00+09:00",
});
const detection = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  contractRef: "K-1001",
  deviceName: "PC-201",
  product: "endpoint",
  type: "virus",
  severity: "high",
  detectedAt: "2026-11-19T01:00:00Z",
  threat: "TROJ_GENERIC",
  url: null,
  action: "quarantined",
  ...extra,
});

let t: TestDatabase;
let vendor: FakeVendor;
let sleeps: number[];
let log: string[];

function config(overrides: Partial<VendorClientConfig> = {}): VendorClientConfig {
  return {
    baseUrl: VENDOR_BASE,
    token: VENDOR_TOKEN,
    timeoutMs: 100,
    retryBaseMs: 10,
    sleep: async (ms) => void sleeps.push(ms),
    log: (line) => log.push(line),
    ...overrides,
  };
}

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, at: SEED_AT, events: false });
  sleeps = [];
  log = [];
  vendor = fakeVendor({
    pageSize: 2,
    devices: [device("K-1001", "PC-201"), device("K-1001", "PC-202"), device("K-2001", "PC-301")],
    detections: [
      detection("vd-1"),
      detection("vd-2", {
        deviceName: "GW-01",
        product: "gateway",
        type: "cc_callback",
        severity: "critical",
        detectedAt: "2026-11-19T14:10:00Z",
        url: "http://c2.bad.example/",
        action: "blocked",
        threat: null,
      }),
      detection("vd-3", { contractRef: "K-2001", deviceName: "PC-301" }),
      detection("vd-4"),
      detection("vd-5"),
    ],
  });
  server.use(...vendor.handlers);
});
afterEach(async () => {
  await t.dispose();
});

const cursors = async () =>
  Object.fromEntries(
    (await t.db.selectFrom("vendor_sync_state").select(["source", "cursor"]).execute()).map((r) => [
      r.source,
      r.cursor,
    ]),
  );
const storedIds = async () =>
  (await t.db.selectFrom("security_events").select("id").orderBy("id").execute()).map((r) => r.id);
const asked = (feed: string) => vendor.requests.filter((r) => r.feed === feed).map((r) => r.cursor);

describe("vendor sync", () => {
  it("follows the cursors page by page with the bearer token and stores through the ingest path", async () => {
    const report = await syncVendor(t.db, config(), { now: SEED_AT, sqlite: fastPathOf(t) });
    expect(asked("devices")).toEqual([null, "c2", "c3"]);
    expect(asked("detections")).toEqual([null, "c2", "c4", "c5"]);
    expect(new Set(vendor.requests.map((r) => r.authorization))).toEqual(
      new Set([`Bearer ${VENDOR_TOKEN}`]),
    );
    expect(report).toEqual({
      pages: 7,
      received: 8,
      skipped: [],
      stored: {
        inserted: 5,
        duplicates: 0,
        devices: 3,
        incidentsOpened: 1,
        notificationsPlanned: 2,
        mailsQueued: 1,
      },
    });
    expect(await cursors()).toEqual({ devices: "c3", detections: "c5" });
    expect(await storedIds()).toEqual(["vd-1", "vd-2", "vd-3", "vd-4", "vd-5"]);
    // Devices come first, so the detections find them (S7).
    const pc201 = await t.db
      .selectFrom("devices")
      .select(["id", "os", "location"])
      .where("name", "=", "PC-201")
      .executeTakeFirstOrThrow();
    expect(pc201).toMatchObject({ os: "Windows 11 Pro", location: "本社" });
    const vd1 = await t.db
      .selectFrom("security_events")
      .select(["device_id", "detected_at"])
      .where("id", "=", "vd-1")
      .executeTakeFirstOrThrow();
    expect(vd1).toEqual({ device_id: pc201.id, detected_at: "2026-11-19T01:00:00.000Z" });
    const incident = await t.db
      .selectFrom("incidents")
      .select(["kind", "first_event_id"])
      .executeTakeFirstOrThrow();
    expect(incident).toEqual({ kind: "cc_callback", first_event_id: "vd-2" });

    // A later sync asks only for what follows; new items are picked up.
    vendor.feeds.detections.push(detection("vd-6"));
    vendor.requests.length = 0;
    const later = await syncVendor(t.db, config(), { now: SEED_AT, sqlite: fastPathOf(t) });
    expect(asked("detections")).toEqual(["c5", "c6"]);
    expect(later.stored).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(await cursors()).toEqual({ devices: "c3", detections: "c6" });
  });

  it("resumes after a restart from the last page it stored", async () => {
    // The first detections page arrives, then the vendor fails for good.
    vendor.faults.detections.push(
      { delayMs: 0 },
      ...Array.from({ length: 5 }, () => ({ status: 500 as const })),
    );
    await expect(syncVendor(t.db, config(), { now: SEED_AT })).rejects.toThrow(
      "vendor API: GET /v1/detections (cursor c2): gave up after 5 attempts (HTTP 500)",
    );
    expect(sleeps).toEqual([10, 20, 40, 80]);
    expect(await cursors()).toEqual({ devices: "c3", detections: "c2" });
    expect(await storedIds()).toEqual(["vd-1", "vd-2"]);

    // Restart: a new connection and a new client; the vendor is healthy again.
    const first = t;
    await first.close();
    const reopened = openDatabase(first.url);
    t = {
      ...first,
      ...reopened,
      dispose: async () => {
        await reopened.close();
        await first.dispose();
      },
    };
    vendor.requests.length = 0;
    const report = await syncVendor(t.db, config(), { now: SEED_AT });
    expect(asked("devices")).toEqual(["c3"]);
    expect(asked("detections")).toEqual(["c2", "c4", "c5"]);
    expect(report.stored).toMatchObject({ inserted: 3, duplicates: 0 });
    expect(await storedIds()).toEqual(["vd-1", "vd-2", "vd-3", "vd-4", "vd-5"]);
  });

  it("waits as long as Retry-After says on 429, and the backoff when it says nothing", async () => {
    vendor.faults.devices.push({ status: 429, retryAfter: "2" });
    vendor.faults.detections.push({ status: 429 });
    const report = await syncVendor(t.db, config(), { now: SEED_AT });
    expect(sleeps).toEqual([2000, 10]);
    expect(log).toEqual([
      "vendor API: GET /v1/devices: HTTP 429; attempt 2 of 5",
      "vendor API: GET /v1/detections: HTTP 429; attempt 2 of 5",
    ]);
    expect(report.stored.inserted).toBe(5);
    expect(asked("detections")).toEqual([null, null, "c2", "c4", "c5"]);
  });

  it("reads Retry-After in seconds or as an HTTP date, at most 5 minutes", () => {
    const now = new Date("2026-11-20T03:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("Fri, 20 Nov 2026 03:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("3600", now)).toBe(300_000);
    expect(retryAfterMs("soon", now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it("retries 5xx with exponential backoff", async () => {
    vendor.faults.detections.push({ status: 500 }, { status: 503 });
    const report = await syncVendor(t.db, config(), { now: SEED_AT });
    expect(sleeps).toEqual([10, 20]);
    expect(log).toEqual([
      "vendor API: GET /v1/detections: HTTP 500; attempt 2 of 5",
      "vendor API: GET /v1/detections: HTTP 503; attempt 3 of 5",
    ]);
    expect(report.stored.inserted).toBe(5);
  });

  it("gives up on a request that does not answer within the timeout and tries again", async () => {
    vendor.faults.detections.push({ delayMs: 2_000 });
    const started = Date.now();
    const report = await syncVendor(t.db, config({ timeoutMs: 100 }), { now: SEED_AT });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(log).toEqual([
      "vendor API: GET /v1/detections: no answer within 100 ms; attempt 2 of 5",
    ]);
    expect(report.stored.inserted).toBe(5);
  });

  it("reports and skips malformed items, storing the valid ones", async () => {
    vendor.feeds.detections = [
      detection("vd-1"),
      detection("vd-bad", { type: "worm", detectedAt: "2026-11-19 10:00" }),
      42,
      detection("vd-foreign", { contractRef: "K-9999" }),
      detection("vd-5"),
    ];
    const report = await syncVendor(t.db, config(), { now: SEED_AT });
    expect(report.skipped).toEqual([
      { feed: "detections", cursor: null, index: 1, message: 'type: unknown type "worm"' },
      {
        feed: "detections",
        cursor: null,
        index: 1,
        message: 'detectedAt: not an ISO 8601 instant with offset: "2026-11-19 10:00"',
      },
      { feed: "detections", cursor: "c2", index: 0, message: "not a JSON object" },
      {
        feed: "detections",
        cursor: "c2",
        index: 1,
        message: 'contract: unknown contract "K-9999"',
      },
    ]);
    expect(log).toContain(
      'vendor API: detections (cursor c2) item 1: contract: unknown contract "K-9999"',
    );
    expect(await storedIds()).toEqual(["vd-1", "vd-5"]);
    expect(await cursors()).toEqual({ devices: "c3", detections: "c5" });
  });

  it("stops on a page that is not JSON without moving the cursor, and continues from there next time", async () => {
    vendor.faults.detections.push({ delayMs: 0 }, { body: "<html>maintenance</html>" });
    await expect(syncVendor(t.db, config(), { now: SEED_AT })).rejects.toThrow(
      "vendor API: GET /v1/detections (cursor c2): malformed page: not JSON",
    );
    expect(await cursors()).toEqual({ devices: "c3", detections: "c2" });
    vendor.faults.detections.push({ body: '{"data":[]}' });
    await expect(syncVendor(t.db, config(), { now: SEED_AT })).rejects.toThrow(
      'malformed page: no "items" array',
    );
    const report = await syncVendor(t.db, config(), { now: SEED_AT });
    expect(report.stored.inserted).toBe(3);
    expect(await storedIds()).toEqual(["vd-1", "vd-2", "vd-3", "vd-4", "vd-5"]);
  });

  it("does not retry a refused token", async () => {
    await expect(syncVendor(t.db, config({ token: "wrong" }), { now: SEED_AT })).rejects.toThrow(
      "vendor API: GET /v1/devices: HTTP 401",
    );
    expect(vendor.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});
