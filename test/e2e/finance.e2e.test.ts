// Finance in the browser: preview and close a month, record a partial and then a full late
// payment, and find the T-26 interest on the next invoice; tenants see only their invoices.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  E2E_ON_POSTGRES,
  queryRows,
  startConsole,
  type ConsoleServer,
} from "./support/server";

let dir: string;
let server: ConsoleServer;
let browser: Browser;
let invoiceId: (contractRef: string, month: string) => Promise<number>;
let databaseUrl: string;

beforeAll(async () => {
  // Seed as of 2026-11-22 (invoices 2026-05..10), then come back on 2026-12-02 to close November.
  dir = mkdtempSync(join(tmpdir(), "finance-e2e-"));
  const databasePath = join(dir, "app.db");
  // The same database across the restart: a file, or (E2E_DATABASE=postgres) a PostgreSQL database.
  databaseUrl = E2E_ON_POSTGRES ? await createPostgresDatabase() : `file:${databasePath}`;
  const first = await startConsole(
    { APP_NOW: "2026-11-22T10:00:00+09:00" },
    { databasePath, databaseUrl },
  );
  await first.stop();
  server = await startConsole(
    { APP_NOW: "2026-12-02T10:00:00+09:00" },
    { databasePath, databaseUrl },
  );
  browser = await launchBrowser();
  invoiceId = async (contractRef, month) =>
    (
      await queryRows<{ id: number }>(
        server,
        `select invoices.id from invoices join contracts on contracts.id = contract_id
        where contracts.ref = ? and billing_month = ?`,
        contractRef,
        month,
      )
    )[0].id;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (databaseUrl?.startsWith("postgres")) await dropPostgresDatabase(databaseUrl);
  rmSync(dir, { recursive: true, force: true });
});

async function recordPayment(page: Page, paidOn: string, amount: string) {
  await page.getByLabel("入金日").fill(paidOn);
  await page.getByLabel("入金額（円）").fill(amount);
  await Promise.all([
    page.waitForURL(/paid=1/),
    page.getByRole("button", { name: "入金を記録" }).click(),
  ]);
}

describe("finance closes November", () => {
  it("records a partial and a full late payment, previews, closes, and bills the interest", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "finance@demo.example");

    // K-2002's August invoice (9,900 yen, due 2026-09-30) is overdue.
    await page.goto(`${server.url}/invoices?status=overdue`);
    const overdue = await page.locator("table.data tbody tr").allTextContents();
    // Accrued to 2026-12-02 if paid today: 10-01..12-01 = 62 days → floor(9,900 × 0.145 × 62 ÷ 365) = 243.
    expect(
      overdue.some(
        (row) => row.includes("K-2002") && row.includes("9,900円") && row.includes("243円"),
      ),
    ).toBe(true);
    await page.goto(`${server.url}/invoices/${await invoiceId("K-2002", "2026-08")}`);
    expect(await page.getByTestId("accrued-interest").textContent()).toContain("延滞利息");

    // A wrong amount is refused with a Japanese field error and nothing is recorded.
    await page.getByLabel("入金額（円）").fill("20000");
    await page.getByRole("button", { name: "入金を記録" }).click();
    await page.getByText("未入金残高（9,900円）を超えています").waitFor();

    await recordPayment(page, "2026-11-10", "5,000");
    expect(await page.locator("h1").textContent()).toContain("期日超過");
    await page.goto(`${server.url}/invoices/${await invoiceId("K-2002", "2026-08")}`);
    await recordPayment(page, "2026-11-25", "");
    await page.locator("h1", { hasText: "入金済み" }).waitFor({ timeout: 5000 });

    // Preview: nothing written yet.
    await page.goto(`${server.url}/billing`);
    await page.getByRole("link", { name: /発行内容を確認する/ }).click();
    await page.waitForURL(`${server.url}/billing/2026-11`);
    expect(await page.getByTestId("preview-count").textContent()).toBe("9件");
    expect(
      (
        await queryRows<{ n: number }>(
          server,
          "select count(*) as n from invoices where billing_month = '2026-11'",
        )
      )[0].n,
    ).toBe(0);

    // Closing asks first, showing what will be issued; nothing is issued before 確定.
    const previewTotal = await page.getByTestId("preview-total").textContent();
    await page.getByRole("button", { name: "9件の請求書を発行して2026年11月を締める" }).click();
    await page.getByTestId("close-confirm").waitFor();
    expect(await page.getByTestId("confirm-count").textContent()).toBe("9件");
    expect(await page.getByTestId("confirm-total").textContent()).toBe(previewTotal);
    expect(previewTotal).toBe("177,286円");
    const novemberInvoices = async () =>
      (
        await queryRows<{ n: number }>(
          server,
          "select count(*) as n from invoices where billing_month = '2026-11'",
        )
      )[0].n;
    expect(await novemberInvoices()).toBe(0);
    // A confirm whose figures are not the plan's is refused (409): the server checks again; one
    // that carries none is not a valid form (400, issue 16 item 1).
    const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    for (const [body, status] of [
      [{ intent: "confirm", count: "9", totalYen: "177285" }, 409],
      [{ intent: "confirm" }, 400],
    ] as [Record<string, string>, number][]) {
      const forged = await fetch(`${server.url}/billing/2026-11`, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams(body),
        headers: {
          Cookie: cookies,
          Origin: server.url,
          "Content-Type": "application/x-www-form-urlencoded",
        },
      });
      expect(forged.status).toBe(status);
    }
    expect(await novemberInvoices()).toBe(0);
    // 戻る leaves the month open; the second time it is confirmed.
    await page.getByRole("link", { name: "戻る" }).click();
    await page.getByTestId("close-confirm").waitFor({ state: "detached" });
    expect(await novemberInvoices()).toBe(0);
    await page.getByRole("button", { name: "9件の請求書を発行して2026年11月を締める" }).click();
    await page.getByRole("button", { name: "確定する" }).click();
    // The run goes on in the server; the page refreshes itself until it has finished.
    await page
      .getByRole("status")
      .filter({ hasText: "請求書を 9 件発行し、2026年11月を締めました" })
      .waitFor({ timeout: 20_000 });

    // Interest: 5,000 × 40 days (10-01..11-09) + 4,900 × 55 days (10-01..11-24) at 14.5 %/365
    // = floor(469,500 × 0.145 ÷ 365) = 186 yen, non-taxable, on the November invoice (T-26).
    await page.goto(`${server.url}/invoices/${await invoiceId("K-2002", "2026-11")}`);
    const interestRow = page.locator("table.data").first().locator("tr", { hasText: "延滞利息" });
    expect(await interestRow.textContent()).toContain("186円");
    expect(await interestRow.textContent()).toContain("非課税"); // interest (docs/rules/terms.md, Non-taxable lines)
    expect(await page.getByTestId("non-taxable").textContent()).toBe("186円");
    // 9,000 + 900 tax + 186 = 10,086
    expect(await page.getByTestId("invoice-total").textContent()).toBe("10,086円");

    // The qualified invoice PDF, read back with pdftotext: the same figures as the database.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "請求書PDFをダウンロード" }).click(),
    ]);
    const pdfPath = join(dir, "invoice.pdf");
    await download.saveAs(pdfPath);
    expect(download.suggestedFilename()).toMatch(/^請求書_INV-\d{8}\.pdf$/);
    const text = execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8" });
    expect(text).toContain("登録番号 T5010001234566");
    expect(text).toMatch(/10%対象 小計\s+9,000円/);
    expect(text).toMatch(/消費税（10%）\s+900円/);
    expect(text).toMatch(/延滞利息（請求書 INV-\d{8}）\s+T-26\s+1\s+186円\s+186円\s+非課税/);
    expect(text).toMatch(/非課税・不課税 小計\s+186円/);
    expect(text).toMatch(/合計\s+10,086円/);
    expect(text).toContain("合同会社ひばり不動産");

    await page.close();
  });

  it("asks before issuing a credit note, without JavaScript, and prints its reason", async () => {
    const creditNotes = async () =>
      (await queryRows<{ n: number }>(server, "select count(*) as n from credit_notes"))[0].n;
    const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
    const page = await context.newPage();
    await loginAs(page, server.url, "finance@demo.example");
    await page.goto(`${server.url}/invoices/${await invoiceId("K-2002", "2026-11")}`);
    // A credit note corrects the invoice without changing it.
    await page.getByText("返還請求書を発行する").click();
    await page.getByLabel(/基本料金.*の返還額/).fill("3000");
    await page.getByLabel("返還の理由").fill("基本料金の重複請求");
    await page.getByRole("button", { name: "発行内容を確認する" }).click();
    const confirmation = page.getByTestId("credit-confirm");
    await confirmation.waitFor();
    expect(await confirmation.locator("tbody tr").allTextContents()).toEqual([
      expect.stringMatching(/基本料金.*10%3,000円$/),
    ]);
    expect(await confirmation.locator("tfoot").textContent()).toBe(
      "10%対象 返還額3,000円消費税（10%）返還額300円返還額合計（税込）3,300円",
    );
    expect(await page.getByTestId("credit-confirm-total").textContent()).toBe("3,300円");
    expect(await page.getByTestId("credit-confirm-reason").textContent()).toBe(
      "基本料金の重複請求",
    );
    expect(await creditNotes()).toBe(0);
    // 戻る brings the form back with what was entered; nothing is issued.
    await page.getByRole("button", { name: "戻る" }).click();
    expect(await page.getByLabel(/基本料金.*の返還額/).inputValue()).toBe("3000");
    expect(await page.getByLabel("返還の理由").inputValue()).toBe("基本料金の重複請求");
    expect(await creditNotes()).toBe(0);
    await page.getByRole("button", { name: "発行内容を確認する" }).click();
    await Promise.all([
      page.waitForURL(/\/credit-notes\/\d+\?issued=1/),
      page.getByRole("button", { name: "確定する" }).click(),
    ]);
    await page.locator("h1").filter({ hasText: "返還請求書 CN-00000001" }).waitFor();
    expect(await page.getByTestId("credit-total").textContent()).toBe("3,300円");
    expect(await creditNotes()).toBe(1);

    // The reason, which the form says is printed, is on the 適格返還請求書.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "返還請求書PDFをダウンロード" }).click(),
    ]);
    const pdfPath = join(dir, "credit-note.pdf");
    await download.saveAs(pdfPath);
    const text = execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8" });
    expect(text).toContain("返還の理由：基本料金の重複請求");
    expect(text).toMatch(/返還額合計\s+3,300円/);
    await context.close();
  });
});

describe("who sees which invoice", () => {
  it("shows a customer only its own invoices", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer2@demo.example");
    await page.goto(`${server.url}/invoices`);
    const rows = await page.locator("table.data tbody tr").allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toContain("K-2001");
    const own = await page.goto(`${server.url}/invoices/${await invoiceId("K-2001", "2026-09")}`);
    expect(own?.status()).toBe(200);
    expect(await page.getByTestId("taxable-10").textContent()).toBe("23,267円");
    expect(await page.getByRole("button", { name: "入金を記録" }).count()).toBe(0);
    // Issue 17 item 7: the customer reads the explanation; the rule id opens on demand.
    const lineTable = page.locator("table.data").first();
    expect(await lineTable.innerText()).not.toMatch(/T-24-1/);
    const rule = lineTable.locator("details.rule-ref").first();
    expect(await rule.locator("summary").textContent()).toBe("根拠となる規約");
    await rule.locator("summary").click();
    expect(await rule.locator(".rule-id").innerText()).toMatch(/^T-\d+/);
    const foreign = await page.goto(
      `${server.url}/invoices/${await invoiceId("K-1001", "2026-09")}`,
    );
    expect(foreign?.status()).toBe(404);
    await page.goto(`${server.url}/invoices/${await invoiceId("K-2001", "2026-09")}`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "請求書PDFをダウンロード" }).click(),
    ]);
    const pdfPath = join(dir, "own.pdf");
    await download.saveAs(pdfPath);
    const pdfText = execFileSync("pdftotext", ["-layout", pdfPath, "-"], { encoding: "utf8" });
    expect(pdfText).toMatch(/合計\s+25,593円/);
    // The PDF keeps its 根拠 column with the rule ids.
    expect(pdfText).toMatch(/根拠/);
    expect(pdfText).toMatch(/T-24-1/);
    const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const foreignPdf = await fetch(
      `${server.url}/invoices/${await invoiceId("K-1001", "2026-09")}/pdf`,
      {
        headers: { Cookie: cookies },
      },
    );
    expect(foreignPdf.status).toBe(404);
    await page.close();
  });

  it("answers 404 when a reseller opens an invoice of the other reseller's customer, and refuses payments", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "reseller@demo.example");
    const foreign = await page.goto(
      `${server.url}/invoices/${await invoiceId("K-2001", "2026-09")}`,
    );
    expect(foreign?.status()).toBe(404);
    const own = await page.goto(`${server.url}/invoices/${await invoiceId("K-1001", "2026-09")}`);
    expect(own?.status()).toBe(200);
    const cookies = await page.context().cookies();
    const response = await fetch(`${server.url}/invoices/${await invoiceId("K-1001", "2026-10")}`, {
      method: "POST",
      headers: {
        Cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
        Origin: server.url,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ paidOn: "2026-11-30", amountYen: "" }),
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    await page.close();
  });
});

describe("manual lines", () => {
  it("finance enters a T-25 surcharge without JavaScript; the December preview carries it; customers are refused", async () => {
    const k2002 = (
      await queryRows<{ id: number }>(server, "select id from contracts where ref = 'K-2002'")
    )[0].id;
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "finance@demo.example");
    const previewRow = async () => {
      await page.goto(`${server.url}/billing/2026-12`);
      const cells = await page
        .locator("table.data tr", { hasText: "K-2002" })
        .locator("td")
        .allTextContents();
      return { taxable: Number(cells[3].replace(/[,円]/g, "")), lines: Number(cells[2]) };
    };
    const before = await previewRow();

    await page.goto(`${server.url}/contracts/${k2002}`);
    await page.getByRole("link", { name: /手動明細/ }).click();
    await page.locator("h1", { hasText: "手動明細（K-2002" }).waitFor();
    expect(await page.getByText("手動明細はありません。").count()).toBe(1);
    await page.getByLabel("種類").selectOption("surcharge");
    await page.locator('input[name="date"]').fill("2026-12-10");
    await page.locator('input[name="amount"]').fill("４千五百");
    await page.locator('input[name="note"]').fill("ゲートウェイの無断転用");
    await page.getByRole("button", { name: "手動明細を登録する" }).click();
    expect(await page.locator(".field-error").allTextContents()).toEqual([
      "金額を1円以上の整数で入力してください",
    ]);
    expect(await page.locator('input[name="note"]').inputValue()).toBe("ゲートウェイの無断転用");

    await page.locator('input[name="amount"]').fill("4,500");
    await Promise.all([
      page.waitForURL(/added=1/),
      page.getByRole("button", { name: "手動明細を登録する" }).click(),
    ]);
    const row = await page
      .getByRole("table", { name: "手動明細" })
      .locator("tbody tr")
      .allTextContents();
    expect(row).toHaveLength(1);
    expect(row[0]).toContain("T-25");
    expect(row[0]).toContain("9,000円");
    expect(row[0]).toContain("未請求（2026年12月分）");

    const after = await previewRow();
    expect(after).toEqual({ taxable: before.taxable + 9000, lines: before.lines + 1 });
    await context.close();

    const customer = await browser.newPage();
    await loginAs(customer, server.url, "customer2@demo.example");
    expect((await customer.goto(`${server.url}/contracts/${k2002}/manual-lines`))?.status()).toBe(
      403,
    );
    await customer.close();
  });
});
