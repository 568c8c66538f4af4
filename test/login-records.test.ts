// The daily pruning of sign-in leftovers beyond sessions and login attempts (scheduler.test.ts
// covers those): throttle counters, pending sign-ins and their passkey challenges, second-factor
// failures, and browsers whose cookie has run out, against a real database file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneLoginRecords } from "../app/audit/login-records.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { instant, type Instant } from "../app/lib/jst";

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  userId = (
    await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "admin@demo.example")
      .executeTakeFirstOrThrow()
  ).id;
});
afterAll(() => t.dispose());

// 2026-11-22 00:00 JST is 2026-11-21T15:00Z; the last throttle window over by then began 14:45Z.
const RUN = new Date("2026-11-22T03:00:00+09:00");

async function remaining() {
  return {
    counters: (await t.db.selectFrom("login_throttle").select("key").orderBy("key").execute()).map(
      (r) => r.key,
    ),
    pending: (
      await t.db
        .selectFrom("pending_sign_ins")
        .select("token_sha256")
        .orderBy("token_sha256")
        .execute()
    ).map((r) => r.token_sha256),
    challenges: (
      await t.db
        .selectFrom("webauthn_challenges")
        .select("challenge")
        .orderBy("challenge")
        .execute()
    ).map((r) => r.challenge),
    failures: (
      await t.db.selectFrom("second_factor_failures").select("at").orderBy("at").execute()
    ).map((r) => r.at),
    browsers: (await t.db.selectFrom("user_devices").select("id").orderBy("id").execute()).map(
      (r) => r.id,
    ),
  };
}

describe("pruning sign-in leftovers", () => {
  it("deletes what was over before today began and nothing of today's, once a day", async () => {
    await t.db
      .insertInto("login_throttle")
      .values([
        {
          key: "account:old",
          window_started_at: instant("2026-11-21T14:44:59.000Z"),
          failures: 5,
          pending: 0,
        },
        {
          key: "account:last-of-yesterday",
          window_started_at: instant("2026-11-21T14:45:00.000Z"),
          failures: 2,
          pending: 0,
        },
      ])
      .execute();
    await t.db
      .insertInto("pending_sign_ins")
      .values([
        {
          token_sha256: "a-expired",
          user_id: userId,
          created_at: instant("2026-11-21T10:00:00.000Z"),
          expires_at: instant("2026-11-21T10:10:00.000Z"),
          failures: 0,
        },
        {
          token_sha256: "b-today",
          user_id: userId,
          created_at: instant("2026-11-21T17:55:00.000Z"),
          expires_at: instant("2026-11-21T18:05:00.000Z"),
          failures: 1,
        },
      ])
      .execute();
    await t.db
      .insertInto("webauthn_challenges")
      .values([
        {
          challenge: "c-expired",
          purpose: "sign_in",
          user_id: null,
          pending_sign_in_id: null,
          expires_at: instant("2026-11-21T14:59:59.000Z"),
        },
        {
          challenge: "d-today",
          purpose: "sign_in",
          user_id: null,
          pending_sign_in_id: null,
          expires_at: instant("2026-11-21T15:00:00.000Z"),
        },
      ])
      .execute();
    await t.db
      .insertInto("second_factor_failures")
      .values([
        { user_id: userId, at: instant("2026-11-21T14:40:00.000Z") },
        { user_id: userId, at: instant("2026-11-21T14:50:00.000Z") },
      ])
      .execute();
    const browser = (id: string, lastSeen: Instant) => ({
      id,
      user_id: userId,
      token_sha256: id,
      user_agent: "Chrome",
      ip: "10.0.0.1",
      created_at: lastSeen,
      last_seen_at: lastSeen,
      mfa_trusted_until: null,
    });
    // A year before 2026-11-22 JST: 2025-11-22 00:00 JST = 2025-11-21T15:00Z.
    await t.db
      .insertInto("user_devices")
      .values([
        browser("gone", instant("2025-11-21T14:59:59.000Z")),
        browser("kept", instant("2025-11-21T15:00:00.000Z")),
      ])
      .execute();

    const first = await pruneLoginRecords(t.db, RUN);
    expect(first).toMatchObject({
      finishedWindows: 4,
      browsers: 1,
      browsersUnseenSince: "2025-11-22",
    });
    expect(await remaining()).toEqual({
      counters: ["account:last-of-yesterday"],
      pending: ["b-today"],
      challenges: ["d-today"],
      failures: ["2026-11-21T14:50:00.000Z"],
      browsers: ["kept"],
    });
    // A second run the same day deletes nothing.
    expect(await pruneLoginRecords(t.db, new Date("2026-11-22T23:59:00+09:00"))).toMatchObject({
      finishedWindows: 0,
      browsers: 0,
    });
    // The next day the rest of yesterday's windows go.
    expect(await pruneLoginRecords(t.db, new Date("2026-11-23T03:00:00+09:00"))).toMatchObject({
      finishedWindows: 4,
      browsers: 1,
    });
    expect(await remaining()).toEqual({
      counters: [],
      pending: [],
      challenges: [],
      failures: [],
      browsers: [],
    });
  });
});
