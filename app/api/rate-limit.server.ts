// The partner API's rate limit (issue 19): at most API_RATE_LIMIT requests per key in a minute
// (fixed windows on the minute), counted in the database so that every server process on it
// shares one count. Check and count are one conditional upsert, as for login throttling
// (auth/throttle.server.ts): the row is raised only while under the limit, and a request that
// raises nothing is refused. A window that is over starts again in the same statement.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { instantOf } from "../lib/jst";

const WINDOW_MS = 60_000;

/**
 * A verdict, not an operation's failure (app/lib/result.ts has no "too many" kind and needs none):
 * the request may run with so many left in the minute, or waits so many seconds (the API's 429).
 */
export type RateResult =
  { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export async function takeApiRequest(
  db: Kysely<Database>,
  keyId: number,
  limit: number,
  at: Date,
): Promise<RateResult> {
  const windowStart = instantOf(new Date(Math.floor(at.getTime() / WINDOW_MS) * WINDOW_MS));
  const row = await db
    .insertInto("api_rate_windows")
    .values({ api_key_id: keyId, window_started_at: windowStart, requests: 1 })
    .onConflict((oc) =>
      oc
        .column("api_key_id")
        .doUpdateSet((eb) => {
          // Only a later window replaces the stored one: a process whose clock lags does not reset it.
          const over = eb(
            "api_rate_windows.window_started_at",
            "<",
            eb.ref("excluded.window_started_at"),
          );
          return {
            window_started_at: eb
              .case()
              .when(over)
              .then(eb.ref("excluded.window_started_at"))
              .else(eb.ref("api_rate_windows.window_started_at"))
              .end(),
            requests: eb
              .case()
              .when(over)
              .then(eb.lit(1))
              .else(eb("api_rate_windows.requests", "+", 1))
              .end(),
          };
        })
        .where((eb) =>
          eb.or([
            eb("api_rate_windows.window_started_at", "<", eb.ref("excluded.window_started_at")),
            eb("api_rate_windows.requests", "<", limit),
          ]),
        ),
    )
    .returning("requests")
    .executeTakeFirst();
  if (row) return { allowed: true, remaining: Math.max(0, limit - row.requests) };
  const stored = await db
    .selectFrom("api_rate_windows")
    .select("window_started_at")
    .where("api_key_id", "=", keyId)
    .executeTakeFirst();
  const until = new Date(stored?.window_started_at ?? windowStart).getTime() + WINDOW_MS;
  return {
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((until - at.getTime()) / 1000)),
  };
}
