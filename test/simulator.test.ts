// The demo simulator feeds events through the real ingest path and resumes where it stopped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulateEvents } from "../db/demo/simulator";
import { createTestDatabase, type TestDatabase } from "./support/database";

const SEEDED = new Date("2026-11-24T09:00:00+09:00"); // a Tuesday
const hours = (h: number) => new Date(SEEDED.getTime() + h * 3600_000);
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true, at: SEEDED, events: false });
});
afterAll(() => t.dispose());

const simulated = () =>
  t.db
    .selectFrom("security_events")
    .select(["id", "detected_at"])
    .where("id", "like", "sim-%")
    .orderBy("detected_at")
    .execute();

describe("event simulator", () => {
  it("starts from now, then adds the working day's detections since its last run, once", async () => {
    expect(await simulateEvents(t.db, SEEDED)).toBe(0);
    const added = await simulateEvents(t.db, hours(3));
    const rows = await simulated();
    expect(added).toBeGreaterThan(10);
    expect(rows).toHaveLength(added);
    expect(
      rows.every(
        (r) => r.detected_at > SEEDED.toISOString() && r.detected_at <= hours(3).toISOString(),
      ),
    ).toBe(true);
    expect(await simulateEvents(t.db, hours(3))).toBe(0);
  });

  it("resumes after its last position without duplicates", async () => {
    const before = (await simulated()).length;
    const added = await simulateEvents(t.db, hours(5));
    const rows = await simulated();
    expect(rows.length).toBe(before + added);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows.slice(before).every((r) => r.detected_at > hours(3).toISOString())).toBe(true);
  });
});
