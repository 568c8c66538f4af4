// Renewal reminders 60 days before the renewal month, to the customer and its reseller, once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueRenewalReminders, renewalFacts } from "../app/contracts/renewals.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate } from "../app/lib/jst";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
});
afterAll(() => t.dispose());

describe("renewal reminders", () => {
  it("knows each contract's year and next renewal month", () => {
    // K-2002 started 2025-12-18: month 13 is 2026-12; its reminder is due 60 days before 2026-12-01.
    expect(renewalFacts(isoDate("2025-12-18"), isoDate("2026-11-22"))).toEqual({
      contractYear: 1,
      renewalMonth: "2026-12",
      reminderDate: "2026-10-02",
    });
    expect(renewalFacts(isoDate("2023-11-01"), isoDate("2026-11-22"))).toEqual({
      contractYear: 4,
      renewalMonth: "2027-11",
      reminderDate: "2027-09-02",
    });
  });

  it("mails the customer and the reseller's managers of contracts whose reminder is due, and only once", async () => {
    expect(await queueRenewalReminders(t.db, isoDate("2026-11-22"), TEST_NOW)).toBe(2);
    const mails = await t.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "body_text"])
      .where("kind", "=", "renewal_reminder")
      .orderBy("to_address")
      .execute();
    expect(mails.map((m) => m.to_address)).toEqual([
      "info@hibari-fudosan.example",
      "reseller2@demo.example",
    ]);
    expect(mails[0].subject).toBe(
      "【セキュアライン株式会社】契約更新月のお知らせ（K-2002、2026年12月）",
    );
    expect(mails[0].body_text).toContain(
      "契約更新月（2026年12月1日〜2026年12月31日）中の解約には解約違約金がかかりません",
    );
    expect(await queueRenewalReminders(t.db, isoDate("2026-11-23"), TEST_NOW)).toBe(0);
    // K-2004 (renewal month 2027-02) becomes due on 2026-12-03, not a day earlier.
    expect(await queueRenewalReminders(t.db, isoDate("2026-12-02"), TEST_NOW)).toBe(0);
    expect(await queueRenewalReminders(t.db, isoDate("2026-12-03"), TEST_NOW)).toBe(2);
  });
});
