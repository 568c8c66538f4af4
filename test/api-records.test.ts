// The daily pruning of the partner API's leftovers (issue 19): Idempotency-Key answers kept a
// whole day, rate-limit counters once their minute ended before today began; against a real
// database file, twice the same day.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../app/api/keys.server";
import { pruneApiRecords } from "../app/api/pruning.server";
import { takeApiRequest } from "../app/api/rate-limit.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import type { Instant } from "../app/lib/jst";
import { instant } from "../app/lib/jst";

let t: TestDatabase;
let keyId: number;
beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  const created = await createApiKey(t.db, {
    tenant: { kind: "provider" },
    name: "k",
    scope: "write",
    at: new Date("2026-11-01T00:00:00Z"),
    actor: { id: null, email: "test" },
    ip: null,
  });
  if (!created.ok) throw new Error(JSON.stringify(created));
  keyId = created.value.id;
});
afterEach(() => t.dispose());

// 2026-11-22 00:00 JST = 2026-11-21T15:00Z; a day before that: 2026-11-20T15:00Z.
const RUN = new Date("2026-11-22T03:00:00+09:00");

describe("pruning API records", () => {
  it("keeps a day of Idempotency-Key answers and today's counters, once a day", async () => {
    const row = (key: string, at: Instant) => ({
      owner: `api-key:${keyId}`,
      key,
      purpose: "api",
      fingerprint: "x",
      issued_at: at,
      expires_at: at,
      used_at: at,
      status: 201,
      outcome: "{}",
    });
    // A form token (decision 0027) lives in the same table and goes by the same day.
    const formToken = {
      ...row("form-old", instant("2026-11-20T14:00:00.000Z")),
      owner: "user:u1",
      purpose: "payment",
      status: null,
      used_at: null,
    };
    await t.db
      .insertInto("idempotency_keys")
      .values([
        row("old", instant("2026-11-20T14:59:59.999Z")),
        row("kept", instant("2026-11-20T15:00:00.000Z")),
        formToken,
      ])
      .execute();
    const other = await createApiKey(t.db, {
      tenant: { kind: "provider" },
      name: "k2",
      scope: "read",
      at: RUN,
      actor: { id: null, email: "test" },
      ip: null,
    });
    if (!other.ok) throw new Error(JSON.stringify(other));
    await takeApiRequest(t.db, keyId, 5, new Date("2026-11-21T14:58:30Z"));
    await takeApiRequest(t.db, other.value.id, 5, new Date("2026-11-21T14:59:30Z"));

    expect(await pruneApiRecords(t.db, RUN)).toEqual({
      idempotencyBefore: "2026-11-21",
      idempotencyKeys: 2,
      rateWindows: 1,
    });
    expect(
      (await t.db.selectFrom("idempotency_keys").select("key").execute()).map((r) => r.key),
    ).toEqual(["kept"]);
    expect(
      (await t.db.selectFrom("api_rate_windows").select("api_key_id").execute()).map(
        (r) => r.api_key_id,
      ),
    ).toEqual([other.value.id]);
    expect(await pruneApiRecords(t.db, new Date("2026-11-22T23:59:00+09:00"))).toMatchObject({
      idempotencyKeys: 0,
      rateWindows: 0,
    });
  });

  it("counts a key's requests per minute and refuses the one over the limit until the minute ends", async () => {
    const at = (s: string) => new Date(`2026-11-22T10:00:${s}+09:00`);
    const results = [];
    for (const s of ["00", "10", "20", "30"])
      results.push(await takeApiRequest(t.db, keyId, 3, at(s)));
    expect(results).toEqual([
      { allowed: true, remaining: 2 },
      { allowed: true, remaining: 1 },
      { allowed: true, remaining: 0 },
      { allowed: false, retryAfterSeconds: 30 },
    ]);
    expect(await takeApiRequest(t.db, keyId, 3, new Date("2026-11-22T10:01:00+09:00"))).toEqual({
      allowed: true,
      remaining: 2,
    });
    // A process whose clock lags a minute does not restart the window.
    expect(await takeApiRequest(t.db, keyId, 3, at("59"))).toEqual({ allowed: true, remaining: 1 });
  });
});
