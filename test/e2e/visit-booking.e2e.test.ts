// Issue 17 item 9 through the pages: before anything is filled in, the booking form says the
// visit hours (S2, docs/rules/terms.md "Visit support") and the next bookable slot, and every menu
// item's price from the tariff in force (tax-exclusive and with tax, docs/rules/tariff.md S5); the
// estimate shows the total with tax; operators read all bookings by day and area, filtered and paged.
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

const NOW = "2026-11-22T10:00:00+09:00"; // a Sunday; Monday 11/23 is 勤労感謝の日
let server: ConsoleServer;
let browser: Browser;
let k2001: number;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: NOW });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath);
  try {
    k2001 = (db.prepare("select id from contracts where ref = 'K-2001'").get() as { id: number })
      .id;
    // A tariff version in force from 2026-11-01 that changes the printer setup: the form must
    // show it, not a price written into the page.
    const { id } = db
      .prepare(
        "insert into tariff_versions (effective_from, created_at) values ('2026-11-01', '2026-10-01T00:00:00.000Z') returning id",
      )
      .get() as { id: number };
    db.prepare(
      "insert into tariff_prices (version_id, code, price_yen) values (?, 'visit.printer', 4600)",
    ).run(id);
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("visit booking form (issue 17 item 9)", () => {
  it("says the hours, the next bookable slot and each item's price before it is filled in", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer2@demo.example");
    await page.goto(`${server.url}/contracts/${k2001}/visits`);
    const hours = page.getByTestId("booking-hours");
    await hours.waitFor();
    const text = (await hours.textContent()) ?? "";
    expect(text).toContain("訪問は9:00〜17:00、月曜〜金曜（祝日・12/29〜1/3を除く）です。");
    expect(text).toContain("ご依頼は9:00〜21:00に承ります。");
    expect(text).toContain("基本作業料は1回 4,500円（税込 4,950円）です。");
    // Sunday 10:00 in the east: Monday is a national holiday, so Tuesday 09:00.
    expect(await page.getByTestId("next-bookable").textContent()).toBe(
      "2026年11月24日（火） 09:00",
    );
    expect(await page.getByLabel("訪問日").inputValue()).toBe("2026-11-24");
    expect(await page.getByLabel("開始時刻").inputValue()).toBe("09:00");

    const price = (code: string) => page.locator(`[data-price="${code}"]`).textContent();
    expect(await price("visit.diagnosis")).toBe(" 1回 1,500円（税込 1,650円）");
    expect(await price("visit.os_recovery")).toBe(" 1台 10,500円（税込 11,550円）");
    expect(await price("visit.os_update")).toBe(" 1台 7,000円（税込 7,700円）");
    expect(await price("visit.wifi")).toBe(" 1台 900円（税込 990円）");
    // From the 2026-11-01 version.
    expect(await price("visit.printer")).toBe(" 1台 4,600円（税込 5,060円）");

    // The estimate: the yearly free visit makes the basic fee free; OS update 7,000 + printer
    // 4,600 = 11,600, tax 1,160, 12,760 with tax.
    await page.getByLabel("OSアップデート（台）").fill("1");
    await page.getByLabel("プリンター設定（台）").fill("1");
    await page.getByRole("button", { name: "料金を見積もる" }).click();
    await page.getByTestId("estimate-total").waitFor();
    expect(await page.getByTestId("estimate-total").textContent()).toBe("11,600円");
    expect(await page.getByTestId("estimate-total-with-tax").textContent()).toBe("12,760円");
    await Promise.all([
      page.waitForURL(/booked=1/),
      page.getByRole("button", { name: "この内容で予約する" }).click(),
    ]);
    await page.getByText("訪問を予約しました。").waitFor();
    expect(
      queryDatabase(
        server,
        "select visit_date, start_time, estimate_yen from visit_bookings where contract_id = ?",
        k2001,
      ),
    ).toEqual([{ visit_date: "2026-11-24", start_time: "09:00", estimate_yen: 11600 }]);
    // The audit summary reads the date as people read it (issue 17 item 6), not 2026-11-24.
    expect(
      queryDatabase<{ summary: string }>(
        server,
        "select summary from audit_log where action = 'visit.book'",
      ).map((r) => r.summary),
    ).toEqual(["訪問予約 2026年11月24日 09:00（見積り 11,600円・税抜、年1回の無料訪問を適用）"]);
    await page.close();
  });
});

describe("operators' visit schedule (issue 17 item 9)", () => {
  beforeAll(() => {
    // 60 more bookings over 11/24–11/28 on east and west contracts, one cancelled in each area.
    const db = new SQLite(server.databasePath);
    try {
      const contracts = db
        .prepare("select id, area from contracts where status != 'terminated' order by id")
        .all() as { id: number; area: string }[];
      const insert =
        db.prepare(`insert into visit_bookings (contract_id, visit_date, start_time, lines,
        with_line_application, backup_available, estimate_yen, status, visit_id, created_by, created_at)
        values (?, ?, ?, '[]', 0, 0, ?, ?, null, 'e2e', '2026-11-20T00:00:00.000Z')`);
      db.transaction(() => {
        for (let i = 0; i < 60; i++) {
          const c = contracts[i % contracts.length];
          insert.run(
            c.id,
            `2026-11-${24 + (i % 5)}`,
            `${String(9 + (i % 8)).padStart(2, "0")}:00`,
            1000 + i,
            i === 7 || i === 8 ? "cancelled" : "booked",
          );
        }
      })();
    } finally {
      db.close();
    }
  });

  const countOf = (from: string, to: string, area?: string) =>
    queryDatabase<{ n: number }>(
      server,
      `select count(*) as n from visit_bookings b join contracts c on c.id = b.contract_id
        where b.visit_date between ? and ? and b.status != 'cancelled' ${area ? "and c.area = ?" : ""}`,
      from,
      to,
      ...(area ? [area] : []),
    )[0].n;

  it("lists every booking by day and area, filters by range and area, and pages", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await loginAs(page, server.url, "operator@demo.example");
    await page
      .getByRole("navigation", { name: "メインメニュー" })
      .getByRole("link", { name: "訪問予定" })
      .click();
    await page.getByRole("heading", { level: 1, name: "訪問予定" }).waitFor();
    const all = countOf("2026-11-22", "2026-12-05");
    expect(all).toBe(59); // 58 of this file that are not cancelled + customer2@'s
    expect(await page.getByTestId("schedule-count").textContent()).toBe(`${all}件の予約`);
    // 50 a page: the first page ends inside the range, the second has the rest.
    expect(await page.locator("tr[data-booking-id]").count()).toBe(50);
    const first = page.locator("tbody[data-day='2026-11-24'] th").first();
    expect(await first.textContent()).toBe(
      `2026年11月24日（火）（${countOf("2026-11-24", "2026-11-24")}件）`,
    );

    await page.getByLabel("開始日").fill("2026-11-24");
    await page.getByLabel("終了日").fill("2026-11-25");
    await page.getByLabel("エリア").selectOption("east");
    await Promise.all([
      page.waitForURL(/area=east/),
      page.getByRole("button", { name: "表示" }).click(),
    ]);
    const east = countOf("2026-11-24", "2026-11-25", "east");
    await page
      .getByTestId("schedule-count")
      .filter({ hasText: `${east}件の予約` })
      .waitFor();
    expect(await page.locator("tr[data-booking-id]").count()).toBe(east);
    const areas = await page.locator("tr[data-booking-id] td:nth-child(2)").allTextContents();
    expect(new Set(areas)).toEqual(new Set(["東日本"]));
    // customer2@'s booking (K-2001, east) is on 11/24 09:00.
    expect(await page.locator("tbody[data-day='2026-11-24']").textContent()).toContain("K-2001");
    expect(await page.locator("tbody[data-day='2026-11-26']").count()).toBe(0);

    await page.goto(`${server.url}/visits?from=2026-11-22&to=2026-12-05&page=2`);
    await page.getByTestId("schedule-count").waitFor();
    expect(await page.locator("tr[data-booking-id]").count()).toBe(all - 50);
    await page.close();
  });

  it("is for the provider's operations only", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer2@demo.example");
    expect((await page.goto(`${server.url}/visits`))?.status()).toBe(403);
    await page.close();
  });
});
