// The invoice page shows the invoice's 督促の履歴 (issue 20 item 3): each reminder the daily
// dunning job sent, with the amount owed and the interest to that day, and the T-17 notice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { openDatabase } from "../../db/connection";
import { runDunning } from "../../app/billing/dunning.server";
import { addDays, isoDate } from "../../app/lib/jst";
import { toYen } from "../../app/lib/money";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("督促の履歴", () => {
  it("lists the reminders and the suspension notice with the amount owed and the interest to each day", async () => {
    const handle = openDatabase(`file:${server.databasePath}`);
    let invoice: { id: number; total_yen: number; due_date: string };
    try {
      // An issued invoice with no payment: dunned on due+1 and on due+20 (set days 1,20).
      invoice = await handle.db
        .selectFrom("invoices")
        .select(["id", "total_yen", "due_date"])
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("payments")
                .select("payments.id")
                .whereRef("payments.contract_id", "=", "invoices.contract_id")
                .whereRef("payments.billing_month", "=", "invoices.billing_month"),
            ),
          ),
        )
        .where("total_yen", ">", toYen(0))
        .orderBy("due_date", "desc")
        .executeTakeFirstOrThrow();
      await handle.db.updateTable("provider").set({ dunning_days: "1,20" }).execute();
      const day1 = addDays(isoDate(invoice.due_date), 1);
      const day20 = addDays(isoDate(invoice.due_date), 20);
      expect(
        (await runDunning(handle.db, day1, new Date(`${day1}T03:00:00+09:00`))).reminded,
      ).toBeGreaterThan(0);
      expect(
        (await runDunning(handle.db, day20, new Date(`${day20}T03:00:00+09:00`))).reminded,
      ).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
    const page = await browser.newPage();
    await loginAs(page, server.url, "admin@demo.example");
    await page.goto(`${server.url}/invoices/${invoice.id}`);
    const rows = await page.getByTestId("dunning-history").locator("tbody tr").allTextContents();
    const ja = (iso: string) =>
      `${Number(iso.slice(0, 4))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
    const owed = `${invoice.total_yen.toLocaleString("ja-JP")}円`;
    const interest = Math.floor((invoice.total_yen * 145 * 19) / 365_000);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(
      `${ja(addDays(isoDate(invoice.due_date), 1))}支払期限の1日後のお支払いのお願い（メール）${owed}0円`,
    );
    expect(rows[1]).toBe(
      `${ja(addDays(isoDate(invoice.due_date), 20))}支払期限の20日後のお支払いのお願い（メール）${owed}${interest.toLocaleString("ja-JP")}円`,
    );
    expect(rows[2]).toContain("利用停止の予告（規約第17条）");
    await page.close();
  });
});
