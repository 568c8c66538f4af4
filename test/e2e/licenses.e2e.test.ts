// Licences in a real browser (docs/rules/licenses.md L-2, L-4, L-6): a customer finds its subscription by
// the order number, sees the path, the day it really ends and the refund before confirming,
// stops auto-renewal of a main licence and sees its add-ons stop too; another customer's
// licence answers 404; two identical ISP applications at once make one contract. The licences
// come from a file imported through the real import command into the server's database.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

const APP_NOW = "2026-11-22T10:00:00+09:00";

const lic = (patch: Record<string, unknown>) => ({
  customer: "C1",
  product: "マルチデバイスセキュリティ",
  channel: "vendor_store",
  term: "annual",
  kind: "standard",
  region: "JP",
  seats: 5,
  priceYen: 7980,
  orderNumber: null,
  productKey: null,
  mainLicense: null,
  autoRenew: true,
  soldVia: "vendor",
  previouslyRefunded: false,
  serviceUsed: false,
  ...patch,
});

const FILE = {
  licenses: [
    // Bought 2026-10-01: on 2026-11-22 still inside the 60-day window (to 2026-11-30).
    lic({
      ref: "E2E-MAIN",
      orderNumber: "NP90012345",
      productKey: "E2EM-AIN1-KEY0",
      charges: [{ date: "2026-10-01", amountYen: 7980, type: "purchase" }],
    }),
    lic({
      ref: "E2E-ADD1",
      product: "クラウドバックアップ 50GB 追加",
      priceYen: 1980,
      mainLicense: "E2E-MAIN",
      charges: [{ date: "2026-06-01", amountYen: 1980, type: "purchase" }],
    }),
    lic({
      ref: "E2E-ADD2",
      product: "プライバシーモニター アシスタント",
      kind: "service",
      priceYen: 2980,
      mainLicense: "E2E-MAIN",
      charges: [{ date: "2026-10-15", amountYen: 2980, type: "purchase" }],
    }),
    lic({
      ref: "E2E-C5",
      customer: "C5",
      orderNumber: "NP90019999",
      charges: [{ date: "2026-09-01", amountYen: 7980, type: "purchase" }],
    }),
  ],
};

let dir: string;
let server: ConsoleServer;
let browser: Browser;

const query = <T>(sql: string, ...params: unknown[]) => queryDatabase<T>(server, sql, ...params);

const licenseId = (ref: string) =>
  query<{ id: number }>("select id from licenses where ref = ?", ref)[0].id;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "licenses-e2e-"));
  server = await startConsole({ APP_NOW });
  const file = join(dir, "licenses.json");
  writeFileSync(file, JSON.stringify(FILE));
  const imported = spawnSync("node_modules/.bin/tsx", ["scripts/import.ts", file], {
    env: { ...process.env, DATABASE_URL: `file:${server.databasePath}`, APP_NOW },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
  expect(imported.stdout).toContain("4 licenses (4 charges)");
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("Find my subscription (L-6) and stopping auto-renewal (L-2)", () => {
  it("a customer finds its licence by the order number, sees path, end and refund, then stops it with its add-ons", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page
      .getByRole("navigation", { name: "メインメニュー" })
      .getByRole("link", { name: "ライセンス" })
      .click();
    await page.getByRole("heading", { name: "ライセンス", level: 1 }).waitFor();
    await page.getByRole("link", { name: /ご契約のライセンスを探す/ }).click();
    await page.waitForURL(`${server.url}/licenses/find`);

    // Typed the way people type it: lower case, with a hyphen and a space.
    await page.getByLabel(/注文番号・プロダクトキー/).fill("np9001 -2345");
    await Promise.all([
      page.waitForURL(/\/licenses\/find\?q=/),
      page.getByRole("button", { name: "探す" }).click(),
    ]);
    expect(await page.getByTestId("result-count").textContent()).toBe("1件見つかりました。");
    const panel = page.getByTestId("license-E2E-MAIN");
    expect(await panel.getByTestId("seller").textContent()).toBe(
      "メーカー公式ストア（このコンソールで停止・解約できます）",
    );
    expect(await panel.getByTestId("path-title").textContent()).toBe(
      "アカウントのライセンスページで自動延長を停止",
    );
    expect(await panel.getByTestId("path-steps").textContent()).toContain(
      "[ライセンス自動延長サービスをキャンセルする] をクリックします。",
    );
    // Cancelling today ends it today and refunds the main (7,980) and the unused service add-on (2,980).
    expect(await panel.getByTestId("effective-end").textContent()).toBe("2026年11月22日");
    expect(await panel.getByTestId("refund-due").textContent()).toBe("10,960円");
    expect(await panel.getByTestId("cascades").textContent()).toBe("E2E-ADD1、E2E-ADD2");
    // Stopping instead: valid to the end of the term, the add-ons stop too, with the vendor's warnings.
    const preview = await panel.getByTestId("stop-preview").textContent();
    expect(preview).toContain("E2E-MAIN: 2027年9月30日 まで利用でき、その後は延長されません");
    expect(preview).toContain("E2E-ADD1: 2027年5月31日 まで利用でき");
    expect(await panel.getByTestId("stop-warnings").textContent()).toContain(
      "リンクされているアドオンライセンス（クラウドバックアップ 50GB 追加、プライバシーモニター アシスタント）の自動延長サービスもキャンセルされます。",
    );
    expect(await panel.getByTestId("renewal-state").textContent()).toBe(
      "自動延長あり（次回 2027年10月1日 に 12,940円）",
    );
    // Nothing has changed yet.
    expect(
      query<{ renewal_state: string }>(
        "select renewal_state from licenses where ref like 'E2E-%' and customer_id = (select id from customers where ref = 'C1') order by ref",
      ).map((r) => r.renewal_state),
    ).toEqual(["active", "active", "active"]);

    await Promise.all([
      page.waitForURL(/\/licenses\/\d+\/done\?action=stop_renewal$/),
      panel.getByRole("button", { name: "自動延長を停止する（アドオンも停止）" }).click(),
    ]);
    expect(await page.getByTestId("done-title").textContent()).toBe(
      "自動延長の停止を受け付けました",
    );
    for (const [ref, until] of [
      ["E2E-MAIN", "2027年9月30日"],
      ["E2E-ADD1", "2027年5月31日"],
      ["E2E-ADD2", "2027年10月14日"],
    ]) {
      const rowText = await page.getByTestId(`done-${ref}`).textContent();
      expect(rowText).toContain("停止手続き中");
      expect(rowText).toContain("処理後「停止済み」");
      expect(rowText).toContain(until);
    }
    expect(
      query<{ ref: string; renewal_state: string }>(
        "select ref, renewal_state from licenses where ref in ('E2E-MAIN', 'E2E-ADD1', 'E2E-ADD2') order by ref",
      ),
    ).toEqual([
      { ref: "E2E-ADD1", renewal_state: "stop_requested" },
      { ref: "E2E-ADD2", renewal_state: "stop_requested" },
      { ref: "E2E-MAIN", renewal_state: "stop_requested" },
    ]);

    // The licence page shows the add-ons stopping with it; stopping again is no longer offered.
    await page.getByRole("link", { name: "ライセンスの詳細へ" }).click();
    await page.waitForURL(`${server.url}/licenses/${licenseId("E2E-MAIN")}`);
    expect(await page.getByTestId("addons").textContent()).toContain("自動延長の停止手続き中");
    expect(await page.getByRole("button", { name: /自動延長を停止する/ }).count()).toBe(0);
    await page.close();

    // The provider's operator records the vendor's processing: stop_requested → stopped.
    const ops = await browser.newPage();
    await loginAs(ops, server.url, "operator@demo.example");
    await ops.goto(`${server.url}/licenses/${licenseId("E2E-MAIN")}`);
    await Promise.all([
      ops.waitForURL(/processed=1/),
      ops.getByRole("button", { name: /メーカーでの停止処理を完了にする/ }).click(),
    ]);
    expect(
      query<{ renewal_state: string }>(
        "select distinct renewal_state from licenses where ref in ('E2E-MAIN', 'E2E-ADD1', 'E2E-ADD2')",
      ),
    ).toEqual([{ renewal_state: "stopped" }]);
    await ops.close();
  });

  it("another customer's licence answers 404, exactly like a missing one; its own answers 200", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer2@demo.example");
    const foreign = await page.goto(`${server.url}/licenses/${licenseId("E2E-MAIN")}`);
    expect(foreign?.status()).toBe(404);
    await page.getByRole("heading", { name: "ページが見つかりません" }).waitFor();
    expect(await page.content()).not.toContain("E2E-MAIN");
    const missing = await page.goto(`${server.url}/licenses/999999`);
    expect(missing?.status()).toBe(404);
    const foreignDone = await page.goto(
      `${server.url}/licenses/${licenseId("E2E-MAIN")}/done?action=stop_renewal`,
    );
    expect(foreignDone?.status()).toBe(404);
    // Searching for C1's order number finds nothing for C5.
    await page.goto(`${server.url}/licenses/find?q=NP90012345`);
    await page.getByTestId("no-results").waitFor();
    const own = await page.goto(`${server.url}/licenses/${licenseId("E2E-C5")}`);
    expect(own?.status()).toBe(200);
    // A POST to the foreign licence changes nothing.
    const post = await page.evaluate(
      async (url) => {
        const r = await fetch(url, {
          method: "POST",
          body: new URLSearchParams({ intent: "cancel", uninstalled: "yes" }),
        });
        return r.status;
      },
      `${server.url}/licenses/${licenseId("E2E-MAIN")}`,
    );
    expect(post).toBe(404);
    expect(query<{ state: string }>("select state from licenses where ref = 'E2E-MAIN'")).toEqual([
      { state: "active" },
    ]);
    await page.close();
  });
});

describe("ISP bundle application (L-4)", () => {
  it("two identical POSTs at once create one contract; a double click too", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/licenses/isp`);
    const key = await page.locator('input[name="_formToken"]').getAttribute("value");
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // The same form submitted twice at the same moment.
    const finalUrls = await page.evaluate(
      async ({ url, key }) => {
        const body = () =>
          new URLSearchParams({
            intent: "apply",
            _formToken: key,
            product: "multi_device_security",
            devices: "3",
          });
        const responses = await Promise.all([
          fetch(url, { method: "POST", body: body() }),
          fetch(url, { method: "POST", body: body() }),
        ]);
        return responses.map(
          (r) => `${r.status} ${new URL(r.url).pathname}${new URL(r.url).search}`,
        );
      },
      { url: `${server.url}/licenses/isp`, key: key! },
    );
    const rows = query<{ contract_number: string; devices: number; customer: string }>(
      "select contract_number, devices, customers.ref as customer from isp_applications join customers on customers.id = customer_id where idempotency_key = ?",
      key,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ devices: 3, customer: "C1" });
    const licenses = query<{ id: number }>(
      "select id from licenses where contract_number = ?",
      rows[0].contract_number,
    );
    expect(licenses).toHaveLength(1);
    expect(finalUrls).toEqual([
      `200 /licenses/${licenses[0].id}?applied=1`,
      `200 /licenses/${licenses[0].id}?applied=1`,
    ]);

    // A fresh form, its button double-clicked: still one contract.
    await page.reload();
    const secondKey = await page.locator('input[name="_formToken"]').getAttribute("value");
    expect(secondKey).not.toBe(key);
    expect(await page.getByTestId("switching-warning").textContent()).toContain(
      rows[0].contract_number,
    );
    await Promise.all([
      page.waitForURL(/\/licenses\/\d+\?applied=1$/),
      page.getByRole("button", { name: "申し込む" }).dblclick(),
    ]);
    expect(await page.getByTestId("isp-applied").textContent()).toContain(
      "お申込みを受け付けました",
    );
    expect(
      query("select id from isp_applications where idempotency_key = ?", secondKey),
    ).toHaveLength(1);
    await page.close();
  });
});
