// Closing a month from the billing page queues a job that the job worker runs (issue 18 item 4):
// the page shows the job's progress, read from its row, then the result.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateContracts } from "../../scripts/bench/generate-contracts";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";
import { yearMonth } from "../../app/lib/jst";

let dir: string;
let server: ConsoleServer;
let browser: Browser;
const CONTRACTS = 15_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "close-job-e2e-"));
  const databasePath = join(dir, "app.db");
  const first = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" }, { databasePath });
  await first.stop();
  // A book large enough that the close takes several batches (500 invoices each).
  const sqlite = new SQLite(databasePath);
  generateContracts(sqlite, CONTRACTS, yearMonth("2026-11"));
  sqlite.close();
  server = await startConsole({ APP_NOW: "2026-12-02T10:00:00+09:00" }, { databasePath });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("month close as a job", () => {
  it("queues a job from the page, shows its progress from the job row, then the result", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "finance@demo.example");
    await page.goto(`${server.url}/billing/2026-11`);
    // The whole month's count (the table below lists only its first 100 invoices), as 15,010件.
    const previewCount = (await page.getByTestId("preview-count").textContent())!;
    const count = Number(previewCount.replace(/[,件]/g, ""));
    expect(count).toBeGreaterThan(CONTRACTS);
    expect(await page.locator("table.data >> nth=1").locator("tbody tr").count()).toBe(100);
    await page
      .getByRole("button", { name: `${previewCount}の請求書を発行して2026年11月を締める` })
      .click();
    await page.getByRole("button", { name: "確定する" }).click();

    // The request returned before the invoices exist: the job row is there, the work is the worker's.
    const progress = page.getByTestId("close-progress");
    await progress.waitFor({ timeout: 20_000 });
    const jobs = queryDatabase<{ kind: string; key: string; requested_by: string }>(
      server,
      "select kind, key, requested_by from jobs where kind = 'month_close'",
    );
    expect(jobs).toEqual([
      { kind: "month_close", key: "2026-11", requested_by: "finance@demo.example" },
    ]);
    // The page refreshes itself until the job ends.
    const seen: string[] = [];
    const finished = page
      .getByRole("status")
      .filter({ hasText: "件発行し、2026年11月を締めました" });
    for (const end = Date.now() + 120_000; Date.now() < end;) {
      // The page reloads itself every second: between two loads there is no element to read.
      const text = await progress.textContent({ timeout: 500 }).catch(() => null);
      if (text !== null) seen.push(text);
      else if (await finished.count()) break;
      await page.waitForTimeout(100);
    }
    // The figures come from the job's row: "—" until the worker has planned the month, then its
    // total. How far the worker gets between two reloads depends on the machine's load, so the
    // page must have shown the progress line, and only figures the row can hold.
    // Queued, the page says it waits for the worker; running, it shows the row's figures.
    expect(seen.length, "the progress line was shown").toBeGreaterThan(0);
    const shown = seen
      .filter((t) => !t.includes("締めの開始を待っています…"))
      .map((t) => /請求書を発行しています… (\d+) \/ (\d+|—) 件/.exec(t));
    expect(
      shown.every(
        (m) => m !== null && Number(m[1]) <= count && (m[2] === "—" || Number(m[2]) === count),
      ),
      seen.join(" | "),
    ).toBe(true);

    await page
      .getByRole("status")
      .filter({ hasText: `請求書を ${count} 件発行し、2026年11月を締めました` })
      .waitFor({ timeout: 60_000 });
    expect(await page.getByText(`発行済み: ${count} 件`).count()).toBe(1);
    const [job] = queryDatabase<{
      state: string;
      progress_done: number;
      progress_total: number;
      result: string;
      lease_holder: string | null;
    }>(
      server,
      "select state, progress_done, progress_total, result, lease_holder from jobs where kind = 'month_close' and key = '2026-11'",
    );
    expect(job).toEqual({
      state: "done",
      progress_done: count,
      progress_total: count,
      result: JSON.stringify({ issued: count, alreadyIssued: 0 }),
      lease_holder: null,
    });
    expect(
      queryDatabase<{ n: number }>(
        server,
        "select count(*) as n from invoices where billing_month = '2026-11'",
      )[0].n,
    ).toBe(count);
    await page.close();
  }, 180_000);
});
