// /readyz's check (scripts/readiness.ts): ready on a migrated database; the reason otherwise.
import { afterEach, describe, expect, it } from "vitest";
import { databaseReadiness } from "../scripts/readiness";
import { migrations } from "../db/migrations/index";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase | undefined;
afterEach(async () => {
  await t?.dispose().catch(() => undefined);
  t = undefined;
});

describe("databaseReadiness", () => {
  it("is ready on a migrated database and names the pending migrations otherwise", async () => {
    t = await createTestDatabase();
    const ready = databaseReadiness(t.db, t.path);
    expect(await ready()).toBeNull();
    const names = Object.keys(migrations).sort();
    t.sqlite
      .prepare("delete from kysely_migration where name in (?, ?)")
      .run(names.at(-2), names.at(-1));
    expect(await ready()).toBe(`migrations pending: ${names.at(-2)}, ${names.at(-1)}`);
    t.sqlite.exec("drop table kysely_migration");
    expect(await ready()).toBe(`migrations pending: ${names.join(", ")}`);
  });

  it("answers with the reason when the database does not answer", async () => {
    t = await createTestDatabase();
    const ready = databaseReadiness(t.db, null);
    // Ready first: Kysely only marks a driver destroyed once it has connected.
    expect(await ready()).toBeNull();
    await t.db.destroy();
    expect(await ready()).toBe("database: driver has already been destroyed");
  });
});
