// Cancellation with the exact cost shown first (T-20, S4 ※1): the customer asks, the reseller
// sees it in the portfolio, the operator confirms, and the billing run charges what was quoted.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

const NOW = "2026-11-22T10:00:00+09:00";
let server: ConsoleServer;
let browser: Browser;
let k1001: number;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: NOW });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath, { readonly: true });
  k1001 = (db.prepare("select id from contracts where ref = 'K-1001'").get() as { id: number }).id;
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

function command(script: string, ...args: string[]) {
  return spawnSync("node_modules/.bin/tsx", [script, ...args], {
    env: { ...process.env, DATABASE_URL: `file:${server.databasePath}`, APP_NOW: NOW },
    encoding: "utf8",
  });
}

describe("cancelling a contract", () => {
  it("quotes, requests, shows in the portfolio, is confirmed, and is billed exactly as quoted", async () => {
    // K-1001 started 2025-03-10. Terminating on 2026-12-15: March 2025 – November 2026 charged
    // (B = 21), remaining 12·2 − 21 = 3 → ETF 3 × 3,000 = 9,000; next renewal month 2027-03.
    const customer = await browser.newPage();
    await loginAs(customer, server.url, "customer@demo.example");
    await customer.goto(`${server.url}/contracts/${k1001}`);
    await customer.getByRole("link", { name: "解約の手続き（費用の確認）" }).click();
    await customer.getByLabel("解約希望日").fill("2026-12-15");
    await customer.getByRole("button", { name: "費用を計算する" }).click();
    await customer.waitForURL(/wished=2026-12-15/);
    // The quote of the page before is still shown until the new one renders.
    await customer
      .getByTestId("quote-termination-date")
      .filter({ hasText: "2026年12月15日" })
      .waitFor();
    expect(await customer.getByTestId("quote-etf").textContent()).toContain("9,000円");
    expect(await customer.getByTestId("quote-fee-free").textContent()).toBe("2027年3月1日");

    const cli = JSON.parse(
      command(
        "scripts/contracts.ts",
        "quote-termination",
        "--contract",
        "K-1001",
        "--wished",
        "2026-12-15",
        "--json",
      ).stdout,
    );
    expect(cli).toEqual({
      terminationDate: "2026-12-15",
      chargedMonths: 21,
      remainingMonths: 3,
      etfYen: 9000,
      feeFreeDate: "2027-03-01",
    });

    await Promise.all([
      customer.waitForURL(/done=requested/),
      customer
        .getByRole("button", { name: "2026年12月15日 で解約を申し込む（違約金 9,000円）" })
        .click(),
    ]);
    expect(await customer.getByTestId("pending").textContent()).toContain(
      "当社の確認をお待ちください",
    );

    const reseller = await browser.newPage();
    await loginAs(reseller, server.url, "reseller@demo.example");
    await reseller.goto(`${server.url}/portfolio`);
    const row = reseller
      .getByRole("table", { name: "解約予定" })
      .locator("tr", { hasText: "K-1001" });
    expect(await row.textContent()).toContain("9,000円");
    expect(await row.textContent()).toContain("確認待ち");

    const operator = await browser.newPage();
    await loginAs(operator, server.url, "operator@demo.example");
    await operator.goto(`${server.url}/cancellations`);
    await Promise.all([
      operator.waitForLoadState("networkidle"),
      operator.getByRole("button", { name: "K-1001 の解約を確認する" }).click(),
    ]);
    await operator.locator("tr", { hasText: "K-1001" }).getByText("確認済み").waitFor();

    await customer.goto(`${server.url}/contracts/${k1001}/cancel`);
    expect(await customer.getByTestId("pending").textContent()).toContain(
      "解約日は 2026年12月15日",
    );

    // The next billing runs: November is charged in full; December (the termination month) carries only the ETF.
    expect(command("scripts/billing.ts", "run", "--month", "2026-11").status).toBe(0);
    expect(command("scripts/billing.ts", "run", "--month", "2026-12").status).toBe(0);
    const out = join(server.databasePath, "..", "lines.csv");
    expect(
      command("scripts/billing.ts", "export", "--month", "2026-12", "--lines", "--out", out).status,
    ).toBe(0);
    const lines = readFileSync(out, "utf8")
      .split("\r\n")
      .filter((l) => l.includes(",K-1001,"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /,K-1001,2026-12,etf\.termination,S4※1,解約違約金（残3か月）,3,3000,9000,non_taxable$/,
    );
  });

  it("refuses a past wished date with a Japanese message and changes nothing", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer2@demo.example");
    const db = new SQLite(server.databasePath, { readonly: true });
    const k2001 = (
      db.prepare("select id from contracts where ref = 'K-2001'").get() as { id: number }
    ).id;
    db.close();
    const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    // The request form's one-time token (issue 17 item 1): without it nothing is even validated.
    await page.goto(`${server.url}/contracts/${k2001}/cancel`);
    const token = await page
      .locator('form:has(input[name="intent"][value="request"]) input[name="_formToken"]')
      .getAttribute("value");
    expect(token).toMatch(/^[\w-]{32}$/);
    const response = await fetch(`${server.url}/contracts/${k2001}/cancel`, {
      method: "POST",
      headers: {
        Cookie: cookies,
        Origin: server.url,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ intent: "request", wished: "2026-11-01", _formToken: token! }),
    });
    expect(response.status).toBe(400);
    const after = new SQLite(server.databasePath, { readonly: true });
    expect(
      after.prepare("select count(*) as n from terminations where contract_id = ?").get(k2001),
    ).toEqual({ n: 0 });
    after.close();
    // And another customer's contract is not found at all.
    const foreign = await page.goto(`${server.url}/contracts/${k1001}/cancel`);
    expect(foreign?.status()).toBe(404);
  });
});
