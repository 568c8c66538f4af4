// Licences end to end below the browser: a licences file imported through the real command,
// `licenses quote-cancel` run as a child process, and the server functions the routes call —
// which must do exactly what the quote said (docs/rules/licenses.md L-2 … L-6). Every test gets a
// database of its own with the file imported (issue 16 item 8: any order passes), and cancels or
// stops its licences on the same day as its quote.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import { NO_EXISTING_KEYS, validateImportFile } from "../app/import/import-file";
import { importFile, readExistingKeys } from "../app/import/import.server";
import {
  applyIspSecurity,
  cancelIspContract,
  revokeIspCancellationOf,
} from "../app/licenses/isp.server";
import {
  cancelLicense,
  completeAutoRenewalStop,
  stopAutoRenewal,
} from "../app/licenses/license-changes.server";
import { decideRefund, listRefunds } from "../app/licenses/refunds.server";
import { findLicensesFor, getLicenseView } from "../app/licenses/license-views.server";
import { LICENSE_SORT, pageLicenses } from "../app/licenses/license-list.server";
import { pageRequest } from "../app/lib/paging";
import { getLicense, getLicenseByRef, quoteCancelLicense } from "../app/licenses/licenses.server";
import { issueFormToken, runFormOnce } from "../app/lib/idempotency.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { isoDate } from "../app/lib/jst";

const ROOT = join(import.meta.dirname, "..");
const APP_NOW = "2026-11-22T10:00:00+09:00";
const TODAY = isoDate("2026-11-22");
const actor = { id: null, email: "ops@secureline.example" };
const provider: Tenant = { kind: "provider" };

let t: TestDatabase;
const ids: Record<string, number> = {};
const customer = (ref: string): Tenant => ({ kind: "customer", customerId: ids[ref] });
const reseller = (ref: string): Tenant => ({ kind: "reseller", resellerId: ids[ref] });

const lic = (patch: Record<string, unknown>) => ({
  customer: "C1",
  product: "マルチデバイスセキュリティ",
  channel: "vendor_store",
  term: "annual",
  kind: "standard",
  region: "JP",
  seats: 3,
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
const buy = (date: string, amountYen: number, type = "purchase") => ({ date, amountYen, type });

/** The file imported through `npm run -s import`: one licence (family) per case. */
const FILE = {
  licenses: [
    // Main bought 2026-10-01 (day 52 of 60: refunded), an add-on outside its window, a service add-on inside.
    lic({
      ref: "T-MAIN",
      orderNumber: "NP-2610-0001",
      productKey: "TMAI-N001-AAAA",
      charges: [buy("2026-10-01", 7980)],
    }),
    lic({
      ref: "T-ADD1",
      product: "クラウドバックアップ",
      priceYen: 1980,
      mainLicense: "T-MAIN",
      charges: [buy("2026-06-01", 1980)],
    }),
    lic({
      ref: "T-ADD2",
      product: "プライバシーモニター",
      kind: "service",
      priceYen: 2980,
      mainLicense: "T-MAIN",
      charges: [buy("2026-10-15", 2980)],
    }),
    // Monthly SY order renewed on 11-10: a monthly renewal refunds nothing, it runs to 12-09.
    lic({
      ref: "T-SY",
      term: "monthly",
      priceYen: 980,
      orderNumber: "SY7700001",
      orderEmail: "orders@minato.example",
      charges: [
        buy("2026-09-10", 980),
        buy("2026-10-10", 980, "renewal"),
        buy("2026-11-10", 980, "renewal"),
      ],
    }),
    // UK annual renewal after its 60 days: pro rata from 2026-12-01 to 2027-04-30 (151 of 365 days).
    lic({
      ref: "T-UK",
      region: "UK",
      orderNumber: "AP5500001",
      charges: [buy("2025-05-01", 7980), buy("2026-05-01", 7980, "renewal")],
    }),
    // Monthly trial converted on 11-10: refunded within 14 days.
    lic({
      ref: "T-TRIAL",
      term: "monthly",
      kind: "trial",
      priceYen: 980,
      charges: [buy("2026-11-10", 980, "trial_conversion")],
    }),
    // Only the purchase listed: the renewal of 2025-11-30 is projected (and written down on cancel).
    lic({ ref: "T-PROJ", orderNumber: "NP8800001", charges: [buy("2024-11-30", 7980)] }),
    // C5: a main with an add-on (stopped together) and another whose add-on is stopped alone.
    lic({
      ref: "T-M2",
      customer: "C5",
      orderNumber: "NP4400001",
      charges: [buy("2026-03-01", 7980)],
    }),
    lic({
      ref: "T-M2A",
      customer: "C5",
      priceYen: 1980,
      mainLicense: "T-M2",
      charges: [buy("2026-04-01", 1980)],
    }),
    lic({
      ref: "T-M3",
      customer: "C5",
      orderNumber: "NP4400002",
      charges: [buy("2026-02-01", 7980)],
    }),
    lic({
      ref: "T-M3A",
      customer: "C5",
      priceYen: 1980,
      mainLicense: "T-M3",
      charges: [buy("2026-02-01", 1980)],
    }),
    // Other channels: their seller's path, never cancelled here.
    lic({
      ref: "T-CARRIER",
      customer: "C5",
      channel: "carrier_provider",
      term: "monthly",
      priceYen: 550,
      soldVia: "third_party",
      carrier: "docomo",
      carrierPaymentNumber: "D2604-1187-0001",
      provider: "storefront",
      productKey: "CARR-0001",
      charges: [buy("2026-10-20", 550), buy("2026-11-20", 550, "renewal")],
    }),
    lic({
      ref: "T-APP",
      customer: "C5",
      channel: "app_store",
      soldVia: "third_party",
      orderNumber: "GPA.1111-2222",
      charges: [buy("2026-11-01", 3980)],
    }),
    lic({
      ref: "T-ISPFILE",
      customer: "C5",
      channel: "isp",
      term: "monthly",
      priceYen: 627,
      soldVia: "third_party",
      contractNumber: "7000000001",
      charges: [buy("2026-08-05", 0)],
    }),
  ],
};

function run(script: string, ...args: string[]) {
  return runOn(t, script, ...args);
}

function runOn(database: TestDatabase, script: string, ...args: string[]) {
  const result = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [script, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, APP_NOW },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `npm run -s licenses -- quote-cancel --license REF --on DATE --json`, parsed. */
function cliQuote(ref: string, on = TODAY): unknown {
  const r = run("scripts/licenses.ts", "quote-cancel", "--license", ref, "--on", on, "--json");
  if (r.status !== 0) throw new Error(`quote-cancel ${ref}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function idOfLicense(ref: string): Promise<number> {
  return (
    await t.db.selectFrom("licenses").select("id").where("ref", "=", ref).executeTakeFirstOrThrow()
  ).id;
}

async function row(ref: string) {
  return t.db
    .selectFrom("licenses")
    .select([
      "state",
      "cancelled_on",
      "effective_end",
      "renewal_state",
      "uninstall_acknowledged_on",
    ])
    .where("ref", "=", ref)
    .executeTakeFirstOrThrow();
}

async function refundsOf(refs: string[]) {
  return t.db
    .selectFrom("refunds")
    .innerJoin("licenses", "licenses.id", "refunds.license_id")
    .select(["licenses.ref", "refunds.amount_yen", "refunds.state", "refunds.rule"])
    .where("licenses.ref", "in", refs)
    .orderBy("licenses.ref")
    .execute();
}

/** An ISP application (decision 0007) of customer C2 by the provider, with its own key. */
function applyIsp(key: string, patch: Partial<ReturnType<typeof ispInput>> = {}) {
  return applyIspSecurity(t.db, {
    input: { ...ispInput(), idempotencyKey: key, ...patch },
    tenant: provider,
    on: TODAY,
    actor,
    ip: null,
  });
}
const ispInput = () => ({
  idempotencyKey: "test-key-0000000000000001",
  customerId: ids.C2,
  product: "multi_device_security" as "multi_device_security" | "web_filtering_win",
  devices: 3,
});

/** Cancels a licence as the provider, today, with the uninstall acknowledged. */
async function cancelAsProvider(ref: string) {
  return cancelLicense(t.db, {
    id: await idOfLicense(ref),
    tenant: provider,
    on: TODAY,
    uninstallAcknowledged: true,
    actor,
    ip: null,
  });
}

// The file goes in through the command's own functions (validate, then importFile) — the command
// itself is run once below, on a database of its own: a child process per test would cost seconds.
beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
  for (const r of await t.db.selectFrom("resellers").select(["id", "ref"]).execute())
    ids[r.ref] = r.id;
  for (const c of await t.db.selectFrom("customers").select(["id", "ref"]).execute())
    ids[c.ref] = c.id;
  const validated = validateImportFile(FILE, await readExistingKeys(t.db));
  if (!validated.ok) throw new Error(JSON.stringify(validated.fields));
  const counts = await importFile(t.db, validated.value, new Date(APP_NOW));
  expect([counts.licenses, counts.licenseCharges]).toEqual([14, 18]);
});
afterEach(() => t.dispose());

describe("import", () => {
  it("the command imports the file into a database without it and says what it wrote", async () => {
    const fresh = await createTestDatabase({ seed: true });
    try {
      const file = join(fresh.dir, "licenses.json");
      writeFileSync(file, JSON.stringify(FILE, null, 2));
      const imported = runOn(fresh, "scripts/import.ts", file);
      expect(imported.stderr).toBe("");
      expect(imported.stdout).toBe(
        "imported: 0 resellers, 0 customers, 0 contracts, 0 items, 0 plan changes, 0 outages, 0 visits (0 lines), " +
          "0 manual lines, 0 terminations, 0 payments, 0 tariff versions, 14 licenses (18 charges)\n",
      );
      expect(imported.status).toBe(0);
      const refs = await fresh.db
        .selectFrom("licenses")
        .select("ref")
        .where("ref", "like", "T-%")
        .orderBy("ref")
        .execute();
      expect(refs).toHaveLength(FILE.licenses.length);
    } finally {
      await fresh.dispose();
      (await import("../app/db.server")).setDatabase(t);
    }
  }, 60_000);

  it("stores each licence so it reads back as the validated one (add-ons linked to their main)", async () => {
    const validated = validateImportFile(FILE, {
      ...NO_EXISTING_KEYS,
      customerRefs: new Set(["C1", "C5"]),
    });
    if (!validated.ok) throw new Error(JSON.stringify(validated.fields));
    for (const expected of validated.value.licenses) {
      const found = await getLicenseByRef(t.db, { ref: expected.ref, tenant: provider });
      expect(found?.target.license).toEqual(expected);
    }
    const addOn = await t.db
      .selectFrom("licenses as a")
      .innerJoin("licenses as m", "m.id", "a.main_license_id")
      .select(["a.ref", "m.ref as main"])
      .where("a.ref", "like", "T-%")
      .orderBy("a.ref")
      .execute();
    expect(addOn).toEqual([
      { ref: "T-ADD1", main: "T-MAIN" },
      { ref: "T-ADD2", main: "T-MAIN" },
      { ref: "T-M2A", main: "T-M2" },
      { ref: "T-M3A", main: "T-M3" },
    ]);
  });

  it("refuses the same file again, naming every ref already stored, and writes nothing", async () => {
    const before = await t.db
      .selectFrom("licenses")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const file = join(t.dir, "again.json");
    writeFileSync(
      file,
      JSON.stringify({
        licenses: [
          FILE.licenses[0],
          lic({
            ref: "T-NEW",
            mainLicense: "T-GONE",
            customer: "C9",
            charges: [buy("2026-01-01", 1)],
          }),
        ],
      }),
    );
    const r = run("scripts/import.ts", file);
    expect(r.stderr).toBe(
      [
        'licenses[0].ref: license ref "T-MAIN" already exists in the database',
        'licenses[1].customer: unknown customer "C9"',
        'licenses[1].mainLicense: unknown main license "T-GONE"',
        `${file}: 3 problems; nothing was imported`,
        "",
      ].join("\n"),
    );
    expect(r.status).toBe(1);
    const after = await t.db
      .selectFrom("licenses")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe("quote-cancel agrees with the cancellation the web carries out (L-3)", () => {
  it("a main licence: the quote's end, refund and cascade are what cancelling records", async () => {
    const quote = cliQuote("T-MAIN");
    expect(quote).toEqual({
      effectiveEnd: "2026-11-22",
      refundYen: 7980 + 2980,
      cascades: ["T-ADD1", "T-ADD2"],
      path: "vendor_account",
    });
    // The page shows the same quote before anything is confirmed.
    const view = await getLicenseView(
      t.db,
      { id: await idOfLicense("T-MAIN"), tenant: customer("C1") },
      TODAY,
    );
    expect({
      effectiveEnd: view!.overview.quote.effectiveEnd,
      refundYen: view!.overview.quote.refundYen,
      cascades: view!.overview.quote.cascades,
      path: view!.overview.path.kind,
    }).toEqual(quote);

    // Without the uninstall acknowledgement nothing happens.
    const refused = await cancelLicense(t.db, {
      id: await idOfLicense("T-MAIN"),
      tenant: customer("C1"),
      on: TODAY,
      uninstallAcknowledged: false,
      actor,
      ip: null,
    });
    expect(refused).toEqual({
      ok: false,
      kind: "validation",
      fields: { uninstalled: expect.stringContaining("アンインストールの確認が必要です") },
    });
    expect((await row("T-MAIN")).state).toBe("active");

    const done = await cancelLicense(t.db, {
      id: await idOfLicense("T-MAIN"),
      tenant: customer("C1"),
      on: TODAY,
      uninstallAcknowledged: true,
      actor,
      ip: null,
    });
    expect(done?.ok).toBe(true);
    expect(await row("T-MAIN")).toEqual({
      state: "cancelled",
      cancelled_on: TODAY,
      effective_end: "2026-11-22",
      renewal_state: "stopped",
      uninstall_acknowledged_on: TODAY,
    });
    expect(await row("T-ADD1")).toMatchObject({ state: "cancelled", effective_end: "2027-05-31" });
    expect(await row("T-ADD2")).toMatchObject({ state: "cancelled", effective_end: "2026-11-22" });
    const refunds = await refundsOf(["T-MAIN", "T-ADD1", "T-ADD2"]);
    expect(refunds).toEqual([
      { ref: "T-ADD2", amount_yen: 2980, state: "requested", rule: "service" },
      { ref: "T-MAIN", amount_yen: 7980, state: "requested", rule: "annual_purchase" },
    ]);
    expect(refunds.reduce((s, r) => s + r.amount_yen, 0)).toBe(
      (quote as { refundYen: number }).refundYen,
    );
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "entity_id", "summary"])
      .where("action", "=", "license.cancel")
      .execute();
    expect(audit).toEqual([
      {
        action: "license.cancel",
        entity_id: "T-MAIN",
        summary: expect.stringContaining("返金申請 10,960円"),
      },
    ]);

    // Once cancelled there is nothing left to cancel: the recorded end, nothing more refunded.
    expect(cliQuote("T-MAIN")).toEqual({
      effectiveEnd: "2026-11-22",
      refundYen: 0,
      cascades: [],
      path: "vendor_account",
    });
    expect(
      await cancelLicense(t.db, {
        id: await idOfLicense("T-MAIN"),
        tenant: customer("C1"),
        on: TODAY,
        uninstallAcknowledged: true,
        actor,
        ip: null,
      }),
    ).toEqual({ ok: false, kind: "conflict", message: "このライセンスはすでに解約されています。" });
  }, 30_000);

  for (const c of [
    {
      ref: "T-SY",
      quote: { effectiveEnd: "2026-12-09", refundYen: 0, cascades: [], path: "store_order_status" },
      refunds: [],
    },
    {
      ref: "T-UK",
      quote: { effectiveEnd: "2026-11-30", refundYen: 3301, cascades: [], path: "vendor_account" },
      refunds: [{ ref: "T-UK", amount_yen: 3301, state: "requested", rule: "uk_nl_pro_rata" }],
    },
    {
      ref: "T-TRIAL",
      quote: { effectiveEnd: "2026-11-22", refundYen: 980, cascades: [], path: "support_chat" },
      refunds: [
        { ref: "T-TRIAL", amount_yen: 980, state: "requested", rule: "monthly_trial_conversion" },
      ],
    },
    {
      ref: "T-PROJ",
      quote: { effectiveEnd: "2026-11-29", refundYen: 0, cascades: [], path: "vendor_account" },
      refunds: [],
    },
  ]) {
    it(`${c.ref}: quote-cancel ${JSON.stringify(c.quote)} is what cancelling records`, async () => {
      expect(cliQuote(c.ref)).toEqual(c.quote);
      const done = await cancelLicense(t.db, {
        id: await idOfLicense(c.ref),
        tenant: provider,
        on: TODAY,
        uninstallAcknowledged: true,
        actor,
        ip: null,
      });
      expect(done?.ok).toBe(true);
      expect(await row(c.ref)).toMatchObject({
        state: "cancelled",
        cancelled_on: TODAY,
        effective_end: c.quote.effectiveEnd,
      });
      expect(await refundsOf([c.ref])).toEqual(c.refunds);
      // The quote after the cancellation still names the same last day.
      expect(cliQuote(c.ref)).toEqual({ ...c.quote, refundYen: 0 });
    }, 30_000);
  }

  it("T-PROJ: the projected renewal is written down when renewal stops, so the term stays the same", async () => {
    const charges = () =>
      t.db
        .selectFrom("license_charges")
        .select(["charge_date", "amount_yen", "type"])
        .where("license_id", "=", id)
        .orderBy("charge_date")
        .execute();
    const id = await idOfLicense("T-PROJ");
    expect(await charges()).toEqual([
      { charge_date: "2024-11-30", amount_yen: 7980, type: "purchase" },
    ]);
    expect((await cancelAsProvider("T-PROJ"))?.ok).toBe(true);
    expect(await charges()).toEqual([
      { charge_date: "2024-11-30", amount_yen: 7980, type: "purchase" },
      { charge_date: "2025-11-30", amount_yen: 7980, type: "renewal" },
    ]);
  });

  it("other channels: the quote names the seller's path and the console does not cancel them", async () => {
    expect(cliQuote("T-CARRIER")).toEqual({
      effectiveEnd: "2026-11-30",
      refundYen: 0,
      cascades: [],
      path: "carrier_provider",
    });
    expect(cliQuote("T-APP")).toEqual({
      effectiveEnd: "2027-10-31",
      refundYen: 0,
      cascades: [],
      path: "app_store",
    });
    expect(cliQuote("T-ISPFILE")).toEqual({
      effectiveEnd: "2026-11-30",
      refundYen: 0,
      cascades: [],
      path: "isp_mypage",
    });
    for (const ref of ["T-CARRIER", "T-APP", "T-ISPFILE"]) {
      const result = await cancelLicense(t.db, {
        id: await idOfLicense(ref),
        tenant: customer("C5"),
        on: TODAY,
        uninstallAcknowledged: true,
        actor,
        ip: null,
      });
      expect(result).toEqual({
        ok: false,
        kind: "conflict",
        message: "このライセンスは販売元での解約手続きになります。表示される手順に従ってください。",
      });
      expect((await row(ref)).state).toBe("active");
      const view = await getLicenseView(
        t.db,
        { id: await idOfLicense(ref), tenant: customer("C5") },
        TODAY,
      );
      expect(view!.overview.consoleActs).toBe(false);
    }
    const carrier = await getLicenseView(
      t.db,
      { id: await idOfLicense("T-CARRIER"), tenant: customer("C5") },
      TODAY,
    );
    expect(carrier!.overview.seller).toBe(
      "株式会社ストアフロント「MWノートンストア」（ドコモショップで販売、電話料金と合算で請求）",
    );
    expect(carrier!.overview.path.steps.join("\n")).toContain(
      "ドコモ払いの決済番号（D2604-1187-0001）",
    );
  }, 30_000);

  it("an unknown licence: the command says so and exits 1", () => {
    const r = run(
      "scripts/licenses.ts",
      "quote-cancel",
      "--license",
      "NOPE",
      "--on",
      TODAY,
      "--json",
    );
    expect(r).toEqual({ status: 1, stdout: "", stderr: '--license: unknown license "NOPE"\n' });
    const bad = run(
      "scripts/licenses.ts",
      "quote-cancel",
      "--license",
      "T-APP",
      "--on",
      "2026-11-31",
      "--json",
    );
    expect(bad).toEqual({
      status: 1,
      stdout: "",
      stderr: '--on: expected a date YYYY-MM-DD, got "2026-11-31"\n',
    });
  });
});

describe("stopping auto-renewal (L-2)", () => {
  it("a main licence stops its add-ons too; each stays valid to the end of its own term, which is what quote-cancel says", async () => {
    const id = await idOfLicense("T-M2");
    const result = await stopAutoRenewal(t.db, {
      id,
      tenant: customer("C5"),
      on: TODAY,
      actor,
      ip: "127.0.0.1",
    });
    expect(result).toMatchObject({
      ok: true,
      value: {
        stops: [
          {
            ref: "T-M2",
            state: "stop_requested",
            validUntil: "2027-02-28",
            avoidsChargeOn: "2027-03-01",
          },
          {
            ref: "T-M2A",
            state: "stop_requested",
            validUntil: "2027-03-31",
            avoidsChargeOn: "2027-04-01",
          },
        ],
      },
    });
    expect((await row("T-M2")).renewal_state).toBe("stop_requested");
    expect((await row("T-M2A")).renewal_state).toBe("stop_requested");
    // No refund left (bought 2026-03-01): cancelling now would also end with the term.
    expect(cliQuote("T-M2")).toEqual({
      effectiveEnd: "2027-02-28",
      refundYen: 0,
      cascades: ["T-M2A"],
      path: "vendor_account",
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["summary", "ip"])
      .where("action", "=", "license.stop_auto_renewal")
      .execute();
    expect(audit).toEqual([
      {
        summary: "自動延長の停止を受付（L-2）: T-M2、アドオン T-M2A（2027-02-28 まで有効）",
        ip: "127.0.0.1",
      },
    ]);

    // A second request is refused; the vendor's processing moves both to stopped.
    expect(
      await stopAutoRenewal(t.db, { id, tenant: customer("C5"), on: TODAY, actor, ip: null }),
    ).toEqual({ ok: false, kind: "conflict", message: "自動延長サービスの停止を処理中です。" });
    expect(await completeAutoRenewalStop(t.db, { id, tenant: provider, actor, ip: null })).toEqual({
      ok: true,
      value: { refs: ["T-M2", "T-M2A"] },
    });
    expect((await row("T-M2")).renewal_state).toBe("stopped");
    expect((await row("T-M2A")).renewal_state).toBe("stopped");
    expect(await completeAutoRenewalStop(t.db, { id, tenant: provider, actor, ip: null })).toEqual({
      ok: false,
      kind: "conflict",
      message: "停止手続き中の自動延長はありません。",
    });
  }, 30_000);

  it("an add-on stops alone and the main's next renewal drops by its price", async () => {
    const before = await getLicenseView(
      t.db,
      { id: await idOfLicense("T-M3"), tenant: customer("C5") },
      TODAY,
    );
    expect(before!.overview.nextRenewal).toEqual({ date: "2027-02-01", amountYen: 7980 + 1980 });
    const result = await stopAutoRenewal(t.db, {
      id: await idOfLicense("T-M3A"),
      tenant: customer("C5"),
      on: TODAY,
      actor,
      ip: null,
    });
    expect(result).toMatchObject({ ok: true, value: { stops: [{ ref: "T-M3A" }] } });
    expect((await row("T-M3")).renewal_state).toBe("active");
    const after = await getLicenseView(
      t.db,
      { id: await idOfLicense("T-M3"), tenant: customer("C5") },
      TODAY,
    );
    expect(after!.overview.nextRenewal).toEqual({ date: "2027-02-01", amountYen: 7980 });
  });

  it("another tenant's licence is not found, exactly like a missing one", async () => {
    const id = await idOfLicense("T-M3");
    expect(
      await stopAutoRenewal(t.db, { id, tenant: customer("C1"), on: TODAY, actor, ip: null }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
    expect(
      await stopAutoRenewal(t.db, { id, tenant: reseller("R1"), on: TODAY, actor, ip: null }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
    expect(await getLicense(t.db, { id, tenant: customer("C1") })).toBeNull();
    expect(await getLicense(t.db, { id: 999_999, tenant: provider })).toBeNull();
    expect(await getLicense(t.db, { id, tenant: reseller("R2") })).not.toBeNull();
    const c1 = (
      await pageLicenses(
        t.db,
        customer("C1"),
        {},
        pageRequest(new URLSearchParams(), LICENSE_SORT),
        TODAY,
      )
    ).licenses.map((l) => l.ref);
    expect(c1).toContain("T-MAIN");
    expect(c1.some((ref) => ["T-M2", "T-M3", "T-CARRIER"].includes(ref))).toBe(false);
  });
});

describe("finding a licence (L-6)", () => {
  it("by order number, product key, payment number or e-mail, within the tenant only", async () => {
    const refs = async (tenant: Tenant, q: string) =>
      (await findLicensesFor(t.db, tenant, q, TODAY)).map((r) => [
        r.view.overview.license.ref,
        r.matchedBy,
      ]);
    expect(await refs(customer("C1"), "np 2610-0001")).toEqual([["T-MAIN", "orderNumber"]]);
    expect(await refs(customer("C1"), "ｔｍａｉ－ｎ００１－ａａａａ")).toEqual([
      ["T-MAIN", "productKey"],
    ]);
    expect(await refs(customer("C1"), "Orders@Minato.example")).toEqual([["T-SY", "email"]]);
    expect(await refs(customer("C5"), "d2604 1187 0001")).toEqual([
      ["T-CARRIER", "carrierPaymentNumber"],
    ]);
    expect(await refs(customer("C5"), "7000000001")).toEqual([["T-ISPFILE", "contractNumber"]]);
    // Another tenant's numbers find nothing.
    expect(await refs(customer("C1"), "D2604-1187-0001")).toEqual([]);
    expect(await refs(reseller("R1"), "NP4400001")).toEqual([]);
    expect(await refs(reseller("R2"), "NP4400001")).toEqual([["T-M2", "orderNumber"]]);
  });
});

describe("refund workflow (L-3): requested → approved → paid, or refused with a reason", () => {
  it("finance moves each refund through its states; wrong moves and other tenants are refused", async () => {
    // The requests: T-MAIN's cancellation (with its service add-on T-ADD2) and T-UK's.
    expect((await cancelAsProvider("T-MAIN"))?.ok).toBe(true);
    expect((await cancelAsProvider("T-UK"))?.ok).toBe(true);
    const all = await listRefunds(t.db, provider, { state: "requested" });
    const byRef = new Map(all.map((r) => [r.licenseRef, r.id]));
    const step = (
      ref: string,
      decision: Parameters<typeof decideRefund>[1]["decision"],
      tenant: Tenant = provider,
    ) =>
      decideRefund(t.db, {
        refundId: byRef.get(ref)!,
        tenant,
        decision,
        on: TODAY,
        actor: { id: null, email: "finance@demo.example" },
        ip: null,
      });

    expect(await step("T-MAIN", { type: "pay" })).toEqual({
      ok: false,
      kind: "conflict",
      message: "この返金は「申請中」のため、返金済みにできません。",
    });
    expect(await step("T-MAIN", { type: "approve" })).toEqual({ ok: true, value: undefined });
    expect(await step("T-MAIN", { type: "approve" })).toEqual({
      ok: false,
      kind: "conflict",
      message: "この返金は「承認済み」のため、承認できません。",
    });
    expect(await step("T-MAIN", { type: "pay" })).toEqual({ ok: true, value: undefined });
    expect(await step("T-ADD2", { type: "refuse", reason: "  " })).toEqual({
      ok: false,
      kind: "validation",
      fields: { reason: "返金しない理由を入力してください。" },
    });
    expect(await step("T-ADD2", { type: "refuse", reason: "サービス利用履歴あり" })).toEqual({
      ok: true,
      value: undefined,
    });
    // A customer's refund is not another customer's to see.
    expect(await step("T-UK", { type: "approve" }, customer("C5"))).toEqual({
      ok: false,
      kind: "not_found",
      message: "この返金は見つかりません。",
    });

    const states = await refundsOf(["T-MAIN", "T-ADD2", "T-UK"]);
    expect(states.map((r) => [r.ref, r.state])).toEqual([
      ["T-ADD2", "refused"],
      ["T-MAIN", "paid"],
      ["T-UK", "requested"],
    ]);
    const refused = await t.db
      .selectFrom("refunds")
      .select(["reason", "decided_by"])
      .where("id", "=", byRef.get("T-ADD2")!)
      .executeTakeFirstOrThrow();
    expect(refused).toEqual({ reason: "サービス利用履歴あり", decided_by: "finance@demo.example" });
    const actions = await t.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "refund.%")
      .orderBy("id")
      .execute();
    expect(actions.map((a) => a.action)).toEqual(["refund.approve", "refund.pay", "refund.refuse"]);
  });
});

describe("ISP bundle (L-4)", () => {
  const input = ispInput;

  it("two identical applications racing with Promise.all on one form token create one contract and one licence", async () => {
    // The form's one-time token (decision 0027) is the ISP key of decision 0007: the route runs the application through it.
    const user = await t.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "reseller@demo.example")
      .executeTakeFirstOrThrow();
    const token = await issueFormToken(t.db, { userId: user.id, form: "isp-application" });
    const params = {
      input: { ...input(), idempotencyKey: token },
      tenant: reseller("R1"),
      on: TODAY,
      actor,
      ip: null,
    };
    const once = () =>
      runFormOnce(
        t.db,
        { userId: user.id, form: "isp-application", token, path: "/licenses/isp" },
        (trx) => applyIspSecurity(trx, params),
        (r) => (r.ok ? { redirect: `/licenses/${r.value.licenseId}?applied=1` } : null),
      );
    const runs = await Promise.all([once(), once()]);
    expect(runs.map((r) => r.kind).sort()).toEqual(["done", "replayed"]);
    const done = runs.find((r) => r.kind === "done");
    const replayed = runs.find((r) => r.kind === "replayed");
    const result = done?.kind === "done" ? done.value : null;
    if (!result?.ok || replayed?.kind !== "replayed")
      throw new Error("expected one application and one replay");
    const a = result.value;
    expect(a.created).toBe(true);
    expect(replayed.outcome).toEqual({ redirect: `/licenses/${a.licenseId}?applied=1` });
    expect(a.contractNumber).toMatch(/^[1-9]\d{9}$/);
    expect(a.pin).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    const rows = await t.db
      .selectFrom("isp_applications")
      .selectAll()
      .where("customer_id", "=", ids.C2)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      idempotency_key: token,
      devices: 3,
      monthly_yen: 627,
      applied_on: TODAY,
    });
    const licenses = await t.db
      .selectFrom("licenses")
      .select(["ref", "channel", "price_yen", "pin"])
      .where("contract_number", "=", a.contractNumber)
      .execute();
    expect(licenses).toEqual([
      { ref: `ISP-${a.contractNumber}`, channel: "isp", price_yen: 627, pin: a.pin },
    ]);
    expect(
      await t.db
        .selectFrom("audit_log")
        .select("action")
        .where("action", "=", "isp.apply")
        .where("entity_id", "=", `ISP-${a.contractNumber}`)
        .execute(),
    ).toHaveLength(1);

    // The same key without the form token (the API's Idempotency-Key after its stored answer
    // was pruned) answers the contract that key made, and writes nothing.
    const again = await applyIspSecurity(t.db, params);
    expect(again).toEqual({
      ok: true,
      value: {
        created: false,
        licenseId: a.licenseId,
        contractNumber: a.contractNumber,
        pin: a.pin,
        warnings: [],
      },
    });
    expect(
      await t.db
        .selectFrom("isp_applications")
        .select("id")
        .where("customer_id", "=", ids.C2)
        .execute(),
    ).toHaveLength(1);

    // The unique index itself refuses a second row with the key.
    await expect(
      t.db
        .insertInto("isp_applications")
        .values({
          ...rows[0],
          id: undefined,
          contract_number: "1999999999",
          pin: "AAAA-AAAA-AAAA-AAAA",
        })
        .execute(),
    ).rejects.toThrow(
      /UNIQUE constraint failed: isp_applications.idempotency_key|"isp_applications_idempotency_key_key"/,
    );
  });

  it("too many devices name the field; a customer outside the tenant is not found", async () => {
    const tooMany = await applyIspSecurity(t.db, {
      input: { ...input(), idempotencyKey: "test-key-0000000000000002", devices: 4 },
      tenant: provider,
      on: TODAY,
      actor,
      ip: null,
    });
    expect(tooMany).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        devices:
          "1契約で端末3台までご利用が可能です。ご利用端末台数に応じて2契約をお申込みください。",
      },
    });
    expect(
      await applyIspSecurity(t.db, {
        input: { ...input(), idempotencyKey: "test-key-0000000000000003" },
        tenant: reseller("R2"),
        on: TODAY,
        actor,
        ip: null,
      }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
  });

  it("a second contract warns that the first is not cancelled automatically", async () => {
    const first = await applyIsp("test-key-0000000000000001");
    // The first has nothing to switch from: only the free-month notice.
    expect(first.ok && first.value.warnings.join("\n")).not.toContain("自動解約にはなりません");
    const second = await applyIsp("test-key-0000000000000004", {
      product: "web_filtering_win",
      devices: 1,
    });
    expect(second.ok && second.value.warnings[0]).toContain("自動解約にはなりません");
  });

  it("cancellation ends on the last day of the month, as quote-cancel says, and can be revoked until then", async () => {
    expect((await applyIsp("test-key-0000000000000001")).ok).toBe(true);
    const [app] = await t.db
      .selectFrom("isp_applications")
      .select("contract_number")
      .where("customer_id", "=", ids.C2)
      .where("product", "=", "multi_device_security")
      .execute();
    const ref = `ISP-${app.contract_number}`;
    const quote = cliQuote(ref);
    expect(quote).toEqual({
      effectiveEnd: "2026-11-30",
      refundYen: 0,
      cascades: [],
      path: "isp_mypage",
    });
    const id = await idOfLicense(ref);
    const cancelled = await cancelIspContract(t.db, {
      id,
      tenant: customer("C2"),
      on: TODAY,
      actor,
      ip: null,
    });
    expect(cancelled).toMatchObject({
      ok: true,
      value: {
        notices: expect.arrayContaining(["解約日は解約申込み日の月末日（2026-11-30）となります。"]),
      },
    });
    expect(await row(ref)).toMatchObject({ state: "cancelled", effective_end: "2026-11-30" });
    expect(
      await t.db
        .selectFrom("isp_applications")
        .select(["cancel_requested_on", "cancel_effective_on"])
        .where("contract_number", "=", app.contract_number)
        .executeTakeFirst(),
    ).toEqual({ cancel_requested_on: TODAY, cancel_effective_on: "2026-11-30" });
    expect(cliQuote(ref)).toEqual(quote);
    const view = await getLicenseView(t.db, { id, tenant: customer("C2") }, TODAY);
    expect(view!.overview.displayState).toBe("isp_cancel_pending");

    expect(
      await revokeIspCancellationOf(t.db, {
        id,
        tenant: customer("C2"),
        on: isoDate("2026-11-30"),
        actor,
        ip: null,
      }),
    ).toMatchObject({ ok: true });
    expect(await row(ref)).toMatchObject({
      state: "active",
      cancelled_on: null,
      effective_end: null,
    });
    expect(
      await revokeIspCancellationOf(t.db, {
        id,
        tenant: customer("C2"),
        on: TODAY,
        actor,
        ip: null,
      }),
    ).toEqual({ ok: false, kind: "conflict", message: "解約予約はありません。" });
    // An ISP licence imported from a file has no console contract: its path is the ISP's page.
    expect(
      await cancelIspContract(t.db, {
        id: await idOfLicense("T-ISPFILE"),
        tenant: customer("C5"),
        on: TODAY,
        actor,
        ip: null,
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message:
        "このライセンスはこのコンソールで申し込まれたISP契約ではありません。表示される手順に従ってください。",
    });
  }, 30_000);
});

describe("demo licences (db/demo/seed-licenses.ts)", () => {
  it("cover every channel for C1 and C5 and obey the rules", async () => {
    const { seedLicenses, demoLicenseFile } = await import("../db/demo/seed-licenses");
    const extra = await createTestDatabase({ seed: true });
    try {
      const seeded = await extra.db
        .selectFrom("licenses")
        .select("ref")
        .where("ref", "like", "LIC-%")
        .execute();
      // The demo seed may already call seedLicenses (db/demo/seed.ts); add them only once.
      if (seeded.length === 0) await seedLicenses(extra.db, TODAY);
      const rows = await extra.db
        .selectFrom("licenses")
        .innerJoin("customers", "customers.id", "licenses.customer_id")
        .select([
          "licenses.ref",
          "licenses.channel",
          "customers.ref as customer",
          "licenses.order_number",
          "licenses.carrier",
        ])
        .execute();
      expect(new Set(rows.map((r) => r.channel))).toEqual(
        new Set(["vendor_store", "isp", "carrier_provider", "reseller", "app_store"]),
      );
      expect(new Set(rows.map((r) => r.customer))).toEqual(new Set(["C1", "C5"]));
      expect(rows.find((r) => r.ref === "LIC-1001")?.order_number).toMatch(/^NP/);
      expect(rows.some((r) => r.order_number?.startsWith("SY"))).toBe(true);
      expect(rows.find((r) => r.channel === "carrier_provider")?.carrier).toBe("docomo");
      expect(
        demoLicenseFile(TODAY).licenses.filter((l) => l.mainLicense === "LIC-1001"),
      ).toHaveLength(2);
      const quote = await quoteCancelLicense(
        extra.db,
        { ref: "LIC-1001", tenant: provider },
        TODAY,
      );
      // Renewed a month ago (inside 60 days) with a service add-on bought 40 days ago; the backup add-on is past its window.
      expect(
        quote && {
          effectiveEnd: quote.effectiveEnd,
          refundYen: quote.refundYen,
          cascades: quote.cascades,
          path: quote.path,
        },
      ).toEqual({
        effectiveEnd: TODAY,
        refundYen: 8980 + 2980,
        cascades: ["LIC-1002", "LIC-1003"],
        path: "vendor_account",
      });
    } finally {
      await extra.dispose();
      // createTestDatabase points the app's handle at the newest database: point it back.
      (await import("../app/db.server")).setDatabase(t);
    }
  });
});
