import { describe, expect, it } from "vitest";
import {
  contractTerminationDate,
  type ContractHistory,
  type VisitRecord,
} from "./contract-history";
import type { InvoiceLine } from "./invoice";
import {
  buildInvoiceSeries,
  buildMonthlyInvoice,
  buildMonthlyInvoiceLines,
  priorInvoiceOf,
} from "./monthly-invoice";
import { tariffVersions } from "./tariff";
import { isoDate, type IsoDate, yearMonth, type YearMonth } from "../lib/jst";
import { toYen } from "../lib/money";

// The example contract K1 of docs/rules/import-format.md, as the import file gives it, with the file's tariff update.
const K1: ContractHistory = {
  ref: "K1",
  customer: "C1",
  lineId: "CAF1234567",
  area: "west",
  basePlan: "base.standard",
  serviceStart: isoDate("2024-04-10"),
  items: [
    { code: "endpoint", quantity: 10, ownership: "rental", from: isoDate("2024-04-10") },
    {
      code: "gateway.gw50",
      quantity: 1,
      ownership: "rental",
      repair24h: true,
      from: isoDate("2024-04-10"),
      to: null,
    },
  ],
  planChanges: [{ date: isoDate("2024-10-05"), basePlan: "base.lite" }],
  outages: [
    {
      services: ["gateway"],
      knownAt: "2024-06-01T10:00:00+09:00",
      restoredAt: "2024-06-03T12:00:00+09:00",
      customerFault: false,
    },
  ],
  visits: [
    {
      date: isoDate("2024-07-05"),
      start: "10:00",
      withLineApplication: false,
      backupAvailable: true,
      lines: [
        { code: "visit.base" },
        { code: "visit.os_recovery", quantity: 2 },
        { code: "visit.app", quantity: 2, endpointReinstall: 2 },
        { code: "visit.data_migration", pcs: [{ gb: 30 }, { gb: 30 }] },
      ],
    },
  ],
  manualLines: [
    {
      date: isoDate("2024-08-10"),
      description: "ゲートウェイ装置 未返却",
      amountYen: 50000,
      taxable: true,
    },
  ],
  termination: {
    requestedOn: isoDate("2024-09-15"),
    wishedDate: isoDate("2024-09-30"),
    confirmedOn: isoDate("2024-09-17"),
  },
  payments: [
    { billingMonth: yearMonth("2024-05"), paidOn: isoDate("2024-07-20"), amountYen: null },
  ],
};
const tariffs = tariffVersions([
  { effectiveFrom: isoDate("2025-04-01"), prices: { "base.standard": 3300, "base.lite": 2000 } },
]);

const fee = (
  code: string,
  description: string,
  quantity: number,
  unitPriceYen: number,
  tariffVersion = isoDate("2024-04-01"),
): InvoiceLine => ({
  code,
  rule: "T-24-1",
  tariffVersion,
  description,
  quantity,
  unitPriceYen: toYen(unitPriceYen),
  amountYen: toYen(quantity * unitPriceYen),
  taxCategory: "taxable_10",
});
const k1Fees = (month: string): InvoiceLine[] => [
  fee("base.standard", `基本料金（プラン①）${month}分`, 1, 3000),
  fee("endpoint", "エンドポイントセキュリティ 10台", 10, 600),
  fee("gateway.gw50", "ゲートウェイ（50クライアント向け・24時間故障対応付き） 1台", 1, 11000),
];

function lines(contract: ContractHistory, month: YearMonth, versions = tariffs): InvoiceLine[] {
  const result = buildMonthlyInvoiceLines(contract, month, versions);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.lines;
}

describe("K1 of docs/rules/import-format.md, billed month by month (T-27-1)", () => {
  // Hand computation, tariff 2024-04-01 throughout (the 2025-04-01 version is never reached):
  // - termination: wished 2024-09-30, confirmed 2024-09-17 → 2024-09-30 (T-20); April–August charged.
  // - fees each charged month: base 3,000 + endpoint 10 × 600 = 6,000 + gw50 with repair 11,000 = 20,000.
  // - April, May: 20,000 + tax 2,000 = 22,000.
  // - June: gateway down 06-01 10:00 → 06-03 12:00 = 50 h → 2 days → floor(11,000 × 2 ÷ 30) = 733 credit;
  //   taxable 20,000 − 733 = 19,267, tax floor(1,926.7) = 1,926, total 21,193.
  // - July: the 07-05 visit is the free one of contract year 1 (gw50 → cap 50, endpoint service,
  //   backup data): basic work, 2 OS recoveries, 2 endpoint re-installs on those PCs and 2 data
  //   migrations are all free → no visit line. May's invoice (22,000, due 06-30) was paid in full on
  //   07-20 → floor(22,000 × 0.145 × 19 ÷ 365) = 166 interest, non-taxable, on July's invoice.
  //   Taxable 20,000, tax 2,000, non-taxable 166, total 22,166.
  // - August: fees 20,000 + manual 50,000 (taxable) = 70,000, tax 7,000, total 77,000.
  // - September (termination month): no fees; ETF: B = 5, remaining 7 × 3,000 (base plan in August)
  //   = 21,000 non-taxable; total 21,000.
  // - October onward: the plan change of 2024-10-05 falls after the termination → nothing; no invoice.
  const series = buildInvoiceSeries(K1, yearMonth("2024-04"), yearMonth("2025-06"), tariffs);
  if (!series.ok) throw new Error(JSON.stringify(series.problems));
  const invoices = series.invoices;

  it("issues six invoices with these totals", () => {
    expect(
      invoices.map((i) => [
        i.billingMonth,
        i.issueDate,
        i.dueDate,
        i.totals.taxable10Yen,
        i.totals.tax10Yen,
        i.totals.nonTaxableYen,
        i.totals.totalYen,
      ]),
    ).toEqual([
      ["2024-04", "2024-05-01", "2024-05-31", 20000, 2000, 0, 22000],
      ["2024-05", "2024-06-01", "2024-06-30", 20000, 2000, 0, 22000],
      ["2024-06", "2024-07-01", "2024-07-31", 19267, 1926, 0, 21193],
      ["2024-07", "2024-08-01", "2024-08-31", 20000, 2000, 166, 22166],
      ["2024-08", "2024-09-01", "2024-09-30", 70000, 7000, 0, 77000],
      ["2024-09", "2024-10-01", "2024-10-31", 0, 0, 21000, 21000],
    ]);
  });

  it("charges the monthly fees line by line (T-24-1)", () => {
    expect(invoices[0].lines).toEqual(k1Fees("2024年4月"));
    expect(invoices[1].lines).toEqual(k1Fees("2024年5月"));
  });

  it("credits the June gateway outage (T-24-2(2))", () => {
    expect(invoices[2].lines).toEqual([
      ...k1Fees("2024年6月"),
      {
        code: "credit.outage.gateway",
        rule: "T-24-2",
        tariffVersion: "2024-04-01",
        description: "障害による減額（ゲートウェイ 2日分）",
        quantity: 1,
        unitPriceYen: -733,
        amountYen: -733,
        taxCategory: "taxable_10",
      },
    ]);
  });

  it("bills May's late interest in July, where the free visit leaves no line (T-26, S2)", () => {
    expect(invoices[3].lines).toEqual([
      ...k1Fees("2024年7月"),
      {
        code: "interest.late",
        rule: "T-26",
        tariffVersion: null,
        description: "延滞利息（請求書 2024年5月分）",
        quantity: 1,
        unitPriceYen: 166,
        amountYen: 166,
        taxCategory: "non_taxable",
      },
    ]);
  });

  it("carries August's manual line", () => {
    expect(invoices[4].lines.at(-1)).toEqual({
      code: "manual",
      rule: "manual",
      tariffVersion: null,
      description: "ゲートウェイ装置 未返却",
      quantity: 1,
      unitPriceYen: 50000,
      amountYen: 50000,
      taxCategory: "taxable_10",
    });
  });

  it("bills only the ETF in the termination month (S4 ※1)", () => {
    expect(invoices[5].lines).toEqual([
      {
        code: "etf.termination",
        rule: "S4※1",
        tariffVersion: "2024-04-01",
        description: "解約違約金（残7か月）",
        quantity: 7,
        unitPriceYen: 3000,
        amountYen: 21000,
        taxCategory: "non_taxable",
      },
    ]);
  });

  it("has the termination date of T-20", () => {
    expect(contractTerminationDate(K1)).toBe("2024-09-30");
    expect(
      contractTerminationDate({
        ...K1,
        termination: {
          requestedOn: isoDate("2024-09-15"),
          wishedDate: isoDate("2024-09-16"),
          confirmedOn: isoDate("2024-09-20"),
        },
      }),
    ).toBe("2024-09-20");
    expect(
      contractTerminationDate({
        ...K1,
        termination: {
          requestedOn: isoDate("2024-09-15"),
          wishedDate: isoDate("2024-09-30"),
          confirmedOn: null,
        },
      }),
    ).toBeNull();
    expect(contractTerminationDate({ ...K1, termination: null })).toBeNull();
  });
});

describe("K1 kept running: tariff change and downgrade (T-2, S4 ※1)", () => {
  const running: ContractHistory = {
    ...K1,
    termination: null,
    outages: [],
    visits: [],
    manualLines: [],
    payments: [],
    planChanges: [
      { date: isoDate("2025-05-10"), basePlan: "base.lite" },
      { date: isoDate("2025-06-10"), basePlan: "base.standard" },
    ],
  };

  it("bills each month with the tariff in force on its first day", () => {
    // March 2025: 3,000 + 6,000 + 11,000 = 20,000 → 22,000; April 2025: 3,300 + 17,000 = 20,300 → tax 2,030 → 22,330
    const march = buildMonthlyInvoice(running, yearMonth("2025-03"), tariffs);
    const april = buildMonthlyInvoice(running, yearMonth("2025-04"), tariffs);
    expect(march.ok && march.invoice?.totals.totalYen).toBe(22000);
    expect(april.ok && april.invoice?.totals).toEqual({
      taxable10Yen: 20300,
      tax10Yen: 2030,
      nonTaxableYen: 0,
      totalYen: 22330,
    });
    expect(lines(running, yearMonth("2025-04"))[0]).toEqual(
      fee("base.standard", "基本料金（プラン①）2025年4月分", 1, 3300, isoDate("2025-04-01")),
    );
  });

  it("charges the new plan from the month of a downgrade and the old plan's fee × remaining months", () => {
    // May 2025: base.lite 2,000 + 17,000 = 19,000, tax 1,900; B = 13 (2024-04 … 2025-04), remaining 11,
    // old plan's price in April 2025 = 3,300 → 36,300 non-taxable; total 57,200.
    expect(lines(running, yearMonth("2025-05"))).toEqual([
      fee("base.lite", "基本料金（lite）2025年5月分", 1, 2000, isoDate("2025-04-01")),
      fee("endpoint", "エンドポイントセキュリティ 10台", 10, 600, isoDate("2025-04-01")),
      fee(
        "gateway.gw50",
        "ゲートウェイ（50クライアント向け・24時間故障対応付き） 1台",
        1,
        11000,
        isoDate("2025-04-01"),
      ),
      {
        code: "etf.downgrade",
        rule: "S4※1",
        tariffVersion: "2025-04-01",
        description: "プラン変更違約金（プラン①→lite、残11か月）",
        quantity: 11,
        unitPriceYen: 3300,
        amountYen: 36300,
        taxCategory: "non_taxable",
      },
    ]);
    const may = buildMonthlyInvoice(running, yearMonth("2025-05"), tariffs);
    expect(may.ok && may.invoice?.totals).toEqual({
      taxable10Yen: 19000,
      tax10Yen: 1900,
      nonTaxableYen: 36300,
      totalYen: 57200,
    });
  });

  it("prices the old plan in its last charged month when the tariff changes in the month of the downgrade", () => {
    const raised = tariffVersions([
      {
        effectiveFrom: isoDate("2025-04-01"),
        prices: { "base.standard": 3300, "base.lite": 2000 },
      },
      { effectiveFrom: isoDate("2025-05-01"), prices: { "base.standard": 3500 } },
    ]);
    // old plan charged last in April 2025 at 3,300 → 11 × 3,300 = 36,300 (not May's 3,500)
    expect(lines(running, yearMonth("2025-05"), raised).at(-1)).toMatchObject({
      code: "etf.downgrade",
      quantity: 11,
      unitPriceYen: 3300,
      amountYen: 36300,
      tariffVersion: "2025-04-01",
    });
  });

  it("charges nothing for an upgrade", () => {
    expect(lines(running, yearMonth("2025-06")).map((l) => [l.code, l.amountYen])).toEqual([
      ["base.standard", 3300],
      ["endpoint", 6000],
      ["gateway.gw50", 11000],
    ]);
  });

  it("charges 12 months for a downgrade in the start month, at that month's price", () => {
    const lite = tariffVersions([
      { effectiveFrom: isoDate("2024-05-01"), prices: { "base.lite": 2000 } },
    ]);
    const contract: ContractHistory = {
      ...running,
      serviceStart: isoDate("2024-05-10"),
      items: [],
      planChanges: [{ date: isoDate("2024-05-20"), basePlan: "base.lite" }],
    };
    // B = 0 → remaining 12 × base.standard 3,000 (May 2024) = 36,000; the new plan is charged in May
    expect(lines(contract, yearMonth("2024-05"), lite)).toEqual([
      fee("base.lite", "基本料金（lite）2024年5月分", 1, 2000, isoDate("2024-05-01")),
      {
        code: "etf.downgrade",
        rule: "S4※1",
        tariffVersion: "2024-05-01",
        description: "プラン変更違約金（プラン①→lite、残12か月）",
        quantity: 12,
        unitPriceYen: 3000,
        amountYen: 36000,
        taxCategory: "non_taxable",
      },
    ]);
  });

  it("reports a plan the tariff does not price", () => {
    const contract: ContractHistory = {
      ...running,
      planChanges: [{ date: isoDate("2024-10-05"), basePlan: "base.lite" }],
    };
    expect(buildMonthlyInvoiceLines(contract, yearMonth("2024-10"), tariffs)).toEqual({
      ok: false,
      problems: [
        {
          path: "basePlan",
          message: 'no price for base plan "base.lite" in tariff 2024-04-01 (2024-10)',
        },
        { path: "planChanges", message: 'no price for "base.lite" in tariff 2024-04-01' },
      ],
    });
  });

  it("makes no downgrade line for a change in the termination month (the ETF covers it)", () => {
    const ending: ContractHistory = {
      ...running,
      termination: {
        requestedOn: isoDate("2025-05-01"),
        wishedDate: isoDate("2025-05-31"),
        confirmedOn: isoDate("2025-05-02"),
      },
    };
    // May 2025 is the termination month: B = 13, remaining 11 × April's 3,300 = 36,300 once, as the termination's ETF
    expect(lines(ending, yearMonth("2025-05"))).toEqual([
      {
        code: "etf.termination",
        rule: "S4※1",
        tariffVersion: "2025-04-01",
        description: "解約違約金（残11か月）",
        quantity: 11,
        unitPriceYen: 3300,
        amountYen: 36300,
        taxCategory: "non_taxable",
      },
    ]);
  });
});

describe("item lines (T-24-1 item rule, S4 ※2 ※3 ※4)", () => {
  const contract: ContractHistory = {
    area: "east",
    basePlan: "base.standard",
    serviceStart: isoDate("2024-04-10"),
    items: [
      {
        code: "endpoint",
        quantity: 10,
        ownership: "rental",
        from: isoDate("2024-04-10"),
        to: isoDate("2024-06-15"),
      },
      { code: "endpoint", quantity: 8, ownership: "rental", from: isoDate("2024-06-15") },
      { code: "endpoint", quantity: 5, ownership: "purchased", from: isoDate("2024-04-10") },
      {
        code: "gateway.gw10",
        quantity: 1,
        ownership: "rental",
        repair24h: false,
        from: isoDate("2024-04-10"),
      },
      { code: "sandbox", quantity: 1, ownership: "rental", from: isoDate("2024-05-01") },
    ],
  };
  const withSandboxPrice = tariffVersions([
    { effectiveFrom: isoDate("2024-06-01"), prices: { sandbox: 500 } },
  ]);

  it("drops the sandbox while its price is 0 and never charges purchased seats", () => {
    // May: 3,000 + 10 × 600 + gw10 without repair 6,000; the sandbox (0 yen) makes no line
    expect(
      lines(contract, yearMonth("2024-05"), withSandboxPrice).map((l) => [
        l.code,
        l.description,
        l.amountYen,
      ]),
    ).toEqual([
      ["base.standard", "基本料金（プラン①）2024年5月分", 3000],
      ["endpoint", "エンドポイントセキュリティ 10台", 6000],
      ["gateway.gw10", "ゲートウェイ（10クライアント向け・24時間故障対応なし） 1台", 6000],
    ]);
  });

  it("charges the seats that stay, not the ended line, in the month of a reduction", () => {
    // June: the 10-seat line ended on 06-15 (not charged), the 8-seat line started (charged); sandbox 500 from June's tariff
    expect(
      lines(contract, yearMonth("2024-06"), withSandboxPrice).map((l) => [
        l.code,
        l.quantity,
        l.unitPriceYen,
        l.amountYen,
        l.tariffVersion,
      ]),
    ).toEqual([
      ["base.standard", 1, 3000, 3000, "2024-06-01"],
      ["endpoint", 8, 600, 4800, "2024-06-01"],
      ["gateway.gw10", 1, 6000, 6000, "2024-06-01"],
      ["sandbox", 1, 500, 500, "2024-06-01"],
    ]);
  });

  it("reports an item code the tariff does not know", () => {
    const bad = {
      ...contract,
      items: [
        ...contract.items!,
        {
          code: "gateway.gw20",
          quantity: 1,
          ownership: "rental" as const,
          from: isoDate("2024-04-10"),
        },
      ],
    };
    expect(buildMonthlyInvoiceLines(bad, yearMonth("2024-05"), withSandboxPrice)).toEqual({
      ok: false,
      problems: [
        {
          path: "items[5].code",
          message: 'unknown tariff code "gateway.gw20" in tariff 2024-04-01',
        },
      ],
    });
  });
});

describe("visits on the invoice (S2, S5, S6)", () => {
  const base: ContractHistory = {
    ...K1,
    termination: null,
    outages: [],
    manualLines: [],
    payments: [],
    planChanges: [],
  };
  const visitOf = (date: IsoDate, start: string, lines: VisitRecord["lines"]): VisitRecord => ({
    date,
    start,
    withLineApplication: false,
    backupAvailable: true,
    lines,
  });

  it("charges a second visit of the same contract year and frees the first of the next year", () => {
    const contract: ContractHistory = {
      ...base,
      visits: [
        ...K1.visits!,
        visitOf(isoDate("2024-11-05"), "13:00", [
          { code: "visit.base" },
          { code: "visit.os_recovery", quantity: 1 },
        ]),
        visitOf(isoDate("2025-04-08"), "10:00", [
          { code: "visit.base" },
          { code: "visit.os_recovery", quantity: 1 },
        ]),
      ],
    };
    expect(lines(contract, yearMonth("2024-11")).slice(3)).toEqual([
      {
        code: "visit.base",
        rule: "S5",
        tariffVersion: "2024-04-01",
        description: "訪問サポート 2024年11月5日 基本作業費",
        quantity: 1,
        unitPriceYen: 4500,
        amountYen: 4500,
        taxCategory: "taxable_10",
      },
      {
        code: "visit.os_recovery",
        rule: "S5",
        tariffVersion: "2024-04-01",
        description: "訪問サポート 2024年11月5日 OSリカバリ 1台",
        quantity: 1,
        unitPriceYen: 10500,
        amountYen: 10500,
        taxCategory: "taxable_10",
      },
    ]);
    expect(lines(contract, yearMonth("2025-04")).map((l) => l.code)).toEqual([
      "base.standard",
      "endpoint",
      "gateway.gw50",
    ]);
  });

  it("orders visits of one day by start time, whatever the listed order", () => {
    const contract: ContractHistory = {
      ...base,
      visits: [
        visitOf(isoDate("2024-07-05"), "14:00", [{ code: "visit.base" }]),
        visitOf(isoDate("2024-07-05"), "10:00", [
          { code: "visit.base" },
          { code: "visit.wifi", quantity: 2 },
        ]),
      ],
    };
    // the 10:00 visit is free (its Wi-Fi setup is charged: 1,800); the 14:00 one pays 4,500
    expect(
      lines(contract, yearMonth("2024-07"))
        .slice(3)
        .map((l) => [l.description, l.amountYen]),
    ).toEqual([
      ["訪問サポート 2024年7月5日 Wi-Fi機器設定 2台", 1800],
      ["訪問サポート 2024年7月5日 基本作業費", 4500],
    ]);
  });

  it("gives no free visit to a contract without the gateway service that day", () => {
    const contract: ContractHistory = { ...base, items: [K1.items![0]] };
    // 4,500 + 2 × 10,500 + 2 × 3,500 + 2 × 24,000 = 80,500 on top of 3,000 + 6,000
    const july = lines(contract, yearMonth("2024-07"));
    expect(july.reduce((sum, l) => sum + l.amountYen, 0)).toBe(9000 + 80500);
  });

  it("reports a visit the tariff cannot price, with its path", () => {
    const contract: ContractHistory = {
      ...base,
      visits: [
        visitOf(isoDate("2024-07-05"), "10:00", [
          { code: "visit.base" },
          { code: "visit.data_migration", pcs: Array.from({ length: 21 }, () => ({ gb: 10 })) },
        ]),
      ],
    };
    expect(buildMonthlyInvoiceLines(contract, yearMonth("2024-07"), tariffs)).toEqual({
      ok: false,
      problems: [
        {
          path: "visits[0]",
          message:
            "50GBまでのデータ移行が21台あります。料金表（別紙6）は20台までのため、見積りによる手動明細で登録してください。",
        },
      ],
    });
    const unknown: ContractHistory = {
      ...base,
      visits: [visitOf(isoDate("2024-07-05"), "10:00", [{ code: "visit.cleaning" }])],
    };
    expect(buildMonthlyInvoiceLines(unknown, yearMonth("2024-07"), tariffs)).toEqual({
      ok: false,
      problems: [
        { path: "visits[0].lines[0]", message: 'unknown visit menu code "visit.cleaning"' },
      ],
    });
  });
});

describe("outage credits on the invoice (T-24-2(2))", () => {
  const contract: ContractHistory = {
    area: "west",
    basePlan: "base.standard",
    serviceStart: isoDate("2024-04-10"),
    items: [{ code: "endpoint", quantity: 10, ownership: "rental", from: isoDate("2024-04-10") }],
    outages: [
      {
        services: ["base", "endpoint"],
        knownAt: "2024-07-30T20:00:00+09:00",
        restoredAt: "2024-08-02T21:00:00+09:00",
        customerFault: false,
      },
      {
        services: ["base"],
        knownAt: "2024-08-10T09:00:00+09:00",
        restoredAt: "2024-08-15T09:00:00+09:00",
        customerFault: true,
      },
    ],
  };

  it("worked example 1: July 193 + 387 = 580, August 96 + 193 = 289; the customer-caused outage gives nothing", () => {
    const july = lines(contract, yearMonth("2024-07"));
    expect(july.slice(2)).toEqual([
      {
        code: "credit.outage.base",
        rule: "T-24-2",
        tariffVersion: "2024-04-01",
        description: "障害による減額（基本料金 2日分）",
        quantity: 1,
        unitPriceYen: -193,
        amountYen: -193,
        taxCategory: "taxable_10",
      },
      {
        code: "credit.outage.endpoint",
        rule: "T-24-2",
        tariffVersion: "2024-04-01",
        description: "障害による減額（エンドポイントセキュリティ 2日分）",
        quantity: 1,
        unitPriceYen: -387,
        amountYen: -387,
        taxCategory: "taxable_10",
      },
    ]);
    expect(
      lines(contract, yearMonth("2024-08"))
        .slice(2)
        .map((l) => l.amountYen),
    ).toEqual([-96, -193]);
    // July: 9,000 − 580 = 8,420, tax 842, total 9,262
    const invoice = buildMonthlyInvoice(contract, yearMonth("2024-07"), tariffs);
    expect(invoice.ok && invoice.invoice?.totals).toEqual({
      taxable10Yen: 8420,
      tax10Yen: 842,
      nonTaxableYen: 0,
      totalYen: 9262,
    });
  });

  it("gives no credit in a month without fees (the termination month)", () => {
    const ended = {
      ...contract,
      termination: {
        requestedOn: isoDate("2024-07-01"),
        wishedDate: isoDate("2024-08-01"),
        confirmedOn: isoDate("2024-07-02"),
      },
    };
    expect(lines(ended, yearMonth("2024-08"))).toEqual([
      {
        code: "etf.termination",
        rule: "S4※1",
        tariffVersion: "2024-04-01",
        description: "解約違約金（残8か月）",
        quantity: 8,
        unitPriceYen: 3000,
        amountYen: 24000,
        taxCategory: "non_taxable",
      },
    ]);
  });

  it("reports an instant without offset", () => {
    const bad = {
      ...contract,
      outages: [
        {
          services: ["base" as const],
          knownAt: "2024-07-30 20:00",
          restoredAt: null,
          customerFault: false,
        },
      ],
    };
    expect(buildMonthlyInvoiceLines(bad, yearMonth("2024-07"), tariffs)).toEqual({
      ok: false,
      problems: [
        {
          path: "outages[0].knownAt",
          message: 'not an ISO 8601 instant with offset: "2024-07-30 20:00"',
        },
      ],
    });
  });
});

describe("termination, interest and manual lines", () => {
  it("charges no ETF when the provider ends the service itself, so September has no invoice", () => {
    const ended: ContractHistory = { ...K1, terminatedBy: "provider_service_end" };
    expect(buildMonthlyInvoice(ended, yearMonth("2024-09"), tariffs)).toEqual({
      ok: true,
      invoice: null,
    });
    expect(
      lines({ ...K1, terminatedBy: "provider_fault" }, yearMonth("2024-09")).map(
        (l) => l.amountYen,
      ),
    ).toEqual([21000]);
  });

  it("keeps charging while a termination request is not confirmed", () => {
    const pending: ContractHistory = {
      ...K1,
      termination: {
        requestedOn: isoDate("2024-09-15"),
        wishedDate: isoDate("2024-09-30"),
        confirmedOn: null,
      },
    };
    expect(lines(pending, yearMonth("2024-09")).map((l) => l.code)).toEqual([
      "base.standard",
      "endpoint",
      "gateway.gw50",
    ]);
  });

  it("charges one month and 11 months of ETF when the contract starts and ends in the same month", () => {
    const short: ContractHistory = {
      ...K1,
      visits: [],
      outages: [],
      manualLines: [],
      termination: {
        requestedOn: isoDate("2024-04-12"),
        wishedDate: isoDate("2024-04-25"),
        confirmedOn: isoDate("2024-04-15"),
      },
    };
    expect(lines(short, yearMonth("2024-04")).map((l) => [l.code, l.amountYen])).toEqual([
      ["base.standard", 3000],
      ["endpoint", 6000],
      ["gateway.gw50", 11000],
      ["etf.termination", 33000],
    ]);
    expect(lines(short, yearMonth("2024-05"))).toEqual([]);
  });

  it("bills interest of an invoice finally paid in the month, named by its number (T-26 worked example 2)", () => {
    const september = {
      billingMonth: yearMonth("2024-09"),
      invoiceNumber: "INV-202409-0001",
      totalYen: 22000,
      interestYen: 0,
      dueDate: isoDate("2024-09-30"),
      payments: [
        { paidOn: isoDate("2024-10-20"), amountYen: 10000 },
        { paidOn: isoDate("2024-11-09"), amountYen: 12000 },
      ],
    };
    expect(buildMonthlyInvoiceLines(K1, yearMonth("2024-10"), tariffs, [september])).toEqual({
      ok: true,
      lines: [],
    });
    expect(buildMonthlyInvoiceLines(K1, yearMonth("2024-11"), tariffs, [september])).toEqual({
      ok: true,
      lines: [
        {
          code: "interest.late",
          rule: "T-26",
          tariffVersion: null,
          description: "延滞利息（請求書 INV-202409-0001）",
          quantity: 1,
          unitPriceYen: 261,
          amountYen: 261,
          taxCategory: "non_taxable",
        },
      ],
    });
    // T-26-3 provider setting: an interest-only invoice may be left unbilled
    expect(
      buildMonthlyInvoice(K1, yearMonth("2024-11"), tariffs, [september], {
        leaveInterestOnlyUnbilled: true,
      }),
    ).toEqual({ ok: true, invoice: null });
  });

  it("bears interest only on the principal of an invoice that carries interest itself", () => {
    // July's K1 invoice: 22,166 of which 166 interest; paid 2024-09-20 (20 days after 08-31) → 22,000 × 19 days → 166
    const series = buildInvoiceSeries(K1, yearMonth("2024-04"), yearMonth("2024-07"), tariffs);
    if (!series.ok) throw new Error("series failed");
    const july = priorInvoiceOf(
      series.invoices[3],
      [{ paidOn: isoDate("2024-09-20"), amountYen: null }],
      "INV-202407-0001",
    );
    expect(july).toMatchObject({ totalYen: 22166, interestYen: 166, dueDate: "2024-08-31" });
    expect(lines(K1, yearMonth("2024-09")).length).toBe(1);
    const september = buildMonthlyInvoiceLines(K1, yearMonth("2024-09"), tariffs, [july]);
    expect(september.ok && september.lines.map((l) => [l.description, l.amountYen])).toEqual([
      ["解約違約金（残7か月）", 21000],
      ["延滞利息（請求書 INV-202407-0001）", 166],
    ]);
  });

  it("takes manual lines dated in the month with their tax category, code and rule", () => {
    const contract: ContractHistory = {
      ...K1,
      termination: null,
      visits: [],
      outages: [],
      manualLines: [
        {
          date: isoDate("2024-05-31"),
          description: "違約金（不正利用 2倍）",
          amountYen: 12000,
          taxable: true,
          code: "surcharge",
          rule: "T-25",
        },
        {
          date: isoDate("2024-06-01"),
          description: "災害減免",
          amountYen: -3000,
          taxable: true,
          rule: "T-32",
        },
        { date: isoDate("2024-05-20"), description: "立替金", amountYen: 1000, taxable: false },
      ],
    };
    expect(
      lines(contract, yearMonth("2024-05"))
        .slice(3)
        .map((l) => [l.code, l.rule, l.amountYen, l.taxCategory]),
    ).toEqual([
      ["surcharge", "T-25", 12000, "taxable_10"],
      ["manual", "manual", 1000, "non_taxable"],
    ]);
    expect(
      lines(contract, yearMonth("2024-06"))
        .slice(3)
        .map((l) => [l.code, l.rule, l.amountYen]),
    ).toEqual([["manual", "T-32", -3000]]);
  });

  it("refuses a month before the first tariff", () => {
    expect(buildMonthlyInvoiceLines(K1, yearMonth("2024-03"), tariffs)).toEqual({
      ok: false,
      problems: [{ path: "month", message: "no tariff version is in force in 2024-03" }],
    });
  });
});
