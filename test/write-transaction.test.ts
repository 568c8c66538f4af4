// The billing run's batches take SQLite's write lock at BEGIN (db/write-transaction.ts): what a
// batch reads is what is committed, and no other connection commits until the batch does.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../db/connection";
import { writeTransaction } from "../db/write-transaction";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
let other: DatabaseHandle;
beforeEach(async () => {
  t = await createTestDatabase();
  // A second connection to the same file (another process, as the `billing` command is), not waiting for locks.
  other = openDatabase(t.url);
  other.sqlite.pragma("busy_timeout = 0");
});
afterEach(async () => {
  await other.close();
  await t.dispose();
});

const addReseller = (ref: string) =>
  other.sqlite
    .prepare("insert into resellers (ref, name, created_at) values (?, ?, ?)")
    .run(ref, ref, "2026-11-22T00:00:00.000Z");
const resellers = async () =>
  (await t.db.selectFrom("resellers").select("ref").orderBy("ref").execute()).map((r) => r.ref);

describe("writeTransaction", () => {
  it("holds the write lock from BEGIN: another connection cannot commit until it has, even before its first write", async () => {
    await writeTransaction(t.db, async (trx) => {
      await trx.selectFrom("resellers").selectAll().execute();
      expect(() => addReseller("R-OTHER")).toThrow(/database is locked/);
      await trx
        .insertInto("resellers")
        .values({ ref: "R-BATCH", name: "batch", created_at: "2026-11-22T00:00:00.000Z" })
        .execute();
    });
    addReseller("R-OTHER");
    expect(await resellers()).toEqual(["R-BATCH", "R-OTHER"]);
  });

  it("rolls back what it wrote when its work throws, and leaves the connection usable", async () => {
    await expect(
      writeTransaction(t.db, async (trx) => {
        await trx
          .insertInto("resellers")
          .values({ ref: "R-LOST", name: "lost", created_at: "2026-11-22T00:00:00.000Z" })
          .execute();
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(await resellers()).toEqual([]);
    addReseller("R-OTHER");
    expect(await resellers()).toEqual(["R-OTHER"]);
  });
});
