import { describe, expect, it } from "vitest";
import { BUILT_IN_TARIFF } from "./tariff";
import {
  hasFreeVisitItem,
  isFreeVisit,
  largestGatewayCap,
  migration50gbRowCode,
  migrationTier,
  migrationUnitPrice,
  priceVisit,
  startedTerabytesOver4tb,
  visitServicesOn,
  type FreeVisitCandidate,
  type VisitInput,
  type VisitLineInput,
  type VisitPricingResult,
} from "./visit-pricing";
import { isoDate } from "../lib/jst";

const visit = (lines: VisitLineInput[], extra: Partial<VisitInput> = {}): VisitInput => ({
  withLineApplication: false,
  backupAvailable: true,
  lines,
  ...extra,
});
const charged = {
  tariff: BUILT_IN_TARIFF,
  freeVisit: false,
  deviceCap: 50,
  hasEndpointService: true,
};
const free = { ...charged, freeVisit: true };
const total = (result: VisitPricingResult): number => {
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.value.totalYen;
};
const pcs = (n: number, gb: number) => Array.from({ length: n }, () => ({ gb }));

// The visit of the docs/rules/import-format.md example contract K1.
const k1Visit = visit([
  { code: "visit.base" },
  { code: "visit.os_recovery", quantity: 2 },
  { code: "visit.app", quantity: 2, endpointReinstall: 2 },
  { code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 30 }] },
]);

describe("data migration (S6)", () => {
  it("worked example: 3 PCs of 30 GB → 3 × 24,000 = 72,000", () => {
    const result = priceVisit(visit([{ code: "visit.data_migration", pcs: pcs(3, 30) }]), charged);
    expect(result).toEqual({
      ok: true,
      value: {
        totalYen: 72000,
        lines: [
          {
            code: "visit.data_migration",
            rule: "S6",
            description: "データ移行（50GBまで・3台の料金） 3台",
            quantity: 3,
            unitPriceYen: 24000,
            amountYen: 72000,
            listUnitPriceYen: 24000,
            freeReason: null,
          },
        ],
      },
    });
  });

  it("worked example: 1 PC of 4 GB → 6,000", () => {
    const result = priceVisit(visit([{ code: "visit.data_migration", pcs: [{ gb: 4 }] }]), charged);
    expect(total(result)).toBe(6000);
    expect(result.ok && result.value.lines[0].description).toBe("データ移行（4.7GBまで） 1台");
  });

  it("prices each volume tier on both sides of its bound (1 TB = 1,000 GB)", () => {
    const price = (gb: number) => migrationUnitPrice(BUILT_IN_TARIFF, gb, 1);
    expect(
      [4.7, 4.71, 50, 50.01, 4000, 4000.1, 4200, 5000, 5000.5, 5100, 6000, 6001].map(price),
    ).toEqual([6000, 30000, 30000, 75000, 75000, 87000, 87000, 87000, 99000, 99000, 99000, 111000]);
    expect(migrationTier(4.7)).toBe("upto_4_7gb");
    expect(migrationTier(50)).toBe("upto_50gb");
    expect(migrationTier(4000)).toBe("upto_4tb");
    expect(migrationTier(4000.1)).toBe("over_4tb");
    expect([4000, 4200, 5000, 5100].map(startedTerabytesOver4tb)).toEqual([0, 1, 1, 2]);
  });

  it("prices the 50 GB tier by the PC-count row, on both sides of every row bound", () => {
    const perPc = (n: number) =>
      total(priceVisit(visit([{ code: "visit.data_migration", pcs: pcs(n, 30) }]), charged)) / n;
    expect([1, 2, 3, 4, 5, 6, 10, 11, 15, 16, 20].map(perPc)).toEqual([
      30000, 24000, 24000, 23000, 23000, 21000, 21000, 20500, 20500, 20000, 20000,
    ]);
    expect(migration50gbRowCode(0)).toBeNull();
    expect(migration50gbRowCode(21)).toBeNull();
  });

  it("prices the 4.7 GB and 4 TB tiers per PC at any count; the row counts only 50 GB PCs", () => {
    // 1 PC at 30 GB → the 1-PC row (30,000); 2 PCs at 4 GB → 6,000 each; 1 PC at 1 TB → 75,000
    expect(
      total(
        priceVisit(
          visit([
            { code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 4 }, { gb: 4 }, { gb: 1000 }] },
          ]),
          charged,
        ),
      ),
    ).toBe(117000);
  });

  it("counts the 50 GB PCs of every migration line of the visit for the row", () => {
    const two = visit([
      { code: "visit.data_migration", pcs: pcs(2, 30) },
      { code: "visit.data_migration", pcs: pcs(2, 40) },
    ]);
    expect(total(priceVisit(two, charged))).toBe(92000); // 4 PCs → 23,000 each
  });

  it("answers more than 20 PCs at 50 GB with an error result, not a throw", () => {
    const result = priceVisit(visit([{ code: "visit.data_migration", pcs: pcs(21, 30) }]), charged);
    expect(result).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        _form:
          "50GBまでのデータ移行が21台あります。料金表（別紙6）は20台までのため、見積りによる手動明細で登録してください。",
      },
    });
    // 20 at 50 GB plus others at other tiers is fine
    expect(
      total(
        priceVisit(
          visit([{ code: "visit.data_migration", pcs: [...pcs(20, 30), { gb: 2 }] }]),
          charged,
        ),
      ),
    ).toBe(406000);
  });
});

describe("visit menu (S5)", () => {
  it("prices the K1 visit outside the free visit: 4,500 + 2 × 10,500 + 2 × 3,500 + 2 × 24,000 = 80,500", () => {
    const result = priceVisit(k1Visit, charged);
    expect(total(result)).toBe(80500);
    expect(
      result.ok &&
        result.value.lines.map((l) => [
          l.code,
          l.rule,
          l.description,
          l.quantity,
          l.unitPriceYen,
          l.amountYen,
        ]),
    ).toEqual([
      ["visit.base", "S5", "基本作業費", 1, 4500, 4500],
      ["visit.os_recovery", "S5", "OSリカバリ 2台", 2, 10500, 21000],
      ["visit.app", "S5", "各種アプリケーション設定 2アプリ", 2, 3500, 7000],
      ["visit.data_migration", "S6", "データ移行（50GBまで・2台の料金） 2台", 2, 24000, 48000],
    ]);
  });

  it("charges every other item at its price", () => {
    const result = priceVisit(
      visit([
        { code: "visit.diagnosis" },
        { code: "visit.os_update", quantity: 2 },
        { code: "visit.internet" },
        { code: "visit.wifi", quantity: 3 },
        { code: "visit.printer" },
        { code: "visit.gateway_install" },
      ]),
      charged,
    );
    expect(total(result)).toBe(1500 + 14000 + 3000 + 2700 + 4400 + 8500);
  });

  it("never charges the diagnosis fee with a line application or plan change", () => {
    const result = priceVisit(
      visit([{ code: "visit.base" }, { code: "visit.diagnosis" }], { withLineApplication: true }),
      charged,
    );
    expect(total(result)).toBe(4500);
    expect(result.ok && result.value.lines[1]).toEqual({
      code: "visit.diagnosis",
      rule: "S5",
      description: "状況診断費（回線申込同時のため無償）",
      quantity: 1,
      unitPriceYen: 0,
      amountYen: 0,
      listUnitPriceYen: 1500,
      freeReason: "line_application",
    });
  });
});

describe("the free visit (S2 ● and ▲ items)", () => {
  it("waives every item of the K1 visit and lists what was waived", () => {
    const result = priceVisit(k1Visit, free);
    expect(total(result)).toBe(0);
    expect(
      result.ok &&
        result.value.lines.map((l) => [
          l.code,
          l.description,
          l.quantity,
          l.amountYen,
          l.listUnitPriceYen,
          l.freeReason,
        ]),
    ).toEqual([
      ["visit.base", "基本作業費（年1回の無償訪問）", 1, 0, 4500, "free_visit"],
      ["visit.os_recovery", "OSリカバリ 2台（年1回の無償訪問）", 2, 0, 10500, "free_visit"],
      [
        "visit.app",
        "各種アプリケーション設定（エンドポイント再インストール） 2アプリ（年1回の無償訪問）",
        2,
        0,
        3500,
        "free_visit",
      ],
      [
        "visit.data_migration",
        "データ移行（50GBまで・2台の料金） 2台（年1回の無償訪問）",
        2,
        0,
        24000,
        "free_visit",
      ],
    ]);
  });

  it("charges items without ● or ▲ even in the free visit", () => {
    expect(
      total(
        priceVisit(
          visit([
            { code: "visit.base" },
            { code: "visit.diagnosis" },
            { code: "visit.os_update" },
            { code: "visit.wifi", quantity: 2 },
          ]),
          free,
        ),
      ),
    ).toBe(8800);
  });

  it("frees OS recoveries up to the device cap and charges the rest", () => {
    const twelve = visit([{ code: "visit.os_recovery", quantity: 12 }]);
    expect(total(priceVisit(twelve, { ...free, deviceCap: 10 }))).toBe(21000);
    expect(
      total(
        priceVisit(visit([{ code: "visit.os_recovery", quantity: 10 }]), {
          ...free,
          deviceCap: 10,
        }),
      ),
    ).toBe(0);
    expect(total(priceVisit(twelve, { ...free, deviceCap: 50 }))).toBe(0);
    // the cap holds across several lines of the same item
    const split = visit([
      { code: "visit.os_recovery", quantity: 6 },
      { code: "visit.os_recovery", quantity: 6 },
    ]);
    expect(total(priceVisit(split, { ...free, deviceCap: 10 }))).toBe(21000);
  });

  it("frees endpoint re-installs only on PCs recovered in the visit, with the endpoint service, within the cap", () => {
    const app = (recovered: number, qty: number, reinstall: number) =>
      visit([
        { code: "visit.os_recovery", quantity: recovered },
        { code: "visit.app", quantity: qty, endpointReinstall: reinstall },
      ]);
    expect(total(priceVisit(app(2, 2, 2), { ...free, hasEndpointService: false }))).toBe(7000);
    expect(total(priceVisit(app(1, 3, 2), free))).toBe(7000); // 1 re-install free, 2 apps charged
    expect(total(priceVisit(app(2, 3, 2), free))).toBe(3500); // the third app is another setting
    expect(total(priceVisit(app(12, 12, 12), { ...free, deviceCap: 10 }))).toBe(
      2 * 10500 + 2 * 3500,
    );
    expect(total(priceVisit(app(2, 2, 2), charged))).toBe(2 * 10500 + 2 * 3500);
  });

  it("frees data migration only when backup data exists", () => {
    const migration = [{ code: "visit.data_migration", pcs: pcs(3, 30) }];
    expect(total(priceVisit(visit(migration, { backupAvailable: true }), free))).toBe(0);
    expect(total(priceVisit(visit(migration, { backupAvailable: false }), free))).toBe(72000);
  });

  it("frees migrations up to the cap, the most expensive first, with the row set by all 50 GB PCs", () => {
    // gw10: 10 PCs at 30 GB (row 6–10: 21,000) + 1 PC of 5.1 TB (99,000); 10 free → one 21,000 charged
    const result = priceVisit(
      visit([{ code: "visit.data_migration", pcs: [...pcs(10, 30), { gb: 5100 }] }]),
      { ...free, deviceCap: 10 },
    );
    expect(total(result)).toBe(21000);
    expect(
      result.ok && result.value.lines.map((l) => [l.description, l.quantity, l.amountYen]),
    ).toEqual([
      ["データ移行（4TB超・追加2TB） 1台（年1回の無償訪問）", 1, 0],
      ["データ移行（50GBまで・10台の料金） 9台（年1回の無償訪問）", 9, 0],
      ["データ移行（50GBまで・10台の料金） 1台", 1, 21000],
    ]);
    // 12 PCs at 30 GB with cap 10: row 11–15 (20,500), 2 charged
    expect(
      total(
        priceVisit(visit([{ code: "visit.data_migration", pcs: pcs(12, 30) }]), {
          ...free,
          deviceCap: 10,
        }),
      ),
    ).toBe(41000);
  });
});

describe("invalid visit lines are error results", () => {
  it("lists every problem with its line", () => {
    const result = priceVisit(
      visit([
        { code: "visit.cleaning" },
        { code: "visit.os_update", quantity: -1 },
        { code: "visit.app", quantity: 1, endpointReinstall: 2 },
        { code: "visit.data_migration" },
        { code: "visit.base", quantity: 2 },
        { code: "visit.wifi", endpointReinstall: 1 },
        { code: "visit.data_migration", quantity: 3, pcs: [{ gb: -5 }] },
      ]),
      charged,
    );
    expect(result).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        "lines[0]": 'unknown visit menu code "visit.cleaning"',
        "lines[1]": "quantity must be a whole number ≥ 0: -1",
        "lines[2]": "endpointReinstall (2) exceeds quantity (1)",
        "lines[3]": "data migration needs pcs: one { gb } per PC",
        "lines[4]": "visit.base is charged once per visit",
        "lines[5]": "endpointReinstall belongs to visit.app lines only",
        "lines[6]":
          "pcs[0].gb must be a volume ≥ 0 in GB: -5; quantity (3) differs from the number of pcs (1)",
      },
    });
  });
});

describe("which visit is the free one (S2 interpretation)", () => {
  const withGateway = (
    v: VisitInput,
    hasGateway = true,
    hasEndpointService = true,
  ): FreeVisitCandidate => ({ visit: v, hasGateway, hasEndpointService });
  const basic = visit([{ code: "visit.base" }]);
  const updateOnly = visit([{ code: "visit.os_update" }]);

  it("is the first visit of the contract year with a ● or ▲ item, with the gateway service", () => {
    expect(isFreeVisit(withGateway(basic), [])).toBe(true);
    expect(isFreeVisit(withGateway(basic), [withGateway(basic)])).toBe(false);
    expect(isFreeVisit(withGateway(basic, false), [])).toBe(false);
  });

  it("is not used up by an earlier visit without the gateway or without a free item", () => {
    expect(isFreeVisit(withGateway(basic), [withGateway(basic, false)])).toBe(true);
    expect(isFreeVisit(withGateway(basic), [withGateway(updateOnly)])).toBe(true);
    expect(isFreeVisit(withGateway(updateOnly), [])).toBe(false);
  });

  it("counts data migration as ● only with backup data and re-installs as ▲ only with the endpoint service", () => {
    const migration = [{ code: "visit.data_migration", pcs: [{ gb: 1 }] }];
    expect(hasFreeVisitItem(visit(migration, { backupAvailable: true }), true)).toBe(true);
    expect(hasFreeVisitItem(visit(migration, { backupAvailable: false }), true)).toBe(false);
    const reinstall = visit([{ code: "visit.app", quantity: 1, endpointReinstall: 1 }]);
    expect(hasFreeVisitItem(reinstall, true)).toBe(true);
    expect(hasFreeVisitItem(reinstall, false)).toBe(false);
    expect(hasFreeVisitItem(visit([{ code: "visit.os_recovery", quantity: 0 }]), true)).toBe(false);
  });

  it("takes the device cap of the largest gateway on the contract on the visit date", () => {
    expect(largestGatewayCap(["gateway.gw10", "gateway.gw50", "endpoint"])).toBe(50);
    expect(largestGatewayCap([])).toBe(0);
    const items = [
      { code: "gateway.gw10", from: isoDate("2024-04-10") },
      { code: "gateway.gw100", from: isoDate("2024-05-01"), to: isoDate("2024-06-15") },
      { code: "endpoint", from: isoDate("2024-04-10"), to: isoDate("2024-07-01") },
    ];
    expect(visitServicesOn(items, isoDate("2024-06-14"), isoDate("2024-04-10"), null)).toEqual({
      hasGateway: true,
      hasEndpointService: true,
      deviceCap: 100,
    });
    expect(visitServicesOn(items, isoDate("2024-06-15"), isoDate("2024-04-10"), null)).toEqual({
      hasGateway: true,
      hasEndpointService: true,
      deviceCap: 10,
    });
    expect(visitServicesOn(items, isoDate("2024-07-01"), isoDate("2024-04-10"), null)).toEqual({
      hasGateway: true,
      hasEndpointService: false,
      deviceCap: 10,
    });
    expect(
      visitServicesOn(items, isoDate("2024-09-30"), isoDate("2024-04-10"), isoDate("2024-09-30")),
    ).toEqual({
      hasGateway: false,
      hasEndpointService: false,
      deviceCap: 0,
    });
    expect(
      visitServicesOn(items, isoDate("2024-04-09"), isoDate("2024-04-10"), null).hasGateway,
    ).toBe(false);
  });
});
