// A fresh SQLite file per test, migrated and (optionally) seeded with the demo data, so every
// integration test runs against a real database file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateToLatest, openDatabase, type DatabaseHandle } from "../../db/connection";
import { seedDemo } from "../../db/demo/seed";
import { setDatabase } from "../../app/db.server";

/** The fixed "today" of the demo data in tests: 2026-11-22 10:00 JST. */
export const TEST_NOW = new Date("2026-11-22T10:00:00+09:00");

export interface TestDatabase extends DatabaseHandle {
  dir: string;
  url: string;
  dispose(): Promise<void>;
}

export async function createTestDatabase(options: { seed?: boolean; at?: Date; events?: boolean } = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "console-test-"));
  const url = `file:${join(dir, "app.db")}`;
  const handle = openDatabase(url);
  await migrateToLatest(handle.db);
  if (options.seed) await seedDemo(handle.db, options.at ?? TEST_NOW, { events: options.events });
  setDatabase(handle);
  return {
    ...handle,
    dir,
    url,
    dispose: async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
