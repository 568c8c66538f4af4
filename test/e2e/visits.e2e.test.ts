// Visit booking (S2): only allowed slots, the next possible one suggested, the estimate from the
// billing rules (with the yearly free visit), and the operator's record of what was done billed.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

const NOW = "2026-11-22T10:00:00+09:00"; // a Sunday
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let k2001: number;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: NOW });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath, { readonly: true });
  k2001 = (db.prepare("select id from contracts where ref = 'K-2001'").get() as { id: number }).id;
  db.close();
  page = await browser.newPage();
  await loginAs(page, server.url, "customer2@demo.example");
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function tryBooking(date: string, start = "10:00") {
  await page.goto(`${server.url}/contracts/${k2001}/visits`);
  await page.getByLabel("訪問日").fill(date);
  await page.getByLabel("開始時刻").fill(start);
  await page.getByRole("button", { name: "この内容で予約する" }).click();
  await page.getByTestId("booking-error").waitFor();
  return {
    error: await page.getByTestId("booking-error").textContent(),
    next: await page.getByTestId("next-slot").textContent(),
  };
}

describe("visit booking in the east area", () => {
  it("refuses a Sunday, a national holiday and 12/30 with the next possible slot", async () => {
    expect(await tryBooking("2026-11-29")).toEqual({
      error: expect.stringContaining("東日本エリアの訪問は月曜〜金曜です"),
      next: "2026年11月30日 09:00",
    });
    expect(await tryBooking("2026-11-23")).toEqual({
      error: expect.stringContaining("勤労感謝の日"),
      next: "2026年11月24日 09:00",
    });
    expect(await tryBooking("2026-12-30")).toEqual({
      error: expect.stringContaining("年末年始（12月29日〜1月3日）は訪問できません"),
      next: "2027年1月4日 09:00",
    });
    expect(await tryBooking("2026-11-24", "17:00")).toEqual({
      error: expect.stringContaining("17:00"),
      next: "2026年11月25日 09:00",
    });
    // A wrong quantity is named under its field, in Japanese.
    await page.goto(`${server.url}/contracts/${k2001}/visits`);
    await page.getByLabel("訪問日").fill("2026-11-24");
    await page.getByLabel("アプリケーション設定（件）").fill("1");
    await page.getByLabel(/エンドポイント再インストール/).fill("2");
    await page.getByRole("button", { name: "この内容で予約する" }).click();
    await page.locator(".field-error").waitFor();
    expect(await page.locator(".field-error").textContent()).toBe(
      "再インストールの台数は、アプリケーション設定の件数以下の整数で入力してください",
    );
    // Data migration volumes one per PC must match the PC count.
    await page.getByLabel(/エンドポイント再インストール/).fill("0");
    await page.getByLabel("データ移行（台）").fill("3");
    await page.getByLabel(/データ移行の容量/).fill("30, 3000");
    await page.getByRole("button", { name: "この内容で予約する" }).click();
    await page.locator(".field-error", { hasText: "データ移行の台数（3台）" }).waitFor();
    expect(await page.locator(".field-error").textContent()).toBe(
      "容量を1台ずつ入力するときは、データ移行の台数（3台）と同じ数だけ入力してください（2個あります）",
    );
    const db = new SQLite(server.databasePath, { readonly: true });
    expect(db.prepare("select count(*) as n from visit_bookings").get()).toEqual({ n: 0 });
    db.close();
  });

  it("estimates with the yearly free visit, books, and bills what the operator recorded as done", async () => {
    await page.goto(`${server.url}/contracts/${k2001}/visits`);
    await page.getByLabel("訪問日").fill("2026-11-24");
    await page.getByLabel("開始時刻").fill("10:00");
    await page.getByLabel("OSリカバリ（台）").fill("1");
    await page.getByLabel("アプリケーション設定（件）").fill("1");
    await page.getByLabel(/エンドポイント再インストール/).fill("1");
    await page.getByLabel("プリンター設定（台）").fill("1");
    await page.getByRole("button", { name: "料金を見積もる" }).click();
    await page.getByTestId("estimate-total").waitFor();
    // Free visit (K-2001 has a gateway, nothing used this contract year): basic fee, OS recovery and
    // the agent re-install are free; the printer setup is 4,400.
    expect(await page.getByTestId("free-visit").textContent()).toContain("無料訪問です");
    expect(await page.getByTestId("estimate-total").textContent()).toBe("4,400円");
    await Promise.all([
      page.waitForURL(/booked=1/),
      page.getByRole("button", { name: "この内容で予約する" }).click(),
    ]);

    // Two days before the visit (the console's clock is 11-22): the operator is not offered the
    // record, and a record posted anyway is refused with nothing written.
    const bookingId = (() => {
      const db = new SQLite(server.databasePath, { readonly: true });
      try {
        return (
          db.prepare("select id from visit_bookings where contract_id = ?").get(k2001) as {
            id: number;
          }
        ).id;
      } finally {
        db.close();
      }
    })();
    const early = await startConsole(
      { APP_NOW: "2026-11-24T09:59:00+09:00" },
      { databasePath: server.databasePath },
    );
    try {
      const before = await browser.newPage();
      await loginAs(before, early.url, "operator@demo.example");
      await before.goto(`${early.url}/contracts/${k2001}/visits`);
      const row = before.getByTestId(`booking-${bookingId}`);
      expect(await row.textContent()).toContain("開始日時から記録できます");
      expect(await row.getByTestId("booking-amount").textContent()).toBe("見積 4,400円");
      expect(await before.getByRole("link", { name: "実施内容を記録" }).count()).toBe(0);
      await before.goto(`${early.url}/contracts/${k2001}/visits/${bookingId}`);
      expect(await before.getByTestId("not-yet").textContent()).toContain(
        "予約の開始日時（2026年11月24日 10:00）より前には実施内容を記録できません",
      );
      expect(await before.getByRole("button", { name: "この内容で実施を記録する" }).count()).toBe(
        0,
      );
      const cookies = (await before.context().cookies())
        .map((c) => `${c.name}=${c.value}`)
        .join("; ");
      const posted = await fetch(`${early.url}/contracts/${k2001}/visits/${bookingId}`, {
        method: "POST",
        redirect: "manual",
        headers: {
          Cookie: cookies,
          Origin: early.url,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ intent: "record", start: "09:30", "visit.printer": "1" }),
      });
      // No form is shown, so a hand-made POST has no one-time token (decision 0027): refused before the
      // rule is even asked (the rule's own refusal is tested in test/visit-records.test.ts).
      expect(posted.status).toBe(409);
      expect(await posted.text()).toContain(
        "このフォームは有効期限が切れたか、すでに使われています。",
      );
      const db = new SQLite(server.databasePath, { readonly: true });
      expect(
        db.prepare("select count(*) as n from visits where contract_id = ?").get(k2001),
      ).toEqual({ n: 0 });
      expect(db.prepare("select status from visit_bookings where id = ?").get(bookingId)).toEqual({
        status: "booked",
      });
      db.close();
      await before.close();
    } finally {
      await early.stop();
    }

    // After the visit (11:00 that day) the operator records what was done.
    const after = await startConsole(
      { APP_NOW: "2026-11-24T11:00:00+09:00" },
      { databasePath: server.databasePath },
    );
    try {
      const operator = await browser.newPage();
      await loginAs(operator, after.url, "operator@demo.example");
      await operator.goto(`${after.url}/contracts/${k2001}/visits`);
      await operator.getByRole("link", { name: "実施内容を記録" }).click();
      await operator.getByRole("heading", { name: "訪問の実施記録（2026年11月24日）" }).waitFor();
      // Prefilled with the booking; on site a second printer was set up.
      expect(await operator.getByLabel("OSリカバリ（台）").inputValue()).toBe("1");
      expect(await operator.getByLabel(/エンドポイント再インストール/).inputValue()).toBe("1");
      await operator.getByLabel("プリンター設定（台）").fill("2");
      await operator.getByRole("button", { name: "料金を確認する" }).click();
      await operator.getByTestId("done-total").filter({ hasText: "8,800円" }).waitFor();
      await Promise.all([
        operator.waitForURL(/recorded=1/),
        operator.getByRole("button", { name: "この内容で実施を記録する" }).click(),
      ]);
      // The list shows what is charged for the visit as recorded, with the estimate beside it.
      expect(
        await operator
          .getByTestId(`booking-${bookingId}`)
          .getByTestId("booking-amount")
          .textContent(),
      ).toBe("請求額 8,800円（見積 4,400円）");
      expect(await operator.getByRole("link", { name: "実施内容を記録" }).count()).toBe(0);
      await operator.close();
    } finally {
      await after.stop();
    }

    const env = {
      ...process.env,
      DATABASE_URL: `file:${server.databasePath}`,
      APP_NOW: "2026-12-01T09:00:00+09:00",
    };
    expect(
      spawnSync("node_modules/.bin/tsx", ["scripts/billing.ts", "run", "--month", "2026-11"], {
        env,
        encoding: "utf8",
      }).status,
    ).toBe(0);
    const out = join(server.databasePath, "..", "visit-lines.csv");
    spawnSync(
      "node_modules/.bin/tsx",
      ["scripts/billing.ts", "export", "--month", "2026-11", "--lines", "--out", out],
      { env },
    );
    const visitLines = readFileSync(out, "utf8")
      .split("\r\n")
      .filter((l) => l.includes(",K-2001,") && l.includes(",visit."));
    expect(visitLines).toHaveLength(1);
    expect(visitLines[0]).toContain(
      ",visit.printer,S5,訪問サポート 2026年11月24日 プリンター設定 2台,2,4400,8800,taxable_10",
    );
  });
});
