// The month's invoice PDF zip and the monthly threat-report batch in the browser (issue 18 item
// 4): the page queues a job, shows its progress while the job worker runs it, then offers the zip;
// the zip holds the month's PDFs (read back with unzip and pdftotext).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { pruneBackgroundRecords } from "../../app/jobs/pruning.server";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

const UTF8_ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
let dir: string;
let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "file-jobs-e2e-"));
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Watches the self-refreshing page until the file link appears; returns the progress lines seen. */
async function waitForFile(page: Page): Promise<string[]> {
  const seen: string[] = [];
  const progress = page.getByTestId("job-progress");
  for (const end = Date.now() + 90_000; Date.now() < end;) {
    // The page reloads itself every second: between two loads there is no element to read.
    const text = await progress.textContent({ timeout: 300 }).catch(() => null);
    if (text !== null) seen.push(text);
    else if (await page.getByTestId("job-file").count()) return seen;
    await page.waitForTimeout(100);
  }
  throw new Error(`no file link; seen: ${seen.join(" | ")}`);
}

async function downloadZip(page: Page, name: string): Promise<{ file: string; names: string[] }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("job-file").getByRole("link").click(),
  ]);
  const file = join(dir, name);
  await download.saveAs(file);
  expect(execFileSync("unzip", ["-t", file], { env: UTF8_ENV, encoding: "utf8" })).toMatch(
    /No errors detected/,
  );
  const names = execFileSync("unzip", ["-Z1", file], { env: UTF8_ENV, encoding: "utf8" })
    .trim()
    .split("\n");
  return { file, names };
}

function pdfText(zip: string, entry: string): string {
  const pdf = execFileSync("unzip", ["-p", zip, entry], { env: UTF8_ENV });
  return execFileSync("pdftotext", ["-layout", "-", "-"], { input: pdf, encoding: "utf8" });
}

describe("files made by the job worker", () => {
  it("invoice PDFs: queue → progress → download of a zip with the month's ten PDFs", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "finance@demo.example");
    await page.goto(`${server.url}/billing/2026-09`);
    await page.getByRole("link", { name: "請求書PDFをまとめてダウンロード（ZIP）" }).click();
    await page.getByRole("heading", { name: "2026年9月の請求書PDF（ZIP）" }).waitFor();
    await page.getByText("発行済みの請求書 10 件").waitFor();
    await page.getByRole("button", { name: "ZIPを作成する" }).click();
    const seen = await waitForFile(page);
    // The redirect after the submit lands on the queued or running job: its line was shown.
    expect(seen.length, "the progress line was shown").toBeGreaterThan(0);
    expect(
      seen.every((t) => /開始を待っています…|作成しています… \d+ \/ (10|—) 件/.test(t)),
      seen.join(" | "),
    ).toBe(true);
    expect(await page.getByTestId("job-file").textContent()).toContain("請求書PDF_2026-09.zip");
    // One job for the month, done by the job worker.
    expect(
      queryDatabase<{ state: string; progress_done: number; requested_by: string }>(
        server,
        "select state, progress_done, requested_by from jobs where kind = 'invoice_pdf_zip' and key = '2026-09'",
      ),
    ).toEqual([{ state: "done", progress_done: 10, requested_by: "finance@demo.example" }]);

    const { file, names } = await downloadZip(page, "invoices.zip");
    expect(names).toHaveLength(10);
    expect(names.every((n) => /^請求書_INV-\d{8}_.+\.pdf$/.test(n))).toBe(true);
    const entry = names.find((n) => n.includes("なにわ会計事務所"))!;
    const number = /INV-\d{8}/.exec(entry)![0];
    const text = pdfText(file, entry);
    expect(text).toContain(number);
    expect(text).toContain("なにわ会計事務所");

    // The zip is the finance staff's: the operator gets a 404 for the same link.
    const href = await page.getByTestId("job-file").getByRole("link").getAttribute("href");
    const operator = await browser.newPage();
    await loginAs(operator, server.url, "operator@demo.example");
    const response = await operator.goto(`${server.url}${href}`).catch(() => null);
    expect(response?.status()).toBe(404);
    await operator.close();

    // 40 days later (the job stamps its file with the machine's clock) the daily pruning has deleted the zip (decision 0042): the page says so and
    // offers to make it again; the old link is a 404.
    const handle = openDatabase(server.databaseUrl);
    try {
      const pruned = await pruneBackgroundRecords(
        handle.db,
        new Date(Date.now() + 40 * 86_400_000),
      );
      expect(pruned.jobFiles).toBe(1);
    } finally {
      await handle.close();
    }
    await page.reload();
    await expect(page.getByTestId("job-file-pruned").textContent()).resolves.toBe(
      "作成したファイルは保存期間（31日）を過ぎたため削除しました。必要なら、もう一度作成してください。",
    );
    expect(await page.getByTestId("job-file").count()).toBe(0);
    await page.getByRole("button", { name: "ZIPを作成する" }).waitFor();
    expect((await page.goto(`${server.url}${href}`))?.status()).toBe(404);
    await page.close();
  }, 150_000);

  it("threat reports: the operator queues the month's batch and downloads the reports' zip", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/reports`);
    await page
      .getByRole("link", { name: "全契約の月次レポートを一括作成・ZIPでダウンロード" })
      .click();
    await page.getByRole("heading", { name: "2026年10月の月次レポート（一括作成）" }).waitFor();
    await page.getByRole("button", { name: "一括作成する" }).click();
    const seen = await waitForFile(page);
    expect(seen.length, "the progress line was shown").toBeGreaterThan(0);
    const { file, names } = await downloadZip(page, "reports.zip");
    const made = queryDatabase<{ ref: string }>(
      server,
      "select c.ref from threat_reports r join contracts c on c.id = r.contract_id where r.period_month = '2026-10' and r.kind = 'monthly' order by c.ref",
    );
    expect(made.length).toBeGreaterThan(0);
    expect(names).toEqual(made.map((r) => `脅威レポート_${r.ref}_2026-10.pdf`));
    expect(pdfText(file, names[0])).toContain(made[0].ref);
    await page.close();
  }, 150_000);
});
