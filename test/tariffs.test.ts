// Tariff versions published and withdrawn through the console's server functions, against a real
// database: the billing rules price the months from the new version on, the billing journal
// records the change, and a version in force cannot be withdrawn.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { planBillingMonth } from "../app/billing/billing-run.server";
import { loadTariffs } from "../app/billing/history.server";
import {
  listTariffVersions,
  publishTariffVersion,
  withdrawTariffVersion,
} from "../app/billing/tariffs.server";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { isoDate, yearMonth, type YearMonth } from "../app/lib/jst";

const operator = { id: null, email: "operator@demo.example" };
const context = { today: isoDate("2026-11-22"), at: TEST_NOW, actor: operator, ip: "10.0.0.7" };
let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase({ seed: true, events: false });
});
afterEach(() => t.dispose());

const endpointLine = async (month: YearMonth, ref: string) =>
  (await planBillingMonth(t.db, month)).toIssue
    .find((p) => p.contractRef === ref)!
    .draft.lines.find((l) => l.code === "endpoint")!;

/** December's version (endpoint 650 yen), as the tariff page publishes it. */
const publishDecember = () =>
  publishTariffVersion(t.db, {
    ...context,
    input: {
      effectiveFrom: "2026-12-01",
      prices: { endpoint: "650", "base.standard": "" },
      newCodes: [],
    },
  });

describe("tariff versions", () => {
  it("a version from 2026-12-01 prices December's seats, not November's; audited and journaled", async () => {
    const journal = await t.db
      .selectFrom("billing_changes")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirstOrThrow();
    const result = await publishDecember();
    expect(result).toEqual({ ok: true, value: { effectiveFrom: "2026-12-01" } });
    // K-2001: 15 rented seats.
    expect(await endpointLine(yearMonth("2026-11"), "K-2001")).toMatchObject({
      quantity: 15,
      unitPriceYen: 600,
      amountYen: 9000,
      tariffVersion: expect.not.stringMatching("2026-12-01"),
    });
    expect(await endpointLine(yearMonth("2026-12"), "K-2001")).toMatchObject({
      quantity: 15,
      unitPriceYen: 650,
      amountYen: 9750,
      tariffVersion: "2026-12-01",
    });
    const after = await t.db
      .selectFrom("billing_changes")
      .select(["id", "contract_id"])
      .where("id", ">", Number(journal.id ?? 0))
      .execute();
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.contract_id === null)).toBe(true);
    const audit = await t.db
      .selectFrom("audit_log")
      .select("summary")
      .where("action", "=", "tariff.publish")
      .execute();
    expect(audit).toEqual([{ summary: "料金表 2026年12月1日 版を登録: endpoint 650円" }]);
    const listed = (await listTariffVersions(t.db)).at(-1)!;
    expect(listed).toMatchObject({
      effectiveFrom: "2026-12-01",
      changed: ["endpoint"],
      builtIn: false,
    });
    expect(listed.prices["base.standard"]).toBe(3000);
  });

  it("refuses a second version on or before the latest, and writes nothing", async () => {
    expect((await publishDecember()).ok).toBe(true);
    const before = (await loadTariffs(t.db)).length;
    expect(
      await publishTariffVersion(t.db, {
        ...context,
        input: { effectiveFrom: "2026-12-01", prices: { endpoint: "700" }, newCodes: [] },
      }),
    ).toEqual({
      ok: false,
      kind: "validation",
      fields: { effectiveFrom: "適用開始日は最新の版（2026-12-01）より後にしてください" },
    });
    expect((await loadTariffs(t.db)).length).toBe(before);
  });

  it("withdraws a version not yet in force; one in force stays", async () => {
    expect((await publishDecember()).ok).toBe(true);
    expect(await endpointLine(yearMonth("2026-12"), "K-2001")).toMatchObject({ unitPriceYen: 650 });
    expect(
      await withdrawTariffVersion(t.db, { ...context, effectiveFrom: isoDate("2026-12-01") }),
    ).toEqual({
      ok: true,
      value: { effectiveFrom: "2026-12-01" },
    });
    expect(await endpointLine(yearMonth("2026-12"), "K-2001")).toMatchObject({ unitPriceYen: 600 });
    const seeded = (await listTariffVersions(t.db)).find((v) => !v.builtIn)!;
    expect(seeded.effectiveFrom < "2026-11-22").toBe(true);
    expect(
      await withdrawTariffVersion(t.db, { ...context, effectiveFrom: seeded.effectiveFrom }),
    ).toEqual({
      ok: false,
      kind: "conflict",
      message: `${seeded.effectiveFrom} 版はすでに適用されているため取り下げられません`,
    });
    expect(await withdrawTariffVersion(t.db, { ...context, effectiveFrom: "2031-01-01" })).toEqual({
      ok: false,
      kind: "not_found",
      message: "料金表の版が見つかりません。",
    });
  });
});
