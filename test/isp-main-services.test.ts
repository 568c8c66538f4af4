// L-4 automatic end against a real SQLite file: recording a customer's main ISP services (the
// server function the page calls, and `licenses main-service` as a child process) ends the ISP
// security contracts and their licences in the same transaction when none of the main services
// is left; a last day still ahead waits for the daily run (`applyMainServiceEnds`, also
// `licenses apply-main-service-ends`), which is idempotent. Bad input and foreign customers write
// nothing.
import { failureMessage } from "../app/lib/result";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import { ispMonthlyChargeYen } from "../app/licenses/isp-bundle";
import {
  applyIspSecurity,
  cancelIspContract,
  listIspContracts,
  revokeIspCancellationOf,
} from "../app/licenses/isp.server";
import { findLicensesFor, getLicenseView } from "../app/licenses/license-views.server";
import { LICENSE_SORT, pageLicenses } from "../app/licenses/license-list.server";
import { pageRequest } from "../app/lib/paging";
import { listMainServices } from "../app/licenses/main-service-views.server";
import { applyMainServiceEnds, recordMainService } from "../app/licenses/main-services.server";
import type { MainServiceInput } from "../app/licenses/main-services";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { isoDate, type IsoDate, yearMonth } from "../app/lib/jst";

const ROOT = join(import.meta.dirname, "..");
const APP_NOW = "2026-11-22T10:00:00+09:00";
const TODAY = isoDate("2026-11-22");
const actor = { id: null, email: "ops@secureline.example" };
const provider: Tenant = { kind: "provider" };

let t: TestDatabase;
const ids: Record<string, number> = {};
const reseller = (ref: string): Tenant => ({ kind: "reseller", resellerId: ids[ref] });
const customer = (ref: string): Tenant => ({ kind: "customer", customerId: ids[ref] });

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/licenses.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url, APP_NOW },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let keySeq = 0;
/** An ISP security contract applied for on `on`; returns its contract number and licence ref. */
async function apply(
  customerRef: string,
  on: IsoDate,
  product: "multi_device_security" | "web_filtering_win" = "multi_device_security",
) {
  const r = await applyIspSecurity(t.db, {
    input: {
      idempotencyKey: `main-services-test-${String(++keySeq).padStart(4, "0")}`,
      customerId: ids[customerRef],
      product,
      devices: 1,
    },
    tenant: provider,
    on,
    actor,
    ip: null,
  });
  if (!r.ok) throw new Error(`apply ${customerRef}: ${failureMessage(r)}`);
  return {
    contractNumber: r.value.contractNumber,
    licenseRef: `ISP-${r.value.contractNumber}`,
    licenseId: r.value.licenseId,
  };
}

const service = (patch: Partial<MainServiceInput>): MainServiceInput => ({
  serviceRef: "NET-0001",
  kind: "internet",
  name: "光ホーム 1G",
  status: "active",
  lastDay: undefined,
  ...patch,
});

/** A customer outside the tenant, like a missing one. */
const NOT_FOUND = { ok: false, kind: "not_found", message: "見つかりません" };

function record(
  customerRef: string,
  input: MainServiceInput,
  tenant: Tenant = provider,
  on = TODAY,
) {
  return recordMainService(t.db, {
    customerId: ids[customerRef],
    input,
    tenant,
    on,
    actor,
    ip: "127.0.0.1",
  });
}

async function stored(contractNumber: string) {
  const isp = await t.db
    .selectFrom("isp_applications")
    .select(["ended_on", "cancel_effective_on"])
    .where("contract_number", "=", contractNumber)
    .executeTakeFirstOrThrow();
  const license = await t.db
    .selectFrom("licenses")
    .select(["state", "effective_end", "cancelled_on", "renewal_state", "auto_renew"])
    .where("contract_number", "=", contractNumber)
    .executeTakeFirstOrThrow();
  return { ...isp, ...license };
}

async function ispContract(customerRef: string, contractNumber: string, on = TODAY) {
  return (await listIspContracts(t.db, customer(customerRef), on)).find(
    (c) => c.contractNumber === contractNumber,
  )!;
}

async function count(table: "isp_main_services" | "audit_log") {
  return Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );
}

// Each test gets its own database and records the main services its case starts from itself.
beforeEach(async () => {
  t = await createTestDatabase({ seed: true });
  for (const r of await t.db.selectFrom("resellers").select(["id", "ref"]).execute())
    ids[r.ref] = r.id;
  for (const c of await t.db.selectFrom("customers").select(["id", "ref"]).execute())
    ids[c.ref] = c.id;
}, 60_000);
afterEach(() => t?.dispose());

describe("recording an ended main service with a past last day (reseller R1 for C2)", () => {
  let mds: Awaited<ReturnType<typeof apply>>;
  let web: Awaited<ReturnType<typeof apply>>;
  let auditBefore: number;
  let result: Awaited<ReturnType<typeof record>>;

  beforeEach(async () => {
    mds = await apply("C2", isoDate("2026-05-10"));
    web = await apply("C2", isoDate("2026-06-03"), "web_filtering_win");
    auditBefore = await count("audit_log");
    result = await record(
      "C2",
      service({ status: "ended", lastDay: "2026-10-31" }),
      reseller("R1"),
    );
  });

  it("ends every ISP contract of the customer on that day, with its licence, in the recording", async () => {
    expect(result).toEqual({
      ok: true,
      value: {
        created: true,
        customerRef: "C2",
        service: {
          serviceRef: "NET-0001",
          kind: "internet",
          name: "光ホーム 1G",
          status: "ended",
          lastDay: "2026-10-31",
        },
        ended: [
          {
            customerRef: "C2",
            contractNumber: mds.contractNumber,
            licenseRef: mds.licenseRef,
            endedOn: "2026-10-31",
          },
          {
            customerRef: "C2",
            contractNumber: web.contractNumber,
            licenseRef: web.licenseRef,
            endedOn: "2026-10-31",
          },
        ],
      },
    });
    for (const c of [mds, web]) {
      expect(await stored(c.contractNumber)).toEqual({
        ended_on: "2026-10-31",
        cancel_effective_on: null,
        state: "expired",
        effective_end: "2026-10-31",
        cancelled_on: null,
        renewal_state: "stopped",
        auto_renew: 0,
      });
    }
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "entity_id", "summary", "user_email"])
      .where("id", ">", auditBefore)
      .orderBy("id")
      .execute();
    expect(audit).toEqual([
      {
        action: "isp.main_service",
        entity_id: "C2",
        user_email: actor.email,
        summary:
          "ISP主契約の記録（L-4）: なにわ会計事務所（C2）のインターネット NET-0001「光ホーム 1G」を解約に（最終利用日 2026-10-31）",
      },
      {
        action: "isp.auto_end",
        entity_id: mds.licenseRef,
        user_email: actor.email,
        summary: `ISPセキュリティ自動解約（L-4）: 契約番号 ${mds.contractNumber}、主契約の終了に伴い自動解約（2026年10月31日 まで）`,
      },
      {
        action: "isp.auto_end",
        entity_id: web.licenseRef,
        user_email: actor.email,
        summary: `ISPセキュリティ自動解約（L-4）: 契約番号 ${web.contractNumber}、主契約の終了に伴い自動解約（2026年10月31日 まで）`,
      },
    ]);
  });

  it("charges run to October (the month of the last day, in full) and stop after it", async () => {
    const contract = await ispContract("C2", mds.contractNumber);
    expect(contract).toMatchObject({
      status: "ended",
      endedOn: "2026-10-31",
      endReason: "main_services_ended",
    });
    expect(
      ["2026-05", "2026-06", "2026-10", "2026-11", "2026-12"].map((m) =>
        ispMonthlyChargeYen(contract, yearMonth(m)),
      ),
    ).toEqual([0, 627, 627, 0, 0]);
    const webContract = await ispContract("C2", web.contractNumber);
    expect(
      ["2026-06", "2026-07", "2026-10", "2026-11"].map((m) =>
        ispMonthlyChargeYen(webContract, yearMonth(m)),
      ),
    ).toEqual([0, 220, 220, 0]);
  });

  it("the licence screens and L-6 find-my-subscription show the real end date", async () => {
    const view = await getLicenseView(t.db, { id: mds.licenseId, tenant: customer("C2") }, TODAY);
    expect(view!.overview.displayState).toBe("ended");
    expect(view!.overview.status).toEqual({
      state: "expired",
      cancelledOn: null,
      effectiveEnd: "2026-10-31",
    });
    expect(view!.overview.isp).toMatchObject({
      status: "ended",
      endedOn: "2026-10-31",
      endReason: "main_services_ended",
    });
    expect(view!.overview.quote.effectiveEnd).toBe("2026-10-31");
    expect(view!.mainServices.map((m) => [m.serviceRef, m.status, m.lastDay])).toEqual([
      ["NET-0001", "ended", "2026-10-31"],
    ]);
    const found = await findLicensesFor(t.db, customer("C2"), mds.contractNumber, TODAY);
    expect(
      found.map((f) => [
        f.matchedBy,
        f.view.overview.status.effectiveEnd,
        f.view.overview.isp?.endedOn,
      ]),
    ).toEqual([["contractNumber", "2026-10-31", "2026-10-31"]]);
    const listed = (
      await pageLicenses(
        t.db,
        customer("C2"),
        {},
        pageRequest(new URLSearchParams(), LICENSE_SORT),
        TODAY,
      )
    ).licenses.find((l) => l.ref === mds.licenseRef);
    expect(listed).toMatchObject({ displayState: "ended", endsOn: "2026-10-31" });
  });

  it("an ended contract can be neither cancelled nor revived by revoking", async () => {
    expect(
      await cancelIspContract(t.db, {
        id: mds.licenseId,
        tenant: customer("C2"),
        on: TODAY,
        actor,
        ip: null,
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "主契約の終了に伴い自動解約（2026-10-31）のため、解約のお申込みは不要です。",
    });
    expect((await stored(mds.contractNumber)).state).toBe("expired");
  });

  it("recording again (the same status, or the service active again) ends nothing more", async () => {
    const again = await record(
      "C2",
      service({ status: "ended", lastDay: "2026-10-31", kind: undefined, name: undefined }),
    );
    expect(again).toMatchObject({ ok: true, value: { created: false, ended: [] } });
    expect(await applyMainServiceEnds(t.db, { on: TODAY, actor })).toEqual([]);
  });
});

describe("a last day still ahead waits for the daily run (C3, two main services)", () => {
  let c: Awaited<ReturnType<typeof apply>>;

  beforeEach(async () => {
    c = await apply("C3", isoDate("2026-04-15"));
    // Every main service is on record (the active one first), then one of them ends.
    expect(
      await record(
        "C3",
        service({ serviceRef: "TV-3001", kind: "tv", name: "ケーブルテレビ", status: "active" }),
      ),
    ).toMatchObject({ ok: true, value: { ended: [] } });
    expect(
      await record(
        "C3",
        service({ serviceRef: "NET-3001", status: "ended", lastDay: "2026-11-10" }),
      ),
    ).toMatchObject({ ok: true, value: { ended: [] } });
  });

  it("one main service still active: nothing ends", async () => {
    expect(await applyMainServiceEnds(t.db, { on: isoDate("2027-01-31"), actor })).toEqual([]);
    expect(await stored(c.contractNumber)).toMatchObject({
      ended_on: null,
      state: "active",
      effective_end: null,
    });
  });

  it("the last one ended with a future day: nothing today, nothing the day before, the end on that day, once", async () => {
    expect(
      await record(
        "C3",
        service({
          serviceRef: "TV-3001",
          kind: undefined,
          name: undefined,
          status: "ended",
          lastDay: "2026-12-15",
        }),
      ),
    ).toMatchObject({ ok: true, value: { created: false, ended: [] } });
    expect(await stored(c.contractNumber)).toMatchObject({ ended_on: null, state: "active" });
    expect(
      await applyMainServiceEnds(t.db, {
        on: isoDate("2026-12-14"),
        actor: { id: null, email: "scheduler" },
      }),
    ).toEqual([]);
    expect(
      await applyMainServiceEnds(t.db, {
        on: isoDate("2026-12-15"),
        actor: { id: null, email: "scheduler" },
      }),
    ).toEqual([
      {
        customerRef: "C3",
        contractNumber: c.contractNumber,
        licenseRef: c.licenseRef,
        endedOn: "2026-12-15",
      },
    ]);
    expect(await stored(c.contractNumber)).toMatchObject({
      ended_on: "2026-12-15",
      state: "expired",
      effective_end: "2026-12-15",
    });
    const auditAfterFirst = await count("audit_log");
    expect(await applyMainServiceEnds(t.db, { on: isoDate("2026-12-16"), actor })).toEqual([]);
    expect(await count("audit_log")).toBe(auditAfterFirst);

    const contract = await ispContract("C3", c.contractNumber, isoDate("2026-12-15"));
    expect(contract.status).toBe("active"); // usable through its last day
    expect(
      ["2026-11", "2026-12", "2027-01"].map((m) => ispMonthlyChargeYen(contract, yearMonth(m))),
    ).toEqual([627, 627, 0]);
    const onLastDay = await getLicenseView(
      t.db,
      { id: c.licenseId, tenant: provider },
      isoDate("2026-12-15"),
    );
    expect(onLastDay!.overview.displayState).toBe("cancelled_running");
    const after = await getLicenseView(
      t.db,
      { id: c.licenseId, tenant: provider },
      isoDate("2026-12-16"),
    );
    expect(after!.overview.displayState).toBe("ended");
  });

  it("the same through the command: apply-main-service-ends --on", async () => {
    const d = await apply("C4", isoDate("2026-03-01"));
    const recorded = run(
      "main-service",
      "--customer",
      "C4",
      "--service",
      "net-4001",
      "--kind",
      "internet",
      "--status",
      "ended",
      "--last-day",
      "2027-01-31",
    );
    expect(recorded.stderr).toBe("");
    expect(JSON.parse(recorded.stdout)).toEqual({
      customer: "C4",
      service: "NET-4001",
      kind: "internet",
      name: null,
      status: "ended",
      lastDay: "2027-01-31",
      created: true,
      ended: [],
    });
    expect(run("apply-main-service-ends", "--on", "2027-01-30")).toEqual({
      status: 0,
      stdout: '{"on":"2027-01-30","ended":[]}\n',
      stderr: "",
    });
    const ended = run("apply-main-service-ends", "--on", "2027-01-31");
    expect(ended.status).toBe(0);
    expect(JSON.parse(ended.stdout)).toEqual({
      on: "2027-01-31",
      ended: [
        {
          customerRef: "C4",
          contractNumber: d.contractNumber,
          licenseRef: d.licenseRef,
          endedOn: "2027-01-31",
        },
      ],
    });
    expect(run("apply-main-service-ends", "--on", "2027-01-31").stdout).toBe(
      '{"on":"2027-01-31","ended":[]}\n',
    );
    expect(run("apply-main-service-ends")).toEqual({
      status: 0,
      stdout: '{"on":"2026-11-22","ended":[]}\n',
      stderr: "",
    });
    expect(await stored(d.contractNumber)).toMatchObject({
      ended_on: "2027-01-31",
      state: "expired",
      effective_end: "2027-01-31",
    });
    const audit = await t.db
      .selectFrom("audit_log")
      .select("user_email")
      .where("action", "=", "isp.auto_end")
      .where("entity_id", "=", d.licenseRef)
      .execute();
    expect(audit).toEqual([{ user_email: "command:licenses" }]);
  }, 60_000);
});

describe("suspended counts as ended; a booked cancellation gives way to the earlier end", () => {
  it("a suspended phone line (the only main service) ends C6's security on its last day", async () => {
    const c = await apply("C6", isoDate("2026-07-20"));
    const result = await record(
      "C6",
      service({
        serviceRef: "TEL-6001",
        kind: "phone",
        name: "ひかり電話",
        status: "suspended",
        lastDay: "2026-11-20",
      }),
      reseller("R2"),
    );
    expect(result).toMatchObject({
      ok: true,
      value: { ended: [{ contractNumber: c.contractNumber, endedOn: "2026-11-20" }] },
    });
    expect(await stored(c.contractNumber)).toMatchObject({
      ended_on: "2026-11-20",
      state: "expired",
      effective_end: "2026-11-20",
    });
  });

  it("a cancellation booked for 11-30, then the internet ends on 11-20: the licence ends on 11-20 and cannot be revoked", async () => {
    const c = await apply("C8", isoDate("2026-06-01"));
    expect(
      await cancelIspContract(t.db, {
        id: c.licenseId,
        tenant: provider,
        on: isoDate("2026-11-05"),
        actor,
        ip: null,
      }),
    ).toMatchObject({ ok: true });
    const result = await record(
      "C8",
      service({ serviceRef: "NET-8001", status: "ended", lastDay: "2026-11-20" }),
    );
    expect(result).toMatchObject({
      ok: true,
      value: { ended: [{ contractNumber: c.contractNumber, endedOn: "2026-11-20" }] },
    });
    expect(await stored(c.contractNumber)).toMatchObject({
      ended_on: "2026-11-20",
      cancel_effective_on: "2026-11-30",
      state: "cancelled",
      cancelled_on: "2026-11-05",
      effective_end: "2026-11-20",
    });
    expect(
      await revokeIspCancellationOf(t.db, {
        id: c.licenseId,
        tenant: provider,
        on: TODAY,
        actor,
        ip: null,
      }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: "主契約の終了に伴い自動解約（2026-11-20）のため、解約予約は取り消せません。",
    });
    expect(
      ispMonthlyChargeYen(await ispContract("C8", c.contractNumber), yearMonth("2026-12")),
    ).toBe(0);
  });
});

describe("refused input and foreign customers write nothing", () => {
  it("bad fields come back as Japanese field errors; no row, no audit, no end", async () => {
    const c = await apply("C7", isoDate("2026-02-01"));
    const before = [await count("isp_main_services"), await count("audit_log")];
    expect(await record("C7", service({ status: "ended", lastDay: "2026-11-31" }))).toEqual({
      ok: false,
      kind: "validation",
      fields: { lastDay: "最終利用日は 2026-11-30 の形式の日付で入力してください" },
    });
    expect(
      await record("C7", service({ serviceRef: "", kind: "", status: "closed" })),
    ).toMatchObject({
      ok: false,
      kind: "validation",
      fields: {
        serviceRef: "サービス番号（回線番号など）を入力してください",
        status: "状態（ご利用中・休止・解約）を選んでください",
      },
    });
    expect(await record("C7", service({ status: "suspended", lastDay: "" }))).toMatchObject({
      ok: false,
      kind: "validation",
      fields: { lastDay: "休止・解約の場合は最終利用日を入力してください" },
    });
    expect([await count("isp_main_services"), await count("audit_log")]).toEqual(before);
    expect(await stored(c.contractNumber)).toMatchObject({ ended_on: null, state: "active" });
  });

  it("a reseller cannot record for another reseller's customer: not found, like a missing one", async () => {
    // C2's internet is on record (R1's customer).
    expect(
      await record("C2", service({ status: "ended", lastDay: "2026-10-31" }), reseller("R1")),
    ).toMatchObject({ ok: true, value: { created: true } });
    const before = [await count("isp_main_services"), await count("audit_log")];
    const ended = service({ serviceRef: "NET-7001", status: "ended", lastDay: "2026-10-31" });
    expect(await record("C7", ended, reseller("R1"))).toEqual(NOT_FOUND); // C7 belongs to R2
    expect(
      await recordMainService(t.db, {
        customerId: 987_654,
        input: ended,
        tenant: provider,
        on: TODAY,
        actor,
        ip: null,
      }),
    ).toEqual(NOT_FOUND);
    expect(await record("C7", ended, customer("C1"))).toEqual(NOT_FOUND);
    expect([await count("isp_main_services"), await count("audit_log")]).toEqual(before);
    // And what it reads is scoped the same way.
    expect(
      (await listMainServices(t.db, reseller("R1")))
        .map((m) => m.customerRef)
        .every((ref) => ["C1", "C2", "C3", "C4"].includes(ref)),
    ).toBe(true);
    expect((await listMainServices(t.db, customer("C2"))).map((m) => m.serviceRef)).toEqual([
      "NET-0001",
    ]);
  });

  it("the command refuses bad input with `option: message`, exit 1, nothing written", async () => {
    const before = [await count("isp_main_services"), await count("audit_log")];
    expect(
      run(
        "main-service",
        "--customer",
        "C7",
        "--service",
        "NET-7001",
        "--kind",
        "fax",
        "--status",
        "ended",
      ),
    ).toEqual({
      status: 1,
      stdout: "",
      stderr:
        "--kind: 種類はインターネット・テレビ・電話・その他から選んでください\n--last-day: 休止・解約の場合は最終利用日を入力してください\n",
    });
    expect(
      run("main-service", "--customer", "C99", "--service", "NET-1", "--status", "active"),
    ).toEqual({
      status: 1,
      stdout: "",
      stderr: "--customer: お客さま「C99」は登録されていません\n",
    });
    expect(run("main-service", "--service", "NET-1", "--status", "active")).toEqual({
      status: 1,
      stdout: "",
      stderr: "--customer: お客さまの番号（C1 など）を指定してください\n",
    });
    expect(run("apply-main-service-ends", "--on", "2026-13-01")).toEqual({
      status: 1,
      stdout: "",
      stderr: '--on: expected a date YYYY-MM-DD, got "2026-13-01"\n',
    });
    expect([await count("isp_main_services"), await count("audit_log")]).toEqual(before);
  }, 60_000);
});

describe("demo data (db/demo/seed-licenses.ts)", () => {
  it("C1's main services are all active and its ISP security runs; C5's internet ended last month and so did its security", async () => {
    expect(
      (await listMainServices(t.db, customer("C1"))).map((m) => [
        m.serviceRef,
        m.kind,
        m.status,
        m.lastDay,
      ]),
    ).toEqual([
      ["CATV-0665710001", "tv", "active", null],
      ["OPT-0665710001", "internet", "active", null],
    ]);
    expect(
      (await listMainServices(t.db, customer("C5"))).map((m) => [
        m.serviceRef,
        m.kind,
        m.status,
        m.lastDay,
      ]),
    ).toEqual([["OPT-0353210005", "internet", "ended", "2026-10-31"]]);
    const c1 = await listIspContracts(t.db, customer("C1"), TODAY);
    expect(c1.map((c) => [c.appliedOn, c.status, c.endedOn])).toEqual([
      ["2026-07-22", "active", null],
    ]);
    const [c5] = await listIspContracts(t.db, customer("C5"), TODAY);
    expect([c5.appliedOn, c5.status, c5.endedOn, c5.devices]).toEqual([
      "2026-03-22",
      "ended",
      "2026-10-31",
      2,
    ]);
    expect(
      ["2026-03", "2026-04", "2026-10", "2026-11"].map((m) =>
        ispMonthlyChargeYen(c5, yearMonth(m)),
      ),
    ).toEqual([0, 627, 627, 0]);
    const audit = await t.db
      .selectFrom("audit_log")
      .select(["action", "user_email"])
      .where("action", "=", "isp.auto_end")
      .where("entity_id", "=", `ISP-${c5.contractNumber}`)
      .execute();
    expect(audit).toEqual([{ action: "isp.auto_end", user_email: "seed" }]);
  });
});
