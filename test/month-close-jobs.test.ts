// Closing a month from the browser runs in the background and reports its progress.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeProgress, startMonthClose } from "../app/billing/month-close-jobs.server";
import { generateContracts } from "../scripts/bench/generate-contracts";
import { createTestDatabase, type TestDatabase } from "./support/database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  generateContracts(t.sqlite, 3000, "2025-01");
});
afterAll(() => t.dispose());

describe("month close in the background", () => {
  it("reports progress batch by batch, then the result, and audits the close", async () => {
    const params = { at: new Date("2025-02-01T06:00:00+09:00"), actor: { id: null, email: "finance@demo.example" }, ip: "127.0.0.1" };
    const first = startMonthClose(t.db, "2025-01", params);
    // A second start while running returns the same run.
    expect(startMonthClose(t.db, "2025-01", params)).toBe(first);
    const seen: number[] = [];
    while (closeProgress("2025-01")?.state === "running") {
      seen.push(closeProgress("2025-01")!.done);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(closeProgress("2025-01")).toMatchObject({ state: "done", issued: 3000, done: 3000, total: 3000 });
    expect(seen.some((done) => done > 0 && done < 3000)).toBe(true);
    const audit = await t.db.selectFrom("audit_log").select("summary").where("action", "=", "billing.close").executeTakeFirstOrThrow();
    expect(audit.summary).toMatch(/^2025-01 を締め、請求書 3000 件を発行/);
  });
});
