// Ingest of device data and security events (docs/rules/import-format.md, Events; S7). Every line is
// validated first and any problem rejects the whole file (the first 100 problems are kept and the
// rest only counted, so a file of millions of bad lines cannot fill the memory or the terminal);
// then one transaction upserts the
// devices, inserts the events (an id already stored is a skipped duplicate) and runs the
// S1-4① notification engine for the contracts concerned. Parsed events are kept between the
// two steps unless the file is huge, in which case it is read a second time.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type SQLite from "better-sqlite3";
import type { Kysely, Transaction } from "kysely";
import { chunks } from "../../db/chunks";
import type { Database } from "../../db/schema";
import {
  parseEventLine,
  type DeviceRecord,
  type EventRecord,
  type IngestRecord,
} from "./event-lines";
import { eventWriter } from "./event-writer.server";
import { notifyContracts, type NotifySummary } from "./notifications.server";
import { instantOf, type Instant } from "../lib/jst";
import { formatCount } from "../lib/format";
import { invalidField, ok, type Failure } from "../lib/result";

export interface IngestSummary extends NotifySummary {
  events: number;
  inserted: number;
  duplicates: number;
  devices: number;
}

export interface LineProblem {
  line: number;
  message: string;
}

/** How many problems a refused file lists; the others are counted. */
export const LISTED_PROBLEMS = 100;

/** What a refused file's failure carries besides its message, for the command to list. */
export interface IngestProblems {
  /** The first LISTED_PROBLEMS problems, in file order. */
  problems: LineProblem[];
  /** Every problem found, listed or not. */
  problemCount: number;
  /** Lines with at least one problem. */
  invalidLines: number;
}

/**
 * What was written, or a validation failure of the file (`file`: how many problems, nothing
 * written) with its problems listed.
 */
export type IngestFileResult =
  { ok: true; value: IngestSummary } | (Failure<"file"> & IngestProblems);

export interface IngestOptions {
  now: Date;
  /** Called every `progressEvery` lines read or events written (for big files). */
  onProgress?: (phase: "checked" | "written", count: number) => void;
  progressEvery?: number;
  /** Events kept in memory between the two passes; a bigger file is read a second time. */
  retainLimit?: number;
  /** The raw SQLite connection under `db`, for the prepared-statement fast path (event-writer.server.ts). */
  sqlite?: SQLite.Database;
  /** Runs last inside the write transaction (the vendor client stores its cursor there). */
  inTransaction?: (trx: Transaction<Database>) => Promise<void>;
}

type Db = Kysely<Database> | Transaction<Database>;

const DEFAULT_RETAIN_LIMIT = 1_000_000;

/** Validates the whole file, then writes it in one transaction; nothing is written when a line is invalid. */
export async function ingestFile(
  db: Kysely<Database>,
  path: string,
  options: IngestOptions,
): Promise<IngestFileResult> {
  const contracts = await contractIdsByRef(db);
  const known = (ref: string) => contracts.has(ref);
  const every = options.progressEvery ?? 100_000;
  const retainLimit = options.retainLimit ?? DEFAULT_RETAIN_LIMIT;

  const problems: LineProblem[] = [];
  let problemCount = 0;
  let invalidLines = 0;
  const devices: DeviceRecord[] = [];
  const eventContracts = new Set<string>();
  let retained: EventRecord[] | null = [];
  let lines = 0;
  for await (const { line, record, problems: found } of readLines(path, known)) {
    if (++lines % every === 0) options.onProgress?.("checked", lines);
    if (found) {
      invalidLines++;
      problemCount += found.length;
      for (const message of found)
        if (problems.length < LISTED_PROBLEMS) problems.push({ line, message });
      // Nothing will be written: stop holding what would have been.
      retained = null;
      devices.length = 0;
    } else if (problemCount > 0) {
      continue;
    } else if (record.kind === "device") {
      devices.push(record);
    } else {
      eventContracts.add(record.contract);
      if (retained !== null) retained.push(record);
      if (retained !== null && retained.length > retainLimit) retained = null;
    }
  }
  if (problemCount > 0) {
    return {
      ...invalidField("file", `${formatCount(problemCount)} problem(s); nothing was imported`),
      problems,
      problemCount,
      invalidLines,
    };
  }

  const events = retained ?? eventsOf(readLines(path, known));
  return ok(await writeRecords(db, contracts, devices, eventContracts, events, options));
}

/** Writes already validated records (the vendor API's path) in one transaction. */
export async function ingestRecords(
  db: Kysely<Database>,
  records: readonly IngestRecord[],
  options: IngestOptions,
): Promise<IngestSummary> {
  const contracts = await contractIdsByRef(db);
  const devices = records.filter((r): r is DeviceRecord => r.kind === "device");
  const events = records.filter((r): r is EventRecord => r.kind === "event");
  return writeRecords(
    db,
    contracts,
    devices,
    new Set(events.map((e) => e.contract)),
    events,
    options,
  );
}

export async function contractIdsByRef(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom("contracts").select(["id", "ref"]).execute();
  return new Map(rows.map((r) => [r.ref, r.id]));
}

async function writeRecords(
  db: Kysely<Database>,
  contracts: Map<string, number>,
  devices: readonly DeviceRecord[],
  contractRefs: ReadonlySet<string>,
  events: readonly EventRecord[] | AsyncIterable<EventRecord>,
  options: IngestOptions,
): Promise<IngestSummary> {
  const ingestedAt = instantOf(options.now);
  const every = options.progressEvery ?? 100_000;
  return db.transaction().execute(async (trx) => {
    const contractId = (ref: string) => {
      const id = contracts.get(ref);
      if (id === undefined) throw new Error(`contract: unknown contract "${ref}"`);
      return id;
    };
    for (const d of devices) await upsertDevice(trx, contractId(d.contract), d, ingestedAt);

    const deviceIds = await deviceIdsOf(trx, [...contractRefs].map(contractId));
    const writer = eventWriter(trx, options.sqlite);
    const touched = new Set<number>();
    let total = 0;
    // Synchronous per event where the writer allows it: 100,000 awaits cost more than the inserts.
    const write = (e: EventRecord) => {
      const cid = contractId(e.contract);
      touched.add(cid);
      if (++total % every === 0) options.onProgress?.("written", total);
      return writer.add({
        id: e.id,
        contract_id: cid,
        device_id: deviceIds.get(`${cid}\u0000${e.device}`) ?? null,
        device_name: e.device,
        source: e.source,
        type: e.type,
        severity: e.severity,
        action: e.action,
        threat: e.threat,
        url: e.url,
        detected_at: instantOf(e.detectedAt),
        ingested_at: ingestedAt,
      });
    };
    // Written in time order, chunk by chunk: the two detected_at indexes then grow at their
    // ends instead of at random places — about 3× faster on a million events not already in
    // time order. (The same id twice with different times: the earlier one is kept.)
    for await (const chunk of chunksOf(events, options.retainLimit ?? DEFAULT_RETAIN_LIMIT)) {
      for (const e of inTimeOrder(chunk)) {
        const pending = write(e);
        if (pending) await pending;
      }
    }
    const inserted = await writer.finish();

    const notified = await notifyContracts(
      trx,
      [...touched].sort((a, b) => a - b),
      options.now,
    );
    await options.inTransaction?.(trx);
    return {
      events: total,
      inserted,
      duplicates: total - inserted,
      devices: devices.length,
      ...notified,
    };
  });
}

async function upsertDevice(
  trx: Transaction<Database>,
  contractId: number,
  d: DeviceRecord,
  at: Instant,
): Promise<void> {
  await trx
    .insertInto("devices")
    .values({
      contract_id: contractId,
      name: d.name,
      device_type: d.deviceType,
      os: d.os ?? "",
      ip: d.ip ?? "",
      location: d.location ?? "",
      agent_version: d.agentVersion,
      pattern_version: d.patternVersion,
      last_seen_at: d.lastSeenAt ? instantOf(d.lastSeenAt) : null,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.columns(["contract_id", "name"]).doUpdateSet((eb) => {
        const values = {
          device_type: eb.val(d.deviceType),
          os: eb.fn.coalesce(eb.val(d.os), eb.ref("devices.os")),
          ip: eb.fn.coalesce(eb.val(d.ip), eb.ref("devices.ip")),
          location: eb.fn.coalesce(eb.val(d.location), eb.ref("devices.location")),
          agent_version: eb.fn.coalesce(eb.val(d.agentVersion), eb.ref("devices.agent_version")),
          pattern_version: eb.fn.coalesce(
            eb.val(d.patternVersion),
            eb.ref("devices.pattern_version"),
          ),
          last_seen_at: eb.fn.coalesce(
            eb.val(d.lastSeenAt ? instantOf(d.lastSeenAt) : null),
            eb.ref("devices.last_seen_at"),
          ),
        };
        // updated_at moves only when a value does: the same file ingested again changes nothing.
        const changed = eb.or(
          Object.entries(values).map(([column, value]) =>
            eb(eb.ref(`devices.${column}` as "devices.os"), "is distinct from", value as never),
          ),
        );
        return {
          ...values,
          updated_at: eb.case().when(changed).then(at).else(eb.ref("devices.updated_at")).end(),
        };
      }),
    )
    .execute();
}

/** Device ids of the contracts, keyed `contractId NUL name`. */
async function deviceIdsOf(
  trx: Transaction<Database>,
  contractIds: number[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(contractIds)) {
    const rows = await trx
      .selectFrom("devices")
      .select(["id", "contract_id", "name"])
      .where("contract_id", "in", part)
      .execute();
    for (const r of rows) ids.set(`${r.contract_id}\u0000${r.name}`, r.id);
  }
  return ids;
}

async function* chunksOf(
  events: readonly EventRecord[] | AsyncIterable<EventRecord>,
  size: number,
): AsyncGenerator<readonly EventRecord[]> {
  if (Array.isArray(events)) {
    yield events;
    return;
  }
  let chunk: EventRecord[] = [];
  for await (const e of events as AsyncIterable<EventRecord>) {
    chunk.push(e);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

function inTimeOrder(events: readonly EventRecord[]): readonly EventRecord[] {
  const sorted = events.every(
    (e, i) => i === 0 || events[i - 1].detectedAt.getTime() <= e.detectedAt.getTime(),
  );
  return sorted
    ? events
    : [...events].sort((x, y) => x.detectedAt.getTime() - y.detectedAt.getTime());
}

interface ReadLine {
  line: number;
  record: IngestRecord;
  problems?: undefined;
}

async function* readLines(
  path: string,
  known: (ref: string) => boolean,
): AsyncGenerator<ReadLine | { line: number; record?: undefined; problems: string[] }> {
  const input = createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Infinity,
  });
  let line = 0;
  for await (const text of input) {
    line++;
    if (text.trim() === "") continue;
    const result = parseEventLine(line === 1 ? text.replace(/^\uFEFF/, "") : text, known);
    yield result.problems ? { line, problems: result.problems } : { line, record: result.record };
  }
}

async function* eventsOf(lines: ReturnType<typeof readLines>): AsyncGenerator<EventRecord> {
  for await (const { record } of lines) if (record?.kind === "event") yield record;
}
