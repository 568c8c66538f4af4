// The demo's security events: six months (the S1-4⑤ retention window) of detections for the
// active demo contracts, written through the real ingest path (ingestRecords: events, then the
// S1-4① engine, which opens the incidents and queues their mails). Routine traffic follows the
// size of each contract (devices) and the Japanese working week; a handful of hand-placed events
// are the ones that notify (C&C communication, a virus not removed, gateway outages). Afterwards
// the older incidents get the operators' handling (plain updates), and their mails and calls are
// marked done, so the lists look lived in. Deterministic: the same "today" gives the same events
// (up to `at`). The generator is shared with the benchmarks (scripts/bench/).
import type { Kysely } from "kysely";
import {
  addDays,
  addMonths,
  dayOfWeek,
  firstDayOf,
  instantOf,
  isNationalHoliday,
  isoDate,
  type IsoDate,
  isYearEndHoliday,
  jstDate,
  jstInstant,
  monthOf,
} from "../../app/lib/jst";
import type { EventRecord } from "../../app/security/event-lines";
import { ingestRecords, type IngestSummary } from "../../app/security/ingest.server";
import type {
  SecurityEventAction,
  SecurityEventType,
} from "../../app/security/notification-windows";
import { retentionStart } from "../../app/security/retention";
import type { Database } from "../schema";
import { mulberry32 } from "./random";

// ---- the generator ----------------------------------------------------------------------------

export interface EventDevice {
  name: string;
  gateway: boolean;
  /** Agent or pattern behind: reports `pattern_outdated` on working days. */
  outdated: boolean;
  /** A device not seen since then sends nothing after it. */
  lastSeenAt: Date | null;
}

export interface EventContract {
  ref: string;
  /** First day with events (the service start, or later). */
  from: IsoDate;
  devices: readonly EventDevice[];
  /** The cloud sandbox option's start, or null: sandbox verdicts only while the option is on. */
  sandboxFrom: IsoDate | null;
  /** Gateway outages: no gateway traffic is reported in between. */
  quiet?: ReadonlyArray<{ from: Date; to: Date }>;
}

export interface GenerateOptions {
  /** First day (JST). */
  from: IsoDate;
  /** No event after this instant. */
  until: Date;
  /** PRNG seed: the same seed gives the same events. */
  seed: string;
  /** Routine detections per device on an ordinary working day (default 2). */
  perDeviceDay?: number;
  /** Prefix of the event ids (ids are `PREFIX REF-YYYYMMDD-NNNN`). */
  idPrefix?: string;
}

/** mulberry32 seeded with a hash of the text. */
function prng(seedText: string): () => number {
  let h = 1779033703 ^ seedText.length;
  for (let i = 0; i < seedText.length; i++) {
    h = Math.imul(h ^ seedText.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return mulberry32(h);
}

type Rand = () => number;

function pickOne<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

/** A weighted choice, with the cumulative weights computed once. */
function weighted<T>(entries: ReadonlyArray<readonly [T, number]>): (rand: Rand) => T {
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  const cumulative = entries.map(([, w]) => (acc += w / total));
  return (rand) => {
    const r = rand();
    for (let i = 0; i < cumulative.length; i++) if (r < cumulative[i]) return entries[i][0];
    return entries[entries.length - 1][0];
  };
}

// Office traffic: busy 9–18 on working days with a lunch dip, quiet at night; weekends flat and low.
const WORKDAY_HOURS = [
  0.2, 0.15, 0.15, 0.15, 0.15, 0.2, 0.3, 0.7, 1.8, 3.2, 3.4, 3.2, 1.9, 3.0, 3.3, 3.2, 3.0, 2.6, 1.6,
  1.0, 0.6, 0.4, 0.3, 0.25,
];
const RESTDAY_HOURS = [
  0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.3, 0.4, 0.6, 0.9, 1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7,
  0.6, 0.5, 0.45, 0.4, 0.35,
];
const hourOfWorkday = weighted(WORKDAY_HOURS.map((w, h) => [h, w] as const));
const hourOfRestday = weighted(RESTDAY_HOURS.map((w, h) => [h, w] as const));

/** How busy a day is compared with an ordinary working day. */
function dayFactor(date: IsoDate): number {
  if (isYearEndHoliday(date)) return 0.3;
  if (isNationalHoliday(date)) return 0.35;
  const dow = dayOfWeek(date);
  return dow === 6 ? 0.4 : dow === 0 ? 0.3 : 1;
}

const VIRUSES = [
  "TROJ_GENERIC.R002C0",
  "TROJ_GENERIC.R002C0",
  "TROJ_GENERIC.R002C0",
  "TROJ_GEN.R002C0DKL23",
  "HEUR_OLEXP.B",
  "HEUR_OLEXP.B",
  "W97M_DOWNLOAD.SMTH",
  "X97M_DOWNLOAD.SMC",
  "TROJ_EMOTET.SMD",
  "TROJ_AGENTTESLA.SMA",
  "TROJ_FORMBOOK.SMB",
  "JS_NEMUCOD.SMA",
  "HEUR_PDFEXP.C",
  "TROJ_QAKBOT.SMAA",
  "Trojan.Win32.FRS.VSNTJ523",
  "Backdoor.Win32.REMCOS.SMA",
  "LNK_DOWNLOADER.SMA",
];
const NETWORK_VIRUSES = [
  "WORM_DOWNAD.AD",
  "WORM_DOWNAD.AD",
  "WORM_ECHOBOT.SMA",
  "Worm.Win32.SALITY.SM",
];
const SPYWARE = ["TSPY_ZBOT.SMEP", "TSPY_FAREIT.SMA", "TSPY_LOKI.SMA", "TSPY_URSNIF.SMB"];
const GRAYWARE = [
  "ADW_OPENCANDY",
  "ADW_BROWSEFOX.SMA",
  "PUA.Win32.Toolbar.A",
  "PUA.Win32.DriverUpdater.A",
  "HKTL_KEYGEN.SM",
  "Coinminer.Win32.MALXMR.SMA",
  "ADW_SOLIMBA",
];
const PHISHING = [
  "Mal_Phish-12",
  "Mal_Phish-12",
  "Mal_Phish-7",
  "HTML_PHISH.SMJ",
  "HTML_PHISH.SMK",
];
const PHISHING_URLS = [
  "http://post-delivery-jp.example/redelivery",
  "https://bank-secure-login.example/ib/login",
  "https://card-verify-jp.example/confirm",
  "https://account-update-mail.example/signin",
  "https://id-support-center.example/unlock",
  "https://point-campaign-jp.example/gift",
  "https://etc-meisai.example/login",
  "https://tax-refund-notice.example/refund",
];
const WEB_CATEGORIES: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  [
    "Web Reputation: Dangerous",
    "medium",
    [
      "http://malware-cdn.example/dl/invoice_viewer.exe",
      "http://update-flashplayer.example/install",
      "http://dl-freesoft.example/setup.msi",
    ],
  ],
  [
    "Web Reputation: Highly Suspicious",
    "low",
    [
      "http://newly-registered-48213.example/",
      "http://short-link-redirect.example/r/8fK2",
      "http://coupon-present.example/",
    ],
  ],
  [
    "Category: Ads/Tracking",
    "info",
    ["http://ad-tracker-net.example/px.gif", "http://beacon-analytics.example/collect"],
  ],
  [
    "Category: Gambling",
    "low",
    ["https://casino-bonus.example/", "https://online-slot-jp.example/"],
  ],
  [
    "Category: Streaming Media",
    "info",
    ["https://free-movie-stream.example/watch", "https://anime-douga.example/"],
  ],
  ["Category: Proxy Avoidance", "low", ["https://web-proxy-free.example/"]],
  ["Category: Cryptocurrency Mining", "medium", ["http://pool-xmr-miner.example:3333/"]],
  [
    "Category: Online Storage",
    "info",
    ["https://file-share-up.example/upload", "https://big-file-send.example/"],
  ],
];
const INTRUSIONS = [
  "IPS: Port Scan Detected",
  "IPS: Port Scan Detected",
  "IPS: RDP Brute Force Attempt",
  "IPS: SMB Brute Force Attempt",
  "IPS: CVE-2021-44228 Apache Log4j Remote Code Execution",
  "IPS: SQL Injection Attempt",
  "IPS: CVE-2023-4966 Citrix NetScaler Information Disclosure",
  "IPS: CVE-2024-3400 PAN-OS Command Injection",
  "IPS: SSH Brute Force Attempt",
];
const APPS = [
  "BitTorrent",
  "Winny",
  "Share",
  "Tor Browser",
  "TeamViewer",
  "AnyDesk",
  "Dropbox (personal)",
  "Online games",
];
const SANDBOX = ["VAN_DROPPER.UMXX", "VAN_RANSOM.UMXX", "VAN_BACKDOOR.UMXX", "HEUR_OLEXP.B"];
const DOWNLOAD_URLS = [
  "http://cdn-files-dl.example/doc/請求書.zip",
  "http://mail-attach.example/scan_0412.xlsm",
  "http://dl-freesoft.example/tool.exe",
];

interface Detection {
  type: SecurityEventType;
  source: "endpoint" | "gateway" | "sandbox";
  severity: string;
  action: SecurityEventAction | null;
  threat: string | null;
  url: string | null;
}

type Maker = (rand: Rand) => Detection;

const MAKERS: Record<string, Maker> = {
  webGateway: (r) => webBlock(r, "gateway"),
  webEndpoint: (r) => webBlock(r, "endpoint"),
  spam: (r) => ({
    type: "spam",
    source: "gateway",
    severity: "info",
    action: r() < 0.9 ? "blocked" : "passed",
    threat: null,
    url: null,
  }),
  virus: (r) => ({
    type: "virus",
    source: "endpoint",
    severity: r() < 0.6 ? "medium" : "high",
    action: r() < 0.6 ? "quarantined" : "removed",
    threat: pickOne(r, VIRUSES),
    url: r() < 0.3 ? pickOne(r, DOWNLOAD_URLS) : null,
  }),
  networkVirus: (r) => ({
    type: "network_virus",
    source: "endpoint",
    severity: "high",
    action: r() < 0.7 ? "quarantined" : "blocked",
    threat: pickOne(r, NETWORK_VIRUSES),
    url: null,
  }),
  spyware: (r) => ({
    type: "spyware",
    source: "endpoint",
    severity: "high",
    action: "quarantined",
    threat: pickOne(r, SPYWARE),
    url: null,
  }),
  grayware: (r) => ({
    type: "grayware",
    source: "endpoint",
    severity: "low",
    action: r() < 0.7 ? "quarantined" : "removed",
    threat: pickOne(r, GRAYWARE),
    url: null,
  }),
  phishingMail: (r) => ({
    type: "phishing",
    source: "gateway",
    severity: "medium",
    action: "blocked",
    threat: pickOne(r, PHISHING),
    url: pickOne(r, PHISHING_URLS),
  }),
  phishingClick: (r) => ({
    type: "phishing",
    source: "endpoint",
    severity: "high",
    action: "blocked",
    threat: pickOne(r, PHISHING),
    url: pickOne(r, PHISHING_URLS),
  }),
  intrusion: (r) => ({
    type: "intrusion",
    source: "gateway",
    severity: r() < 0.7 ? "medium" : "high",
    action: "blocked",
    threat: pickOne(r, INTRUSIONS),
    url: null,
  }),
  appGateway: (r) => ({
    type: "app_block",
    source: "gateway",
    severity: "low",
    action: "blocked",
    threat: pickOne(r, APPS),
    url: null,
  }),
  appEndpoint: (r) => ({
    type: "app_block",
    source: "endpoint",
    severity: "low",
    action: "blocked",
    threat: pickOne(r, APPS),
    url: null,
  }),
  sandbox: (r) => ({
    type: "sandbox",
    source: "sandbox",
    severity: "high",
    action: "blocked",
    threat: pickOne(r, SANDBOX),
    url: null,
  }),
};

function webBlock(r: Rand, source: "gateway" | "endpoint"): Detection {
  const [threat, severity, urls] = pickOne(r, WEB_CATEGORIES);
  return { type: "web_block", source, severity, action: "blocked", threat, url: pickOne(r, urls) };
}

// The mix of detections in office hours and at night (mail and attacks arrive around the clock,
// people browse and open attachments in the daytime).
const DAY_MIX = weighted<string>([
  ["webGateway", 22],
  ["webEndpoint", 14],
  ["spam", 24],
  ["virus", 7],
  ["phishingMail", 4],
  ["phishingClick", 2.5],
  ["grayware", 3],
  ["spyware", 0.6],
  ["intrusion", 4],
  ["appGateway", 4],
  ["appEndpoint", 2],
  ["networkVirus", 0.4],
  ["sandbox", 1.5],
]);
const NIGHT_MIX = weighted<string>([
  ["webGateway", 10],
  ["webEndpoint", 2],
  ["spam", 34],
  ["virus", 1.2],
  ["phishingMail", 5],
  ["phishingClick", 0.3],
  ["grayware", 0.4],
  ["spyware", 0.1],
  ["intrusion", 14],
  ["appGateway", 0.6],
  ["appEndpoint", 0.2],
  ["networkVirus", 0.2],
  ["sandbox", 1],
]);

const DAY_MS = 86_400_000;

/** The index of the first value above `x` in an ascending list (the last one when none is). */
function firstAbove(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Routine detections, day by day and in time order within each day (ids numbered per contract and
 * day in that order): volume proportional to each contract's devices, weekdays busier than
 * weekends and holidays, working hours busier than nights, now and then a spam or phishing wave.
 */
export function* generateEvents(
  contracts: readonly EventContract[],
  options: GenerateOptions,
): Generator<EventRecord> {
  const rand = prng(options.seed);
  const perDeviceDay = options.perDeviceDay ?? 2;
  const idPrefix = options.idPrefix ?? "";
  const until = options.until.getTime();
  const lastDay = jstDate(options.until);
  // Some people browse (and click) more than others.
  const activity = contracts.map((c) => c.devices.map(() => 0.3 + rand() * 1.7));

  for (let date = options.from; date <= lastDay; date = addDays(date, 1)) {
    const dayStart = jstInstant(date).getTime();
    const factor = dayFactor(date);
    const workday = factor === 1;
    const compact = date.replaceAll("-", "");
    const day: EventRecord[] = [];
    for (const [ci, c] of contracts.entries()) {
      if (date < c.from) continue;
      const gateway = c.devices.find((d) => d.gateway);
      const endpoints = c.devices.flatMap((d, i) =>
        !d.gateway && (d.lastSeenAt === null || d.lastSeenAt.getTime() >= dayStart)
          ? [{ device: d, weight: activity[ci][i] }]
          : [],
      );
      let acc = 0;
      const cumulative = endpoints.map((e) => (acc += e.weight));
      const sandbox = c.sandboxFrom !== null && date >= c.sandboxFrom;
      const wave = rand() < 0.03 ? (rand() < 0.7 ? "spam" : "phishingMail") : null;
      const expected = c.devices.length * perDeviceDay * factor;
      const count =
        Math.round(expected * (0.75 + 0.5 * rand())) +
        (wave ? Math.round(expected * (0.5 + rand())) : 0);
      const events: EventRecord[] = [];
      for (let i = 0; i < count; i++) {
        const hour = workday ? hourOfWorkday(rand) : hourOfRestday(rand);
        const at = dayStart + (hour * 3600 + Math.floor(rand() * 3600)) * 1000;
        const night = hour < 7 || hour >= 20 || !workday;
        let kind = wave && rand() < 0.5 ? wave : night ? NIGHT_MIX(rand) : DAY_MIX(rand);
        if (kind === "sandbox" && !sandbox) kind = "spam";
        const detection = MAKERS[kind](rand);
        let device: string;
        if (detection.source === "endpoint") {
          if (endpoints.length === 0) continue;
          const chosen = endpoints[firstAbove(cumulative, rand() * acc)].device;
          if (chosen.lastSeenAt !== null && chosen.lastSeenAt.getTime() < at) continue;
          device = chosen.name;
        } else {
          if (!gateway || c.quiet?.some((q) => at >= q.from.getTime() && at < q.to.getTime()))
            continue;
          device = gateway.name;
        }
        // Checked last, so that the random sequence, and every event before `until`, is the same whatever `until` is.
        if (at > until) continue;
        events.push({
          kind: "event",
          id: "",
          contract: c.ref,
          device,
          ...detection,
          detectedAt: new Date(at),
        });
      }
      // An agent behind on its pattern says so when the PC starts in the morning.
      if (workday) {
        for (const { device } of endpoints) {
          if (!device.outdated || rand() >= 0.8) continue;
          const at = dayStart + (8 * 3600 + Math.floor(rand() * 5400)) * 1000;
          if (at > until || (device.lastSeenAt !== null && device.lastSeenAt.getTime() < at))
            continue;
          events.push({
            kind: "event",
            id: "",
            contract: c.ref,
            device: device.name,
            type: "pattern_outdated",
            source: "endpoint",
            severity: "low",
            action: null,
            threat: null,
            url: null,
            detectedAt: new Date(at),
          });
        }
      }
      events.sort((x, y) => x.detectedAt.getTime() - y.detectedAt.getTime());
      events.forEach(
        (e, n) => (e.id = `${idPrefix}${c.ref}-${compact}-${String(n + 1).padStart(4, "0")}`),
      );
      day.push(...events);
    }
    day.sort((x, y) => x.detectedAt.getTime() - y.detectedAt.getTime());
    yield* day;
    if (dayStart + DAY_MS > until) break;
  }
}

/** The active contracts of the database with their devices, as the generator wants them. */
export async function eventContractsOf(
  db: Kysely<Database>,
  from: IsoDate,
): Promise<EventContract[]> {
  const contracts = await db
    .selectFrom("contracts")
    .select(["id", "ref", "service_start"])
    .where("status", "=", "active")
    .orderBy("ref")
    .execute();
  const devices = await db
    .selectFrom("devices")
    .select([
      "contract_id",
      "name",
      "device_type",
      "agent_version",
      "pattern_version",
      "last_seen_at",
    ])
    .orderBy("contract_id")
    .orderBy("name")
    .execute();
  const sandbox = await db
    .selectFrom("contract_items")
    .select(["contract_id", "from_date"])
    .where("code", "=", "sandbox")
    .execute();
  // The demo's current agent and pattern (db/demo/seed.ts): a device behind either reports it.
  const newestPattern = devices.reduce(
    (max, d) => (d.pattern_version && d.pattern_version > max ? d.pattern_version : max),
    "",
  );
  return contracts.map((c) => ({
    ref: c.ref,
    from: c.service_start > from ? c.service_start : from,
    devices: devices
      .filter((d) => d.contract_id === c.id)
      .map((d) => ({
        name: d.name,
        gateway: d.device_type === "gateway",
        outdated:
          d.device_type !== "gateway" &&
          d.pattern_version !== null &&
          d.pattern_version < newestPattern,
        lastSeenAt:
          d.device_type === "gateway" || d.last_seen_at === null ? null : new Date(d.last_seen_at),
      })),
    sandboxFrom:
      sandbox
        .filter((s) => s.contract_id === c.id)
        .map((s) => s.from_date)
        .sort()[0] ?? null,
  }));
}

// ---- the events that notify (S1-4①) and how the operators handled them -------------------------

interface Handling {
  /** The operator's notes when acknowledging and when resolving. */
  acknowledge: string;
  resolve: string;
  /** Hours from acknowledging to resolving. */
  hoursToResolve: number;
  /** The operator's note on the phone call (answered). */
  call: string;
}

interface Notable {
  events: EventRecord[];
  /** The event whose incident this is (the offline event for an outage). */
  cause: string;
  handling: Handling;
}

function event(
  id: string,
  contract: string,
  device: string,
  at: Date,
  d: Pick<EventRecord, "type" | "source" | "severity"> &
    Partial<Pick<EventRecord, "action" | "threat" | "url">>,
): EventRecord {
  return {
    kind: "event",
    id,
    contract,
    device,
    action: null,
    threat: null,
    url: null,
    ...d,
    detectedAt: at,
  };
}

/**
 * The hand-placed events: C&C communication at night on K-1001, viruses not removed (K-2001 the
 * day before, K-1002, K-1004, K-1003), a C&C call at year-end timing on K-2001 (12/28 22:30 when
 * the window has one: phoned after the year-end holidays, on 1/4), gateway outages on K-2004
 * (90 minutes: notified; 30 minutes: not) and the K-2001 gateway failure that the billing demo
 * credits (db/demo/seed-billing.ts: offline from day 3 of the month two months ago to day 5, 12:00).
 */
function notableEvents(
  today: IsoDate,
  at: Date,
  windowStart: IsoDate,
): { notables: Notable[]; quiet: Map<string, Array<{ from: Date; to: Date }>> } {
  const day = (n: number) => addDays(today, -n);
  const t = (date: IsoDate, time: string) => jstInstant(date, time);
  const id = (contract: string, what: string, date: IsoDate) =>
    `demo-${contract}-${what}-${date.replaceAll("-", "")}`;
  const notables: Notable[] = [];

  const ccDay = day(12);
  notables.push({
    cause: id("K-1001", "cc", ccDay),
    events: [
      event(id("K-1001", "cc", ccDay), "K-1001", "GW-01", t(ccDay, "23:10"), {
        type: "cc_callback",
        source: "gateway",
        severity: "critical",
        action: "blocked",
        threat: "Backdoor.Win32.REMCOS C&C",
        url: "http://c2.update-check.example/gate.php",
      }),
      event(id("K-1001", "scan", ccDay), "K-1001", "PC-004", t(addDays(ccDay, 1), "09:42"), {
        type: "virus",
        source: "endpoint",
        severity: "high",
        action: "removed",
        threat: "TROJ_EMOTET.SMD",
      }),
    ],
    handling: {
      acknowledge: "夜間のC&C通信をゲートウェイで遮断済み。通信元の端末を調査します。",
      resolve:
        "通信元は PC-004。フルスキャンで TROJ_EMOTET.SMD を駆除し、メールアカウントのパスワード変更を依頼しました。以後の通信はありません。",
      hoursToResolve: 5,
      call: "ご担当者に状況を説明し、PC-004 のネットワーク切断を依頼",
    },
  });

  const virusDay = day(1);
  notables.push({
    cause: id("K-2001", "virus", virusDay),
    events: [
      event(id("K-2001", "virus", virusDay), "K-2001", "PC-008", t(virusDay, "14:20"), {
        type: "virus",
        source: "endpoint",
        severity: "high",
        action: "failed",
        threat: "TROJ_AGENTTESLA.SMA",
        url: "http://mail-attach.example/scan_0412.xlsm",
      }),
    ],
    handling: { acknowledge: "", resolve: "", hoursToResolve: 0, call: "" }, // still new: for the demo to handle
  });

  // Year-end timing when the window has a 12/28 (S1-4①: phoned on 1/4), otherwise a Saturday night.
  let yearEnd = isoDate(`${Number(today.slice(0, 4)) - (today.slice(5) > "12-28" ? 0 : 1)}-12-28`);
  if (yearEnd < windowStart || t(yearEnd, "22:30").getTime() > at.getTime() - 7 * DAY_MS) {
    yearEnd = day(35);
    while (dayOfWeek(yearEnd) !== 6) yearEnd = addDays(yearEnd, -1);
  }
  notables.push({
    cause: id("K-2001", "cc", yearEnd),
    events: [
      event(id("K-2001", "cc", yearEnd), "K-2001", "GW-01", t(yearEnd, "22:30"), {
        type: "cc_callback",
        source: "gateway",
        severity: "critical",
        action: "blocked",
        threat: "Trojan.Win32.QAKBOT C&C",
        url: "http://cdn-telemetry.example/beacon",
      }),
    ],
    handling: {
      acknowledge:
        "ゲートウェイでC&C通信を遮断済み（メールは即時送信）。電話受付時間の開始を待ってご連絡します。",
      resolve:
        "通信元は PC-011 の不審なブラウザ拡張機能。削除とフルスキャンを実施し、再発はありません。",
      hoursToResolve: 6,
      call: "総務ご担当者に説明、PC-011 の利用停止を依頼",
    },
  });

  // K-2001's gateway failure (the outage the billing demo credits under T-24-2).
  const outageMonth = addMonths(monthOf(today), -2);
  const failedOn = addDays(firstDayOf(outageMonth), 2);
  const restoredOn = addDays(firstDayOf(outageMonth), 4);
  notables.push({
    cause: id("K-2001", "offline", failedOn),
    events: [
      event(id("K-2001", "offline", failedOn), "K-2001", "GW-01", t(failedOn, "08:50"), {
        type: "gateway_offline",
        source: "gateway",
        severity: "high",
      }),
      event(id("K-2001", "online", restoredOn), "K-2001", "GW-01", t(restoredOn, "12:00"), {
        type: "gateway_online",
        source: "gateway",
        severity: "info",
      }),
    ],
    handling: {
      acknowledge:
        "ゲートウェイの応答なし。お客さまに電源と配線の確認を依頼しましたが復旧せず、故障として手配します。",
      resolve:
        "ゲートウェイ装置の故障（電源ユニット）。交換機を設置して復旧しました。停止時間は T-24-2 の減額対象です。",
      hoursToResolve: 51,
      call: "電源・配線の確認を依頼",
    },
  });

  const offDay = day(20);
  notables.push({
    cause: id("K-2004", "offline", offDay),
    events: [
      event(id("K-2004", "offline", offDay), "K-2004", "GW-01", t(offDay, "02:40"), {
        type: "gateway_offline",
        source: "gateway",
        severity: "high",
      }),
      event(id("K-2004", "online", offDay), "K-2004", "GW-01", t(offDay, "04:10"), {
        type: "gateway_online",
        source: "gateway",
        severity: "info",
      }),
    ],
    handling: {
      acknowledge: "04:10 に自動で復旧したことを確認。原因をお客さまに確認します。",
      resolve:
        "ビルの法定電気設備点検による停電が原因（お客さまに確認済み）。装置に異常はありません。",
      hoursToResolve: 3,
      call: "停電の予定があったことを確認",
    },
  });
  // 30 minutes offline: under the 60-minute threshold, not notified.
  const blipDay = day(45);
  const blip = [
    event(id("K-2004", "offline", blipDay), "K-2004", "GW-01", t(blipDay, "13:05"), {
      type: "gateway_offline",
      source: "gateway",
      severity: "high",
    }),
    event(id("K-2004", "online", blipDay), "K-2004", "GW-01", t(blipDay, "13:35"), {
      type: "gateway_online",
      source: "gateway",
      severity: "info",
    }),
  ];

  const k1002Day = day(4);
  notables.push({
    cause: id("K-1002", "virus", k1002Day),
    events: [
      event(id("K-1002", "virus", k1002Day), "K-1002", "PC-002", t(k1002Day, "10:30"), {
        type: "virus",
        source: "endpoint",
        severity: "high",
        action: "failed",
        threat: "W97M_DOWNLOAD.SMTH",
      }),
    ],
    handling: {
      acknowledge:
        "PC-002 をネットワークから切り離していただきました。リモートで駆除ツールを実行する予定です。",
      resolve: "",
      hoursToResolve: 0,
      call: "堺工場のご担当者に端末の切り離しを依頼",
    },
  });

  const k1004Day = day(100);
  notables.push({
    cause: id("K-1004", "virus", k1004Day),
    events: [
      event(id("K-1004", "virus", k1004Day), "K-1004", "PC-017", t(k1004Day, "11:15"), {
        type: "virus",
        source: "endpoint",
        severity: "high",
        action: "failed",
        threat: "TROJ_QAKBOT.SMAA",
      }),
    ],
    handling: {
      acknowledge: "PC-017 をネットワークから切り離し済み。",
      resolve:
        "USBメモリ経由の感染。オフラインスキャンで駆除し、USBメモリの利用制限を設定しました。",
      hoursToResolve: 26,
      call: "物流センターのご担当者に説明",
    },
  });

  const k2003Day = day(61);
  notables.push({
    cause: id("K-2003", "cc", k2003Day),
    events: [
      event(id("K-2003", "cc", k2003Day), "K-2003", "GW-01", t(k2003Day, "03:12"), {
        type: "cc_callback",
        source: "gateway",
        severity: "critical",
        action: "blocked",
        threat: "Coinminer C&C",
        url: "http://pool-sync-cdn.example/api/v2/ping",
      }),
    ],
    handling: {
      acknowledge: "夜間のC&C通信を遮断済み。朝一番にご連絡しました。",
      resolve:
        "通信元は PC-021。不審なフリーソフトを削除してフルスキャンを実施し、以後の通信はありません。",
      hoursToResolve: 7,
      call: "情報システムご担当者に説明",
    },
  });

  const k1003Day = day(150);
  notables.push({
    cause: id("K-1003", "netvirus", k1003Day),
    events: [
      event(id("K-1003", "netvirus", k1003Day), "K-1003", "PC-003", t(k1003Day, "16:40"), {
        type: "network_virus",
        source: "endpoint",
        severity: "high",
        action: "failed",
        threat: "WORM_DOWNAD.AD",
      }),
    ],
    handling: {
      acknowledge: "PC-003 を切り離していただきました。",
      resolve:
        "Windows Update 未適用の端末でした。更新プログラムを適用してからフルスキャンで駆除しました。",
      hoursToResolve: 22,
      call: "事務所の所長さまに説明",
    },
  });

  notables.push({
    cause: "",
    events: blip,
    handling: { acknowledge: "", resolve: "", hoursToResolve: 0, call: "" },
  });

  const kept = notables.filter((n) =>
    n.events.every(
      (e) => e.detectedAt.getTime() <= at.getTime() && jstDate(e.detectedAt) >= windowStart,
    ),
  );
  // While a gateway is offline it reports nothing else.
  const quiet = new Map<string, Array<{ from: Date; to: Date }>>();
  for (const { events } of kept) {
    const off = events.find((e) => e.type === "gateway_offline");
    const on = events.find((e) => e.type === "gateway_online");
    if (off && on)
      quiet.set(off.contract, [
        ...(quiet.get(off.contract) ?? []),
        { from: off.detectedAt, to: on.detectedAt },
      ]);
  }
  return { notables: kept, quiet };
}

// ---- the demo seed -------------------------------------------------------------------------------

/** An incident opened this long ago has been resolved; since DEMO_ACK_AFTER_DAYS, acknowledged; newer ones are new. */
const DEMO_RESOLVED_AFTER_DAYS = 7;
const DEMO_ACK_AFTER_DAYS = 2;
const DEMO_OPERATOR = { email: "operator@demo.example", name: "運用 花子" };

export interface SeedEventsResult extends IngestSummary {
  from: IsoDate;
}

/** Six months of events up to `at` for the active demo contracts, through the real ingest path. */
export async function seedSecurityEvents(
  db: Kysely<Database>,
  today: IsoDate,
  at: Date,
): Promise<SeedEventsResult> {
  const from = retentionStart(at);
  const { notables, quiet } = notableEvents(today, at, from);
  const contracts = (await eventContractsOf(db, from)).map((c) => ({
    ...c,
    quiet: quiet.get(c.ref) ?? [],
  }));
  const routine = [
    ...generateEvents(contracts, {
      from,
      until: at,
      seed: `demo-events-${today}`,
      idPrefix: "demo-",
    }),
  ];
  const records = [...routine, ...notables.flatMap((n) => n.events)];
  const summary = await ingestRecords(db, records, { now: at });
  await handleIncidents(db, notables, at);
  return { ...summary, from };
}

const iso = (ms: number) => instantOf(new Date(ms));
/** A note row by the demo operator (incident_notes, migration 001150). */
const noteRow = (incidentId: number, operatorId: string | null, ms: number, body: string) => ({
  incident_id: incidentId,
  written_at: iso(ms),
  author_user_id: operatorId,
  author_name: DEMO_OPERATOR.name,
  body,
});

/** The operators' side, after the fact: incidents acknowledged and resolved by age, calls made, mails sent. */
async function handleIncidents(
  db: Kysely<Database>,
  notables: readonly Notable[],
  at: Date,
): Promise<void> {
  const causes = notables.filter((n) => n.cause !== "").map((n) => n.cause);
  if (causes.length === 0) return;
  const incidents = await db
    .selectFrom("incidents")
    .select(["id", "opened_at", "first_event_id"])
    .where("first_event_id", "in", causes)
    .execute();
  const notifications = await db
    .selectFrom("notifications")
    .select(["id", "incident_id", "channel", "planned_at", "outbox_id", "recipient"])
    .where("incident_id", "in", incidents.length ? incidents.map((i) => i.id) : [-1])
    .execute();
  const operatorId =
    (
      await db
        .selectFrom("users")
        .select("id")
        .where("email", "=", DEMO_OPERATOR.email)
        .executeTakeFirst()
    )?.id ?? null;
  await db.transaction().execute(async (trx) => {
    for (const incident of incidents) {
      const { handling } = notables.find((n) => n.cause === incident.first_event_id)!;
      const mine = notifications.filter((n) => n.incident_id === incident.id);
      // Every mail went out at once (S1-4①), as the scheduler would have sent it.
      for (const mail of mine.filter((n) => n.channel === "email" && n.outbox_id !== null)) {
        const sent = new Date(mail.planned_at).getTime();
        await trx
          .updateTable("outbox")
          .set({ status: "sent", attempts: 1, created_at: iso(sent), sent_at: iso(sent + 4_000) })
          .where("id", "=", mail.outbox_id!)
          .execute();
        // As delivery records it (app/mail/outbox.server.ts).
        await trx
          .updateTable("notifications")
          .set({ sent_at: iso(sent + 4_000), result: "sent", attempts: 1 })
          .where("id", "=", mail.id)
          .execute();
      }
      const ageDays = (at.getTime() - new Date(incident.opened_at).getTime()) / DAY_MS;
      if (ageDays < DEMO_ACK_AFTER_DAYS || handling.acknowledge === "") continue;
      // The operator acknowledges after the call; when the call is still to come (year-end holidays), on the e-mail.
      const phone = mine.find((n) => n.channel === "phone");
      const called = phone ? new Date(phone.planned_at).getTime() + 6 * 60_000 : null;
      const acknowledged =
        called !== null && called <= at.getTime()
          ? called + 4 * 60_000
          : new Date(incident.opened_at).getTime() + 20 * 60_000;
      if (acknowledged > at.getTime()) continue;
      const resolved =
        ageDays >= DEMO_RESOLVED_AFTER_DAYS && handling.resolve !== ""
          ? Math.min(acknowledged + handling.hoursToResolve * 3_600_000, at.getTime())
          : null;
      const callMade = phone !== undefined && called !== null && called <= at.getTime();
      if (callMade) {
        // Recorded as the calls page records one (app/security/calls.server.ts: result "answered").
        await trx
          .updateTable("notifications")
          .set({ sent_at: iso(called), result: "answered" })
          .where("id", "=", phone.id)
          .execute();
      }
      await trx
        .updateTable("incidents")
        .set({
          status: resolved === null ? "acknowledged" : "resolved",
          acknowledged_at: iso(acknowledged),
          resolved_at: resolved === null ? null : iso(resolved),
          updated_at: iso(resolved ?? acknowledged),
          assignee: DEMO_OPERATOR.name,
          handled_by: "provider",
        })
        .where("id", "=", incident.id)
        .execute();
      await trx
        .insertInto("incident_notes")
        .values(
          [
            callMade
              ? noteRow(
                  incident.id,
                  operatorId,
                  called,
                  `電話連絡（${phone.recipient}）通話済み: ${handling.call}`,
                )
              : null,
            noteRow(incident.id, operatorId, acknowledged, handling.acknowledge),
            resolved === null ? null : noteRow(incident.id, operatorId, resolved, handling.resolve),
          ].filter((n) => n !== null),
        )
        .execute();
    }
  });
}
