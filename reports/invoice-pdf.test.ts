// The invoice PDF read back as a person's PDF viewer would: rendered, written to a file and
// turned into text with poppler's pdftotext. Amounts are hand-computed (tax once per invoice,
// docs/rules/terms.md "Tax and rounding"), not recomputed with the code under test.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { registrationNumberLabel, renderInvoicePdf, type InvoiceDocument, type InvoicePdfLine } from "./invoice-pdf";
import { isoDate, yearMonth } from "../app/lib/jst";

const dir = mkdtempSync(join(tmpdir(), "invoice-pdf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes the PDF and returns `pdftotext -layout` of it. */
function pdfText(pdf: Buffer): string {
  const file = join(dir, `doc-${++fileCount}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { encoding: "utf8" });
}

function pdfInfo(pdf: Buffer): string {
  const file = join(dir, `doc-${++fileCount}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync("pdfinfo", ["-rawdates", file], { encoding: "utf8" });
}

/** The first line of text, spaces removed (titles are letter-spaced). */
function title(text: string): string {
  return text.trimStart().split("\n")[0].replace(/\s/g, "");
}

function pageCount(text: string): number {
  // pdftotext ends every page with a form feed.
  return text.split("\f").length - 1;
}

const issuer = {
  name: "セキュアライン株式会社",
  address: "東京都千代田区大手町1-2-3 大手町セキュアタワー12F",
  phone: "0120-555-310",
  email: "billing@secureline.example",
  registrationNumber: "T5010001234566",
  bankAccount: "みずなみ銀行 大手町支店 普通 1234567 セキュアライン（カ",
};
const recipient = {
  name: "株式会社みなと製作所",
  address: "〒220-0012 神奈川県横浜市西区みなとみらい2-2-1 ランドマークオフィス8F",
  contractRef: "C-2024-0042",
  lineId: "CAF1234567890",
};

const line = (description: string, rule: string, quantity: number, unitPriceYen: number, taxCategory: InvoicePdfLine["taxCategory"] = "taxable_10"): InvoicePdfLine =>
  ({ description, rule, quantity, unitPriceYen, amountYen: quantity * unitPriceYen, taxCategory });

/** 10 taxable lines (two outage credits) and 2 non-taxable ones. */
const TWELVE_LINES: InvoicePdfLine[] = [
  line("基本料金（プラン①）2026年10月分", "T-24-1", 1, 3000),
  line("エンドポイントセキュリティ 12台", "T-24-1", 12, 500),
  line("ゲートウェイ（50クライアント向け・24時間故障対応付き） 1台", "T-24-1", 1, 11000),
  line("クラウドサンドボックス", "T-24-1", 1, 2000),
  line("訪問サポート 2026年10月05日 診断料", "S5", 1, 5000),
  line("訪問サポート 2026年10月05日 OSリカバリ", "S5", 2, 15000),
  line("訪問サポート 2026年10月05日 データ移行 50GBまで 3台", "S6", 3, 12000),
  line("障害による減額（基本料金 2日分）", "T-24-2", 1, -193),
  line("障害による減額（エンドポイント 2日分）", "T-24-2", 1, -387),
  line("ゲートウェイ未返却（GW-50）", "manual", 1, 48000),
  line("解約違約金（残7か月）", "S4※1", 7, 3000, "non_taxable"),
  line("延滞利息（請求書 INV-00000098）", "T-26", 1, 166, "non_taxable"),
];
// 3,000 + 6,000 + 11,000 + 2,000 + 5,000 + 30,000 + 36,000 − 193 − 387 + 48,000 = 140,420
// tax floor(140,420 × 10 %) = 14,042; non-taxable 21,000 + 166 = 21,166; total 175,628.
const TWELVE_TOTALS = { taxable10Yen: 140_420, tax10Yen: 14_042, nonTaxableYen: 21_166, totalYen: 175_628 };

const invoice = (lines: InvoicePdfLine[], totals: InvoiceDocument["totals"]): InvoiceDocument => ({
  kind: "invoice",
  number: "INV-00000123",
  issueDate: isoDate("2026-11-01"),
  billingMonth: yearMonth("2026-10"),
  dueDate: isoDate("2026-11-30"),
  issuer,
  recipient,
  lines,
  totals,
});

describe("renderInvoicePdf: invoice of 12 lines", () => {
  it("prints the qualified-invoice items, every line and the totals per rate", async () => {
    const pdf = await renderInvoicePdf(invoice(TWELVE_LINES, TWELVE_TOTALS));
    const text = pdfText(pdf);

    expect(title(text)).toBe("請求書");
    expect(text).toMatch(/株式会社みなと製作所\s+御中/);
    expect(text).toContain("契約番号 C-2024-0042");
    expect(text).toContain("回線ID CAF1234567890");
    expect(text).toMatch(/請求書番号\s+INV-00000123/);
    expect(text).toMatch(/発行日\s+2026年11月1日/);
    expect(text).toContain("セキュアライン株式会社");
    expect(text).toContain("登録番号 T5010001234566");
    expect(text).toMatch(/ご請求額（税込）\s+175,628円/);
    expect(text).toMatch(/対象期間\s+2026年10月分/);
    expect(text).toMatch(/お支払期限\s+2026年11月30日/);

    expect(text).toMatch(/品目\s+根拠\s+数量\s+単価\s+金額（税抜）\s+税区分/);
    expect(text).toMatch(/エンドポイントセキュリティ 12台\s+T-24-1\s+12\s+500円\s+6,000円\s+10%/);
    expect(text).toMatch(/障害による減額（エンドポイント 2日分）\s+T-24-2\s+1\s+-387円\s+-387円\s+10%/);
    expect(text).toMatch(/ゲートウェイ未返却（GW-50）\s+個別\s+1\s+48,000円\s+48,000円\s+10%/);
    expect(text).toMatch(/解約違約金（残7か月）\s+S4※1\s+7\s+3,000円\s+21,000円\s+不課税/);
    expect(text).toMatch(/延滞利息（請求書 INV-00000098）\s+T-26\s+1\s+166円\s+166円\s+非課税/);

    expect(text).toMatch(/10%対象 小計\s+140,420円/);
    expect(text).toMatch(/消費税（10%）\s+14,042円/);
    expect(text).toMatch(/非課税・不課税 小計\s+21,166円/);
    expect(text).toContain("「非課税」（延滞利息）と「不課税」（解約違約金など）の項目には消費税がかかりません。");
    expect(text).toMatch(/合計\s+175,628円/);
    expect(text).toContain("2026年11月30日までに、下記口座へお振り込みください。");
    expect(text).toContain("お振込先：みずなみ銀行 大手町支店 普通 1234567 セキュアライン（カ");
    expect(text).toContain("請求書1通につき1回計算しています（1円未満切り捨て）");

    expect(pageCount(text)).toBe(1);
    expect(text).toContain("1 / 1");
  });

  it("embeds only a font subset: one page stays under 200 KB", async () => {
    const pdf = await renderInvoicePdf(invoice(TWELVE_LINES, TWELVE_TOTALS));
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeLessThan(200 * 1024);
  });

  it("gives the same bytes for the same input, dated by its issue date", async () => {
    const a = await renderInvoicePdf(invoice(TWELVE_LINES, TWELVE_TOTALS));
    const b = await renderInvoicePdf(invoice(TWELVE_LINES, TWELVE_TOTALS));
    expect(a.equals(b)).toBe(true);
    // 2026-11-01 00:00 JST.
    expect(pdfInfo(a)).toMatch(/CreationDate:\s+D:20261031150000Z/);
    expect(pdfInfo(a)).toMatch(/Title:\s+請求書 INV-00000123/);
  });
});

describe("renderInvoicePdf: invoice of 60 lines", () => {
  // 60 lines: 48 endpoint lines of 1..48 seats × 500 and 12 interest lines of 100 each.
  const lines: InvoicePdfLine[] = [];
  for (let i = 1; i <= 48; i++) lines.push(line(`エンドポイントセキュリティ 拠点${i} ${i}台`, "T-24-1", i, 500));
  for (let i = 1; i <= 12; i++) lines.push(line(`延滞利息（請求書 INV-${String(i).padStart(8, "0")}）`, "T-26", 1, 100, "non_taxable"));
  // taxable 500 × (1 + … + 48) = 500 × 1,176 = 588,000; tax 58,800; non-taxable 1,200; total 648,000.
  const totals = { taxable10Yen: 588_000, tax10Yen: 58_800, nonTaxableYen: 1_200, totalYen: 648_000 };

  it("runs over two numbered pages, repeats the table header and keeps every line", async () => {
    const text = pdfText(await renderInvoicePdf(invoice(lines, totals)));
    expect(pageCount(text)).toBe(2);
    expect(text).toContain("1 / 2");
    expect(text).toContain("2 / 2");
    expect(text).not.toContain("/ 3");

    const [page1, page2] = text.split("\f");
    for (const page of [page1, page2]) expect(page).toMatch(/品目\s+根拠\s+数量\s+単価\s+金額（税抜）\s+税区分/);
    expect(page2).toContain("請求書（続き）");
    expect(page2).toMatch(/請求書番号 INV-00000123\s+株式会社みなと製作所 御中/);
    for (let i = 1; i <= 48; i++) expect(text).toMatch(new RegExp(`拠点${i} ${i}台\\s+T-24-1\\s+${i}\\s+500円\\s+${(i * 500).toLocaleString("en-US")}円\\s+10%`));
    expect(text.match(/延滞利息（請求書 INV-\d{8}）\s+T-26\s+1\s+100円\s+100円\s+非課税/g)).toHaveLength(12);

    // Totals and payment come after the last line, on the last page.
    expect(page2).toMatch(/10%対象 小計\s+588,000円/);
    expect(page2).toMatch(/消費税（10%）\s+58,800円/);
    expect(page2).toMatch(/非課税・不課税 小計\s+1,200円/);
    expect(page2).toMatch(/合計\s+648,000円/);
    expect(page2.indexOf("INV-00000012")).toBeLessThan(page2.indexOf("10%対象 小計"));
    expect(page1).toMatch(/ご請求額（税込）\s+648,000円/);
    expect(page1).toContain("登録番号 T5010001234566");
    expect(page1).toMatch(/お支払期限\s+2026年11月30日/);
  });
});

describe("renderInvoicePdf: credit note", () => {
  const creditNote: InvoiceDocument = {
    kind: "credit_note",
    number: "CN-00000007",
    issueDate: isoDate("2026-11-20"),
    billingMonth: yearMonth("2026-10"),
    originalInvoiceNumber: "INV-00000123",
    reason: "10月のゲートウェイ障害（2日）の減額漏れと、入金済みの延滞利息の取消",
    issuer: { ...issuer, registrationNumber: "5010001234566" },
    recipient: { name: "株式会社みなと製作所", address: recipient.address, contractRef: "C-2024-0042" },
    lines: [
      line("障害による減額（ゲートウェイ 2日分）", "T-24-2", 1, 733),
      line("延滞利息の取消（請求書 INV-00000098）", "T-26", 1, 166, "non_taxable"),
    ],
    // 733 + floor(73.3) = 806; + 166 = 972.
    totals: { taxable10Yen: 733, tax10Yen: 73, nonTaxableYen: 166, totalYen: 972 },
  };

  it("is a 適格返還請求書 naming the original invoice, with 返還額 per rate and its tax", async () => {
    const text = pdfText(await renderInvoicePdf(creditNote));
    expect(title(text)).toBe("適格返還請求書");
    expect(text).toMatch(/返還請求書番号\s+CN-00000007/);
    expect(text).toMatch(/発行日\s+2026年11月20日/);
    expect(text).toMatch(/元請求書番号\s+INV-00000123/);
    expect(text).toMatch(/対象期間\s+2026年10月分/);
    expect(text).toContain("登録番号 T5010001234566");
    expect(text).toMatch(/株式会社みなと製作所\s+御中/);
    expect(text).not.toContain("回線ID");
    expect(text).toMatch(/返還額（税込）\s+972円/);
    expect(text).toMatch(/10%対象 返還額\s+733円/);
    expect(text).toMatch(/消費税（10%）返還額\s+73円/);
    expect(text).toMatch(/非課税・不課税 返還額\s+166円/);
    expect(text).toMatch(/返還額合計\s+972円/);
    expect(text).toContain("本書は 2026年10月分の請求書（INV-00000123）に係る適格返還請求書です。");
    // The reason finance entered, which the issuing form says is printed.
    expect(text).toContain("返還の理由：10月のゲートウェイ障害（2日）の減額漏れと、入金済みの延滞利息の取消");
    expect(text).not.toContain("ご請求額");
    expect(text).not.toContain("お支払期限");
    expect(text).not.toContain("お振込先");
    expect(text).toContain("1 / 1");
  });
});

describe("renderInvoicePdf refuses what a qualified invoice cannot be", () => {
  it("rejects totals that do not match the lines or the once-per-invoice tax", async () => {
    await expect(renderInvoicePdf(invoice(TWELVE_LINES, { ...TWELVE_TOTALS, taxable10Yen: 140_421 })))
      .rejects.toThrow(/taxable10Yen 140421 ≠ sum of 10 % lines 140420/);
    // Tax summed per line (rounded per line) instead of once per invoice.
    await expect(renderInvoicePdf(invoice(TWELVE_LINES, { ...TWELVE_TOTALS, tax10Yen: 14_041, totalYen: 175_627 })))
      .rejects.toThrow(/tax10Yen 14041 ≠ floor\(140420 × 10 %\)/);
    await expect(renderInvoicePdf(invoice(TWELVE_LINES, { ...TWELVE_TOTALS, totalYen: 175_000 })))
      .rejects.toThrow(/totalYen 175000/);
  });

  it("requires the issuer's registration number (T + 13 digits)", async () => {
    await expect(renderInvoicePdf({ ...invoice(TWELVE_LINES, TWELVE_TOTALS), issuer: { ...issuer, registrationNumber: "" } }))
      .rejects.toThrow(/登録番号/);
    expect(registrationNumberLabel("5010001234566")).toBe("T5010001234566");
    expect(registrationNumberLabel("T5010001234566")).toBe("T5010001234566");
    expect(() => registrationNumberLabel("T501000123456")).toThrow(/登録番号/);
  });
});
