// Issue acceptance check: a scenario of 12 contracts (test/fixtures/billing-scenario.json) that
// together exercise every billing rule of docs/rules/terms.md / docs/rules/tariff.md goes through the real commands —
// `import`, `billing run --month` for every month in order, `billing export --month [--lines]
// --out` — and every invoice, the lines of each rule, the grand total and the termination quotes
// are compared with values computed BY HAND from the spec (the arithmetic is in the comments).
//
// Tariff of the scenario: built-in 2024-04-01 (base.standard 3,000, endpoint 600, gw10/50/100
// 9,000/11,000/19,000 with 24 h repair, 3,000 less without, sandbox 0, device.* 0); version
// 2024-10-01 adds base.lite 2,000, sets sandbox 1,000 and device.gw50 40,000; version
// 2025-04-01 lists only base.standard 3,300 and inherits everything else (base.lite, sandbox…).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";

const ROOT = join(import.meta.dirname, "..");
const FIXTURE = join(ROOT, "test/fixtures/billing-scenario.json");
const APP_NOW = "2025-08-05T10:00:00+09:00";

/** From the earliest service start (K03, 2024-04-01) through the month after the last event (K08's ETF, 2025-06). */
const MONTHS = [
  "2024-04",
  "2024-05",
  "2024-06",
  "2024-07",
  "2024-08",
  "2024-09",
  "2024-10",
  "2024-11",
  "2024-12",
  "2025-01",
  "2025-02",
  "2025-03",
  "2025-04",
  "2025-05",
  "2025-06",
  "2025-07",
];

const CUSTOMER_OF: Record<string, string> = {
  K01: "C1",
  K02: "C1",
  K03: "C2",
  K04: "C2",
  K05: "C3",
  K06: "C3",
  K07: "C4",
  K08: "C4",
  K09: "C5",
  K10: "C5",
  K11: "C6",
  K12: "C6",
};

// ---- hand-computed invoices ------------------------------------------------------------------
// [contract, taxable_10_yen, tax_10_yen, non_taxable_yen, total_yen]; tax = floor(taxable × 10 %)
// once per invoice (T-28, T-31); total = taxable + tax + non-taxable.
type Inv = [string, number, number, number, number];

// Recurring months (T-24-1: base plan + every rented item line, purchased lines free).
const K01_FULL = [20000, 2000, 0, 22000]; // 3,000 + 10 × 600 + gw50 (24 h) 11,000 = 20,000
const K03_MAYJUN = [10800, 1080, 0, 11880]; // 3,000 + 10 × 600 + 3 × 600 (added 05-20, May in full) = 10,800
const K04_FULL = [33000, 3300, 0, 36300]; // 3,000 + gw10 6,000 + gw50 8,000 + gw100 16,000 (no 24 h repair) = 33,000
const K05_2024 = [32000, 3200, 0, 35200]; // 3,000 + gw10 9,000 + gw100 19,000 + sandbox 1,000 (gw50 purchased) = 32,000
const K05_2025 = [32300, 3230, 0, 35530]; // 3,300 (tariff 2025-04-01) + 9,000 + 19,000 + 1,000 = 32,300
const K06_2024 = [6000, 600, 0, 6600]; // 3,000 + 5 × 600 = 6,000
const K06_2025 = [6300, 630, 0, 6930]; // 3,300 + 3,000 = 6,300
const K07_STD = [4800, 480, 0, 5280]; // 3,000 + 3 × 600 = 4,800
const K07_LITE = [3800, 380, 0, 4180]; // base.lite 2,000 + 1,800 = 3,800
const K08_2024 = [14400, 1440, 0, 15840]; // 3,000 + 4 × 600 + gw10 (24 h) 9,000 = 14,400
const K08_2025 = [14700, 1470, 0, 16170]; // 3,300 + 2,400 + 9,000 = 14,700
const K09_2024 = [9000, 900, 0, 9900]; // 3,000 + 10 × 600 = 9,000
const K09_2025 = [9300, 930, 0, 10230]; // 3,300 + 6,000 = 9,300
const K10_FULL = [6000, 600, 0, 6600]; // 3,000 + 5 × 600 = 6,000
const K11_2024 = [3000, 300, 0, 3300]; // base only: gw50 and 10 endpoints purchased
const K11_2025 = [3300, 330, 0, 3630];
const K12_FULL = [3200, 320, 0, 3520]; // base.lite 2,000 (inherited by 2025-04-01) + 2 × 600 = 3,200

const inv = (ref: string, v: number[]): Inv => [ref, v[0], v[1], v[2], v[3]];

const EXPECTED: Record<string, Inv[]> = {
  "2024-04": [
    inv("K01", K01_FULL), // start 04-10: April charged in full (T-27-2(1))
    ["K03", 9000, 900, 0, 9900], // 3,000 + 10 × 600 = 9,000 (5 purchased seats: no fee)
    inv("K07", K07_STD),
    inv("K08", K08_2024),
  ],
  "2024-05": [
    inv("K01", K01_FULL),
    inv("K03", K03_MAYJUN),
    inv("K04", K04_FULL), // start 05-15
    inv("K06", K06_2024),
    inv("K07", K07_STD),
    inv("K08", K08_2024),
  ],
  "2024-06": [
    // gateway down 06-01 10:00 → 06-03 12:00 = 50 h → 2 days → floor(11,000 × 2 ÷ 30) = 733
    // 20,000 − 733 = 19,267; tax floor(1,926.7) = 1,926; total 21,193
    ["K01", 19267, 1926, 0, 21193],
    // start 06-05, termination 06-25 (same month): June charged once, B = 1, remaining 11
    // 3,000 + 2 × 600 = 4,200, tax 420; ETF 3,000 × 11 = 33,000; 4,200 + 420 + 33,000 = 37,620
    ["K02", 4200, 420, 33000, 37620],
    inv("K03", K03_MAYJUN),
    inv("K04", K04_FULL),
    // visit 06-12, no gateway → no free visit: 4,500 + 1,500 + 10,500 + 3,500 = 20,000
    // 6,000 + 20,000 = 26,000; tax 2,600
    ["K06", 26000, 2600, 0, 28600],
    inv("K07", K07_STD),
    inv("K08", K08_2024),
    inv("K09", K09_2024), // start 06-03
  ],
  "2024-07": [
    // free visit 07-05 (gw50, cap 50): base, 2 OS recoveries, 2 re-installs, 2 PCs migrated free;
    // charged: 1 other app 3,500 + printer 4,400 = 7,900 → 20,000 + 7,900 = 27,900, tax 2,790
    // May invoice 22,000 due 06-30 paid 07-20: 19 days → floor(22,000 × 0.145 × 19 ÷ 365) = floor(166.05) = 166
    // 27,900 + 2,790 + 166 = 30,856
    ["K01", 27900, 2790, 166, 30856],
    // 10 seats removed 07-15 (not charged in July), 6 seats from 07-15 (charged in full), 3 seats:
    // 3,000 + 6 × 600 + 3 × 600 = 8,400; tax 840
    ["K03", 8400, 840, 0, 9240],
    inv("K04", K04_FULL),
    inv("K06", K06_2024),
    inv("K07", K07_STD),
    inv("K08", K08_2024),
    // base + endpoint down 73 h from 07-30 20:00: July 2 days → floor(3,000 × 2 ÷ 31) + floor(6,000 × 2 ÷ 31)
    // = 193 + 387 = 580; 9,000 − 580 = 8,420; tax 842
    ["K09", 8420, 842, 0, 9262],
  ],
  "2024-08": [
    inv("K01", K01_FULL), // June invoice (due 07-31) paid 08-15 = day 15 → no interest
    // 3,000 + 6 × 600 + 3 × 600 + 2 × 600 (added 08-05, removed 08-25: charged one month) = 9,600
    ["K03", 9600, 960, 0, 10560],
    inv("K04", K04_FULL),
    inv("K06", K06_2024),
    inv("K07", K07_STD),
    inv("K08", K08_2024),
    // August 1 day: floor(3,000 ÷ 31) + floor(6,000 ÷ 31) = 96 + 193 = 289; 9,000 − 289 = 8,711
    // tax floor(871.1) = 871 (once per invoice; per line it would be 300 + 600 − 9 − 19 = 872)
    ["K09", 8711, 871, 0, 9582],
    inv("K10", K10_FULL), // start 08-01
  ],
  "2024-09": [
    // second visit of contract year 1 (09-10, before the 09-30 termination): 4,500 + 1,500 = 6,000, tax 600
    // termination 09-30: B = 5 (Apr–Aug), remaining 7 → ETF 3,000 × 7 = 21,000 (no monthly fee in September)
    // July invoice 30,856 due 08-31 paid 09-20: principal 30,856 − 166 (interest bears none) = 30,690,
    // 19 days → floor(30,690 × 0.145 × 19 ÷ 365) = floor(231.65) = 231
    // non-taxable 21,000 + 231 = 21,231; total 6,000 + 600 + 21,231 = 27,831
    ["K01", 6000, 600, 21231, 27831],
    ["K03", 8400, 840, 0, 9240], // 3,000 + 3,600 + 1,800 = 8,400
    // wished 09-16 but confirmed 10-02 → terminated 10-02 (T-20): September still charged
    inv("K04", K04_FULL),
    // start 09-02: 3,000 + 9,000 + 19,000 = 31,000 (sandbox 0 until the 2024-10-01 tariff: no line)
    ["K05", 31000, 3100, 0, 34100],
    // visit with a line application: diagnosis waived; 4,500 + 2 × 900 = 6,300; 6,000 + 6,300 = 12,300
    ["K06", 12300, 1230, 0, 13530],
    inv("K07", K07_STD),
    inv("K08", K08_2024),
    inv("K09", K09_2024), // outage 23 h 30 min → no credit
    inv("K10", K10_FULL),
  ],
  "2024-10": [
    // termination 10-31: B = 6 (Apr–Sep), remaining 6 → 3,000 × 6 = 18,000; gw10 added 10-10 not charged
    ["K03", 0, 0, 18000, 18000],
    // termination 10-02: B = 5 (May–Sep), remaining 7 → 3,000 × 7 = 21,000
    ["K04", 0, 0, 21000, 21000],
    inv("K05", K05_2024),
    inv("K06", K06_2024),
    inv("K07", K07_STD),
    // free visit 10-16, gw10 → cap 10: 12 OS recoveries → 2 × 10,500 = 21,000; 12 re-installs → 2 × 3,500 = 7,000;
    // 11 PCs × 30 GB → row 11–15 = 20,500, 10 free → 1 × 20,500; visits 48,500
    // 14,400 + 48,500 = 62,900; tax 6,290
    ["K08", 62900, 6290, 0, 69190],
    inv("K09", K09_2024), // 72 h endpoint outage, customer's fault → no credit
    // T-25 surcharge 12,000 (taxable manual line): 6,000 + 12,000 = 18,000; tax 1,800
    ["K10", 18000, 1800, 0, 19800],
    inv("K11", K11_2024), // start 10-07
  ],
  "2024-11": [
    // August invoice 22,000 due 09-30: 10,000 paid 10-20 (19 days), 12,000 paid 11-09 (39 days)
    // floor((10,000 × 19 + 12,000 × 39) × 0.145 ÷ 365) = floor(658,000 × 0.145 ÷ 365) = floor(261.4) = 261
    ["K01", 0, 0, 261, 261],
    // unreturned rental gw50: device.gw50 40,000 as a taxable manual line; tax 4,000
    ["K04", 40000, 4000, 0, 44000],
    inv("K05", K05_2024),
    inv("K06", K06_2024),
    // downgrade 11-12 to base.lite: B = 7 (Apr–Oct), remaining 5 → old plan 3,000 × 5 = 15,000;
    // November charged on the new plan: 2,000 + 1,800 = 3,800, tax 380; 3,800 + 380 + 15,000 = 19,180
    ["K07", 3800, 380, 15000, 19180],
    inv("K08", K08_2024),
    inv("K09", K09_2024),
    // T-32 relief −3,000 (taxable credit): 6,000 − 3,000 = 3,000; tax 300
    ["K10", 3000, 300, 0, 3300],
    // free visit 11-13 (purchased gw50): base free, gateway installation 8,500 → 3,000 + 8,500 = 11,500
    ["K11", 11500, 1150, 0, 12650],
    // start 11-05, downgrade 11-20 in the start month: B = 0 → remaining 12 → 3,000 × 12 = 36,000
    // 2,000 + 1,200 = 3,200, tax 320; 3,200 + 320 + 36,000 = 39,520
    ["K12", 3200, 320, 36000, 39520],
  ],
  "2024-12": [
    inv("K05", K05_2024),
    // visit: base 4,500 + migration 4.7 GB 6,000 + 4,000 GB 75,000 + 5,000 GB (75,000 + 1 × 12,000) 87,000
    // + 5,100 GB (75,000 + 2 × 12,000) 99,000 = 271,500; 6,000 + 271,500 = 277,500; tax 27,750
    ["K06", 277500, 27750, 0, 305250],
    inv("K07", K07_LITE),
    inv("K08", K08_2024),
    inv("K09", K09_2024),
    inv("K10", K10_FULL),
    inv("K11", K11_2024),
    inv("K12", K12_FULL),
  ],
  "2025-01": [
    inv("K05", K05_2024),
    inv("K06", K06_2024),
    inv("K07", K07_LITE),
    inv("K08", K08_2024),
    inv("K09", K09_2024),
    inv("K10", K10_FULL),
    // second visit of contract year 1 (charged although it has ● items): base 4,500 + 3 PCs at the 50 GB tier
    // (20, 40, 45 GB) → row 2–3 = 3 × 24,000 = 72,000 + 2 GB 6,000 = 82,500; 3,000 + 82,500 = 85,500
    ["K11", 85500, 8550, 0, 94050],
    inv("K12", K12_FULL),
  ],
  "2025-02": [
    inv("K05", K05_2024),
    inv("K06", K06_2024),
    inv("K07", K07_STD), // upgrade 02-10 back to base.standard: no fee, 3,000 from February
    inv("K08", K08_2024),
    inv("K09", K09_2024),
    inv("K10", K10_FULL),
    inv("K11", K11_2024),
    inv("K12", K12_FULL),
  ],
  "2025-03": [
    inv("K05", K05_2024),
    inv("K06", K06_2024),
    inv("K07", K07_STD),
    inv("K08", K08_2024),
    inv("K09", K09_2024),
    inv("K10", K10_FULL),
    inv("K11", K11_2024),
    inv("K12", K12_FULL),
  ],
  "2025-04": [
    inv("K05", K05_2025),
    inv("K06", K06_2025),
    // K07: terminated 04-10 in its renewal month (month 13): B = 12 → no fee, nothing charged → no invoice
    inv("K08", K08_2025),
    inv("K09", K09_2025),
    // termination 04-20: B = 8 (Aug–Mar), remaining 4 → price of the last charged month (March, 3,000) × 4 = 12,000
    ["K10", 0, 0, 12000, 12000],
    inv("K11", K11_2025),
    inv("K12", K12_FULL),
  ],
  "2025-05": [
    inv("K05", K05_2025),
    inv("K06", K06_2025),
    // contract year 2 (from 2025-04): its first visit is free again: base free, OS update 7,000
    // 14,700 + 7,000 = 21,700; tax 2,170
    ["K08", 21700, 2170, 0, 23870],
    inv("K09", K09_2025),
    inv("K11", K11_2025),
    inv("K12", K12_FULL),
  ],
  "2025-06": [
    inv("K05", K05_2025),
    inv("K06", K06_2025),
    // termination 06-15 after the first renewal: B = 14 (2024-04..2025-05), remaining 24 − 14 = 10
    // → price in May 2025 (3,300) × 10 = 33,000
    ["K08", 0, 0, 33000, 33000],
    inv("K09", K09_2025),
    inv("K11", K11_2025),
    inv("K12", K12_FULL),
  ],
  "2025-07": [
    inv("K05", K05_2025),
    inv("K06", K06_2025),
    inv("K09", K09_2025),
    inv("K11", K11_2025),
    inv("K12", K12_FULL),
  ],
};

/**
 * Sum of every total_yen above, added up by hand month by month:
 * 2024-04  53,020   2024-05  97,900   2024-06 166,613   2024-07 113,378
 * 2024-08 112,762   2024-09 158,621   2024-10 188,270   2024-11 186,451
 * 2024-12 383,790   2025-01 175,890   2025-02  86,240   2025-03  86,240
 * 2025-04  88,010   2025-05  83,710   2025-06  92,840   2025-07  59,840
 */
const GRAND_TOTAL_YEN = 2_133_575;

// ---- hand-computed lines -----------------------------------------------------------------------
// [code, rule, quantity, unit_price_yen, amount_yen, tax_category]
type Line = [string, string, number, number, number, "taxable_10" | "non_taxable"];
const T = "taxable_10" as const;
const N = "non_taxable" as const;
const base = (price: number, plan = "base.standard"): Line => [plan, "T-24-1", 1, price, price, T];
const fee = (code: string, quantity: number, unit: number): Line => [
  code,
  "T-24-1",
  quantity,
  unit,
  quantity * unit,
  T,
];

/** Every line of these invoices, exactly (order-insensitive). */
const EXACT_LINES: Record<string, Line[]> = {
  // T-24-1/T-27-2 + S4 prices: the docs/rules/import-format.md example month
  "K01 2024-04": [base(3000), fee("endpoint", 10, 600), fee("gateway.gw50", 1, 11000)],
  // T-24-2(2): 50 h → 2 days → −733
  "K01 2024-06": [
    base(3000),
    fee("endpoint", 10, 600),
    fee("gateway.gw50", 1, 11000),
    ["credit.outage.gateway", "T-24-2", 1, -733, -733, T],
  ],
  // S2 free visit: ● base / OS recovery / migration (backup) and ▲ 2 re-installs free (no line);
  // 1 other app and the printer charged; T-26 interest of the May invoice
  "K01 2024-07": [
    base(3000),
    fee("endpoint", 10, 600),
    fee("gateway.gw50", 1, 11000),
    ["visit.app", "S5", 1, 3500, 3500, T],
    ["visit.printer", "S5", 1, 4400, 4400, T],
    ["interest.late", "T-26", 1, 166, 166, N],
  ],
  // termination month: no monthly fee (T-27-2(2)); second visit of the year charged; ETF; interest of July
  "K01 2024-09": [
    ["visit.base", "S5", 1, 4500, 4500, T],
    ["visit.diagnosis", "S5", 1, 1500, 1500, T],
    ["etf.termination", "S4※1", 7, 3000, 21000, N],
    ["interest.late", "T-26", 1, 231, 231, N],
  ],
  // T-26 partial payments, billed in the month of the final payment although the contract ended
  "K01 2024-11": [["interest.late", "T-26", 1, 261, 261, N]],
  // start and end in June: one month charged, B = 1 → 11 months
  "K02 2024-06": [
    base(3000),
    fee("endpoint", 2, 600),
    ["etf.termination", "S4※1", 11, 3000, 33000, N],
  ],
  // item-line rule: purchased seats make no line
  "K03 2024-04": [base(3000), fee("endpoint", 10, 600)],
  // seats added 05-20: the new line charged for May in full
  "K03 2024-05": [base(3000), fee("endpoint", 10, 600), fee("endpoint", 3, 600)],
  // seats reduced 07-15: old line (10) not charged in July, new line (6) charged
  "K03 2024-07": [base(3000), fee("endpoint", 6, 600), fee("endpoint", 3, 600)],
  // added 08-05 and removed 08-25: charged for August
  "K03 2024-08": [
    base(3000),
    fee("endpoint", 6, 600),
    fee("endpoint", 3, 600),
    fee("endpoint", 2, 600),
  ],
  "K03 2024-09": [base(3000), fee("endpoint", 6, 600), fee("endpoint", 3, 600)],
  // termination month: only the ETF; the gw10 added 10-10 is not charged
  "K03 2024-10": [["etf.termination", "S4※1", 6, 3000, 18000, N]],
  // gateways without 24 h repair: 9,000/11,000/19,000 − 3,000
  "K04 2024-05": [
    base(3000),
    fee("gateway.gw10", 1, 6000),
    fee("gateway.gw50", 1, 8000),
    fee("gateway.gw100", 1, 16000),
  ],
  // T-20: terminated on the confirmation day 10-02, so September is charged
  "K04 2024-09": [
    base(3000),
    fee("gateway.gw10", 1, 6000),
    fee("gateway.gw50", 1, 8000),
    fee("gateway.gw100", 1, 16000),
  ],
  "K04 2024-10": [["etf.termination", "S4※1", 7, 3000, 21000, N]],
  // S4※3 unreturned gateway: taxable manual line (the import format has no rule field: rule `manual`)
  "K04 2024-11": [["manual", "manual", 1, 40000, 40000, T]],
  // gateways with 24 h repair; purchased gw50 and the sandbox priced 0 make no line
  "K05 2024-09": [base(3000), fee("gateway.gw10", 1, 9000), fee("gateway.gw100", 1, 19000)],
  // tariff 2024-10-01 sets the sandbox price
  "K05 2024-10": [
    base(3000),
    fee("gateway.gw10", 1, 9000),
    fee("gateway.gw100", 1, 19000),
    fee("sandbox", 1, 1000),
  ],
  // tariff 2025-04-01: base 3,300, the rest inherited
  "K05 2025-04": [
    base(3300),
    fee("gateway.gw10", 1, 9000),
    fee("gateway.gw100", 1, 19000),
    fee("sandbox", 1, 1000),
  ],
  // no gateway → no free visit: everything charged, re-install included
  "K06 2024-06": [
    base(3000),
    fee("endpoint", 5, 600),
    ["visit.base", "S5", 1, 4500, 4500, T],
    ["visit.diagnosis", "S5", 1, 1500, 1500, T],
    ["visit.os_recovery", "S5", 1, 10500, 10500, T],
    ["visit.app", "S5", 1, 3500, 3500, T],
  ],
  // diagnosis waived (line application): no diagnosis line
  "K06 2024-09": [
    base(3000),
    fee("endpoint", 5, 600),
    ["visit.base", "S5", 1, 4500, 4500, T],
    ["visit.wifi", "S5", 2, 900, 1800, T],
  ],
  // S6: 4.7 GB → 6,000; 4,000 GB → 75,000; 5,000 GB → +1 TB; 5,100 GB → +2 started TB
  "K06 2024-12": [
    base(3000),
    fee("endpoint", 5, 600),
    ["visit.base", "S5", 1, 4500, 4500, T],
    ["visit.data_migration", "S6", 1, 6000, 6000, T],
    ["visit.data_migration", "S6", 1, 75000, 75000, T],
    ["visit.data_migration", "S6", 1, 87000, 87000, T],
    ["visit.data_migration", "S6", 1, 99000, 99000, T],
  ],
  "K07 2024-10": [base(3000), fee("endpoint", 3, 600)],
  // downgrade: new plan from the change month + ETF on the old plan
  "K07 2024-11": [
    base(2000, "base.lite"),
    fee("endpoint", 3, 600),
    ["etf.downgrade", "S4※1", 5, 3000, 15000, N],
  ],
  // upgrade: no fee line
  "K07 2025-02": [base(3000), fee("endpoint", 3, 600)],
  // device cap of gw10 = 10 for each per-device item; migration row set by all 11 PCs (11–15 → 20,500)
  "K08 2024-10": [
    base(3000),
    fee("endpoint", 4, 600),
    fee("gateway.gw10", 1, 9000),
    ["visit.os_recovery", "S5", 2, 10500, 21000, T],
    ["visit.app", "S5", 2, 3500, 7000, T],
    ["visit.data_migration", "S6", 1, 20500, 20500, T],
  ],
  "K08 2025-05": [
    base(3300),
    fee("endpoint", 4, 600),
    fee("gateway.gw10", 1, 9000),
    ["visit.os_update", "S5", 1, 7000, 7000, T],
  ],
  // B = 14 → remaining 10 at the May 2025 price
  "K08 2025-06": [["etf.termination", "S4※1", 10, 3300, 33000, N]],
  // the 580 / 289 example
  "K09 2024-07": [
    base(3000),
    fee("endpoint", 10, 600),
    ["credit.outage.base", "T-24-2", 1, -193, -193, T],
    ["credit.outage.endpoint", "T-24-2", 1, -387, -387, T],
  ],
  "K09 2024-08": [
    base(3000),
    fee("endpoint", 10, 600),
    ["credit.outage.base", "T-24-2", 1, -96, -96, T],
    ["credit.outage.endpoint", "T-24-2", 1, -193, -193, T],
  ],
  // under 24 h / customer's fault: no credit line
  "K09 2024-09": [base(3000), fee("endpoint", 10, 600)],
  "K09 2024-10": [base(3000), fee("endpoint", 10, 600)],
  // T-25 surcharge / T-32 relief as taxable manual lines
  "K10 2024-10": [base(3000), fee("endpoint", 5, 600), ["manual", "manual", 1, 12000, 12000, T]],
  "K10 2024-11": [base(3000), fee("endpoint", 5, 600), ["manual", "manual", 1, -3000, -3000, T]],
  // ETF at the price of the last charged month (March 2025: 3,000), not April's 3,300
  "K10 2025-04": [["etf.termination", "S4※1", 4, 3000, 12000, N]],
  // free visit with a purchased gateway: base free, installation charged
  "K11 2024-11": [base(3000), ["visit.gateway_install", "S5", 1, 8500, 8500, T]],
  // second visit of the year: base charged; 3 PCs at 50 GB → row 2–3; 2 GB → 6,000
  "K11 2025-01": [
    base(3000),
    ["visit.base", "S5", 1, 4500, 4500, T],
    ["visit.data_migration", "S6", 3, 24000, 72000, T],
    ["visit.data_migration", "S6", 1, 6000, 6000, T],
  ],
  // downgrade in the start month: B = 0 → 12 months at the change month's price
  "K12 2024-11": [
    base(2000, "base.lite"),
    fee("endpoint", 2, 600),
    ["etf.downgrade", "S4※1", 12, 3000, 36000, N],
  ],
  // base.lite inherited by the 2025-04-01 version
  "K12 2025-04": [base(2000, "base.lite"), fee("endpoint", 2, 600)],
};

/** Manual lines keep the description finance entered (naming the rule: T-25, T-32, S4※3). */
const MANUAL_DESCRIPTIONS: [string, string, string][] = [
  ["K04", "2024-11", "S4※3 レンタルゲートウェイ（gw50）未返却 機器代金"],
  ["K10", "2024-10", "T-25 割増金（不当に免れた料金 6,000円の2倍）"],
  ["K10", "2024-11", "T-32 災害減免（2024年11月 兵庫県 減免決定第1号）"],
];

/** Terminations: the quote (T-20, S4※1) must agree with what the billing run billed. */
const TERMINATIONS: {
  ref: string;
  wished: string;
  confirmed: string;
  quote: {
    terminationDate: string;
    chargedMonths: number;
    remainingMonths: number;
    etfYen: number;
    feeFreeDate: string;
  };
}[] = [
  // fee-free date: first day of the next renewal month (month 13 = 2025-04)
  {
    ref: "K01",
    wished: "2024-09-30",
    confirmed: "2024-09-17",
    quote: {
      terminationDate: "2024-09-30",
      chargedMonths: 5,
      remainingMonths: 7,
      etfYen: 21000,
      feeFreeDate: "2025-04-01",
    },
  },
  {
    ref: "K02",
    wished: "2024-06-25",
    confirmed: "2024-06-20",
    quote: {
      terminationDate: "2024-06-25",
      chargedMonths: 1,
      remainingMonths: 11,
      etfYen: 33000,
      feeFreeDate: "2025-06-01",
    },
  },
  {
    ref: "K03",
    wished: "2024-10-31",
    confirmed: "2024-10-03",
    quote: {
      terminationDate: "2024-10-31",
      chargedMonths: 6,
      remainingMonths: 6,
      etfYen: 18000,
      feeFreeDate: "2025-04-01",
    },
  },
  // T-20: max(09-16, 10-02) = 10-02
  {
    ref: "K04",
    wished: "2024-09-16",
    confirmed: "2024-10-02",
    quote: {
      terminationDate: "2024-10-02",
      chargedMonths: 5,
      remainingMonths: 7,
      etfYen: 21000,
      feeFreeDate: "2025-05-01",
    },
  },
  // renewal month: the wished date itself is fee-free
  {
    ref: "K07",
    wished: "2025-04-10",
    confirmed: "2025-04-01",
    quote: {
      terminationDate: "2025-04-10",
      chargedMonths: 12,
      remainingMonths: 0,
      etfYen: 0,
      feeFreeDate: "2025-04-10",
    },
  },
  {
    ref: "K08",
    wished: "2025-06-15",
    confirmed: "2025-06-03",
    quote: {
      terminationDate: "2025-06-15",
      chargedMonths: 14,
      remainingMonths: 10,
      etfYen: 33000,
      feeFreeDate: "2026-04-01",
    },
  },
  {
    ref: "K10",
    wished: "2025-04-20",
    confirmed: "2025-04-18",
    quote: {
      terminationDate: "2025-04-20",
      chargedMonths: 8,
      remainingMonths: 4,
      etfYen: 12000,
      feeFreeDate: "2025-08-01",
    },
  },
];

// ---- helpers -------------------------------------------------------------------------------------

/** RFC 4180 CSV (quoted cells may hold commas), CRLF rows, header first. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r") continue;
    else if (c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k]])));
}

/** T-27-1: issued on the 1st of M+1, due on the last day of M+1. */
function issueAndDue(month: string): [string, string] {
  const [y, m] = month.split("-").map(Number);
  const ny = m === 12 ? y + 1 : y;
  const nm = m === 12 ? 1 : m + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  const mm = String(nm).padStart(2, "0");
  return [`${ny}-${mm}-01`, `${ny}-${mm}-${last}`];
}

const lineKey = (l: Line) => l.join("|");
const rowLine = (r: Record<string, string>): Line => [
  r.code,
  r.rule,
  Number(r.quantity),
  Number(r.unit_price_yen),
  Number(r.amount_yen),
  r.tax_category as Line[5],
];

// ---- the run ---------------------------------------------------------------------------------------

describe("billing scenario: import → billing run every month → export, against hand-computed invoices", () => {
  const dir = mkdtempSync(join(tmpdir(), "billing-scenario-"));
  // The engine of the run: a SQLite file, or an empty PostgreSQL database of its own.
  let postgres: TestDatabase | undefined;
  // One node process per command (tsx as a loader, as in billing-run.test.ts) rather than tsx's
  // wrapper and its child: half the start-up cost, which dominates this test.
  const options = {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${join(dir, "app.db")}`, APP_NOW },
  };
  type Result = { status: number | null; stdout: string; stderr: string };
  const cli = (script: string, ...args: string[]): Result =>
    spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
      ...options,
      encoding: "utf8",
      timeout: 60_000,
    });
  /** The read-only commands (export, quote) run a few at a time once every month is closed. */
  const cliAsync = (script: string, ...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
        ...options,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  /** Runs the jobs `width` at a time (each export job spawns two commands: four processes at most). */
  async function inParallel<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
    const results: T[] = new Array(jobs.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < jobs.length) {
          const k = next++;
          results[k] = await jobs[k]();
        }
      }),
    );
    return results;
  }

  let imported: Result;
  const runs: Record<string, Result> = {};
  const invoices: Record<string, Record<string, string>[]> = {};
  const lines: Record<string, Record<string, string>[]> = {};
  const exportStatus: Record<string, (number | null)[]> = {};
  const exportErrors: Record<string, string> = {};
  const quotes: Record<string, Result> = {};

  beforeAll(
    async () => {
      if (TEST_ON_POSTGRES) {
        postgres = await createTestDatabase();
        options.env.DATABASE_URL = postgres.url;
      }
      imported = cli("scripts/import.ts", FIXTURE);
      if (imported.status !== 0) return;
      // Months are closed in order, one command each.
      for (const month of MONTHS) runs[month] = cli("scripts/billing.ts", "run", "--month", month);
      const exports = MONTHS.map((month) => async () => {
        const invoiceFile = join(dir, `invoices-${month}.csv`);
        const lineFile = join(dir, `lines-${month}.csv`);
        const [a, b] = await Promise.all([
          cliAsync("scripts/billing.ts", "export", "--month", month, "--out", invoiceFile),
          cliAsync("scripts/billing.ts", "export", "--month", month, "--lines", "--out", lineFile),
        ]);
        exportStatus[month] = [a.status, b.status];
        exportErrors[month] = a.stderr + b.stderr;
        invoices[month] = a.status === 0 ? parseCsv(readFileSync(invoiceFile, "utf8")) : [];
        lines[month] = b.status === 0 ? parseCsv(readFileSync(lineFile, "utf8")) : [];
      });
      const quoting = TERMINATIONS.map((t) => async () => {
        quotes[t.ref] = await cliAsync(
          "scripts/contracts.ts",
          "quote-termination",
          "--contract",
          t.ref,
          "--wished",
          t.wished,
          "--confirmed",
          t.confirmed,
          "--json",
        );
      });
      await inParallel<void>([...exports, ...quoting], 2);
    },
    // PostgreSQL: each of the 56 commands also opens a pool and checks the migrations over the socket.
    TEST_ON_POSTGRES ? 480_000 : 180_000,
  );
  afterAll(async () => {
    await postgres?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const linesOf = (ref: string, month: string): Line[] =>
    (lines[month] ?? []).filter((r) => r.contract_ref === ref).map(rowLine);

  it("imports the scenario file through the command", () => {
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toBe(
      "imported: 2 resellers, 6 customers, 12 contracts, 25 items, 3 plan changes, 4 outages, 9 visits (26 lines), " +
        "3 manual lines, 7 terminations, 5 payments, 2 tariff versions\n",
    );
    expect(imported.status).toBe(0);
  });

  it("closes every month in order through the command and exports it", () => {
    for (const month of MONTHS) {
      expect(runs[month]?.status, `billing run ${month}: ${runs[month]?.stderr}`).toBe(0);
      expect(runs[month].stdout).toContain(
        `billing ${month}: issued ${EXPECTED[month].length} invoices`,
      );
      expect(exportStatus[month], `export ${month}: ${exportErrors[month]}`).toEqual([0, 0]);
    }
  });

  it("issues exactly the hand-computed invoices (every CSV row)", () => {
    // Numbers run without a gap over the months, each month in contract-ref order.
    let seq = 0;
    for (const month of MONTHS) {
      const [issue, due] = issueAndDue(month);
      const expected = EXPECTED[month].map(([ref, taxable, tax, nonTaxable, total]) => {
        expect(taxable + tax + nonTaxable, `${ref} ${month}: total`).toBe(total);
        seq += 1;
        return {
          invoice_number: `INV-${String(seq).padStart(8, "0")}`,
          customer_ref: CUSTOMER_OF[ref],
          contract_ref: ref,
          billing_month: month,
          issue_date: issue,
          due_date: due,
          taxable_10_yen: String(taxable),
          tax_10_yen: String(tax),
          non_taxable_yen: String(nonTaxable),
          total_yen: String(total),
        };
      });
      expect(invoices[month], `invoices of ${month}`).toEqual(expected);
    }
  });

  it("carries the hand-computed lines of every rule", () => {
    for (const [key, expected] of Object.entries(EXACT_LINES)) {
      const [ref, month] = key.split(" ");
      expect(linesOf(ref, month).map(lineKey).sort(), key).toEqual(expected.map(lineKey).sort());
    }
    for (const [ref, month, description] of MANUAL_DESCRIPTIONS) {
      expect(
        lines[month]
          .filter((r) => r.contract_ref === ref && r.code === "manual")
          .map((r) => r.description),
        `${ref} ${month}`,
      ).toEqual([description]);
    }
    // Each invoice's lines add up to its taxable and non-taxable totals.
    for (const month of MONTHS) {
      for (const row of invoices[month] ?? []) {
        const own = lines[month].filter((l) => l.invoice_number === row.invoice_number);
        const sum = (category: string) =>
          own
            .filter((l) => l.tax_category === category)
            .reduce((a, l) => a + Number(l.amount_yen), 0);
        expect([sum("taxable_10"), sum("non_taxable")], `${row.contract_ref} ${month}`).toEqual([
          Number(row.taxable_10_yen),
          Number(row.non_taxable_yen),
        ]);
      }
    }
  });

  it("adds up to the hand-computed grand total", () => {
    const expected = MONTHS.flatMap((m) => EXPECTED[m]).reduce((a, i) => a + i[4], 0);
    expect(expected).toBe(GRAND_TOTAL_YEN);
    const billed = MONTHS.flatMap((m) => invoices[m] ?? []).reduce(
      (a, r) => a + Number(r.total_yen),
      0,
    );
    expect(billed).toBe(GRAND_TOTAL_YEN);
  });

  it("quotes every termination exactly as the billing run billed it", () => {
    for (const t of TERMINATIONS) {
      const run = quotes[t.ref];
      expect(run?.status, `${t.ref}: ${run.stderr}`).toBe(0);
      const quote = JSON.parse(run.stdout) as typeof t.quote;
      expect(quote, t.ref).toEqual(t.quote);

      // The billed ETF: the etf.termination line in the termination month, or none when the fee is 0.
      const month = quote.terminationDate.slice(0, 7);
      const etf = (lines[month] ?? []).filter(
        (r) => r.contract_ref === t.ref && r.code === "etf.termination",
      );
      expect(
        etf.map((r) => Number(r.amount_yen)),
        `${t.ref} ETF line`,
      ).toEqual(quote.etfYen === 0 ? [] : [quote.etfYen]);
      expect(
        etf.map((r) => Number(r.quantity)),
        `${t.ref} remaining months`,
      ).toEqual(quote.etfYen === 0 ? [] : [quote.remainingMonths]);

      // The billed termination date: B base-plan lines, the last one in the month before the
      // termination month (or the start month when both coincide); none from the termination month on.
      const baseMonths = MONTHS.filter((m) =>
        linesOf(t.ref, m).some((l) => l[0].startsWith("base.")),
      );
      expect(baseMonths.length, `${t.ref} months charged`).toBe(quote.chargedMonths);
      const last = baseMonths[baseMonths.length - 1];
      const [y, mo] = month.split("-").map(Number);
      const before = mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, "0")}`;
      expect(last, `${t.ref} last charged month`).toBe(
        quote.chargedMonths === 1 && baseMonths[0] === month ? month : before,
      );
    }
  });
});
