// Ingest of an events NDJSON file (docs/rules/import-format.md, Events) and the S1-4① notification
// engine behind it, against a fresh SQLite file with the demo data of 2026-11-20.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatJstIso } from "../app/lib/jst";
import { ingestFile, type IngestOptions } from "../app/security/ingest.server";
import {
  notificationPlan,
  notifyAllContracts,
  ruleEventsQuery,
} from "../app/security/notifications.server";
import {
  createTestDatabase,
  describeOnSqlite,
  TEST_ON_POSTGRES,
  type TestDatabase,
} from "./support/database";

/** The demo data's "today": Friday 2026-11-20, 12:00 in Japan. */
const SEED_AT = new Date("2026-11-20T12:00:00+09:00");

const line = (o: Record<string, unknown>) => JSON.stringify(o);
const ev = (
  id: string,
  contract: string,
  device: string,
  source: string,
  type: string,
  severity: string,
  detectedAt: string,
  extra: Record<string, unknown> = {},
) => line({ id, contract, device, source, type, severity, detectedAt, ...extra });

// K-1001 (株式会社みなと製作所, threshold 60 minutes), K-1002 (same customer), K-2001 (株式会社あおば設計).
const SCENARIO =
  [
    line({
      kind: "device",
      contract: "K-1001",
      name: "PC-001",
      deviceType: "pc",
      os: "Windows 11 Pro 24H2",
      lastSeenAt: "2026-11-19T08:30:00+09:00",
    }),
    line({
      kind: "device",
      contract: "K-1001",
      name: "PC-099",
      deviceType: "pc",
      os: "Windows 11 Pro",
      ip: "192.168.10.99",
      location: "本社3F",
      agentVersion: "14.0.6",
    }),
    // C&C communication at night: e-mail at once, phone at 09:00 the next morning.
    ev(
      "evt-cc",
      "K-1001",
      "GW-01",
      "gateway",
      "cc_callback",
      "critical",
      "2026-11-18T23:10:00+09:00",
      { url: "http://c2.bad.example/beacon", action: "blocked" },
    ),
    // A virus the endpoint could not remove: notified; one it quarantined: not.
    ev(
      "evt-virus-failed",
      "K-1001",
      "PC-003",
      "endpoint",
      "virus",
      "high",
      "2026-11-19T14:05:00+09:00",
      { threat: "TROJ_EMOTET.A", action: "failed" },
    ),
    ev(
      "evt-virus-ok",
      "K-1001",
      "PC-099",
      "endpoint",
      "virus",
      "medium",
      "2026-11-19T14:06:00+09:00",
      { threat: "TROJ_GENERIC", action: "quarantined" },
    ),
    // Gateway offline 90 minutes: notified when the 60-minute threshold was crossed (21:15, after the phone window).
    ev(
      "evt-gw-off",
      "K-1001",
      "GW-01",
      "gateway",
      "gateway_offline",
      "high",
      "2026-11-19T20:15:00+09:00",
    ),
    ev("evt-gw-on", "K-1001", "GW-01", "gateway", "gateway_online", "info", "2026-11-19T12:45:00Z"), // 21:45 JST, written in UTC
    // Gateway offline 30 minutes: under the threshold, nothing.
    ev(
      "evt-k2-off",
      "K-1002",
      "GW-01",
      "gateway",
      "gateway_offline",
      "high",
      "2026-11-19T10:00:00+09:00",
    ),
    ev(
      "evt-k2-on",
      "K-1002",
      "GW-01",
      "gateway",
      "gateway_online",
      "info",
      "2026-11-19T10:30:00+09:00",
    ),
    // The same event delivered twice: stored once.
    ev(
      "evt-cc",
      "K-1001",
      "GW-01",
      "gateway",
      "cc_callback",
      "critical",
      "2026-11-18T23:10:00+09:00",
      { url: "http://c2.bad.example/beacon", action: "blocked" },
    ),
    // Terms example: 12/28 22:30 → phone after the year-end holidays, 1/4 09:00.
    ev(
      "evt-ye",
      "K-2001",
      "GW-01",
      "gateway",
      "cc_callback",
      "critical",
      "2025-12-28T22:30:00+09:00",
      { action: "blocked" },
    ),
  ].join("\n") + "\n";

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase({ seed: true, at: SEED_AT, events: false });
});
afterEach(async () => {
  await t.dispose();
});

function file(name: string, text: string): string {
  const path = join(t.dir, name);
  writeFileSync(path, text);
  return path;
}

const jst = (iso: string | null) => (iso === null ? null : formatJstIso(new Date(iso)));

async function snapshot() {
  const db = t.db;
  return {
    events: await db.selectFrom("security_events").selectAll().orderBy("id").execute(),
    devices: await db.selectFrom("devices").selectAll().orderBy("id").execute(),
    incidents: await db.selectFrom("incidents").selectAll().orderBy("id").execute(),
    links: await db
      .selectFrom("incident_events")
      .selectAll()
      .orderBy("incident_id")
      .orderBy("event_id")
      .execute(),
    notifications: await db.selectFrom("notifications").selectAll().orderBy("id").execute(),
    outbox: await db
      .selectFrom("outbox")
      .selectAll()
      .where("kind", "=", "incident_notification")
      .orderBy("id")
      .execute(),
  };
}

/** The prepared-statement fast path exists on SQLite only; PostgreSQL takes the Kysely batches. */
const rawSqlite = () => (TEST_ON_POSTGRES ? undefined : t.sqlite);

describe.each([
  ...(TEST_ON_POSTGRES
    ? []
    : [{ path: "prepared statement, events kept in memory", raw: true, retainLimit: undefined }]),
  { path: "Kysely batches, file read twice", raw: false, retainLimit: 1 },
])("ingest ($path)", ({ raw, retainLimit }) => {
  const options = (): IngestOptions => ({
    now: SEED_AT,
    sqlite: raw ? t.sqlite : undefined,
    retainLimit,
  });

  it("stores devices and events, opens one incident per notified cause and plans e-mail and phone (S1-4①)", async () => {
    const result = await ingestFile(t.db, file("events.ndjson", SCENARIO), options());
    expect(result).toEqual({
      ok: true,
      value: {
        events: 9,
        inserted: 8,
        duplicates: 1,
        devices: 2,
        incidentsOpened: 4,
        notificationsPlanned: 8,
        mailsQueued: 4,
      },
    });

    const s = await snapshot();
    const refOf = new Map(
      (await t.db.selectFrom("contracts").select(["id", "ref"]).execute()).map((c) => [
        c.id,
        c.ref,
      ]),
    );
    expect(
      s.incidents.map((i) => [
        refOf.get(i.contract_id),
        i.kind,
        i.status,
        i.severity,
        i.title,
        jst(i.opened_at),
        i.first_event_id,
      ]),
    ).toEqual([
      [
        "K-1001",
        "cc_callback",
        "new",
        "critical",
        "C&Cサーバーとの通信を検知しました（GW-01）",
        "2026-11-18T23:10:00+09:00",
        "evt-cc",
      ],
      [
        "K-1001",
        "virus_not_removed",
        "new",
        "high",
        "ウイルスを駆除・隔離できませんでした（PC-003）",
        "2026-11-19T14:05:00+09:00",
        "evt-virus-failed",
      ],
      [
        "K-1001",
        "gateway_offline",
        "new",
        "high",
        "ゲートウェイがオフラインになっています（GW-01）",
        "2026-11-19T21:15:00+09:00",
        "evt-gw-off",
      ],
      [
        "K-2001",
        "cc_callback",
        "new",
        "critical",
        "C&Cサーバーとの通信を検知しました（GW-01）",
        "2025-12-28T22:30:00+09:00",
        "evt-ye",
      ],
    ]);
    const gwIncident = s.incidents.find((i) => i.first_event_id === "evt-gw-off")!;
    expect(s.links.filter((l) => l.incident_id === gwIncident.id).map((l) => l.event_id)).toEqual([
      "evt-gw-off",
      "evt-gw-on",
    ]);

    expect(
      s.notifications
        .map((n) => [n.event_id, n.channel, jst(n.planned_at), n.recipient, n.result, n.sent_at])
        .sort(),
    ).toEqual([
      ["evt-cc", "email", "2026-11-18T23:10:00+09:00", "it@minato.example", "queued", null],
      ["evt-cc", "phone", "2026-11-19T09:00:00+09:00", "06-6571-0001", null, null],
      ["evt-gw-off", "email", "2026-11-19T21:15:00+09:00", "it@minato.example", "queued", null],
      ["evt-gw-off", "phone", "2026-11-20T09:00:00+09:00", "06-6571-0001", null, null],
      [
        "evt-virus-failed",
        "email",
        "2026-11-19T14:05:00+09:00",
        "it@minato.example",
        "queued",
        null,
      ],
      ["evt-virus-failed", "phone", "2026-11-19T14:05:00+09:00", "06-6571-0001", null, null],
      ["evt-ye", "email", "2025-12-28T22:30:00+09:00", "admin@aoba-sekkei.example", "queued", null],
      ["evt-ye", "phone", "2026-01-04T09:00:00+09:00", "03-5321-0005", null, null],
    ]);

    // E-mails are queued at once (S1-4①), each linked from its notification.
    expect(
      s.outbox
        .map((m) => [m.to_address, m.subject, m.status, m.attempts, jst(m.created_at)])
        .sort(),
    ).toEqual([
      [
        "admin@aoba-sekkei.example",
        "【セキュリティ通知】C&Cサーバーとの通信を検知しました（GW-01）",
        "queued",
        0,
        "2026-11-20T12:00:00+09:00",
      ],
      [
        "it@minato.example",
        "【セキュリティ通知】C&Cサーバーとの通信を検知しました（GW-01）",
        "queued",
        0,
        "2026-11-20T12:00:00+09:00",
      ],
      [
        "it@minato.example",
        "【セキュリティ通知】ウイルスを駆除・隔離できませんでした（PC-003）",
        "queued",
        0,
        "2026-11-20T12:00:00+09:00",
      ],
      [
        "it@minato.example",
        "【セキュリティ通知】ゲートウェイがオフラインになっています（GW-01）",
        "queued",
        0,
        "2026-11-20T12:00:00+09:00",
      ],
    ]);
    for (const n of s.notifications.filter((x) => x.channel === "email")) {
      expect(s.outbox.find((m) => m.id === n.outbox_id)?.ref).toBe(`incident:${n.event_id}:email`);
    }
    const gwMail = s.outbox.find((m) => m.subject.includes("オフライン"))!;
    expect(gwMail.body_text).toBe(
      [
        "株式会社みなと製作所 システム管理者さま",
        "",
        "セキュアライン株式会社です。セキュリティサポートの監視で、次のインシデントを検知しました。",
        "",
        "内容: ゲートウェイがオフラインになっています（GW-01）",
        "ご契約: K-1001",
        "機器: GW-01",
        "オフラインになった日時: 2026年11月19日 20:15（60分以上 復旧していません）",
        "",
        "担当者から 2026年11月20日 09:00 以降にお電話でもご連絡します",
        "（お電話の受付時間は 9:00〜21:00、12月29日〜1月3日を除きます）。",
        "",
        "このメールはシステムから自動で送信しています（S1-4① インシデント通知）。",
        "お問い合わせ: セキュアライン株式会社 0120-555-310",
      ].join("\n"),
    );
    const virusMail = s.outbox.find((m) => m.subject.includes("ウイルス"))!;
    expect(virusMail.body_text).toContain(
      "検知日時: 2026年11月19日 14:05\n脅威名: TROJ_EMOTET.A\n処理結果: 処理失敗\n",
    );

    // S7 devices: PC-001 updated where the line says, kept elsewhere; PC-099 registered; events linked to them.
    const pc1 = s.devices.find(
      (d) => d.contract_id === gwIncident.contract_id && d.name === "PC-001",
    )!;
    expect([pc1.os, pc1.last_seen_at, pc1.ip, pc1.agent_version]).toEqual([
      "Windows 11 Pro 24H2",
      "2026-11-18T23:30:00.000Z",
      "192.168.10.21",
      "14.0.6",
    ]);
    const pc99 = s.devices.find((d) => d.name === "PC-099")!;
    expect([
      pc99.device_type,
      pc99.os,
      pc99.ip,
      pc99.location,
      pc99.agent_version,
      pc99.last_seen_at,
    ]).toEqual(["pc", "Windows 11 Pro", "192.168.10.99", "本社3F", "14.0.6", null]);
    expect(s.events.find((e) => e.id === "evt-virus-ok")?.device_id).toBe(pc99.id);
    expect(s.events.find((e) => e.id === "evt-cc")).toMatchObject({
      contract_id: gwIncident.contract_id,
      device_name: "GW-01",
      source: "gateway",
      type: "cc_callback",
      severity: "critical",
      action: "blocked",
      threat: null,
      url: "http://c2.bad.example/beacon",
      detected_at: "2026-11-18T14:10:00.000Z",
      ingested_at: "2026-11-20T03:00:00.000Z",
    });
    expect(s.events.every((e) => e.device_id !== null)).toBe(true);
  });

  it("changes nothing when the same file is ingested again", async () => {
    const path = file("events.ndjson", SCENARIO);
    await ingestFile(t.db, path, options());
    const before = await snapshot();
    const again = await ingestFile(t.db, path, {
      ...options(),
      now: new Date(SEED_AT.getTime() + 3600_000),
    });
    expect(again).toEqual({
      ok: true,
      value: {
        events: 9,
        inserted: 0,
        duplicates: 9,
        devices: 2,
        incidentsOpened: 0,
        notificationsPlanned: 0,
        mailsQueued: 0,
      },
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe("ingest of an invalid file", () => {
  it("lists every problem with its line number and writes nothing", async () => {
    const path = file(
      "bad.ndjson",
      [
        ev("ok-1", "K-1001", "PC-001", "endpoint", "virus", "high", "2026-11-19T10:00:00+09:00", {
          action: "failed",
        }),
        "{not json",
        ev("bad-2", "K-9999", "PC-001", "endpoint", "worm", "high", "2026-11-19T10:00:00+09:00", {
          action: "deleted",
        }),
        "",
        ev("bad-3", "K-1001", "PC-001", "endpoint", "virus", "urgent", "2026-11-19 10:00:00"),
        line({ kind: "device", contract: "K-1001", name: "PC-050", deviceType: "printer" }),
        line({ kind: "alert", contract: "K-1001" }),
        line({
          id: "",
          contract: "K-1001",
          source: "gateway",
          type: "cc_callback",
          severity: "low",
          detectedAt: "2026-11-19T10:00:00",
        }),
        "[1, 2]",
      ].join("\n"),
    );
    const before = await snapshot();
    const result = await ingestFile(t.db, path, { now: SEED_AT, sqlite: rawSqlite() });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => `bad.ndjson:${p.line}: ${p.message}`)).toEqual([
      "bad.ndjson:2: not valid JSON",
      'bad.ndjson:3: contract: unknown contract "K-9999"',
      'bad.ndjson:3: type: unknown type "worm"',
      'bad.ndjson:3: action: unknown action "deleted"',
      'bad.ndjson:5: severity: unknown severity "urgent"',
      'bad.ndjson:5: detectedAt: not an ISO 8601 instant with offset: "2026-11-19 10:00:00"',
      'bad.ndjson:6: deviceType: unknown device type "printer"',
      'bad.ndjson:7: kind: unknown kind "alert"',
      "bad.ndjson:8: id: must be a non-empty string",
      "bad.ndjson:8: device: required",
      'bad.ndjson:8: detectedAt: not an ISO 8601 instant with offset: "2026-11-19T10:00:00"',
      "bad.ndjson:9: not a JSON object",
    ]);
    expect(!result.ok && [result.problemCount, result.invalidLines]).toEqual([12, 7]);
    expect(!result.ok && [result.kind, result.fields]).toEqual([
      "validation",
      { file: "12 problem(s); nothing was imported" },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it("keeps the first 100 problems and counts the others (issue 15: memory and output bounded)", async () => {
    // 2,000 good lines with every 10th line broken twice over: 200 invalid lines, 400 problems.
    const text = Array.from({ length: 2_000 }, (_, i) =>
      i % 10 === 9
        ? ev(
            `bad-${i + 1}`,
            "K-1001",
            "PC-001",
            "endpoint",
            "worm",
            "urgent",
            "2026-11-19T10:00:00+09:00",
          )
        : ev(
            `ok-${i + 1}`,
            "K-1001",
            "PC-001",
            "endpoint",
            "virus",
            "high",
            "2026-11-19T10:00:00+09:00",
            { action: "quarantined" },
          ),
    ).join("\n");
    const before = await snapshot();
    const result = await ingestFile(t.db, file("garbage.ndjson", text), {
      now: SEED_AT,
      sqlite: rawSqlite(),
    });
    if (result.ok) throw new Error("accepted");
    expect([result.problems.length, result.problemCount, result.invalidLines]).toEqual([
      100, 400, 200,
    ]);
    expect(result.problems.slice(0, 2)).toEqual([
      { line: 10, message: 'type: unknown type "worm"' },
      { line: 10, message: 'severity: unknown severity "urgent"' },
    ]);
    expect(result.problems.at(-1)).toEqual({
      line: 500,
      message: 'severity: unknown severity "urgent"',
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe("S1-4① gateway still offline", () => {
  it("is notified once the threshold has passed, by the next engine run, at the crossing time", async () => {
    const path = file(
      "offline.ndjson",
      ev(
        "evt-open",
        "K-2001",
        "GW-01",
        "gateway",
        "gateway_offline",
        "high",
        "2026-11-20T11:30:00+09:00",
      ) + "\n",
    );
    const first = await ingestFile(t.db, path, { now: SEED_AT, sqlite: rawSqlite() });
    expect(first.ok && first.value.incidentsOpened).toBe(0);
    expect(
      await notificationPlan(t.db, { ref: "K-2001", tenant: { kind: "provider" }, now: SEED_AT }),
    ).toEqual([]);

    const later = new Date("2026-11-20T12:40:00+09:00");
    expect(await notifyAllContracts(t.db, later)).toEqual({
      incidentsOpened: 1,
      notificationsPlanned: 2,
      mailsQueued: 1,
    });
    expect(await notifyAllContracts(t.db, later)).toEqual({
      incidentsOpened: 0,
      notificationsPlanned: 0,
      mailsQueued: 0,
    });
    const plan = await notificationPlan(t.db, {
      ref: "K-2001",
      tenant: { kind: "provider" },
      now: later,
    });
    expect(plan?.map((n) => [n.eventId, n.channel, formatJstIso(n.at)])).toEqual([
      ["evt-open", "email", "2026-11-20T12:30:00+09:00"],
      ["evt-open", "phone", "2026-11-20T12:30:00+09:00"],
    ]);
  });

  it("keeps the plan to the contract's tenant", async () => {
    const path = file(
      "cc.ndjson",
      ev(
        "evt-cc",
        "K-1001",
        "GW-01",
        "gateway",
        "cc_callback",
        "critical",
        "2026-11-18T23:10:00+09:00",
      ) + "\n",
    );
    await ingestFile(t.db, path, { now: SEED_AT });
    const c5 = await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C5")
      .executeTakeFirstOrThrow();
    const c1 = await t.db
      .selectFrom("customers")
      .select("id")
      .where("ref", "=", "C1")
      .executeTakeFirstOrThrow();
    expect(
      await notificationPlan(t.db, {
        ref: "K-1001",
        tenant: { kind: "customer", customerId: c5.id },
        now: SEED_AT,
      }),
    ).toBeNull();
    expect(
      await notificationPlan(t.db, {
        ref: "K-1001",
        tenant: { kind: "customer", customerId: c1.id },
        now: SEED_AT,
      }),
    ).toHaveLength(2);
  });
});

// SQLite's query plan: PostgreSQL chooses its own (decision 0023).
describeOnSqlite("S1-4① engine query", () => {
  it("reads a contract's rule events through the partial index, not by scanning all its events", () => {
    const query = ruleEventsQuery(t.db, 1).compile();
    const plan = t.sqlite
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.parameters) as Array<{ detail: string }>;
    expect(plan[0].detail).toBe(
      "SEARCH security_events USING INDEX security_events_rule_idx (contract_id=?)",
    );
  });
});

describe("commands", () => {
  const run = (script: string, args: string[]) => {
    try {
      const stdout = execFileSync(process.execPath, ["--import", "tsx", script, ...args], {
        cwd: join(import.meta.dirname, ".."),
        env: { ...process.env, DATABASE_URL: t.url, APP_NOW: "2026-11-20T12:00:00+09:00" },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      return { status: 0, stdout, stderr: "" };
    } catch (error) {
      const e = error as { status: number; stdout: string; stderr: string };
      return { status: e.status, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("ingest prints the counts, notify plan prints the JSON of docs/rules/import-format.md", async () => {
    await t.close();
    const path = file("events.ndjson", SCENARIO);
    expect(run("scripts/ingest.ts", [path])).toEqual({
      status: 0,
      stdout:
        `${path}: events read: 9; inserted: 8; skipped duplicates: 1; device lines applied: 2\n` +
        "incidents opened: 4; notifications planned: 8; e-mails queued: 4\n",
      stderr: "",
    });
    const plan = run("scripts/notify.ts", ["plan", "--contract", "K-1001", "--json"]);
    expect(plan.status).toBe(0);
    expect(JSON.parse(plan.stdout)).toEqual([
      { eventId: "evt-cc", channel: "email", at: "2026-11-18T23:10:00+09:00" },
      { eventId: "evt-cc", channel: "phone", at: "2026-11-19T09:00:00+09:00" },
      { eventId: "evt-virus-failed", channel: "email", at: "2026-11-19T14:05:00+09:00" },
      { eventId: "evt-virus-failed", channel: "phone", at: "2026-11-19T14:05:00+09:00" },
      { eventId: "evt-gw-off", channel: "email", at: "2026-11-19T21:15:00+09:00" },
      { eventId: "evt-gw-off", channel: "phone", at: "2026-11-20T09:00:00+09:00" },
    ]);
    expect(run("scripts/notify.ts", ["plan", "--contract", "K-404", "--json"])).toEqual({
      status: 1,
      stdout: "",
      stderr: 'contract: unknown contract "K-404"\n',
    });
  });

  it("ingest of an invalid file prints FILE:LINE: message and exits 1", async () => {
    await t.close();
    const path = file(
      "bad.ndjson",
      `${ev("x", "K-1001", "PC-001", "endpoint", "virus", "high", "yesterday")}\n`,
    );
    expect(run("scripts/ingest.ts", [path])).toEqual({
      status: 1,
      stdout: "",
      stderr: `${path}:1: detectedAt: not an ISO 8601 instant with offset: "yesterday"\n${path}: 1 problem(s); nothing was imported\n`,
    });
  });

  it("ingest of a file of many bad lines prints the first 100 problems and the totals", async () => {
    await t.close();
    // 23,332 bad lines among 40,000: what a 1 % garbage file printed line by line before.
    const text = Array.from({ length: 40_000 }, (_, i) =>
      i < 23_332
        ? ev(`bad-${i + 1}`, "K-1001", "PC-001", "endpoint", "virus", "high", "yesterday")
        : ev(
            `ok-${i + 1}`,
            "K-1001",
            "PC-001",
            "endpoint",
            "virus",
            "high",
            "2026-11-19T10:00:00+09:00",
            { action: "quarantined" },
          ),
    ).join("\n");
    const path = file("garbage.ndjson", text);
    const result = run("scripts/ingest.ts", [path]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(102);
    expect(lines[0]).toBe(
      `${path}:1: detectedAt: not an ISO 8601 instant with offset: "yesterday"`,
    );
    expect(lines[99]).toBe(
      `${path}:100: detectedAt: not an ISO 8601 instant with offset: "yesterday"`,
    );
    expect(lines.slice(100)).toEqual([
      `${path}: … and 23,232 more problems not listed (23,332 problems on 23,332 invalid lines in total)`,
      `${path}: 23,332 problem(s); nothing was imported`,
    ]);
  });
});
