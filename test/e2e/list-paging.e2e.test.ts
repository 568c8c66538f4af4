// Issue 17 items 2 and 10 and the moderate accessibility leftovers, through the product's surface:
// the 電子帳簿 archive and the review queue page through more rows than one page (the pager's
// range, 次へ, the sort and the search kept in its links); the endpoint-seat and gateway cards of
// every role's home open the contract list of that equipment, whose total is the card's figure;
// the dashboard and the account page name each of their regions and table boxes once.
import SQLite from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCount, formatYen } from "../../app/lib/format";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
const ARCHIVED = 130;
const REVIEWS = 75;

beforeAll(async () => {
  server = await startConsole({ APP_NOW: "2026-11-22T10:00:00+09:00" });
  browser = await launchBrowser();
  const db = new SQLite(server.databasePath);
  try {
    const archive = db.prepare(`insert into document_archive (kind, document_id, document_number,
      issue_date, counterparty, amount_yen, file_name, pdf, sha256, stored_at)
      values ('invoice', ?, ?, ?, ?, ?, ?, ?, ?, '2026-11-01T00:00:00.000Z')`);
    for (let i = 0; i < ARCHIVED; i++)
      archive.run(
        900_000 + i,
        `INV-E${String(i).padStart(5, "0")}`,
        `2026-10-${String((i % 28) + 1).padStart(2, "0")}`,
        i % 2 === 0 ? "株式会社ページ商事" : "有限会社めくり",
        1000 + i,
        `e${i}.pdf`,
        Buffer.from(`pdf ${i}`),
        "0".repeat(64),
      );
    const contract = (db.prepare("select id from contracts order by id").get() as { id: number })
      .id;
    const change = db.prepare(`insert into contract_changes (contract_id, kind, payload,
      effective_date, status, reason, requested_by, requested_at, decided_by, decided_at)
      values (?, 'plan', '{}', '2026-12-01', 'requested', null, 'customer@demo.example', ?, null, null)`);
    for (let i = 0; i < REVIEWS; i++)
      change.run(contract, new Date(Date.UTC(2020, 0, 1, 0, i)).toISOString());
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const one = <T>(sql: string, ...params: unknown[]) => queryDatabase<T>(server, sql, ...params)[0];
const range = (page: Page) => page.getByTestId("pager-range").first();

describe("paging through the lists (issue 17 item 2)", () => {
  it("finance@ pages, sorts and searches the whole 電子帳簿 archive", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await loginAs(page, server.url, "finance@demo.example");
    const all = one<{ n: number; s: number }>(
      "select count(*) as n, sum(amount_yen) as s from document_archive",
    );
    expect(all.n).toBeGreaterThanOrEqual(ARCHIVED);
    await page.goto(`${server.url}/archive`);
    await page.getByRole("heading", { level: 1, name: "電子帳簿の検索" }).waitFor();
    expect(await page.getByTestId("archive-count").textContent()).toBe(
      `${formatCount(all.n)}件　取引金額の合計 ${formatYen(all.s)}`,
    );
    expect(await range(page).textContent()).toBe(`全${all.n}件中 1–50件`);
    await page.getByRole("link", { name: "次へ" }).first().click();
    await page.getByText(`全${all.n}件中 51–100件`).first().waitFor();
    expect(await page.locator("table.data tbody tr").count()).toBe(50);

    // Search, then sort by amount: the pager's links keep both, and the sums are of the search.
    await page.getByLabel("取引先").fill("ページ商事");
    await page.getByRole("button", { name: "検索" }).click();
    const mine = one<{ n: number; s: number }>(
      "select count(*) as n, sum(amount_yen) as s from document_archive where counterparty like '%ページ商事%'",
    );
    await page.getByText(`全${mine.n}件中 1–50件`).first().waitFor();
    expect(await page.getByTestId("archive-count").textContent()).toBe(
      `${formatCount(mine.n)}件　取引金額の合計 ${formatYen(mine.s)}`,
    );
    await page.getByRole("link", { name: /取引金額（税込）/ }).click();
    await page.waitForURL(/sort=amount/);
    await page.locator("th[aria-sort=descending]").waitFor();
    await page.getByRole("link", { name: "2ページ目" }).first().click();
    await page
      .getByText(`全${mine.n}件中 51–${Math.min(100, mine.n)}件`)
      .first()
      .waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get("q")).toBe("ページ商事");
    expect(url.searchParams.get("sort")).toBe("amount");
    const amounts = await page.locator("table.data tbody tr td.num").allTextContents();
    const expected = queryDatabase<{ amount_yen: number }>(
      server,
      "select amount_yen from document_archive where counterparty like '%ページ商事%' order by amount_yen desc, id desc limit 50 offset 50",
    ).map((r) => formatYen(r.amount_yen));
    expect(amounts).toEqual(expected);
    await page.close();
  });

  it("operator@ pages the review queue, oldest first", async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await loginAs(page, server.url, "operator@demo.example");
    const waiting =
      one<{ n: number }>("select count(*) as n from contract_changes where status = 'requested'")
        .n +
      one<{ n: number }>(
        "select count(*) as n from contract_holder_changes where status = 'requested'",
      ).n;
    expect(waiting).toBeGreaterThan(50);
    await page.goto(`${server.url}/reviews`);
    await page.getByRole("heading", { level: 1, name: "審査待ち" }).waitFor();
    expect(await range(page).textContent()).toBe(`全${waiting}件中 1–50件`);
    expect(
      await page.locator("table.data tbody tr").first().locator("td").first().textContent(),
    ).toBe("2020年1月1日 09:00");
    await page.getByRole("link", { name: "次へ" }).first().click();
    await page
      .getByText(`全${waiting}件中 51–${Math.min(100, waiting)}件`)
      .first()
      .waitFor();
    expect(
      await page.locator("table.data tbody tr").first().locator("td").first().textContent(),
    ).toBe("2020年1月1日 09:50");
    await page.close();
  });
});

describe("the home's equipment cards open their lists (issue 17 item 10)", () => {
  for (const email of [
    "operator@demo.example",
    "finance@demo.example",
    "reseller@demo.example",
    "customer@demo.example",
  ]) {
    it(`${email}: エンドポイント契約台数 and ゲートウェイ装置`, async () => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await loginAs(page, server.url, email);
      for (const [testId, item] of [
        ["figure-endpoint-seats", "endpoint"],
        ["figure-gateways", "gateway"],
      ]) {
        await page.goto(`${server.url}/home`);
        const figure = (await page.getByTestId(testId).textContent())?.trim();
        expect(figure).toMatch(/^\d+$/);
        await page.getByTestId(testId).getByRole("link").click();
        await page.waitForURL(new RegExp(`item=${item}`));
        await page.getByRole("heading", { level: 1, name: "契約" }).waitFor();
        if (figure === "0") {
          await page.getByText("条件に合う契約はありません。").waitFor();
          continue;
        }
        const units = page.getByTestId("contract-units");
        await units.waitFor();
        expect(await units.textContent()).toContain(`合計 ${figure}台`);
        expect(await page.getByLabel("機器").inputValue()).toBe(item);
      }
      await page.close();
    });
  }
});

describe("each region and table box is named once (moderate axe leftovers)", () => {
  /** The names of the page's named regions, groups, forms and navigation, with their count where repeated. */
  async function repeatedNames(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      const named = document.querySelectorAll(
        "section, nav, aside, form[aria-label], form[aria-labelledby], [role=group], [role=region], [role=search]",
      );
      const names = new Map<string, number>();
      for (const el of named) {
        const by = el.getAttribute("aria-labelledby");
        const name = (
          by
            ? by
                .split(/\s+/)
                .map((id) => document.getElementById(id)?.textContent ?? "")
                .join(" ")
            : (el.getAttribute("aria-label") ?? "")
        )
          .replace(/\s+/g, " ")
          .trim();
        if (name) names.set(name, (names.get(name) ?? 0) + 1);
      }
      return [...names].filter(([, n]) => n > 1).map(([name, n]) => `${name} ×${n}`);
    });
  }

  for (const [email, path] of [
    ["operator@demo.example", "/dashboard"],
    ["customer@demo.example", "/dashboard"],
    ["operator@demo.example", "/account"],
    ["customer@demo.example", "/account"],
  ]) {
    it(`${path} as ${email}`, async () => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
      await loginAs(page, server.url, email);
      await page.goto(`${server.url}${path}`);
      await page.locator("main h1").waitFor();
      expect(await repeatedNames(page)).toEqual([]);
      await page.close();
    });
  }
});
