// T-16 notices against a real database: each tenant sees the notices of its lines' areas, the
// demo's west-area maintenance among them; operators publish (an emergency after the start),
// withdraw before the start and end after it; everything is audited.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Tenant } from "../app/auth/tenancy";
import { draftServiceNotice, ServiceNoticeForm } from "../app/notices/service-notice";
import {
  closeServiceNotice,
  listServiceNotices,
  publishServiceNotice,
} from "../app/notices/service-notices.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";

const operator = { id: null, email: "operator@demo.example" };
let t: TestDatabase;
const tenants: Record<string, Tenant> = { provider: { kind: "provider" } };

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
  const id = async (table: "customers" | "resellers", ref: string) =>
    (await t.db.selectFrom(table).select("id").where("ref", "=", ref).executeTakeFirstOrThrow()).id;
  tenants.C1 = { kind: "customer", customerId: await id("customers", "C1") };
  tenants.C5 = { kind: "customer", customerId: await id("customers", "C5") };
  tenants.R1 = { kind: "reseller", resellerId: await id("resellers", "R1") };
  tenants.R2 = { kind: "reseller", resellerId: await id("resellers", "R2") };
});
afterEach(() => t.dispose());

const titles = async (who: string, now = TEST_NOW) =>
  (await listServiceNotices(t.db, { tenant: tenants[who], now, since: now })).map(
    (n) => `${n.title} ${n.state}`,
  );
const noticeAudit = () =>
  t.db
    .selectFrom("audit_log")
    .select(["action", "summary"])
    .where("action", "like", "notice.%")
    .orderBy("id")
    .execute();
const WEST = "西日本エリア ゲートウェイ管理サーバーの定期保守";

describe("service notices", () => {
  it("the demo's west maintenance (12-02 01:00–05:00) is shown to the west's tenants only", async () => {
    for (const who of ["provider", "C1", "R1"])
      expect(await titles(who)).toEqual([`${WEST} upcoming`]);
    for (const who of ["C5", "R2"]) expect(await titles(who)).toEqual([]);
    expect(await titles("C1", new Date("2026-12-02T02:00:00+09:00"))).toEqual([`${WEST} current`]);
  });

  it("an emergency on every area, announced after it started, reaches everyone and is ended once restored", async () => {
    const input = ServiceNoticeForm.parse({
      reason: "other",
      area: "all",
      title: "管理コンソールの緊急停止",
      body: "復旧作業中です。",
      startDate: "2026-11-22",
      startTime: "09:40",
      emergency: "on",
    });
    const draft = draftServiceNotice(input, TEST_NOW);
    if (!draft.ok) throw new Error(JSON.stringify(draft.fields));
    const id = await publishServiceNotice(t.db, {
      notice: draft.value,
      at: TEST_NOW,
      actor: operator,
      ip: "",
    });
    expect(await titles("C5")).toEqual(["管理コンソールの緊急停止 current"]);
    const restored = new Date("2026-11-22T11:15:00+09:00");
    expect(await closeServiceNotice(t.db, { id, at: restored, actor: operator, ip: "" })).toEqual({
      ok: true,
      value: "ended",
    });
    expect(await titles("C5", restored)).toEqual(["管理コンソールの緊急停止 ended"]);
    const [notice] = await listServiceNotices(t.db, {
      tenant: tenants.C5,
      now: restored,
      since: TEST_NOW,
    });
    expect(notice).toMatchObject({ state: "ended", endsAt: restored.toISOString() });
    expect(await closeServiceNotice(t.db, { id, at: restored, actor: operator, ip: "" })).toEqual({
      ok: false,
      kind: "conflict",
      message: "終了済み・取り下げ済みのお知らせです",
    });
    const audit = await noticeAudit();
    expect(audit.map((a) => a.action)).toEqual(["notice.publish", "notice.publish", "notice.end"]);
    expect(audit[1].summary).toBe(
      "利用中止のお知らせを掲載（緊急）: 管理コンソールの緊急停止（2026年11月22日 09:40〜未定）",
    );
  });

  it("a notice withdrawn before its start disappears for customers; the provider still lists it", async () => {
    const west = (
      await listServiceNotices(t.db, { tenant: tenants.provider, now: TEST_NOW, since: TEST_NOW })
    ).find((n) => n.title === WEST)!;
    expect(
      await closeServiceNotice(t.db, { id: west.id, at: TEST_NOW, actor: operator, ip: "" }),
    ).toEqual({ ok: true, value: "withdrawn" });
    const later = new Date("2026-11-22T12:00:00+09:00");
    expect(await titles("C1", later)).toEqual([]);
    expect(await titles("provider", later)).toEqual([`${WEST} withdrawn`]);
    const audit = await noticeAudit();
    // The demo's publication, then this withdrawal.
    expect(audit.map((a) => a.action)).toEqual(["notice.publish", "notice.withdraw"]);
    expect(
      await closeServiceNotice(t.db, { id: 987654, at: TEST_NOW, actor: operator, ip: "" }),
    ).toEqual({ ok: false, kind: "not_found", message: "見つかりません" });
  });
});
