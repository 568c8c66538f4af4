// Invoice PDF benchmark: renders N invoices (default 1,000) of 3–15 lines one after another through
// renderInvoicePdf and prints the median, p95 and total render time. Target: median < 100 ms.
// The first render also reads and parses the two ~5 MB font files; it is reported apart and excluded.
//   npx tsx scripts/bench/invoice-pdf.ts [COUNT]
import { consumptionTax10 } from "../../app/billing/tax";
import {
  renderInvoicePdf,
  type InvoiceDocument,
  type InvoicePdfLine,
} from "../../reports/invoice-pdf";
import { isoDate, yearMonth } from "../../app/lib/jst";

const count = Number(process.argv[2] ?? 1_000);

const CATALOGUE: Omit<InvoicePdfLine, "amountYen">[] = [
  {
    description: "基本料金（プラン①）2026年10月分",
    rule: "T-24-1",
    quantity: 1,
    unitPriceYen: 3000,
    taxCategory: "taxable_10",
  },
  {
    description: "エンドポイントセキュリティ 10台",
    rule: "T-24-1",
    quantity: 10,
    unitPriceYen: 600,
    taxCategory: "taxable_10",
  },
  {
    description: "ゲートウェイ（50クライアント向け・24時間故障対応付き） 1台",
    rule: "T-24-1",
    quantity: 1,
    unitPriceYen: 11000,
    taxCategory: "taxable_10",
  },
  {
    description: "クラウドサンドボックス",
    rule: "T-24-1",
    quantity: 1,
    unitPriceYen: 2000,
    taxCategory: "taxable_10",
  },
  {
    description: "訪問サポート 2026年10月05日 OSリカバリ",
    rule: "S5",
    quantity: 2,
    unitPriceYen: 15000,
    taxCategory: "taxable_10",
  },
  {
    description: "訪問サポート 2026年10月05日 データ移行 50GBまで 3台",
    rule: "S6",
    quantity: 3,
    unitPriceYen: 12000,
    taxCategory: "taxable_10",
  },
  {
    description: "障害による減額（基本料金 2日分）",
    rule: "T-24-2",
    quantity: 1,
    unitPriceYen: -193,
    taxCategory: "taxable_10",
  },
  {
    description: "ゲートウェイ未返却（GW-50）",
    rule: "manual",
    quantity: 1,
    unitPriceYen: 48000,
    taxCategory: "taxable_10",
  },
  {
    description: "解約違約金（残7か月）",
    rule: "S4※1",
    quantity: 7,
    unitPriceYen: 3000,
    taxCategory: "non_taxable",
  },
  {
    description: "延滞利息（請求書 INV-00000098）",
    rule: "T-26",
    quantity: 1,
    unitPriceYen: 166,
    taxCategory: "non_taxable",
  },
];

function sampleInvoice(i: number): InvoiceDocument {
  const lineCount = 3 + (i % 13); // 3..15
  const lines: InvoicePdfLine[] = [];
  for (let n = 0; n < lineCount; n++) {
    const item = CATALOGUE[(i + n) % CATALOGUE.length];
    const quantity = item.quantity + (n % 3);
    lines.push({ ...item, quantity, amountYen: quantity * item.unitPriceYen });
  }
  const taxable10Yen = lines
    .filter((l) => l.taxCategory === "taxable_10")
    .reduce((a, l) => a + l.amountYen, 0);
  const nonTaxableYen = lines
    .filter((l) => l.taxCategory === "non_taxable")
    .reduce((a, l) => a + l.amountYen, 0);
  const tax10Yen = consumptionTax10(taxable10Yen);
  return {
    kind: "invoice",
    number: `INV-${String(i + 1).padStart(8, "0")}`,
    issueDate: isoDate("2026-11-01"),
    billingMonth: yearMonth("2026-10"),
    dueDate: isoDate("2026-11-30"),
    issuer: {
      name: "セキュアライン株式会社",
      address: "東京都千代田区大手町1-2-3 大手町セキュアタワー12F",
      phone: "0120-555-310",
      email: "billing@secureline.example",
      registrationNumber: "T5010001234566",
      bankAccount: "みずなみ銀行 大手町支店 普通 1234567 セキュアライン（カ",
    },
    recipient: {
      name: `株式会社サンプル商事 第${i + 1}営業所`,
      address: "〒220-0012 神奈川県横浜市西区みなとみらい2-2-1",
      contractRef: `C-2026-${String(i + 1).padStart(4, "0")}`,
      lineId: `CAF${String(1_000_000_000 + i)}`,
    },
    lines,
    totals: {
      taxable10Yen,
      tax10Yen,
      nonTaxableYen,
      totalYen: taxable10Yen + tax10Yen + nonTaxableYen,
    },
  };
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

let t = performance.now();
await renderInvoicePdf(sampleInvoice(count));
console.log(`first render (reads the fonts): ${(performance.now() - t).toFixed(0)} ms`);

const times: number[] = [];
let bytes = 0;
const cpu0 = process.cpuUsage();
t = performance.now();
for (let i = 0; i < count; i++) {
  const doc = sampleInvoice(i);
  const r0 = performance.now();
  bytes += (await renderInvoicePdf(doc)).length;
  times.push(performance.now() - r0);
}
const totalMs = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const sorted = [...times].sort((a, b) => a - b);
console.log(
  `${count} invoices (3–15 lines): median ${quantile(sorted, 0.5).toFixed(1)} ms, p95 ${quantile(sorted, 0.95).toFixed(1)} ms, ` +
    `max ${sorted.at(-1)!.toFixed(1)} ms, total ${totalMs.toFixed(0)} ms; average size ${(bytes / count / 1024).toFixed(1)} KB  (target: median < 100 ms)`,
);
// Wall-clock times include other processes on a busy machine; CPU time per invoice does not.
console.log(
  `CPU time: ${cpuMs.toFixed(0)} ms in all, ${(cpuMs / count).toFixed(1)} ms per invoice`,
);
