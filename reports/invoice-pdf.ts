// The qualified invoice (適格請求書) and qualified credit note (適格返還請求書) as an A4 PDF.
// It carries what the invoice law requires: the issuer's name and registration number, the
// recipient, the billing month, the items, the amounts per tax rate with the rate, and the tax per
// rate, taken once per invoice (docs/rules/terms.md "Tax and rounding", T-28, T-31). A credit note names
// the invoice it corrects (T-27-4: corrections are credit notes, never edits).
//
// Pure presentation: plain values in, PDF bytes out. The same input gives the same bytes (the
// document date is the issue date, never the clock), so a re-printed invoice is the same file.
import { consumptionTax10 } from "../app/billing/tax";
import type { IsoDate, YearMonth } from "../app/lib/jst";
import { NON_TAXABLE_HEADING, taxLabel } from "../app/billing/tax";
import { BOLD, japaneseA4Document, REGULAR } from "./pdf-document";
import { formatBillingMonth, formatCount, formatDate, formatYen } from "../app/lib/format";

export type InvoicePdfTaxCategory = "taxable_10" | "non_taxable";

export interface InvoicePdfLine {
  /** Japanese item text, as stored on the invoice line. */
  description: string;
  /** Rule id from docs/rules/terms.md (`T-24-1`, `S5`, `T-26`, …); `manual` for manual lines. */
  rule: string;
  quantity: number;
  unitPriceYen: number;
  /** Integer yen. On an invoice credits are negative; on a credit note the amounts returned are positive. */
  amountYen: number;
  taxCategory: InvoicePdfTaxCategory;
}

export interface InvoicePdfParty {
  name: string;
  address: string;
}

export interface InvoicePdfIssuer extends InvoicePdfParty {
  phone: string;
  email: string;
  /** 適格請求書発行事業者の登録番号, `T` and 13 digits (the `T` may be left out). */
  registrationNumber: string;
  /** Bank, branch, account type, number and holder, printed as given. */
  bankAccount: string;
}

export interface InvoicePdfRecipient extends InvoicePdfParty {
  contractRef: string;
  lineId?: string;
}

export interface InvoicePdfTotals {
  /** Sum of the 10 % lines, tax excluded. */
  taxable10Yen: number;
  /** floor(taxable10Yen × 10 %), once per document. */
  tax10Yen: number;
  nonTaxableYen: number;
  /** taxable10Yen + tax10Yen + nonTaxableYen. */
  totalYen: number;
}

interface DocumentCommon {
  /** Invoice number (`INV-00000123`) or credit-note number. */
  number: string;
  issueDate: IsoDate;
  /** The billing month the amounts belong to (for a credit note: the corrected invoice's month). */
  billingMonth: YearMonth;
  issuer: InvoicePdfIssuer;
  recipient: InvoicePdfRecipient;
  lines: InvoicePdfLine[];
  totals: InvoicePdfTotals;
}

export interface InvoicePdfInvoice extends DocumentCommon {
  kind: "invoice";
  dueDate: IsoDate;
}

export interface InvoicePdfCreditNote extends DocumentCommon {
  kind: "credit_note";
  /** The invoice whose amounts are returned. */
  originalInvoiceNumber: string;
  /** Why the amounts are returned, as finance entered it (the issuing form says it is printed). */
  reason: string;
}

export type InvoiceDocument = InvoicePdfInvoice | InvoicePdfCreditNote;

// ---------------------------------------------------------------------------------------------
// Checks: a qualified invoice whose figures do not add up, or that lacks a registration number,
// must not be printed at all.

const REGISTRATION_RE = /^T?\d{13}$/;

/** `T5010001234566` whether or not the stored value has the `T`. */
export function registrationNumberLabel(value: string): string {
  const trimmed = value.trim();
  if (!REGISTRATION_RE.test(trimmed)) {
    throw new Error(`適格請求書には登録番号（T + 13桁）が必要です: "${value}"`);
  }
  return trimmed.startsWith("T") ? trimmed : `T${trimmed}`;
}

function checkDocument(doc: InvoiceDocument): void {
  const sum = (category: InvoicePdfTaxCategory) =>
    doc.lines.filter((l) => l.taxCategory === category).reduce((a, l) => a + l.amountYen, 0);
  const { taxable10Yen, tax10Yen, nonTaxableYen, totalYen } = doc.totals;
  const problems: string[] = [];
  if (doc.lines.length === 0) problems.push("no lines");
  for (const [i, l] of doc.lines.entries()) {
    if (!Number.isSafeInteger(l.amountYen) || !Number.isSafeInteger(l.unitPriceYen)) problems.push(`line ${i + 1}: yen must be integers`);
  }
  if (sum("taxable_10") !== taxable10Yen) problems.push(`taxable10Yen ${taxable10Yen} ≠ sum of 10 % lines ${sum("taxable_10")}`);
  if (sum("non_taxable") !== nonTaxableYen) problems.push(`nonTaxableYen ${nonTaxableYen} ≠ sum of non-taxable lines ${sum("non_taxable")}`);
  if (consumptionTax10(taxable10Yen) !== tax10Yen) problems.push(`tax10Yen ${tax10Yen} ≠ floor(${taxable10Yen} × 10 %)`);
  if (taxable10Yen + tax10Yen + nonTaxableYen !== totalYen) problems.push(`totalYen ${totalYen} ≠ taxable + tax + non-taxable`);
  if (problems.length > 0) throw new Error(`invoice ${doc.number} cannot be printed: ${problems.join("; ")}`);
  registrationNumberLabel(doc.issuer.registrationNumber);
}

// ---------------------------------------------------------------------------------------------
// Wording

function ruleLabel(rule: string): string {
  return rule === "manual" ? "個別" : rule;
}

function quantityLabel(quantity: number): string {
  return formatCount(quantity);
}

interface Wording {
  title: string;
  numberLabel: string;
  lead: string;
  amountBox: string;
  taxable: string;
  tax: string;
  nonTaxable: string;
  total: string;
}

const WORDING: Record<InvoiceDocument["kind"], Wording> = {
  invoice: {
    title: "請求書",
    numberLabel: "請求書番号",
    lead: "下記のとおりご請求申し上げます。",
    amountBox: "ご請求額（税込）",
    taxable: "10%対象 小計",
    tax: "消費税（10%）",
    nonTaxable: `${NON_TAXABLE_HEADING} 小計`,
    total: "合計",
  },
  credit_note: {
    title: "適格返還請求書",
    numberLabel: "返還請求書番号",
    lead: "下記のとおり返還いたします。",
    amountBox: "返還額（税込）",
    taxable: "10%対象 返還額",
    tax: "消費税（10%）返還額",
    nonTaxable: `${NON_TAXABLE_HEADING} 返還額`,
    total: "返還額合計",
  },
};

// ---------------------------------------------------------------------------------------------
// Geometry (points; A4 with millimetre margins as on Japanese business documents)

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 15 * MM, bottom: 20 * MM, left: 18 * MM, right: 18 * MM };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const LEFT = MARGIN.left;
const RIGHT = PAGE.width - MARGIN.right;
/** Lowest y the body may reach; the footer lives below it. */
const BODY_BOTTOM = PAGE.height - MARGIN.bottom;
const FOOTER_Y = PAGE.height - 12 * MM;

const INK = "#1a1a1a";
const MUTED = "#555555";
const RULE = "#9a9a9a";
const HAIRLINE = "#d0d0d0";
const FILL = "#eceff3";


interface Column {
  key: "description" | "rule" | "quantity" | "unitPrice" | "amount" | "tax";
  header: string;
  width: number;
  align: "left" | "right" | "center";
}

const COLUMN_WIDTHS = { rule: 44, quantity: 34, unitPrice: 62, amount: 72, tax: 40 } as const;
const DESCRIPTION_WIDTH = CONTENT_WIDTH - Object.values(COLUMN_WIDTHS).reduce((a, w) => a + w, 0);

function columns(kind: InvoiceDocument["kind"]): Column[] {
  return [
    { key: "description", header: "品目", width: DESCRIPTION_WIDTH, align: "left" },
    { key: "rule", header: "根拠", width: COLUMN_WIDTHS.rule, align: "center" },
    { key: "quantity", header: "数量", width: COLUMN_WIDTHS.quantity, align: "right" },
    { key: "unitPrice", header: "単価", width: COLUMN_WIDTHS.unitPrice, align: "right" },
    { key: "amount", header: kind === "invoice" ? "金額（税抜）" : "返還額（税抜）", width: COLUMN_WIDTHS.amount, align: "right" },
    { key: "tax", header: "税区分", width: COLUMN_WIDTHS.tax, align: "center" },
  ];
}

const CELL_PAD_X = 5;
const TABLE_FONT_SIZE = 8.5;
/** A one-line row: 5.3 mm, as dense as a Japanese ledger-style invoice and still easy to read. */
const ROW_MIN_HEIGHT = 15;
const ROW_PAD_Y = 3;
/** Tighter than the font's own 1.448 em line box for wrapped item names. */
const WRAP_LINE_GAP = -1.5;

// ---------------------------------------------------------------------------------------------
// Drawing helpers

type Pdf = PDFKit.PDFDocument;

interface TextStyle {
  font?: string;
  size: number;
  color?: string;
  align?: "left" | "right" | "center";
  /** Box width for alignment (and wrapping when `wrap`). */
  width?: number;
  wrap?: boolean;
  lineGap?: number;
  characterSpacing?: number;
}

/** Writes text with its top at y; right/center alignment is computed here so that nothing wraps by accident. */
function put(pdf: Pdf, text: string, x: number, y: number, style: TextStyle): void {
  pdf.font(style.font ?? REGULAR).fontSize(style.size).fillColor(style.color ?? INK);
  const characterSpacing = style.characterSpacing ?? 0;
  if (style.wrap) {
    pdf.text(text, x, y, { width: style.width, align: style.align ?? "left", characterSpacing, lineGap: style.lineGap ?? 0 });
    return;
  }
  const textWidth = pdf.widthOfString(text, { characterSpacing });
  let left = x;
  if (style.width !== undefined && style.align === "right") left = x + style.width - textWidth;
  if (style.width !== undefined && style.align === "center") left = x + (style.width - textWidth) / 2;
  pdf.text(text, left, y, { lineBreak: false, characterSpacing });
}

function wrappedHeight(pdf: Pdf, text: string, width: number, font: string, size: number, lineGap = 0): number {
  pdf.font(font).fontSize(size);
  return pdf.heightOfString(text, { width, lineGap });
}

/** Noto Sans JP's line box is 1.448 em; CJK glyphs sit roughly 0.28–1.28 em below its top. */
function lineHeight(size: number): number {
  return size * 1.448;
}

/** The y at which text of `size` must start to look vertically centred in a band [top, top + height]. */
function centredTextY(top: number, height: number, size: number): number {
  return top + height / 2 - size * 0.78;
}

function hline(pdf: Pdf, x1: number, x2: number, y: number, color = RULE, width = 0.6): void {
  pdf.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
}

function box(pdf: Pdf, x: number, y: number, w: number, h: number, options: { fill?: string; stroke?: string; lineWidth?: number }): void {
  pdf.save().rect(x, y, w, h).lineWidth(options.lineWidth ?? 0.6);
  if (options.fill && options.stroke) pdf.fillAndStroke(options.fill, options.stroke);
  else if (options.fill) pdf.fill(options.fill);
  else pdf.strokeColor(options.stroke ?? RULE).stroke();
  pdf.restore();
}

// ---------------------------------------------------------------------------------------------
// Sections

const ISSUER_WIDTH = 210;

/** Title, recipient, issuer, amount box; returns the y below them. */
function drawFirstPageHeader(pdf: Pdf, doc: InvoiceDocument, wording: Wording): number {
  // Title, centred and letter-spaced, with a rule under it.
  put(pdf, wording.title, LEFT, MARGIN.top, {
    font: BOLD, size: 20, align: "center", width: CONTENT_WIDTH, characterSpacing: doc.kind === "invoice" ? 10 : 4,
  });
  const titleBottom = MARGIN.top + lineHeight(20) + 2;

  // Number and issue date, top right under the title.
  const metaWidth = ISSUER_WIDTH;
  const metaX = RIGHT - metaWidth;
  let metaY = titleBottom + 6;
  for (const [label, value] of [[wording.numberLabel, doc.number], ["発行日", formatDate(doc.issueDate)]] as const) {
    put(pdf, label, metaX, metaY, { size: 9, color: MUTED });
    put(pdf, value, metaX, metaY, { size: 9, align: "right", width: metaWidth });
    metaY += lineHeight(9) + 1;
  }

  // Recipient, top left: name 御中 on an underline, then address and contract.
  const leftWidth = 265;
  let y = titleBottom + 18;
  const nameSize = doc.recipient.name.length > 18 ? 12 : 14;
  const nameHeight = wrappedHeight(pdf, `${doc.recipient.name}　御中`, leftWidth, BOLD, nameSize);
  put(pdf, `${doc.recipient.name}　御中`, LEFT, y, { font: BOLD, size: nameSize, width: leftWidth, wrap: true });
  y += nameHeight + 1;
  hline(pdf, LEFT, LEFT + leftWidth, y, INK, 0.9);
  y += 5;
  const addressHeight = wrappedHeight(pdf, doc.recipient.address, leftWidth, REGULAR, 9);
  put(pdf, doc.recipient.address, LEFT, y, { size: 9, width: leftWidth, wrap: true });
  y += addressHeight + 1;
  const contract = [`契約番号 ${doc.recipient.contractRef}`, doc.recipient.lineId ? `回線ID ${doc.recipient.lineId}` : null]
    .filter(Boolean).join("　");
  put(pdf, contract, LEFT, y, { size: 9, color: MUTED });
  y += lineHeight(9) + 12;
  put(pdf, wording.lead, LEFT, y, { size: 9.5 });
  y += lineHeight(9.5) + 6;

  // Amount box: label cell shaded, total large and right-aligned.
  const boxHeight = 34;
  const labelWidth = 100;
  box(pdf, LEFT, y, leftWidth, boxHeight, { stroke: INK, lineWidth: 1.1 });
  box(pdf, LEFT, y, labelWidth, boxHeight, { fill: FILL, stroke: INK, lineWidth: 1.1 });
  put(pdf, wording.amountBox, LEFT, centredTextY(y, boxHeight, 10), { font: BOLD, size: 10, align: "center", width: labelWidth });
  put(pdf, formatYen(doc.totals.totalYen), LEFT + labelWidth, centredTextY(y, boxHeight, 18) + 1.5, {
    font: BOLD, size: 18, align: "right", width: leftWidth - labelWidth - 12,
  });
  y += boxHeight + 6;

  // Month, due date / original invoice under the box, as a small two-column list.
  const facts: [string, string][] = [["対象期間", formatBillingMonth(doc.billingMonth)]];
  if (doc.kind === "invoice") facts.push(["お支払期限", formatDate(doc.dueDate)]);
  else facts.push(["元請求書番号", doc.originalInvoiceNumber]);
  const factHeight = 17;
  for (const [label, value] of facts) {
    box(pdf, LEFT, y, 100, factHeight, { fill: FILL, stroke: RULE });
    box(pdf, LEFT + 100, y, leftWidth - 100, factHeight, { stroke: RULE });
    put(pdf, label, LEFT, centredTextY(y, factHeight, 9), { size: 9, align: "center", width: 100 });
    put(pdf, value, LEFT + 110, centredTextY(y, factHeight, 9), { font: BOLD, size: 9.5 });
    y += factHeight;
  }
  const leftBottom = y;

  // Issuer, right column below the number and date.
  const issuerWidth = ISSUER_WIDTH;
  const issuerX = RIGHT - issuerWidth;
  let iy = metaY + 14;
  put(pdf, doc.issuer.name, issuerX, iy, { font: BOLD, size: 11, width: issuerWidth, wrap: true });
  iy += wrappedHeight(pdf, doc.issuer.name, issuerWidth, BOLD, 11) + 2;
  put(pdf, doc.issuer.address, issuerX, iy, { size: 8.5, width: issuerWidth, wrap: true });
  iy += wrappedHeight(pdf, doc.issuer.address, issuerWidth, REGULAR, 8.5);
  for (const line of [`TEL ${doc.issuer.phone}`, `E-mail ${doc.issuer.email}`]) {
    put(pdf, line, issuerX, iy, { size: 8.5 });
    iy += lineHeight(8.5);
  }
  iy += 3;
  put(pdf, `登録番号 ${registrationNumberLabel(doc.issuer.registrationNumber)}`, issuerX, iy, { font: BOLD, size: 9 });
  iy += lineHeight(9);

  return Math.max(leftBottom, iy) + 16;
}

/** A slim header on continuation pages so a loose page still says whose document it is. */
function drawContinuationHeader(pdf: Pdf, doc: InvoiceDocument, wording: Wording): number {
  const y = MARGIN.top;
  put(pdf, `${wording.title}（続き）`, LEFT, y, { font: BOLD, size: 11 });
  put(pdf, `${wording.numberLabel} ${doc.number}　${doc.recipient.name} 御中`, LEFT, y + 2, {
    size: 8.5, color: MUTED, align: "right", width: CONTENT_WIDTH,
  });
  const bottom = y + lineHeight(11) + 2;
  hline(pdf, LEFT, RIGHT, bottom, INK, 0.8);
  return bottom + 10;
}

const HEADER_ROW_HEIGHT = 18;

function drawTableHeader(pdf: Pdf, cols: Column[], y: number): number {
  box(pdf, LEFT, y, CONTENT_WIDTH, HEADER_ROW_HEIGHT, { fill: FILL });
  hline(pdf, LEFT, RIGHT, y, INK, 0.9);
  hline(pdf, LEFT, RIGHT, y + HEADER_ROW_HEIGHT, INK, 0.6);
  let x = LEFT;
  for (const col of cols) {
    put(pdf, col.header, x, centredTextY(y, HEADER_ROW_HEIGHT, 8.5), { font: BOLD, size: 8.5, align: "center", width: col.width });
    x += col.width;
  }
  return y + HEADER_ROW_HEIGHT;
}

function cellText(line: InvoicePdfLine, key: Column["key"]): string {
  switch (key) {
    case "description": return line.description;
    case "rule": return ruleLabel(line.rule);
    case "quantity": return quantityLabel(line.quantity);
    case "unitPrice": return formatYen(line.unitPriceYen);
    case "amount": return formatYen(line.amountYen);
    case "tax": return taxLabel(line);
  }
}

/** Height of the item name when it needs more than one line, else null. */
function wrappedDescriptionHeight(pdf: Pdf, line: InvoicePdfLine, cols: Column[]): number | null {
  const width = cols[0].width - 2 * CELL_PAD_X;
  pdf.font(REGULAR).fontSize(TABLE_FONT_SIZE);
  if (pdf.widthOfString(line.description) <= width) return null;
  return wrappedHeight(pdf, line.description, width, REGULAR, TABLE_FONT_SIZE, WRAP_LINE_GAP);
}

function rowHeight(pdf: Pdf, line: InvoicePdfLine, cols: Column[]): number {
  const wrapped = wrappedDescriptionHeight(pdf, line, cols);
  return wrapped === null ? ROW_MIN_HEIGHT : Math.max(ROW_MIN_HEIGHT, wrapped + 2 * ROW_PAD_Y - 2);
}

function drawRow(pdf: Pdf, line: InvoicePdfLine, cols: Column[], y: number, height: number): void {
  let x = LEFT;
  const singleLineY = centredTextY(y, height, TABLE_FONT_SIZE);
  for (const col of cols) {
    const text = cellText(line, col.key);
    if (col.key === "description") {
      const wrapped = wrappedDescriptionHeight(pdf, line, cols);
      const top = wrapped === null ? singleLineY : y + ROW_PAD_Y - 1;
      put(pdf, text, x + CELL_PAD_X, top, { size: TABLE_FONT_SIZE, width: col.width - 2 * CELL_PAD_X, wrap: true, lineGap: WRAP_LINE_GAP });
    } else {
      put(pdf, text, x + CELL_PAD_X, singleLineY, {
        size: TABLE_FONT_SIZE, align: col.align, width: col.width - 2 * CELL_PAD_X,
        color: col.key === "rule" ? MUTED : INK,
      });
    }
    x += col.width;
  }
  hline(pdf, LEFT, RIGHT, y + height, HAIRLINE, 0.5);
}

const TOTAL_ROW_HEIGHT = 18;
const TOTALS_WIDTH = 250;

function totalsHeight(): number {
  return TOTAL_ROW_HEIGHT * 4 + 4;
}

function drawTotals(pdf: Pdf, doc: InvoiceDocument, wording: Wording, y: number): number {
  const x = RIGHT - TOTALS_WIDTH;
  const labelWidth = 140;
  const rows: [string, number][] = [
    [wording.taxable, doc.totals.taxable10Yen],
    [wording.tax, doc.totals.tax10Yen],
    [wording.nonTaxable, doc.totals.nonTaxableYen],
  ];
  for (const [label, value] of rows) {
    box(pdf, x, y, labelWidth, TOTAL_ROW_HEIGHT, { fill: FILL, stroke: RULE });
    box(pdf, x + labelWidth, y, TOTALS_WIDTH - labelWidth, TOTAL_ROW_HEIGHT, { stroke: RULE });
    put(pdf, label, x + 8, centredTextY(y, TOTAL_ROW_HEIGHT, 9), { size: 9 });
    put(pdf, formatYen(value), x + labelWidth, centredTextY(y, TOTAL_ROW_HEIGHT, 9), {
      size: 9.5, align: "right", width: TOTALS_WIDTH - labelWidth - CELL_PAD_X,
    });
    y += TOTAL_ROW_HEIGHT;
  }
  const totalHeight = TOTAL_ROW_HEIGHT + 4;
  box(pdf, x, y, labelWidth, totalHeight, { fill: FILL, stroke: INK, lineWidth: 1 });
  box(pdf, x + labelWidth, y, TOTALS_WIDTH - labelWidth, totalHeight, { stroke: INK, lineWidth: 1 });
  put(pdf, wording.total, x + 8, centredTextY(y, totalHeight, 10), { font: BOLD, size: 10 });
  put(pdf, formatYen(doc.totals.totalYen), x + labelWidth, centredTextY(y, totalHeight, 11), {
    font: BOLD, size: 11, align: "right", width: TOTALS_WIDTH - labelWidth - CELL_PAD_X,
  });
  return y + totalHeight;
}

function notes(doc: InvoiceDocument): string[] {
  const perDocument = doc.kind === "invoice" ? "請求書1通" : "本書1通";
  const list = [
    `消費税は、税率ごとに合計した金額に対して${perDocument}につき1回計算しています（1円未満切り捨て）。`,
    "「非課税」（延滞利息）と「不課税」（解約違約金など）の項目には消費税がかかりません。",
    "「根拠」欄は料金の根拠となる利用規約の条項です（例：T-24-1 は第24条第1項、S5 は別紙5）。",
  ];
  if (doc.kind === "credit_note") {
    list.unshift(
      `本書は ${formatBillingMonth(doc.billingMonth)}の請求書（${doc.originalInvoiceNumber}）に係る適格返還請求書です。返還の方法は別途ご案内いたします。`,
      `返還の理由：${doc.reason}`,
    );
  }
  return list;
}

const NOTE_SIZE = 8;

function paymentAndNotesHeight(pdf: Pdf, doc: InvoiceDocument): number {
  const payment = doc.kind === "invoice" ? 20 + 2 * (lineHeight(9) + 2) + 8 : 0;
  const noteLines = notes(doc).reduce((a, n) => a + wrappedHeight(pdf, `・${n}`, CONTENT_WIDTH - 10, REGULAR, NOTE_SIZE) + 1, 0);
  return payment + lineHeight(9) + 4 + noteLines + 14;
}

function drawPaymentAndNotes(pdf: Pdf, doc: InvoiceDocument, y: number): number {
  if (doc.kind === "invoice") {
    const lines = [
      `${formatDate(doc.dueDate)}までに、下記口座へお振り込みください。`,
      `お振込先：${doc.issuer.bankAccount}`,
    ];
    const height = 20 + lines.length * (lineHeight(9) + 2);
    box(pdf, LEFT, y, CONTENT_WIDTH, height, { stroke: RULE });
    box(pdf, LEFT, y, CONTENT_WIDTH, 16, { fill: FILL, stroke: RULE });
    put(pdf, "お支払方法", LEFT + 8, centredTextY(y, 16, 9), { font: BOLD, size: 9 });
    let ly = y + 19;
    for (const [i, line] of lines.entries()) {
      put(pdf, line, LEFT + 8, ly, { font: i === 1 ? BOLD : REGULAR, size: 9 });
      ly += lineHeight(9) + 2;
    }
    y += height + 8;
  }
  put(pdf, "備考", LEFT, y, { font: BOLD, size: 9 });
  y += lineHeight(9) + 2;
  for (const note of notes(doc)) {
    put(pdf, `・${note}`, LEFT + 4, y, { size: NOTE_SIZE, color: MUTED, width: CONTENT_WIDTH - 10, wrap: true });
    y += wrappedHeight(pdf, `・${note}`, CONTENT_WIDTH - 10, REGULAR, NOTE_SIZE) + 1;
  }
  return y;
}

/**
 * `1 / 2`, centred. The three parts are placed apart on purpose: Noto's space is so narrow that
 * text extraction (pdftotext, search in viewers) would otherwise read `1/2`.
 */
function drawPageNumber(pdf: Pdf, page: number, count: number): void {
  const size = 8;
  const gap = size * 0.5;
  const parts = [String(page), "/", String(count)];
  pdf.font(REGULAR).fontSize(size);
  const widths = parts.map((p) => pdf.widthOfString(p));
  let x = LEFT + (CONTENT_WIDTH - widths.reduce((a, w) => a + w, 0) - 2 * gap) / 2;
  for (const [i, part] of parts.entries()) {
    put(pdf, part, x, FOOTER_Y, { size });
    x += widths[i] + gap;
  }
}

function drawFooters(pdf: Pdf, doc: InvoiceDocument, wording: Wording): void {
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    // Writing below the bottom margin would make pdfkit open a new page.
    const bottomMargin = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    hline(pdf, LEFT, RIGHT, FOOTER_Y - 5, HAIRLINE, 0.5);
    put(pdf, `${wording.title} ${doc.number}`, LEFT, FOOTER_Y, { size: 7.5, color: MUTED });
    drawPageNumber(pdf, i - range.start + 1, range.count);
    put(pdf, doc.issuer.name, LEFT, FOOTER_Y, { size: 7.5, color: MUTED, align: "right", width: CONTENT_WIDTH });
    pdf.page.margins.bottom = bottomMargin;
  }
}

// ---------------------------------------------------------------------------------------------

/** Renders the invoice or credit note; throws when its figures are inconsistent or the registration number is missing. */
export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  checkDocument(doc);
  const wording = WORDING[doc.kind];
  const { pdf, done } = japaneseA4Document({
    margins: MARGIN,
    info: {
      Title: `${wording.title} ${doc.number}`,
      Author: doc.issuer.name,
      Subject: `${doc.recipient.name} ${formatBillingMonth(doc.billingMonth)}`,
      // The issue date, 00:00 JST: the bytes depend on the document only.
      CreationDate: new Date(`${doc.issueDate}T00:00:00+09:00`),
    },
  });

  const cols = columns(doc.kind);
  let y = drawFirstPageHeader(pdf, doc, wording);
  y = drawTableHeader(pdf, cols, y);

  const newPage = (withTableHeader: boolean) => {
    pdf.addPage();
    y = drawContinuationHeader(pdf, doc, wording);
    if (withTableHeader) y = drawTableHeader(pdf, cols, y);
  };

  for (const line of doc.lines) {
    const height = rowHeight(pdf, line, cols);
    if (y + height > BODY_BOTTOM) newPage(true);
    drawRow(pdf, line, cols, y, height);
    y += height;
  }
  hline(pdf, LEFT, RIGHT, y, INK, 0.9);

  // Totals and payment stay together, on the table's last page when they fit.
  const closingHeight = 10 + totalsHeight() + 12 + paymentAndNotesHeight(pdf, doc);
  if (y + closingHeight > BODY_BOTTOM) newPage(false);
  y = drawTotals(pdf, doc, wording, y + 10);
  drawPaymentAndNotes(pdf, doc, y + 12);

  drawFooters(pdf, doc, wording);
  pdf.end();
  return done;
}
