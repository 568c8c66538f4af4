// Security data through the pages people use: events ingested with the real command reach the
// customer's dashboard (charts drawn, tables exact), the customer works its C&C incident, a
// foreign incident is 404, the operator records the phone call, and a gateway failure reported
// on a Saturday in the east gets its S1-4④ dispatch on Monday morning.
// The demo seed may bring its own events: every expectation is the seed's figure (read from the
// database before ingesting) plus what this file ingests, or is found by this file's event ids.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DETECTION_TYPES } from "../../app/security/dashboard.server";
import { launchBrowser, loginAs } from "./support/browser";
import { startConsole, type ConsoleServer } from "./support/server";

/** Saturday 2026-11-28, 10:00 in Japan (the Monday after, 11/30, is an ordinary weekday). */
const NOW = "2026-11-28T10:00:00+09:00";
const DAY = "2026-11-28";
const DAY_RANGE = [
  new Date(`${DAY}T00:00:00+09:00`).toISOString(),
  new Date(`2026-11-29T00:00:00+09:00`).toISOString(),
];

let server: ConsoleServer;
let browser: Browser;
let db: SQLite.Database;
let dir: string;
let ingestOutput: string;
/** C1's detections on DAY before this file's events: total and C&C. */
let seeded: { total: number; cc: number };

const event = (o: Record<string, unknown>) => JSON.stringify({ kind: "event", ...o });
const EVENTS =
  [
    // customer@ (C1, K-1001): a C&C callback inside the phone window, and two quarantined viruses.
    event({
      id: "e2e-cc-1",
      contract: "K-1001",
      device: "GW-01",
      source: "gateway",
      type: "cc_callback",
      severity: "critical",
      action: "blocked",
      threat: "E2E.CC.BEACON",
      url: "http://c2.e2e-test.example/beacon",
      detectedAt: "2026-11-28T09:30:00+09:00",
    }),
    event({
      id: "e2e-virus-1",
      contract: "K-1001",
      device: "PC-001",
      source: "endpoint",
      type: "virus",
      severity: "medium",
      action: "quarantined",
      threat: "E2E.TROJ.DASH",
      detectedAt: "2026-11-28T08:10:00+09:00",
    }),
    event({
      id: "e2e-virus-2",
      contract: "K-1001",
      device: "PC-001",
      source: "endpoint",
      type: "virus",
      severity: "medium",
      action: "quarantined",
      threat: "E2E.TROJ.DASH",
      detectedAt: "2026-11-28T08:20:00+09:00",
    }),
    // customer2@ (C5, K-2001): a virus the endpoint could not remove.
    event({
      id: "e2e-virus-failed",
      contract: "K-2001",
      device: "PC-002",
      source: "endpoint",
      type: "virus",
      severity: "high",
      action: "failed",
      threat: "E2E.TROJ.FAIL",
      detectedAt: "2026-11-28T09:40:00+09:00",
    }),
  ].join("\n") + "\n";

const one = <T>(query: string, ...params: unknown[]) => db.prepare(query).get(...params) as T;

function c1Detections(): { total: number; cc: number } {
  const types = DETECTION_TYPES.map(() => "?").join(", ");
  return one<{ total: number; cc: number }>(
    `select count(*) as total, coalesce(sum(case when type = 'cc_callback' then 1 else 0 end), 0) as cc
       from security_events e join contracts k on k.id = e.contract_id join customers c on c.id = k.customer_id
      where c.ref = 'C1' and e.type in (${types}) and e.detected_at >= ? and e.detected_at < ?`,
    ...DETECTION_TYPES,
    ...DAY_RANGE,
  );
}

beforeAll(async () => {
  server = await startConsole({ APP_NOW: NOW });
  browser = await launchBrowser();
  db = new SQLite(server.databasePath, { readonly: true });
  seeded = c1Detections();

  dir = mkdtempSync(join(tmpdir(), "security-e2e-"));
  const file = join(dir, "events.ndjson");
  writeFileSync(file, EVENTS);
  const ingest = spawnSync("node_modules/.bin/tsx", ["scripts/ingest.ts", file], {
    env: { ...process.env, DATABASE_URL: `file:${server.databasePath}`, APP_NOW: NOW },
    encoding: "utf8",
  });
  ingestOutput = `${ingest.stdout}${ingest.stderr}`;
  if (ingest.status !== 0) throw new Error(`ingest failed:\n${ingestOutput}`);
});
afterAll(async () => {
  db?.close();
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const incidentOf = (eventId: string) =>
  one<{ id: number }>("select id from incidents where first_event_id = ?", eventId).id;

describe("ingest", () => {
  it("stores the four events and opens the C&C and failed-virus incidents", () => {
    expect(ingestOutput).toContain("events read: 4; inserted: 4; skipped duplicates: 0");
    expect(ingestOutput).toContain("incidents opened: 2");
  });
});

describe("dashboard", () => {
  it("draws customer@'s charts and its table counts exactly the day's detections", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await loginAs(page, server.url, "customer@demo.example");
    await page.getByRole("link", { name: "ダッシュボード" }).click();
    await page.waitForURL(`${server.url}/dashboard`);
    await page.locator("svg.recharts-surface").first().waitFor();
    expect(await page.locator("svg.recharts-surface").count()).toBeGreaterThanOrEqual(4);

    const row = page.locator(`tr[data-day="${DAY}"]`);
    expect(await row.getByTestId("day-total").textContent()).toBe(String(seeded.total + 3));
    expect(await row.locator('td[data-type="cc_callback"]').textContent()).toBe(
      String(seeded.cc + 1),
    );
    // Issue 17 item 7: the customer reads plain Japanese; the rule id is there on demand (title).
    const retention = page.getByTestId("retention");
    expect(await retention.textContent()).toContain("検知ログの保存期間は6か月です。");
    expect(await retention.textContent()).not.toContain("S1-4⑤");
    expect(await retention.locator("span[title]").getAttribute("title")).toBe(
      "根拠: サービス仕様 S1-4⑤",
    );
    expect(await page.locator("select[name=days]").inputValue()).toBe("30");
    const html = await page.content();
    for (const foreign of ["K-2001", "あおば設計", "E2E.TROJ.FAIL"])
      expect(html).not.toContain(foreign);
    if (process.env.E2E_SCREENSHOTS) {
      await page.screenshot({
        path: join(process.env.E2E_SCREENSHOTS, "dashboard-customer.png"),
        fullPage: true,
      });
    }

    // Another period through the GET form keeps the same day's numbers.
    await page.locator("select[name=days]").selectOption("7");
    await Promise.all([
      page.waitForURL(/days=7/),
      page.getByRole("button", { name: "表示" }).click(),
    ]);
    await page
      .getByTestId("retention")
      .filter({ hasText: "集計期間: 2026年11月22日〜2026年11月28日" })
      .waitFor();
    expect(await page.locator(`tr[data-day="${DAY}"]`).getByTestId("day-total").textContent()).toBe(
      String(seeded.total + 3),
    );
    expect(await page.locator("tbody tr[data-day]").count()).toBe(7);
    await page.close();
  });

  it("renders the same tables without JavaScript (the charts' frames stay empty)", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/dashboard?days=7`);
    expect(await page.locator(`tr[data-day="${DAY}"]`).getByTestId("day-total").textContent()).toBe(
      String(seeded.total + 3),
    );
    expect(await page.locator("svg.recharts-surface").count()).toBe(0);
    await context.close();
  });
});

describe("incidents", () => {
  it("customer@ acknowledges and resolves its C&C incident", async () => {
    const id = incidentOf("e2e-cc-1");
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/incidents`);
    await Promise.all([
      page.waitForURL(`${server.url}/incidents/${id}`),
      page.locator(`a[href="/incidents/${id}"]`).click(),
    ]);
    // The URL changes before the new page renders: wait for its heading.
    await page
      .getByRole("heading", { level: 1 })
      .filter({ hasText: "C&Cサーバーとの通信を検知しました（GW-01）" })
      .waitFor();
    expect(await page.getByTestId("incident-status").textContent()).toBe("未対応");
    await page.getByRole("button", { name: "対応を開始する" }).click();
    await page.getByTestId("incident-status").filter({ hasText: "対応中" }).waitFor();
    await page.getByLabel("メモ").fill("通信先をブロック済み。該当端末を確認しました");
    await page.getByRole("button", { name: "解決済みにする" }).click();
    await page.getByTestId("incident-status").filter({ hasText: "解決済み" }).waitFor();
    expect(one<{ status: string }>("select status from incidents where id = ?", id).status).toBe(
      "resolved",
    );
    await page.close();
  });

  it("customer@ gets 404 for customer2@'s incident", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    const response = await page.goto(`${server.url}/incidents/${incidentOf("e2e-virus-failed")}`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "ページが見つかりません",
    );
    const html = await page.content();
    expect(html).not.toContain("あおば設計");
    expect(html).not.toContain("E2E.TROJ.FAIL");
    await page.close();
  });
});

describe("operations", () => {
  it("operator@ sees the phone call due and records 通話済み", async () => {
    const call = one<{ id: number; planned_at: string }>(
      "select id, planned_at from notifications where event_id = 'e2e-cc-1' and channel = 'phone'",
    );
    // S1-4①: 09:30 on a Saturday is inside the phone window: the call is due at once.
    expect(call.planned_at).toBe(new Date("2026-11-28T09:30:00+09:00").toISOString());
    const page = await browser.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.getByRole("link", { name: "電話連絡" }).click();
    await page.waitForURL(`${server.url}/calls`);
    const row = page.locator(`tr[data-call-id="${call.id}"]`);
    const text = await row.textContent();
    for (const part of [
      "2026年11月28日 09:30",
      "株式会社みなと製作所",
      "K-1001",
      "06-6571-0001",
      "C&Cサーバーとの通信を検知しました（GW-01）",
    ]) {
      expect(text).toContain(part);
    }
    // Nothing chosen: a Japanese field error, nothing recorded.
    await row.getByRole("button", { name: "記録する" }).click();
    await page
      .locator(`tr[data-call-id="${call.id}"] .field-error`)
      .filter({ hasText: "結果を選んでください" })
      .waitFor();
    expect(
      one<{ sent_at: string | null }>("select sent_at from notifications where id = ?", call.id)
        .sent_at,
    ).toBeNull();

    await row.getByLabel("結果", { exact: true }).selectOption({ label: "通話済み" });
    await row.getByLabel("メモ").fill("総務の港さまに状況を説明");
    await Promise.all([
      page.waitForURL(/recorded=/),
      row.getByRole("button", { name: "記録する" }).click(),
    ]);
    await page.getByText("電話連絡の結果を記録しました。").waitFor();
    expect(await page.locator(`tr[data-call-id="${call.id}"]`).count()).toBe(0);
    expect(one("select sent_at, result from notifications where id = ?", call.id)).toEqual({
      sent_at: new Date(NOW).toISOString(),
      result: "answered",
    });
    const audit = one<{ summary: string; user_email: string }>(
      "select summary, user_email from audit_log where action = 'notification.call' and entity_id = ?",
      String(call.id),
    );
    expect(audit.user_email).toBe("operator@demo.example");
    expect(audit.summary).toContain("通話済み — 総務の港さまに状況を説明");
    await page.close();
  });

  it("customer@ reads the operator's call note at 10:00 JST (01:00Z) by display name, never the e-mail address (issue 17 item 6)", async () => {
    const id = incidentOf("e2e-cc-1");
    expect(
      one<{ written_at: string; author_name: string }>(
        "select written_at, author_name from incident_notes where incident_id = ? and body like '電話連絡%'",
        id,
      ),
    ).toEqual({ written_at: "2026-11-28T01:00:00.000Z", author_name: "運用 花子" });
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/incidents/${id}`);
    const notes = page.getByRole("list", { name: "対応の記録" });
    await notes.getByText("総務の港さまに状況を説明").waitFor();
    const call = notes.locator("li").filter({ hasText: "総務の港さまに状況を説明" });
    expect((await call.textContent())?.replace(/\s+/g, " ").trim()).toBe(
      "2026年11月28日 10:00 運用 花子電話連絡（06-6571-0001）通話済み: 総務の港さまに状況を説明",
    );
    const html = await page.content();
    expect(html).not.toContain("operator@demo.example");
    expect(html).not.toContain("01:00Z");
    await page.close();
  });

  it("operator@ records a Saturday failure of an east 10-client gateway: dispatch on Monday 09:00", async () => {
    const k2002 = one<{ id: number }>("select id from contracts where ref = 'K-2002'").id; // east, gw10, no 24h option
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/dispatch`);
    expect(await page.getByLabel("受付日").inputValue()).toBe("2026-11-28");
    expect(await page.getByLabel("受付時刻").inputValue()).toBe("10:00");

    await page.getByRole("button", { name: "最短出動日時を確認" }).click();
    await page
      .getByText("契約を選んでください", { exact: true })
      .and(page.locator(".field-error"))
      .waitFor();

    await page.getByLabel("契約").selectOption(String(k2002));
    await page.getByRole("button", { name: "最短出動日時を確認" }).click();
    const quote = page.getByTestId("dispatch-quote");
    await quote.waitFor();
    const quoted = await quote.textContent();
    expect(quoted).toContain("2026年11月30日（月） 09:00");
    expect(quoted).toContain("東日本エリアの10クライアントモデルは平日9:00〜17:00のみ");
    expect(quoted).toContain("ゲートウェイ装置 10クライアントモデル");
    if (process.env.E2E_SCREENSHOTS)
      await page.screenshot({
        path: join(process.env.E2E_SCREENSHOTS, "dispatch-operator.png"),
        fullPage: true,
      });

    await page.getByLabel("メモ").fill("電源ランプが点灯しない");
    await Promise.all([
      page.waitForURL(/recorded=/),
      page.getByRole("button", { name: "故障を記録する" }).click(),
    ]);
    expect(await page.getByTestId("recorded").textContent()).toContain(
      "K-2002 合同会社ひばり不動産、最短出動 2026年11月30日（月） 09:00",
    );
    const stored = one<{
      id: number;
      reported_at: string;
      earliest_dispatch_at: string;
      recorded_by: string;
    }>(
      "select id, reported_at, earliest_dispatch_at, recorded_by from gateway_failures where contract_id = ? order by id desc",
      k2002,
    );
    expect(stored).toMatchObject({
      reported_at: new Date(NOW).toISOString(),
      earliest_dispatch_at: new Date("2026-11-30T09:00:00+09:00").toISOString(),
      recorded_by: "operator@demo.example",
    });
    expect(await page.locator(`tr[data-failure-id="${stored.id}"]`).textContent()).toContain(
      "2026年11月30日（月） 09:00",
    );
    await page.close();
  });

  it("keeps /calls and /dispatch to the provider's operations", async () => {
    for (const email of [
      "customer@demo.example",
      "reseller@demo.example",
      "finance@demo.example",
    ]) {
      const page = await browser.newPage();
      await loginAs(page, server.url, email);
      const nav = await page.getByRole("navigation", { name: "メインメニュー" }).textContent();
      expect(nav).toContain("ダッシュボード");
      expect(nav).not.toContain("電話連絡");
      for (const path of ["/calls", "/dispatch"])
        expect((await page.goto(`${server.url}${path}`))?.status()).toBe(403);
      await page.close();
    }
  });
});
