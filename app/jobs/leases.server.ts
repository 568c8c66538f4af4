// Leases held in the database (issue 18 item 3): a named piece of work (a scheduled job, the
// close of a month) has at most one holder across every process and instance sharing the
// database. A lease is taken by one conditional upsert (free, expired, or already ours), renewed
// while the work goes on and released at the end; a holder that dies stops renewing, so its lease
// expires and another process takes the work over. Instants are ISO text in UTC (fixed width), so
// comparing them as text orders them. The statements are plain SQL of both engines: SQLite
// serialises writers, and on PostgreSQL `INSERT … ON CONFLICT DO UPDATE … WHERE` locks the row,
// so two takers never both succeed.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { instantOf } from "../lib/jst";

/** How long a lease lasts without renewal: a crashed holder's work waits this long at most. */
export const DEFAULT_LEASE_MS = 60_000;

/** This process's name as a holder: host, pid and a random part (a pid is reused after a restart). */
export function processHolder(): string {
  const key = Symbol.for("secure-line-console.lease-holder");
  const g = globalThis as { [key]?: string };
  g[key] ??= `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  return g[key];
}

/** Takes `name` for `holder` until now + ttlMs when it is free, expired or already held by `holder`. */
export async function takeLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  now: Date,
  ttlMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const nowIso = instantOf(now);
  const expiresAt = instantOf(new Date(now.getTime() + ttlMs));
  const row = await db
    .insertInto("leases")
    .values({ name, holder, expires_at: expiresAt, taken_at: nowIso })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet((eb) => ({
          holder: eb.ref("excluded.holder"),
          expires_at: eb.ref("excluded.expires_at"),
          // Kept when renewing: the time the current holder took it.
          taken_at: eb
            .case()
            .when("leases.holder", "=", holder)
            .then(eb.ref("leases.taken_at"))
            .else(eb.ref("excluded.taken_at"))
            .end(),
        }))
        .where((eb) =>
          eb.or([eb("leases.expires_at", "<=", nowIso), eb("leases.holder", "=", holder)]),
        ),
    )
    .returning("holder")
    .executeTakeFirst();
  return row?.holder === holder;
}

/** Extends a lease `holder` still has; false when it expired and someone else took it. */
export async function renewLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
  now: Date,
  ttlMs = DEFAULT_LEASE_MS,
): Promise<boolean> {
  const result = await db
    .updateTable("leases")
    .set({ expires_at: instantOf(new Date(now.getTime() + ttlMs)) })
    .where("name", "=", name)
    .where("holder", "=", holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a lease up (only the holder's own). */
export async function releaseLease(
  db: Kysely<Database>,
  name: string,
  holder: string,
): Promise<void> {
  await db.deleteFrom("leases").where("name", "=", name).where("holder", "=", holder).execute();
}

/** Who holds `name` at `now`, or null. */
export async function leaseHolder(
  db: Kysely<Database>,
  name: string,
  now: Date,
): Promise<{ holder: string; expiresAt: string; takenAt: string } | null> {
  const row = await db
    .selectFrom("leases")
    .select(["holder", "expires_at", "taken_at"])
    .where("name", "=", name)
    .where("expires_at", ">", instantOf(now))
    .executeTakeFirst();
  return row ? { holder: row.holder, expiresAt: row.expires_at, takenAt: row.taken_at } : null;
}

/**
 * Whether `holder` names a process of this host that no longer exists: its lease need not wait
 * for its expiry (a killed `billing run` re-run at once). Hosts are told apart by name: instances
 * that share a host name must also share the process ids' namespace.
 */
export function isDeadLocalHolder(holder: string): boolean {
  const [host, pidText] = holder.split(":");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid)
    return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Takes `name` from a holder that is a dead process of this host (conditional on that holder). */
async function takeFromDeadLocalHolder(
  db: Kysely<Database>,
  name: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const current = await db
    .selectFrom("leases")
    .select("holder")
    .where("name", "=", name)
    .executeTakeFirst();
  if (!current || !isDeadLocalHolder(current.holder)) return false;
  const result = await db
    .updateTable("leases")
    .set({
      holder,
      expires_at: instantOf(new Date(now.getTime() + ttlMs)),
      taken_at: instantOf(now),
    })
    .where("name", "=", name)
    .where("holder", "=", current.holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface HeldLease {
  /** False once the lease was lost (it expired and another process took it): stop working. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * Takes `name` and keeps renewing it every third of its time until released; null when another
 * process holds it. The clock is the real one: a lease is about processes, not the business day.
 */
export async function holdLease(
  db: Kysely<Database>,
  name: string,
  options: { holder?: string; ttlMs?: number } = {},
): Promise<HeldLease | null> {
  const holder = options.holder ?? processHolder();
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_MS;
  if (
    !(await takeLease(db, name, holder, new Date(), ttlMs)) &&
    !(await takeFromDeadLocalHolder(db, name, holder, new Date(), ttlMs))
  )
    return null;
  let held = true;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = renewLease(db, name, holder, new Date(), ttlMs).then(
        (ok) => {
          if (!ok) held = false;
        },
        () => undefined,
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    get held() {
      return held;
    },
    release: async () => {
      clearInterval(timer);
      await renewing;
      if (held) await releaseLease(db, name, holder);
      held = false;
    },
  };
}
