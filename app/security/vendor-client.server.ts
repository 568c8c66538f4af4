// Pulls devices (S7) and detections from the security vendor's cloud API (docs/vendor-api.md)
// and stores them through the ingest path, page by page. Each page's data and the feed's
// cursor are committed together, so a restart resumes after the last stored page. 429 (with
// Retry-After), 5xx, network errors and timeouts are retried with backoff; an invalid item is
// reported and skipped, the others are stored.
import type SQLite from "better-sqlite3";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { environment } from "../config.server";
import { backoffMs } from "../lib/backoff";
import { validateIngestObject, type IngestRecord } from "./event-lines";
import { contractIdsByRef, ingestRecords, type IngestSummary } from "./ingest.server";
import { instantOf } from "../lib/jst";

export type VendorFeed = "devices" | "detections";

export interface VendorClientConfig {
  baseUrl: string;
  token: string;
  /** Per request, body included (AbortSignal.timeout). */
  timeoutMs?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  pageLimit?: number;
  /** Waits between attempts; tests pass one that records instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export class VendorApiError extends Error {}

export interface VendorPage {
  items: unknown[];
  nextCursor: string | null;
}

export interface SkippedItem {
  feed: VendorFeed;
  cursor: string | null;
  index: number;
  message: string;
}

export interface VendorSyncReport {
  pages: number;
  received: number;
  stored: Pick<
    IngestSummary,
    | "inserted"
    | "duplicates"
    | "devices"
    | "incidentsOpened"
    | "notificationsPlanned"
    | "mailsQueued"
  >;
  skipped: SkippedItem[];
}

const MAX_RETRY_AFTER_MS = 5 * 60_000;
const MAX_PAGES_PER_SYNC = 10_000;

/** VENDOR_API_URL and VENDOR_API_TOKEN (app/config.server.ts), or null when they are not set. */
export function vendorConfigFromEnv(): VendorClientConfig | null {
  return environment().vendorApi;
}

/** One page of a feed, retried as docs/vendor-api.md says. */
export async function fetchVendorPage(
  config: VendorClientConfig,
  feed: VendorFeed,
  cursor: string | null,
): Promise<VendorPage> {
  const url = new URL(
    `v1/${feed}`,
    config.baseUrl.endsWith("/") ? config.baseUrl : `${config.baseUrl}/`,
  );
  if (cursor !== null) url.searchParams.set("cursor", cursor);
  url.searchParams.set("limit", String(config.pageLimit ?? 500));
  const what = `GET /v1/${feed}${cursor === null ? "" : ` (cursor ${cursor})`}`;
  const attempts = config.maxAttempts ?? 5;
  const sleep =
    config.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const log = config.log ?? console.error;

  let reason = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) log(`vendor API: ${what}: ${reason}; attempt ${attempt} of ${attempts}`);
    let wait = backoffMs(attempt, config.retryBaseMs ?? 500, 30_000);
    let body: string;
    try {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${config.token}`, accept: "application/json" },
        signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
      });
      body = await response.text();
      if (response.status === 429 || response.status >= 500) {
        reason = `HTTP ${response.status}`;
        if (response.status === 429)
          wait = retryAfterMs(response.headers.get("retry-after")) ?? wait;
        if (attempt < attempts) await sleep(wait);
        continue;
      }
      if (!response.ok) throw new VendorApiError(`vendor API: ${what}: HTTP ${response.status}`);
    } catch (error) {
      if (error instanceof VendorApiError) throw error;
      reason = isTimeout(error)
        ? `no answer within ${config.timeoutMs ?? 10_000} ms`
        : `network error: ${describe(error)}`;
      if (attempt < attempts) await sleep(wait);
      continue;
    }
    return parsePage(body, what);
  }
  throw new VendorApiError(`vendor API: ${what}: gave up after ${attempts} attempts (${reason})`);
}

/** Syncs devices, then detections (so detections find their devices); stops at the first failed page. */
export async function syncVendor(
  db: Kysely<Database>,
  config: VendorClientConfig,
  options: { now: Date; sqlite?: SQLite.Database },
): Promise<VendorSyncReport> {
  const report: VendorSyncReport = {
    pages: 0,
    received: 0,
    skipped: [],
    stored: {
      inserted: 0,
      duplicates: 0,
      devices: 0,
      incidentsOpened: 0,
      notificationsPlanned: 0,
      mailsQueued: 0,
    },
  };
  for (const feed of ["devices", "detections"] as const) {
    let cursor = await storedCursor(db, feed);
    for (let page = 0; page < MAX_PAGES_PER_SYNC; page++) {
      const { items, nextCursor } = await fetchVendorPage(config, feed, cursor);
      report.pages++;
      report.received += items.length;
      if (items.length === 0) break;

      const contracts = await contractIdsByRef(db);
      const records: IngestRecord[] = [];
      items.forEach((item, index) => {
        const result = validateIngestObject(toIngestLine(feed, item), (ref) => contracts.has(ref));
        if (result.record) return void records.push(result.record);
        for (const message of result.problems) {
          report.skipped.push({ feed, cursor, index, message });
          (config.log ?? console.error)(
            `vendor API: ${feed} (cursor ${cursor ?? "start"}) item ${index}: ${message}`,
          );
        }
      });
      const next = nextCursor ?? cursor;
      const stored = await ingestRecords(db, records, {
        now: options.now,
        sqlite: options.sqlite,
        inTransaction: async (trx) => {
          await trx
            .insertInto("vendor_sync_state")
            .values({ source: feed, cursor: next, updated_at: instantOf(options.now) })
            .onConflict((oc) =>
              oc.column("source").doUpdateSet({ cursor: next, updated_at: instantOf(options.now) }),
            )
            .execute();
        },
      });
      for (const key of Object.keys(report.stored) as Array<keyof VendorSyncReport["stored"]>)
        report.stored[key] += stored[key];
      if (nextCursor === null || nextCursor === cursor) break;
      cursor = nextCursor;
    }
  }
  return report;
}

async function storedCursor(db: Kysely<Database>, feed: VendorFeed): Promise<string | null> {
  const row = await db
    .selectFrom("vendor_sync_state")
    .select("cursor")
    .where("source", "=", feed)
    .executeTakeFirst();
  return row?.cursor ?? null;
}

/** A vendor item in the NDJSON shape of docs/rules/import-format.md, for the one validator both paths share. */
function toIngestLine(feed: VendorFeed, item: unknown): unknown {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return item;
  const v = item as Record<string, unknown>;
  if (feed === "devices") {
    return {
      kind: "device",
      contract: v.contractRef,
      name: v.name,
      deviceType: v.type,
      os: v.os,
      ip: v.ip,
      location: v.location,
      agentVersion: v.agentVersion,
      patternVersion: v.patternVersion,
      lastSeenAt: v.lastSeenAt,
    };
  }
  return {
    kind: "event",
    id: v.id,
    contract: v.contractRef,
    device: v.deviceName,
    source: v.product,
    type: v.type,
    severity: v.severity,
    detectedAt: v.detectedAt,
    threat: v.threat,
    url: v.url,
    action: v.action,
  };
}

function parsePage(body: string, what: string): VendorPage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new VendorApiError(`vendor API: ${what}: malformed page: not JSON`);
  }
  const page = value as { items?: unknown; nextCursor?: unknown } | null;
  if (typeof page !== "object" || page === null || !Array.isArray(page.items)) {
    throw new VendorApiError(`vendor API: ${what}: malformed page: no "items" array`);
  }
  const next = page.nextCursor ?? null;
  if (next !== null && (typeof next !== "string" || next === "")) {
    throw new VendorApiError(
      `vendor API: ${what}: malformed page: "nextCursor" must be a string or null`,
    );
  }
  return { items: page.items, nextCursor: next };
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date = new Date()): number | null {
  if (header === null || header.trim() === "") return null;
  const ms = /^\d+$/.test(header.trim())
    ? Number(header.trim()) * 1000
    : Date.parse(header) - now.getTime();
  return Number.isNaN(ms) ? null : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
