// Partner webhooks (issue 19, items 4-5): the signature against a known HMAC, the SSRF address
// table, and a REAL HTTP receiver on loopback (allow-listed) that gets incident.opened after an
// ingest opens an incident, checks the signature with scripts/webhook-receiver.ts, answers 500,
// 500, then 200 and sees exactly one more delivery per retry tick; 72 hours of failures disable
// the endpoint and mail its owner; a reseller's endpoint never gets another reseller's events.
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createReceiver, verifySignature, type Receiver } from "../scripts/webhook-receiver";
import { runBillingMonth } from "../app/billing/billing-run.server";
import { parseWebhookAllowHosts } from "../app/config.server";
import { now } from "../app/lib/clock";
import { formatJstIso, instant, yearMonth } from "../app/lib/jst";
import { ingestFile } from "../app/security/ingest.server";
import { transitionIncident } from "../app/security/incidents.server";
import { classifyAddress } from "../app/webhooks/address-rules";
import { deliverWebhooks, redeliverWebhook } from "../app/webhooks/delivery.server";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  webhookDeliveryLog,
} from "../app/webhooks/endpoints.server";
import { signatureHeader, signatureV1 } from "../app/webhooks/signature.server";
import { checkWebhookUrl } from "../app/webhooks/ssrf.server";
import { createTestDatabase, type TestDatabase } from "./support/database";

const FIRST_PAGE = { page: 1, size: 50, sort: "sent" as const, dir: "desc" as const };

describe("signature", () => {
  it("is HMAC-SHA256 of t.body keyed with the whole secret (a value computed with openssl)", () => {
    const body = '{"id":"evt_1","type":"incident.opened"}';
    // printf '%s' '1764547200.{"id":"evt_1","type":"incident.opened"}' | openssl dgst -sha256 -hmac 'whsec_dGVzdC1zZWNyZXQ'
    const expected = "29354aa1819eb369152f364bcaba1808a0cb7262751b45bb609e85467f79ae6e";
    expect(signatureV1("whsec_dGVzdC1zZWNyZXQ", 1764547200, body)).toBe(expected);
    expect(signatureHeader("whsec_dGVzdC1zZWNyZXQ", new Date(1764547200_900), body)).toBe(
      `t=1764547200,v1=${expected}`,
    );
  });

  it("is verified by the example receiver, which rejects a changed body, another secret and a t older than 5 minutes", () => {
    const body = '{"a":1}';
    const header = signatureHeader("whsec_x", new Date(1_800_000_000_000), body);
    expect(verifySignature(header, body, "whsec_x", 1_800_000_000 + 300)).toEqual({
      ok: true,
      timestamp: 1_800_000_000,
    });
    expect(verifySignature(header, body, "whsec_x", 1_800_000_000 + 301)).toEqual({
      ok: false,
      reason: "timestamp too old",
    });
    expect(verifySignature(header, '{"a":2}', "whsec_x", 1_800_000_000)).toEqual({
      ok: false,
      reason: "signature mismatch",
    });
    expect(verifySignature(header, body, "whsec_y", 1_800_000_000)).toEqual({
      ok: false,
      reason: "signature mismatch",
    });
    expect(verifySignature(undefined, body, "whsec_x", 1_800_000_000)).toEqual({
      ok: false,
      reason: "missing signature",
    });
  });
});

describe("SSRF address classes", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["203.0.114.1", "public"],
    ["1.1.1.1", "public"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.10", "private"],
    ["100.64.0.1", "shared"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fc00::1", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:8.8.8.8", "public"],
    ["::127.0.0.1", "reserved"],
    ["64:ff9b::a00:1", "private"],
    ["2002:c0a8:0101::1", "private"],
    ["not-an-ip", "invalid"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it("refuses at registration a host resolving to an inner address, http, and credentials; allow-listed hosts pass", async () => {
    const resolveTo = (addresses: string[]) => async () => addresses;
    expect(
      await checkWebhookUrl(
        "https://hooks.example.jp/x",
        [],
        resolveTo(["203.0.113.9", "8.8.4.4"]),
      ),
    ).toBe(
      "hooks.example.jp は内部向けのアドレスに解決されます（203.0.113.9 は予約済みアドレスのため送信先にできません）",
    );
    expect(
      await checkWebhookUrl(
        "https://rebind.example.jp/x",
        [],
        resolveTo(["93.184.216.34", "::ffff:10.0.0.5"]),
      ),
    ).toBe(
      "rebind.example.jp は内部向けのアドレスに解決されます（::ffff:10.0.0.5 はプライベートアドレスのため送信先にできません）",
    );
    expect(
      await checkWebhookUrl("https://psa.example.jp/x", [], resolveTo(["93.184.216.34"])),
    ).toBeNull();
    expect(await checkWebhookUrl("http://psa.example.jp/x", [], resolveTo(["93.184.216.34"]))).toBe(
      "送信先のURLは https:// で始まるものにしてください",
    );
    expect(await checkWebhookUrl("https://[::1]:8443/x", [], resolveTo([]))).toBe(
      "送信先にできないアドレスです（::1 はループバックアドレスのため送信先にできません）",
    );
    expect(
      await checkWebhookUrl("https://u:p@psa.example.jp/x", [], resolveTo(["93.184.216.34"])),
    ).toBe("送信先のURLにユーザー名やパスワードを含めないでください");
    expect(await checkWebhookUrl("http://127.0.0.1:9/x", ["127.0.0.1"], resolveTo([]))).toBeNull();
    expect(parseWebhookAllowHosts(" 127.0.0.1, Receiver.Local ,[::1]")).toEqual([
      "127.0.0.1",
      "receiver.local",
      "::1",
    ]);
    expect(() => parseWebhookAllowHosts("http://x.example")).toThrow(/^WEBHOOK_ALLOW_HOSTS: /);
  });
});

/** The demo data's "today": Friday 2026-11-20, 12:00 in Japan. */
const SEED_AT = new Date("2026-11-20T12:00:00+09:00");
const ALLOW = ["127.0.0.1"];
const actor = { id: null, email: "admin@demo.example" };

describe("delivery to a real receiver", () => {
  let t: TestDatabase;
  let receiver: Receiver;
  let port: number;
  let secret = "";
  let answers: number[] = [];
  const resellers = new Map<string, number>();

  beforeEach(async () => {
    t = await createTestDatabase({ seed: true, at: SEED_AT, events: false });
    for (const r of await t.db.selectFrom("resellers").select(["id", "ref"]).execute())
      resellers.set(r.ref, r.id);
    answers = [];
    receiver = createReceiver({
      secret: () => secret,
      now: () => Math.floor(now().getTime() / 1000),
      answer: () => answers.shift() ?? 200,
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    port = (receiver.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    delete process.env.APP_NOW;
    await new Promise((resolve) => receiver.server.close(resolve));
    await t.dispose();
  });

  const at = (ms: number) => {
    process.env.APP_NOW = formatJstIso(new Date(SEED_AT.getTime() + ms));
    return now();
  };
  const tick = () => deliverWebhooks(t.db, now(), { allowHosts: ALLOW });
  const register = async (reseller: string | null, events: string[], path = "/hooks") => {
    const result = await createWebhookEndpoint(t.db, {
      tenant: reseller
        ? { kind: "reseller", resellerId: resellers.get(reseller)! }
        : { kind: "provider" },
      input: {
        url: `http://127.0.0.1:${port}${path}`,
        description: "",
        events: events as never,
        ownerEmail: `owner-${reseller ?? "provider"}@demo.example`,
      },
      at: SEED_AT,
      actor,
      ip: null,
      allowHosts: ALLOW,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.fields));
    return result.value;
  };
  const ingestVirus = async (contract: string, id: string) => {
    const path = join(t.dir, `${id}.ndjson`);
    writeFileSync(
      path,
      JSON.stringify({
        id,
        contract,
        device: "PC-003",
        source: "endpoint",
        type: "virus",
        severity: "high",
        detectedAt: "2026-11-20T11:00:00+09:00",
        threat: "TROJ_EMOTET.A",
        action: "failed",
      }) + "\n",
    );
    const r = await ingestFile(t.db, path, { now: SEED_AT });
    return r;
  };

  it("sends incident.opened signed; 500, 500, then 200, exactly one more delivery per retry tick", async () => {
    const endpoint = await register("R1", ["incident.opened"]);
    secret = endpoint.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    answers = [500, 500, 200];
    await ingestVirus("K-1001", "evt-wh-1");
    expect(
      await t.db.selectFrom("webhook_deliveries").select(["status", "attempts"]).execute(),
    ).toEqual([{ status: "pending", attempts: 0 }]);

    at(60_000);
    expect(await tick()).toEqual({ sent: 0, retrying: 1, failed: 0, disabledEndpoints: 0 });
    expect(receiver.received).toHaveLength(1);
    const event = receiver.received[0];
    expect(event.type).toBe("incident.opened");
    expect(event.id).toMatch(/^evt_/);
    expect(event.created).toBe("2026-11-20T12:00:00+09:00");
    expect(event.data).toMatchObject({
      incident: { contract: "K-1001", customer: "C1", kind: "virus_not_removed", severity: "high" },
    });

    at(60_000 + 59_000); // the first backoff is one minute: not yet
    await tick();
    expect(receiver.received).toHaveLength(1);
    at(60_000 + 60_000);
    expect(await tick()).toMatchObject({ retrying: 1 });
    expect(receiver.received).toHaveLength(2);
    at(120_000 + 119_000); // then two minutes
    await tick();
    expect(receiver.received).toHaveLength(2);
    at(120_000 + 120_000);
    expect(await tick()).toMatchObject({ sent: 1 });
    expect(receiver.received).toHaveLength(3);
    at(3_600_000);
    await tick();
    expect(receiver.received).toHaveLength(3);
    // One event, the same id and body each time.
    expect(new Set(receiver.received.map((e) => e.id)).size).toBe(1);

    const log = await webhookDeliveryLog(
      t.db,
      { kind: "reseller", resellerId: resellers.get("R1")! },
      endpoint.endpoint.id,
      FIRST_PAGE,
    );
    expect(log!.deliveries.map((d) => [d.status, d.attempts.map((a) => a.statusCode)])).toEqual([
      ["succeeded", [500, 500, 200]],
    ]);

    // The redeliver button sends it once more at once.
    const again = await redeliverWebhook(t.db, {
      endpointId: endpoint.endpoint.id,
      deliveryId: log!.deliveries[0].deliveryId,
      at: now(),
      allowHosts: ALLOW,
    });
    expect(again).toEqual({ ok: true, value: { statusCode: 200, succeeded: true } });
    expect(receiver.received).toHaveLength(4);
  });

  it("pages the delivery log, newest first, with the count of all deliveries (it stopped at 100)", async () => {
    const endpoint = await register("R1", ["incident.opened"]);
    const at = instant("2026-11-20T03:00:00.000Z");
    await t.db
      .insertInto("webhook_events")
      .values(
        Array.from({ length: 130 }, (_, i) => ({
          id: `evt_page_${String(i).padStart(3, "0")}`,
          type: "incident.opened",
          customer_id: null,
          reseller_id: resellers.get("R1")!,
          body: "{}",
          created_at: at,
        })),
      )
      .execute();
    await t.db
      .insertInto("webhook_deliveries")
      .values(
        Array.from({ length: 130 }, (_, i) => ({
          endpoint_id: endpoint.endpoint.id,
          event_id: `evt_page_${String(i).padStart(3, "0")}`,
          status: "succeeded" as const,
          next_attempt_at: at,
          created_at: at,
        })),
      )
      .execute();
    const tenant = { kind: "reseller" as const, resellerId: resellers.get("R1")! };
    const pageOf = async (page: number) =>
      (await webhookDeliveryLog(t.db, tenant, endpoint.endpoint.id, { ...FIRST_PAGE, page }))!;
    const first = await pageOf(1);
    expect([first.page.total, first.deliveries.length]).toEqual([130, 50]);
    expect(first.deliveries[0].eventId).toBe("evt_page_129");
    const third = await pageOf(3);
    expect(third.deliveries.map((d) => d.eventId).slice(-2)).toEqual([
      "evt_page_001",
      "evt_page_000",
    ]);
    expect(third.deliveries).toHaveLength(30);
    // A page past the end shows the last one.
    expect((await pageOf(9)).deliveries[0].eventId).toBe(third.deliveries[0].eventId);
  });

  it("disables the endpoint after 72 hours of failures and mails its owner", async () => {
    const endpoint = await register(null, ["incident.opened", "incident.resolved"]);
    secret = endpoint.secret;
    answers = Array(100).fill(503);
    await ingestVirus("K-1001", "evt-wh-2");
    at(0);
    await tick();
    at(71 * 3_600_000);
    await tick();
    expect(
      (await getWebhookEndpoint(t.db, { kind: "provider" }, endpoint.endpoint.id))!.disabledAt,
    ).toBeNull();
    const tries = receiver.received.length;
    expect(tries).toBeGreaterThanOrEqual(2);
    at(72 * 3_600_000);
    expect(await tick()).toEqual({ sent: 0, retrying: 0, failed: 1, disabledEndpoints: 1 });
    expect(receiver.received).toHaveLength(tries + 1);
    const disabled = await getWebhookEndpoint(t.db, { kind: "provider" }, endpoint.endpoint.id);
    expect(disabled!.disabledAt).toBe(new Date(SEED_AT.getTime() + 72 * 3_600_000).toISOString());
    const mails = await t.db
      .selectFrom("outbox")
      .select(["to_address", "subject"])
      .where("kind", "=", "webhook_disabled")
      .execute();
    expect(mails).toEqual([
      {
        to_address: "owner-provider@demo.example",
        subject: `【セキュアライン】Webhookの送信先を停止しました（http://127.0.0.1:${port}/hooks）`,
      },
    ]);
    // Nothing more is sent, and new events are not recorded for it.
    at(80 * 3_600_000);
    await tick();
    expect(receiver.received).toHaveLength(tries + 1);
    const incident = await t.db.selectFrom("incidents").select("id").executeTakeFirstOrThrow();
    await transitionIncident(t.db, {
      id: incident.id,
      tenant: { kind: "provider" },
      to: "resolved",
      assignee: "",
      notes: "",
      at: now(),
      actor,
      ip: "",
    });
    expect(await t.db.selectFrom("webhook_events").select("type").execute()).toEqual([
      { type: "incident.opened" },
    ]);
  });

  it("gives a reseller's endpoint its own customers' events only; the provider's gets all; a foreign id is not found", async () => {
    const r1 = await register("R1", ["incident.opened"], "/r1");
    const r2 = await register("R2", ["incident.opened"], "/r2");
    const provider = await register(null, ["incident.opened"], "/provider");
    const notSubscribed = await register("R1", ["invoice.issued"], "/r1-invoices");
    await ingestVirus("K-1001", "evt-wh-3"); // C1, reseller R1
    await ingestVirus("K-2001", "evt-wh-4"); // C5, reseller R2
    const rows = await t.db
      .selectFrom("webhook_deliveries")
      .innerJoin("webhook_events", "webhook_events.id", "webhook_deliveries.event_id")
      .select(["webhook_deliveries.endpoint_id", "webhook_events.body"])
      .orderBy("webhook_deliveries.id")
      .execute();
    const contractsOf = (id: number) =>
      rows
        .filter((r) => r.endpoint_id === id)
        .map(
          (r) =>
            (JSON.parse(r.body) as { data: { incident: { contract: string } } }).data.incident
              .contract,
        );
    expect(contractsOf(r1.endpoint.id)).toEqual(["K-1001"]);
    expect(contractsOf(r2.endpoint.id)).toEqual(["K-2001"]);
    expect(contractsOf(provider.endpoint.id)).toEqual(["K-1001", "K-2001"]);
    expect(contractsOf(notSubscribed.endpoint.id)).toEqual([]);

    const r2Tenant = { kind: "reseller" as const, resellerId: resellers.get("R2")! };
    expect(await getWebhookEndpoint(t.db, r2Tenant, r1.endpoint.id)).toBeNull();
    expect(await webhookDeliveryLog(t.db, r2Tenant, r1.endpoint.id, FIRST_PAGE)).toBeNull();
    expect(
      await deleteWebhookEndpoint(t.db, {
        tenant: r2Tenant,
        id: r1.endpoint.id,
        at: SEED_AT,
        actor,
        ip: null,
      }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
    expect(
      await getWebhookEndpoint(
        t.db,
        { kind: "reseller", resellerId: resellers.get("R1")! },
        r1.endpoint.id,
      ),
    ).not.toBeNull();
  });

  it("records invoice.issued for each invoice of a billing run, to the provider and to the invoice's own reseller", async () => {
    const provider = await register(null, ["invoice.issued"], "/p");
    const r1 = await register("R1", ["invoice.issued"], "/r1");
    const result = await runBillingMonth(t.db, yearMonth("2026-11"), { at: SEED_AT, batchSize: 3 });
    expect(result.issued).toBeGreaterThan(3);
    const invoices = await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select(["invoices.invoice_number", "customers.reseller_id"])
      .where("billing_month", "=", yearMonth("2026-11"))
      .orderBy("invoices.seq")
      .execute();
    const numbersOf = async (endpointId: number) =>
      (
        await t.db
          .selectFrom("webhook_deliveries")
          .innerJoin("webhook_events", "webhook_events.id", "webhook_deliveries.event_id")
          .select("webhook_events.body")
          .where("endpoint_id", "=", endpointId)
          .orderBy("webhook_deliveries.id")
          .execute()
      ).map(
        (r) =>
          (JSON.parse(r.body) as { data: { invoice: { number: string } } }).data.invoice.number,
      );
    expect(await numbersOf(provider.endpoint.id)).toEqual(invoices.map((i) => i.invoice_number));
    const ofR1 = invoices
      .filter((i) => i.reseller_id === resellers.get("R1"))
      .map((i) => i.invoice_number);
    expect(ofR1.length).toBeGreaterThan(0);
    expect(await numbersOf(r1.endpoint.id)).toEqual(ofR1);
  });

  it("refuses at delivery a host that now resolves to loopback (the lookup hook) and a loopback literal, before any request", async () => {
    const tenant = { kind: "provider" as const };
    const input = (url: string) => ({
      url,
      description: "",
      events: ["incident.opened"] as never,
      ownerEmail: "ops@demo.example",
    });
    // Registered while allow-listed; the list no longer names them when the job sends.
    for (const url of [`https://localhost:${port}/hooks`, `https://127.0.0.1:${port}/hooks`]) {
      const r = await createWebhookEndpoint(t.db, {
        tenant,
        input: input(url),
        at: SEED_AT,
        actor,
        ip: null,
        allowHosts: ["localhost", "127.0.0.1"],
      });
      expect(r.ok).toBe(true);
    }
    await ingestVirus("K-1001", "evt-wh-6");
    at(60_000);
    expect(await deliverWebhooks(t.db, now(), { allowHosts: [] })).toMatchObject({ retrying: 2 });
    expect(receiver.received).toHaveLength(0);
    const attempts = await t.db
      .selectFrom("webhook_attempts")
      .select(["status_code", "error"])
      .orderBy("delivery_id")
      .execute();
    expect(attempts).toEqual([
      {
        status_code: null,
        error: expect.stringMatching(
          /^localhost: (127\.0\.0\.1|::1) はループバックアドレスのため送信先にできません$/,
        ),
      },
      {
        status_code: null,
        error: "送信を拒否しました: 127.0.0.1 はループバックアドレスのため送信先にできません",
      },
    ]);
  });

  it("records no event and no delivery when nobody is subscribed", async () => {
    await ingestVirus("K-1001", "evt-wh-5");
    expect(await t.db.selectFrom("incidents").select("id").execute()).toHaveLength(1);
    expect(await t.db.selectFrom("webhook_events").select("id").execute()).toEqual([]);
  });
});
