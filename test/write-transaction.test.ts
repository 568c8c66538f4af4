// The billing run's batches take SQLite's write lock at BEGIN (db/write-transaction.ts): what a
// batch reads is what is committed, and no other connection commits until the batch does. On
// PostgreSQL the same exclusion is an advisory lock another write transaction waits for.
import { afterEach, beforeEach, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../db/connection";
import { writeTransaction } from "../db/write-transaction";
import {
  createTestDatabase,
  describeOnPostgres,
  describeOnSqlite,
  TEST_ON_POSTGRES,
  type TestDatabase,
} from "./support/database";
import { instant } from "../app/lib/jst";

let t: TestDatabase;
let other: DatabaseHandle;
beforeEach(async () => {
  t = await createTestDatabase();
  // A second connection to the same file (another process, as the `billing` command is), not waiting for locks.
  other = openDatabase(t.url);
  if (!TEST_ON_POSTGRES) other.sqlite.pragma("busy_timeout = 0");
});
afterEach(async () => {
  await other.close();
  await t.dispose();
});

const addReseller = (ref: string) =>
  other.sqlite
    .prepare("insert into resellers (ref, name, created_at) values (?, ?, ?)")
    .run(ref, ref, "2026-11-22T00:00:00.000Z");
/** The other connection's own write transaction adding a reseller (PostgreSQL: it waits, async). */
const addResellerInTransaction = (ref: string) =>
  writeTransaction(other.db, (trx) =>
    trx
      .insertInto("resellers")
      .values({ ref, name: ref, created_at: instant("2026-11-22T00:00:00.000Z") })
      .execute(),
  );
const resellers = async () =>
  (await t.db.selectFrom("resellers").select("ref").orderBy("ref").execute()).map((r) => r.ref);

describeOnSqlite("writeTransaction (SQLite)", () => {
  it("holds the write lock from BEGIN: another connection cannot commit until it has, even before its first write", async () => {
    await writeTransaction(t.db, async (trx) => {
      await trx.selectFrom("resellers").selectAll().execute();
      expect(() => addReseller("R-OTHER")).toThrow(/database is locked/);
      await trx
        .insertInto("resellers")
        .values({ ref: "R-BATCH", name: "batch", created_at: instant("2026-11-22T00:00:00.000Z") })
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
          .values({ ref: "R-LOST", name: "lost", created_at: instant("2026-11-22T00:00:00.000Z") })
          .execute();
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(await resellers()).toEqual([]);
    addReseller("R-OTHER");
    expect(await resellers()).toEqual(["R-OTHER"]);
  });
});

describeOnPostgres("writeTransaction (PostgreSQL)", () => {
  it("makes another connection's write transaction wait from its first statement until it commits", async () => {
    let otherDone = false;
    let waiting: Promise<unknown> | undefined;
    await writeTransaction(t.db, async (trx) => {
      await trx.selectFrom("resellers").selectAll().execute();
      waiting = addResellerInTransaction("R-OTHER").then(() => (otherDone = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(otherDone).toBe(false);
      // What this transaction reads is still all there is: the other one has not committed.
      expect(await trx.selectFrom("resellers").select("ref").execute()).toEqual([]);
      await trx
        .insertInto("resellers")
        .values({ ref: "R-BATCH", name: "batch", created_at: instant("2026-11-22T00:00:00.000Z") })
        .execute();
    });
    await waiting;
    expect(otherDone).toBe(true);
    expect(await resellers()).toEqual(["R-BATCH", "R-OTHER"]);
  });

  it("rolls back what it wrote when its work throws, and leaves both connections usable", async () => {
    await expect(
      writeTransaction(t.db, async (trx) => {
        await trx
          .insertInto("resellers")
          .values({ ref: "R-LOST", name: "lost", created_at: instant("2026-11-22T00:00:00.000Z") })
          .execute();
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(await resellers()).toEqual([]);
    await addResellerInTransaction("R-OTHER");
    expect(await resellers()).toEqual(["R-OTHER"]);
  });
});
