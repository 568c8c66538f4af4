// /readyz's check (scripts/readiness.ts): ready on a migrated database; the reason otherwise.
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { databaseReadiness } from "../scripts/readiness";
import { migrations, postgresMigrations } from "../db/migrations/index";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";

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
    // Each engine's own set: PostgreSQL starts from its baseline (decision 0023).
    const names = Object.keys(TEST_ON_POSTGRES ? postgresMigrations : migrations).sort();
    await sql`delete from kysely_migration where name in (${names.at(-2)}, ${names.at(-1)})`.execute(
      t.db,
    );
    expect(await ready()).toBe(`migrations pending: ${names.at(-2)}, ${names.at(-1)}`);
    await sql`drop table kysely_migration`.execute(t.db);
    expect(await ready()).toBe(`migrations pending: ${names.join(", ")}`);
  });

  it("answers with the reason when the database does not answer", async () => {
    t = await createTestDatabase();
    const ready = databaseReadiness(t.db, null);
    // Answered once first: Kysely destroys only a driver it has started (a PostgreSQL pool
    // never used would start again on the next query).
    expect(await ready()).toBeNull();
    await t.db.destroy();
    expect(await ready()).toBe("database: driver has already been destroyed");
  });
});
