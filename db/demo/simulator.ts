// The demo's event simulator: every few minutes, the detections the demo devices would have
// sent since the last run, from the same generator that made the six months of demo events,
// through the real ingest path (so incidents and notifications follow as in production).
// Its position is kept in vendor_sync_state ("simulator"), so a restart resumes without gaps or
// duplicates. Healthy devices report a heartbeat (last_seen_at) as they send.
// It is demo data, not the product: it lives beside the demo seed (db/demo/) and runs only when
// `npm start` has just loaded the demo data or SIMULATOR=on (scripts/serve.ts, issue 16 item 5).
import type { Kysely } from "kysely";
import type { Database } from "../schema";
import { eventContractsOf, generateEvents } from "./seed-events";
import { instantOf, jstDate } from "../../app/lib/jst";
import type { ExtraJob } from "../../app/scheduler.server";
import { now } from "../../app/lib/clock";
import { ingestRecords } from "../../app/security/ingest.server";

const SOURCE = "simulator";
/** A device seen this recently counts as switched on and keeps reporting. */
const ALIVE_MS = 3 * 24 * 3600_000;

export async function simulateEvents(db: Kysely<Database>, now: Date): Promise<number> {
  const state = await db
    .selectFrom("vendor_sync_state")
    .select("cursor")
    .where("source", "=", SOURCE)
    .executeTakeFirst();
  const since = state?.cursor ? new Date(state.cursor) : now;
  const save = () =>
    db
      .insertInto("vendor_sync_state")
      .values({ source: SOURCE, cursor: now.toISOString(), updated_at: instantOf(now) })
      .onConflict((oc) =>
        oc.column("source").doUpdateSet({ cursor: now.toISOString(), updated_at: instantOf(now) }),
      )
      .execute();
  if (now <= since) return save().then(() => 0);
  const contracts = (await eventContractsOf(db, jstDate(since))).map((c) => ({
    ...c,
    devices: c.devices.map((d) =>
      d.lastSeenAt && since.getTime() - d.lastSeenAt.getTime() < ALIVE_MS
        ? { ...d, lastSeenAt: null }
        : d,
    ),
  }));
  const records = [
    ...generateEvents(contracts, {
      from: jstDate(since),
      until: now,
      seed: `sim-${since.toISOString()}`,
      idPrefix: `sim-${since.getTime()}-`,
    }),
  ].filter((r) => r.kind !== "event" || r.detectedAt > since);
  if (records.length > 0) await ingestRecords(db, records, { now });
  await db
    .updateTable("devices")
    .set({ last_seen_at: instantOf(now), updated_at: instantOf(now) })
    .where("last_seen_at", ">=", instantOf(new Date(since.getTime() - ALIVE_MS)))
    .execute();
  await save();
  return records.length;
}

/** Every 10 minutes on the clock (Japan time). */
export const SIMULATOR_PATTERN = "*/10 * * * *";

/** The simulator as a job of the server's scheduler. */
export function simulatorJob(db: Kysely<Database>): ExtraJob {
  return {
    name: "simulator",
    pattern: SIMULATOR_PATTERN,
    run: async () => {
      const n = await simulateEvents(db, now());
      return n ? `simulator: ${n} events` : null;
    },
  };
}
