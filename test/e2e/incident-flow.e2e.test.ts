// Issue 17 item 8, through the incident page: a multi-line note without resolving, a phone call
// recorded by the operator moves the incident to 対応中, and then the customer cannot resolve what
// the operator is handling (no control; a forged POST answers 403 and writes nothing).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, loginAs } from "./support/browser";
import { countRows, queryDatabase, startConsole, type ConsoleServer } from "./support/server";

/** Saturday 2026-11-28, 10:00 in Japan: inside the phone window. */
const NOW = "2026-11-28T10:00:00+09:00";

let server: ConsoleServer;
let browser: Browser;
let dir: string;
let incidentId: number;

const incident = () =>
  queryDatabase<{ status: string; handled_by: string | null; assignee: string | null }>(
    server,
    "select status, handled_by, assignee from incidents where id = ?",
    incidentId,
  )[0];

beforeAll(async () => {
  server = await startConsole({ APP_NOW: NOW });
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), "incident-flow-"));
  const file = join(dir, "events.ndjson");
  writeFileSync(
    file,
    JSON.stringify({
      kind: "event",
      id: "flow-cc-1",
      contract: "K-1001",
      device: "GW-01",
      source: "gateway",
      type: "cc_callback",
      severity: "critical",
      action: "blocked",
      threat: "FLOW.CC.BEACON",
      url: "http://c2.flow-test.example/beacon",
      detectedAt: "2026-11-28T09:30:00+09:00",
    }) + "\n",
  );
  const ingest = spawnSync("node_modules/.bin/tsx", ["scripts/ingest.ts", file], {
    env: { ...process.env, DATABASE_URL: `file:${server.databasePath}`, APP_NOW: NOW },
    encoding: "utf8",
  });
  if (ingest.status !== 0) throw new Error(`ingest failed:\n${ingest.stdout}${ingest.stderr}`);
  incidentId = queryDatabase<{ id: number }>(
    server,
    "select id from incidents where first_event_id = 'flow-cc-1'",
  )[0].id;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("incident flow (issue 17 item 8)", () => {
  it("customer@ adds a two-line note and the incident stays 未対応", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/incidents/${incidentId}`);
    await page.getByTestId("incident-status").filter({ hasText: "未対応" }).waitFor();
    const memo = page.getByLabel("メモ");
    expect(await memo.evaluate((el) => el.tagName)).toBe("TEXTAREA");
    await memo.fill("GW-01のログを確認しました。\n該当PCはネットワークから外しています。");
    await page.getByRole("button", { name: "メモを追加する" }).click();
    await page.getByText("メモを追加しました。").waitFor();
    expect(await page.getByTestId("incident-status").textContent()).toBe("未対応");
    const note = page.getByRole("list", { name: "対応の記録" }).locator("li").last();
    expect(await note.textContent()).toContain(
      "GW-01のログを確認しました。\n該当PCはネットワークから外しています。",
    );
    // The form is cleared after success.
    expect(await page.getByLabel("メモ").inputValue()).toBe("");
    expect(incident()).toMatchObject({ status: "new", handled_by: null });
    expect(
      queryDatabase<{ body: string; author_name: string }>(
        server,
        "select body, author_name from incident_notes where incident_id = ?",
        incidentId,
      ),
    ).toEqual([
      {
        body: "GW-01のログを確認しました。\n該当PCはネットワークから外しています。",
        author_name: "港 健一",
      },
    ]);
    await page.close();
  });

  it("operator@ records the phone call and the incident becomes 対応中, assigned to the caller", async () => {
    const call = queryDatabase<{ id: number }>(
      server,
      "select id from notifications where event_id = 'flow-cc-1' and channel = 'phone'",
    )[0];
    const page = await browser.newPage();
    await loginAs(page, server.url, "operator@demo.example");
    await page.goto(`${server.url}/calls`);
    const row = page.locator(`tr[data-call-id="${call.id}"]`);
    await row.getByLabel("結果", { exact: true }).selectOption({ label: "通話済み" });
    await Promise.all([
      page.waitForURL(/recorded=/),
      row.getByRole("button", { name: "記録する" }).click(),
    ]);
    await page.getByText("電話連絡の結果を記録しました。").waitFor();
    expect(incident()).toEqual({
      status: "acknowledged",
      handled_by: "provider",
      assignee: "運用 花子",
    });
    await page.goto(`${server.url}/incidents/${incidentId}`);
    expect(await page.getByTestId("incident-status").textContent()).toBe("対応中");
    expect(await page.locator("dl.facts").textContent()).toContain("対応開始2026年11月28日 10:00");
    // The operator still resolves it.
    expect(await page.getByRole("button", { name: "解決済みにする" }).count()).toBe(1);
    await page.close();
  });

  it("customer@ gets no resolve control and a forged resolve answers 403 with nothing written", async () => {
    const page = await browser.newPage();
    await loginAs(page, server.url, "customer@demo.example");
    await page.goto(`${server.url}/incidents/${incidentId}`);
    await page.getByTestId("incident-status").filter({ hasText: "対応中" }).waitFor();
    expect(await page.getByRole("button", { name: "解決済みにする" }).count()).toBe(0);
    expect(await page.getByTestId("handled-by-provider").textContent()).toContain(
      "セキュアラインの担当者が対応しています",
    );
    expect(await page.getByRole("button", { name: "メモを追加する" }).count()).toBe(1);

    const before = {
      notes: countRows(server, "incident_notes"),
      audit: countRows(server, "audit_log"),
    };
    // The page's own one-time token (issue 17 item 1): the resolve is refused for what it is.
    const token = await page.locator('input[name="_formToken"]').getAttribute("value");
    const posted = await page.request.post(`${server.url}/incidents/${incidentId}`, {
      form: { intent: "resolve", notes: "もう大丈夫です", assignee: "", _formToken: token ?? "" },
      headers: { Origin: server.url },
    });
    expect(posted.status()).toBe(403);
    expect(await posted.text()).toContain("セキュアラインの担当者が対応中のため");
    expect(incident()).toMatchObject({ status: "acknowledged", handled_by: "provider" });
    expect({
      notes: countRows(server, "incident_notes"),
      audit: countRows(server, "audit_log"),
    }).toEqual(before);
    await page.close();
  });
});
