// Webhooks against the real server (issue 19, items 4-5), without JavaScript: a reseller's
// manager registers a loopback receiver (allow-listed by WEBHOOK_ALLOW_HOSTS), an ingest opens an
// incident, the delivery log's redeliver button sends it (500, then 200, each attempt listed in
// JST with its code), the receiver verifies the signature with scripts/webhook-receiver.ts; an
// inner address is refused with a Japanese field error; another reseller gets 404 for the
// endpoint in the console and the API; the API registers and lists endpoints.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { formatJstIso } from "../../app/lib/jst";
import { createReceiver, type Receiver } from "../../scripts/webhook-receiver";
import { launchBrowser, loginAs } from "./support/browser";
import { queryDatabase, startConsole, type ConsoleServer } from "./support/server";

let server: ConsoleServer;
let browser: Browser;
let receiver: Receiver;
let receiverUrl: string;
let secret = "";
const answers = [500, 200];
const tickets: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = await startConsole({ WEBHOOK_ALLOW_HOSTS: "127.0.0.1" });
  browser = await launchBrowser();
  receiver = createReceiver({
    secret: () => secret,
    answer: () => answers.shift() ?? 200,
    onTicket: (t) => tickets.push(t),
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

function tsx(script: string, ...args: string[]) {
  const r = spawnSync("node_modules/.bin/tsx", [script, ...args], {
    env: { ...process.env, DATABASE_URL: `file:${server.databasePath}` },
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

let endpointId = 0;

it("a reseller manager registers an endpoint, an incident is delivered and redelivered from the log", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await loginAs(page, server.url, "reseller@demo.example");
  await page.getByRole("link", { name: "Webhook", exact: true }).click();
  expect(await page.locator("h1").textContent()).toBe("Webhook");
  expect(await page.locator(".empty").textContent()).toBe("送信先はまだありません。");

  // An inner address is refused, in Japanese, and nothing is stored.
  await page.getByLabel(/送信先のURL/).fill("https://10.1.2.3/hooks");
  await page.getByRole("button", { name: "送信先を登録する" }).click();
  expect(await page.locator("#url-error").textContent()).toBe(
    "送信先にできないアドレスです（10.1.2.3 はプライベートアドレスのため送信先にできません）",
  );
  expect(await page.locator(".field-error").allTextContents()).toContain(
    "受け取るイベントを1つ以上選んでください",
  );

  await page.getByLabel(/送信先のURL/).fill(receiverUrl);
  await page.getByLabel(/インシデントの発生/).check();
  await page.getByRole("button", { name: "送信先を登録する" }).click();
  secret = await page.getByLabel("署名のシークレット").inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  const row = page.getByRole("table", { name: "Webhookの送信先" }).locator("tbody tr");
  expect(await row.count()).toBe(1);
  expect(await row.locator("td").nth(1).textContent()).toBe("インシデントの発生");
  endpointId = queryDatabase<{ id: number }>(server, "select id from webhook_endpoints")[0].id;
  await page.goto(`${server.url}/webhooks`);
  expect(await page.content()).not.toContain(secret);

  // An incident on K-1001 (C1, reseller R1) opened by the ingest command.
  const file = join(server.databasePath, "..", "events.ndjson");
  writeFileSync(
    file,
    JSON.stringify({
      id: "evt-e2e-wh",
      contract: "K-1001",
      device: "PC-003",
      source: "endpoint",
      type: "virus",
      severity: "high",
      detectedAt: formatJstIso(new Date(Date.now() - 3_600_000)),
      threat: "TROJ_EMOTET.A",
      action: "failed",
    }) + "\n",
  );
  expect(tsx("scripts/ingest.ts", file)).toContain("incidents opened: 1");

  await page.getByRole("link", { name: "送信履歴" }).click();
  expect(await page.locator("h1").textContent()).toBe(`送信履歴: ${receiverUrl}`);
  const delivery = page.getByRole("table", { name: "送信履歴" }).locator("tbody tr");
  expect(await delivery.count()).toBe(1);
  expect(await delivery.locator("td").nth(2).textContent()).toBe("未送信");
  await delivery.getByRole("button", { name: /を再送する$/ }).click();
  expect(await page.getByRole("status").textContent()).toBe(
    "再送しました（応答: 500）。失敗したため、72時間まで自動で再送します。",
  );
  await delivery.getByRole("button", { name: /を再送する$/ }).click();
  expect(await page.getByRole("status").textContent()).toBe("再送しました（応答: 200）。");
  const attempts = await delivery.locator("td").nth(2).locator("li").allTextContents();
  expect(attempts).toHaveLength(2);
  expect(attempts[0]).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日.* \d{2}:\d{2} — HTTP 500（手動再送）$/);
  expect(attempts[1]).toMatch(/ — HTTP 200（手動再送）$/);
  expect(await delivery.locator("td").nth(1).textContent()).toBe("成功");

  // The receiver verified both (it answers 400 otherwise) and made one PSA ticket from the success.
  expect(receiver.received.map((e) => e.type)).toEqual(["incident.opened", "incident.opened"]);
  expect(tickets).toHaveLength(1);
  expect(tickets[0]).toMatchObject({
    company: expect.stringMatching(/^C/),
    contract: "K-1001",
    priority: "P1",
    board: "Security",
  });
  expect(tickets[0].summary).toBe(
    "[セキュアライン] ウイルスを駆除・隔離できませんでした（PC-003）",
  );
  await context.close();
});

it("another reseller gets 404 for the endpoint in the console and in the API; the API registers and lists its own", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await loginAs(page, server.url, "reseller2@demo.example");
  const foreign = await page.goto(`${server.url}/webhooks/${endpointId}`);
  expect(foreign!.status()).toBe(404);
  await context.close();

  const key = tsx(
    "scripts/apikeys.ts",
    "create",
    "--reseller",
    "R2",
    "--name",
    "wh",
    "--scope",
    "write",
  );
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/v1${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    });
  expect((await api(`/webhook-endpoints/${endpointId}`)).status).toBe(404);
  expect((await api(`/webhook-endpoints/${endpointId}`, { method: "DELETE" })).status).toBe(404);
  expect(
    queryDatabase<{ deleted_at: string | null }>(
      server,
      "select deleted_at from webhook_endpoints where id = ?",
      endpointId,
    )[0].deleted_at,
  ).toBeNull();

  const refused = await api("/webhook-endpoints", {
    method: "POST",
    body: JSON.stringify({
      url: "https://169.254.169.254/latest",
      events: ["invoice.issued"],
      ownerEmail: "ops@r2.example",
    }),
  });
  expect(refused.status).toBe(422);
  expect((await refused.json()).errors).toEqual({
    url: "送信先にできないアドレスです（169.254.169.254 はリンクローカルアドレスのため送信先にできません）",
  });

  const created = await api("/webhook-endpoints", {
    method: "POST",
    body: JSON.stringify({
      url: receiverUrl,
      events: ["invoice.issued", "incident.resolved"],
      ownerEmail: "ops@r2.example",
    }),
  });
  expect(created.status).toBe(201);
  const body = await created.json();
  expect(body).toMatchObject({
    url: receiverUrl,
    events: ["incident.resolved", "invoice.issued"],
    status: "active",
    ownerEmail: "ops@r2.example",
  });
  expect(body.secret).toMatch(/^whsec_/);
  const list = await (await api("/webhook-endpoints")).json();
  expect(list.data.map((e: { id: number }) => e.id)).toEqual([body.id]);
  expect(list.data[0].secret).toBeUndefined();
  expect((await api(`/webhook-endpoints/${body.id}`, { method: "DELETE" })).status).toBe(204);
  expect((await (await api("/webhook-endpoints")).json()).data).toEqual([]);

  const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
  expect(Object.keys(doc.paths["/api/v1/webhook-endpoints"])).toEqual(["get", "post"]);
  expect(Object.keys(doc.paths["/api/v1/webhook-endpoints/{id}"])).toEqual(["get", "delete"]);
  expect(doc.components.schemas.WebhookEndpointInput.required).toEqual([
    "url",
    "events",
    "ownerEmail",
  ]);
});
