// Threat reports in the browser (S1-4⑤): a customer makes an on-demand report and downloads the
// PDF; a month before log retention is refused with the reason and nothing is made; another
// customer's report URL answers 404.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), "reports-e2e-"));

function reportCount(): number {
  const db = new SQLite(server.databasePath, { readonly: true });
  try {
    return (db.prepare("select count(*) as n from threat_reports").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00", SCHEDULER: "off" });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("monthly threat reports", () => {
  it("lets a customer make a report on demand and download it; refuses a month before retention", async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    await loginAs(page, server.url, "customer@demo.example");
    await page.getByRole("link", { name: "月次レポート" }).click();
    await page.waitForURL(`${server.url}/reports`);
    await page.getByRole("heading", { name: "月次レポート", level: 1 }).waitFor();

    // Outside retention: the browser's own min would stop the form, so lift it to see the server's answer.
    const before = reportCount();
    await page.locator('input[name="month"]').evaluate((el) => el.removeAttribute("min"));
    await page.locator('input[name="month"]').fill("2026-04");
    await page.getByRole("button", { name: "作成する" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toBe(
      "2026年4月のレポートは作成できません。ログの保存期間は6か月のため、2026年5月22日より前に始まる期間は対象にできません。",
    );
    expect(reportCount()).toBe(before);

    await page.locator('input[name="month"]').fill("2026-10");
    await Promise.all([
      page.waitForURL(/made=\d+/),
      page.getByRole("button", { name: "作成する" }).click(),
    ]);
    const row = page
      .locator("table.data tbody tr")
      .filter({ hasText: "2026年10月" })
      .filter({ hasText: "随時作成" });
    // With JavaScript the address changes before React renders the new list: wait for the row.
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      row.getByRole("link", { name: "ダウンロード" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("脅威レポート_K-1001_2026-10.pdf");
    const file = join(dir, "report.pdf");
    await download.saveAs(file);
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text).toContain("株式会社みなと製作所");
    expect(text).toContain("2026年10月分");
    expect(reportCount()).toBe(before + 1);
    await page.close();
  });

  it("answers 404 for another customer's report", async () => {
    const db = new SQLite(server.databasePath, { readonly: true });
    const id = (
      db
        .prepare(
          `select threat_reports.id from threat_reports join contracts on contracts.id = contract_id
      where contracts.ref = 'K-1001' order by threat_reports.id desc limit 1`,
        )
        .get() as { id: number }
    ).id;
    db.close();
    const other = await browser.newPage();
    await loginAs(other, server.url, "customer2@demo.example");
    const foreign = await other.request.get(`${server.url}/reports/${id}/pdf`);
    expect(foreign.status()).toBe(404);
    const list = await other.goto(`${server.url}/reports`);
    expect(list?.status()).toBe(200);
    expect(await other.locator("body").textContent()).not.toContain("K-1001");
    await other.close();

    const owner = await browser.newPage();
    await loginAs(owner, server.url, "customer@demo.example");
    const own = await owner.request.get(`${server.url}/reports/${id}/pdf`);
    expect(own.status()).toBe(200);
    expect(own.headers()["content-type"]).toBe("application/pdf");
    await owner.close();
  });
});
