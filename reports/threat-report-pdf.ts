// S1-4⑤ monthly threat report as an A4 PDF: cover with the overall rating and its reasons, key
// figures against the previous month, detections by type and by action (tables and vector bar
// charts), the daily trend, top threats and devices, incidents with their notification times,
// gateway availability, endpoint hygiene, recommendations and a glossary. Japanese throughout.
//
// Pure presentation: plain values in, PDF bytes out; the document date is the report's
// generation time given in the data, never the clock, so the same data gives the same bytes.
import { BOLD, japaneseA4Document, REGULAR } from "./pdf-document";
import { formatBillingMonth, formatCount, formatDate, formatInstant, formatMonth } from "../app/lib/format";

export interface ThreatReportData {
  providerName: string;
  resellerName: string | null;
  customerName: string;
  contractRef: string;
  lineId: string;
  /** YYYY-MM */
  month: string;
  /** First and last JST day measured (the last is today for a month still running). */
  from: string;
  to: string;
  /** ISO instant the report was made. */
  generatedAt: string;
  detectionTotal: number;
  byType: Array<{ type: string; label: string; count: number }>;
  byAction: Array<{ action: string; label: string; count: number }>;
  byDay: Array<{ day: string; total: number }>;
  topThreats: Array<{ threat: string; count: number }>;
  topDevices: Array<{ device: string; count: number }>;
  previous: { month: string; detectionTotal: number; failed: number; passed: number; ccCallbacks: number; downtimeMinutes: number } | null;
  failed: number;
  passed: number;
  ccCallbacks: number;
  incidentTotal: number;
  incidents: Array<{
    id: number; title: string; kind: string; severity: string; severityCode: string; status: string; openedAt: string;
    notifications: Array<{ channel: "email" | "phone"; plannedAt: string; sentAt: string | null; result: string | null }>;
  }>;
  gateways: Array<{ device: string; location: string; status: "online" | "offline"; downtimeMinutes: number; availabilityPercent: number }>;
  availabilityPercent: number | null;
  outages: Array<{ device: string; from: string; to: string | null }>;
  outdated: {
    newestAgent: string | null; newestPattern: string | null; count: number;
    devices: Array<{ device: string; agentVersion: string | null; patternVersion: string | null; agentOutdated: boolean; patternOutdated: boolean }>;
  };
  notSeen: { count: number; days: number; devices: Array<{ device: string; deviceType: string; lastSeenAt: string | null }> };
  monitored: Array<{ deviceType: string; count: number }>;
  openIncidents: number;
  rating: { grade: "A" | "B" | "C" | "D"; label: string; reasons: string[] };
  recommendations: string[];
}

// ---------------------------------------------------------------------------------------------
// Wording

const DEVICE_TYPES: Record<string, string> = { pc: "PC", server: "サーバー", gateway: "ゲートウェイ", smartphone: "スマートフォン", tablet: "タブレット" };

function n(value: number): string {
  return formatCount(value);
}

function delta(now: number, before: number | undefined | null): string {
  if (before === undefined || before === null) return "—";
  const d = now - before;
  return d === 0 ? "±0" : d > 0 ? `+${n(d)}` : `−${n(-d)}`;
}

function minutesJa(minutes: number): string {
  if (minutes < 60) return `${minutes}分`;
  return `${Math.floor(minutes / 60)}時間${minutes % 60 ? `${minutes % 60}分` : ""}`;
}

const GLOSSARY: [string, string][] = [
  ["C&C通信", "マルウェアが攻撃者の指令サーバー（C&Cサーバー）と行う通信。感染の強い兆候です。"],
  ["隔離・駆除", "隔離は不正なファイルを安全な領域へ移すこと、駆除はファイルから不正な部分を取り除くことです。"],
  ["処理失敗", "検知したものの隔離・駆除ができなかった状態。端末の点検が必要です（S1-4①で通知）。"],
  ["通過（検知のみ）", "ポリシーにより遮断せず記録だけを行った検知です。"],
  ["パターンファイル", "ウイルス等を見分けるための定義ファイル。古いと新しい脅威を検知できません。"],
  ["稼働率", "対象期間のうちゲートウェイがオフラインでなかった時間の割合（小数第2位未満切り捨て）。"],
  ["インシデント", "お客さまのシステム管理者へ通知する事象（C&C通信、ゲートウェイの一定時間のオフライン、駆除・隔離の失敗）。"],
];

// ---------------------------------------------------------------------------------------------
// Geometry and drawing

const MM = 72 / 25.4;
const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { top: 15 * MM, bottom: 20 * MM, left: 18 * MM, right: 18 * MM };
const LEFT = MARGIN.left;
const RIGHT = PAGE.width - MARGIN.right;
const WIDTH = RIGHT - LEFT;
const BODY_BOTTOM = PAGE.height - MARGIN.bottom;
const FOOTER_Y = PAGE.height - 12 * MM;

const INK = "#1a1a1a";
const MUTED = "#555555";
const HAIRLINE = "#d0d0d0";
const FILL = "#eceff3";
const ACCENT = "#1f5fa8";
const GRADE_COLORS: Record<ThreatReportData["rating"]["grade"], string> = { A: "#2e7d32", B: "#558b2f", C: "#c77700", D: "#c62828" };


type Pdf = PDFKit.PDFDocument;

class Writer {
  y = MARGIN.top;
  constructor(readonly pdf: Pdf, readonly data: ThreatReportData) {}

  text(text: string, x: number, y: number, o: { font?: string; size?: number; color?: string; width?: number; align?: "left" | "right" | "center" } = {}): void {
    const size = o.size ?? 9;
    this.pdf.font(o.font ?? REGULAR).fontSize(size).fillColor(o.color ?? INK);
    if (o.width !== undefined && o.align && o.align !== "left") {
      const w = this.pdf.widthOfString(text);
      const left = o.align === "right" ? x + o.width - w : x + (o.width - w) / 2;
      this.pdf.text(text, left, y, { lineBreak: false });
    } else {
      this.pdf.text(text, x, y, { lineBreak: false });
    }
  }

  /** Wrapped paragraph at the cursor; returns nothing, moves the cursor. */
  para(text: string, o: { size?: number; color?: string; indent?: number; font?: string } = {}): void {
    const size = o.size ?? 9;
    const width = WIDTH - (o.indent ?? 0);
    this.pdf.font(o.font ?? REGULAR).fontSize(size);
    const h = this.pdf.heightOfString(text, { width });
    this.ensure(h + 2);
    this.pdf.fillColor(o.color ?? INK).text(text, LEFT + (o.indent ?? 0), this.y, { width });
    this.y += h + 2;
  }

  ensure(height: number): void {
    if (this.y + height > BODY_BOTTOM) this.newPage();
  }

  newPage(): void {
    this.pdf.addPage();
    this.text(`脅威レポート ${formatMonth(this.data.month)}`, LEFT, MARGIN.top, { font: BOLD, size: 10 });
    this.text(`${this.data.customerName}　契約番号 ${this.data.contractRef}`, LEFT, MARGIN.top + 1, { size: 8, color: MUTED, width: WIDTH, align: "right" });
    this.line(LEFT, RIGHT, MARGIN.top + 17, INK, 0.8);
    this.y = MARGIN.top + 26;
  }

  line(x1: number, x2: number, y: number, color = HAIRLINE, width = 0.5): void {
    this.pdf.save().moveTo(x1, y).lineTo(x2, y).lineWidth(width).strokeColor(color).stroke().restore();
  }

  rect(x: number, y: number, w: number, h: number, fill: string): void {
    this.pdf.save().rect(x, y, w, h).fill(fill).restore();
  }

  heading(title: string, minFollowing = 60): void {
    this.ensure(24 + minFollowing);
    this.y += 6;
    this.rect(LEFT, this.y, 3, 14, ACCENT);
    this.text(title, LEFT + 8, this.y - 1, { font: BOLD, size: 11.5 });
    this.y += 20;
  }

  /** A simple table: header row shaded, hairlines between rows; widths in points. */
  table(headers: string[], widths: number[], rows: string[][], align: Array<"left" | "right" | "center"> = []): void {
    const rowH = 15;
    const drawHeader = () => {
      this.rect(LEFT, this.y, WIDTH, rowH, FILL);
      let x = LEFT;
      headers.forEach((h, i) => { this.text(h, x + 4, this.y + 2.5, { font: BOLD, size: 8, width: widths[i] - 8, align: align[i] ?? "left" }); x += widths[i]; });
      this.y += rowH;
    };
    this.ensure(rowH * 2);
    drawHeader();
    for (const row of rows) {
      if (this.y + rowH > BODY_BOTTOM) { this.newPage(); drawHeader(); }
      let x = LEFT;
      row.forEach((cell, i) => { this.text(cell, x + 4, this.y + 2.5, { size: 8, width: widths[i] - 8, align: align[i] ?? "left" }); x += widths[i]; });
      this.y += rowH;
      this.line(LEFT, RIGHT, this.y);
    }
    this.y += 6;
  }

  /** Horizontal bars, one per item, scaled to the largest value; vector rects. */
  bars(items: Array<{ label: string; value: number }>, color = ACCENT): void {
    const barH = 10;
    const labelW = 120;
    const valueW = 50;
    const max = Math.max(1, ...items.map((i) => i.value));
    const span = WIDTH - labelW - valueW;
    this.ensure(items.length * (barH + 4) + 4);
    for (const item of items) {
      this.text(item.label, LEFT, this.y - 1, { size: 8 });
      this.rect(LEFT + labelW, this.y, span, barH, "#f4f5f7");
      if (item.value > 0) this.rect(LEFT + labelW, this.y, Math.max(1, (span * item.value) / max), barH, color);
      this.text(n(item.value), LEFT + labelW + span, this.y - 1, { size: 8, width: valueW, align: "right" });
      this.y += barH + 4;
    }
    this.y += 4;
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

function cover(w: Writer): void {
  const d = w.data;
  w.rect(LEFT, w.y, WIDTH, 4, ACCENT);
  w.y += 14;
  w.text("月次 脅威レポート", LEFT, w.y, { font: BOLD, size: 22 });
  w.text(formatBillingMonth(d.month), LEFT, w.y + 6, { font: BOLD, size: 14, width: WIDTH, align: "right" });
  w.y += 40;
  const facts: [string, string][] = [
    ["お客さま", `${d.customerName}　御中`],
    ["契約番号 / 回線ID", `${d.contractRef}　/　${d.lineId}`],
    ["対象期間", `${formatDate(d.from)} 〜 ${formatDate(d.to)}（日本時間）`],
    ["作成日時", formatInstant(d.generatedAt)],
    ["提供事業者", d.providerName],
    ["販売店", d.resellerName ?? "—"],
  ];
  for (const [label, value] of facts) {
    w.rect(LEFT, w.y, 110, 17, FILL);
    w.text(label, LEFT + 6, w.y + 3, { size: 9 });
    w.text(value, LEFT + 118, w.y + 3, { font: label === "お客さま" ? BOLD : REGULAR, size: 9.5 });
    w.line(LEFT, RIGHT, w.y + 17);
    w.y += 18;
  }
  w.y += 12;

  // Overall rating: a coloured grade box and the reasons beside it.
  const grade = d.rating.grade;
  const boxH = 74;
  w.ensure(boxH + 10);
  w.rect(LEFT, w.y, 86, boxH, GRADE_COLORS[grade]);
  w.text("総合評価", LEFT, w.y + 6, { font: BOLD, size: 9, color: "#ffffff", width: 86, align: "center" });
  w.text(grade, LEFT, w.y + 16, { font: BOLD, size: 30, color: "#ffffff", width: 86, align: "center" });
  w.text(d.rating.label, LEFT, w.y + 55, { font: BOLD, size: 10, color: "#ffffff", width: 86, align: "center" });
  const top = w.y;
  w.pdf.font(REGULAR).fontSize(9).fillColor(INK);
  let ry = top + 4;
  w.text("評価の理由", LEFT + 98, ry, { font: BOLD, size: 9.5 });
  ry += 16;
  for (const reason of d.rating.reasons) {
    w.pdf.font(REGULAR).fontSize(9).fillColor(INK).text(`・${reason}`, LEFT + 98, ry, { width: WIDTH - 98 });
    ry += w.pdf.heightOfString(`・${reason}`, { width: WIDTH - 98 }) + 1;
  }
  w.y = Math.max(top + boxH, ry) + 10;
}

function keyFigures(w: Writer): void {
  const d = w.data;
  const p = d.previous;
  w.heading("主要指標（前月比）");
  const down = d.gateways.reduce((s, g) => s + g.downtimeMinutes, 0);
  w.table(
    ["指標", "当月", p ? `前月（${formatMonth(p.month)}）` : "前月", "増減"],
    [WIDTH - 270, 90, 100, 80],
    [
      ["脅威の検知件数", `${n(d.detectionTotal)}件`, p ? `${n(p.detectionTotal)}件` : "保存期間外", delta(d.detectionTotal, p?.detectionTotal)],
      ["駆除・隔離の失敗", `${n(d.failed)}件`, p ? `${n(p.failed)}件` : "—", delta(d.failed, p?.failed)],
      ["通過（検知のみ）", `${n(d.passed)}件`, p ? `${n(p.passed)}件` : "—", delta(d.passed, p?.passed)],
      ["C&C通信", `${n(d.ccCallbacks)}件`, p ? `${n(p.ccCallbacks)}件` : "—", delta(d.ccCallbacks, p?.ccCallbacks)],
      ["ゲートウェイ停止時間", minutesJa(down), p ? minutesJa(p.downtimeMinutes) : "—", p ? `${delta(down, p.downtimeMinutes)}分` : "—"],
      ["インシデント（当月発生）", `${n(d.incidentTotal)}件`, "—", "—"],
      ["ゲートウェイ稼働率", d.availabilityPercent === null ? "ゲートウェイなし" : `${d.availabilityPercent.toFixed(2)}%`, "—", "—"],
    ],
    ["left", "right", "right", "right"],
  );
}

function nothingFound(w: Writer): void {
  const d = w.data;
  const devices = d.monitored.reduce((s, m) => s + m.count, 0);
  const detail = d.monitored.map((m) => `${DEVICE_TYPES[m.deviceType] ?? m.deviceType} ${m.count}台`).join("、");
  w.heading("検知結果", 40);
  w.rect(LEFT, w.y, WIDTH, 2, GRADE_COLORS.A);
  w.y += 8;
  w.para(`対象期間（${formatDate(d.from)}〜${formatDate(d.to)}）に脅威は検知されませんでした。`, { font: BOLD, size: 11 });
  w.para(
    `監視対象：${devices}台${detail ? `（${detail}）` : ""}。ウイルス、ネットワークウイルス、スパイウェア、グレーウェア、` +
    "迷惑メール、フィッシング、C&C通信、Webブロック、アプリケーション制御、不正侵入、サンドボックスの各項目を監視し、" +
    "いずれの検知もありませんでした。",
  );
}

function detections(w: Writer): void {
  const d = w.data;
  w.heading("種類別の検知件数", 120);
  const types = d.byType.filter((t) => t.count > 0);
  w.table(["種類", "件数", "割合"], [WIDTH - 160, 80, 80],
    [...types.map((t) => [t.label, n(t.count), `${((t.count / d.detectionTotal) * 100).toFixed(1)}%`]), ["合計", n(d.detectionTotal), "100.0%"]],
    ["left", "right", "right"]);
  w.bars(types.map((t) => ({ label: t.label, value: t.count })));

  w.heading("処理結果別の件数", 100);
  w.table(["処理結果", "件数"], [WIDTH - 80, 80], d.byAction.map((a) => [a.label, n(a.count)]), ["left", "right"]);
  w.bars(d.byAction.map((a) => ({ label: a.label, value: a.count })), "#4a7fb5");

  w.heading("日別の推移", 150);
  trend(w);

  w.heading("検知の多い脅威（上位10件）", 60);
  w.table(["順位", "脅威名", "件数"], [40, WIDTH - 120, 80], d.topThreats.map((t, i) => [String(i + 1), t.threat, n(t.count)]), ["center", "left", "right"]);
  if (d.topThreats.length === 0) w.para("脅威名のある検知はありませんでした。", { color: MUTED });

  w.heading("検知の多い端末（上位10台）", 60);
  w.table(["順位", "端末", "件数"], [40, WIDTH - 120, 80], d.topDevices.map((t, i) => [String(i + 1), t.device, n(t.count)]), ["center", "left", "right"]);
}

/** Daily detections as vector bars with a y axis; every 5th day labelled. */
function trend(w: Writer): void {
  const days = w.data.byDay;
  const chartH = 110;
  const axisW = 30;
  w.ensure(chartH + 30);
  const top = w.y;
  const max = Math.max(1, ...days.map((d) => d.total));
  const step = Math.max(1, Math.ceil(max / 4));
  const scaleMax = step * 4;
  const x0 = LEFT + axisW;
  const span = WIDTH - axisW;
  for (let i = 0; i <= 4; i++) {
    const y = top + chartH - (chartH * i) / 4;
    w.line(x0, RIGHT, y, i === 0 ? INK : HAIRLINE, i === 0 ? 0.8 : 0.4);
    w.text(n(step * i), LEFT, y - 6, { size: 7, color: MUTED, width: axisW - 4, align: "right" });
  }
  const slot = span / Math.max(1, days.length);
  days.forEach((d, i) => {
    const h = (chartH * d.total) / scaleMax;
    if (h > 0) w.rect(x0 + i * slot + slot * 0.15, top + chartH - h, slot * 0.7, h, ACCENT);
    if (i === 0 || (i + 1) % 5 === 0) w.text(String(Number(d.day.slice(8, 10))), x0 + i * slot, top + chartH + 3, { size: 7, color: MUTED, width: slot, align: "center" });
  });
  w.text("（日）", RIGHT - 20, top + chartH + 12, { size: 7, color: MUTED });
  w.y = top + chartH + 20;
}

function incidents(w: Writer): void {
  const d = w.data;
  w.heading("インシデントと通知の記録（S1-4①）", 50);
  if (d.incidentTotal === 0) {
    w.para("対象期間に発生したインシデントはありませんでした。");
    return;
  }
  w.para(`対象期間に${n(d.incidentTotal)}件のインシデントが発生しました${d.incidentTotal > d.incidents.length ? `（先頭${d.incidents.length}件を掲載）` : ""}。電話連絡は09:00〜21:00（12/29〜1/3を除く）に行います。`, { size: 8.5, color: MUTED });
  const rows = d.incidents.map((i) => {
    const email = i.notifications.find((x) => x.channel === "email");
    const phone = i.notifications.find((x) => x.channel === "phone");
    return [formatInstant(i.openedAt), i.kind, i.severity, i.status,
      email ? formatInstant(email.sentAt ?? email.plannedAt) + (email.sentAt ? "" : "予定") : "—",
      phone ? formatInstant(phone.sentAt ?? phone.plannedAt) + (phone.sentAt ? "" : "予定") : "—"];
  });
  w.table(["発生", "種別", "重要度", "状態", "メール通知", "電話連絡"], [78, WIDTH - 78 - 40 - 48 - 90 - 90, 40, 48, 90, 90], rows);
}

function gateways(w: Writer): void {
  const d = w.data;
  w.heading("ゲートウェイの稼働状況", 50);
  if (d.gateways.length === 0) {
    w.para("この契約にはゲートウェイがありません。");
    return;
  }
  w.table(["ゲートウェイ", "設置場所", "現在の状態", "停止時間", "稼働率"], [90, WIDTH - 90 - 70 - 80 - 70, 70, 80, 70],
    d.gateways.map((g) => [g.device, g.location, g.status === "online" ? "オンライン" : "オフライン", minutesJa(g.downtimeMinutes), `${g.availabilityPercent.toFixed(2)}%`]),
    ["left", "left", "center", "right", "right"]);
  if (d.outages.length === 0) {
    w.para("対象期間にオフラインの期間はありませんでした。");
  } else {
    w.table(["ゲートウェイ", "オフライン開始", "復旧"], [120, (WIDTH - 120) / 2, (WIDTH - 120) / 2],
      d.outages.map((o) => [o.device, formatInstant(o.from), o.to ? formatInstant(o.to) : "期間末まで継続"]));
  }
}

function hygiene(w: Writer): void {
  const d = w.data;
  w.heading("端末の状態（エージェント・パターンファイル）", 50);
  w.para(`最新のエージェント：${d.outdated.newestAgent ?? "—"}　最新のパターンファイル：${d.outdated.newestPattern ?? "—"}`, { size: 8.5 });
  if (d.outdated.count === 0) {
    w.para("すべての端末が最新のエージェントとパターンファイルで稼働しています。");
  } else {
    w.para(`最新でない端末：${n(d.outdated.count)}台`, { font: BOLD });
    w.table(["端末", "エージェント", "パターンファイル"], [WIDTH - 240, 120, 120],
      d.outdated.devices.map((x) => [x.device, `${x.agentVersion ?? "—"}${x.agentOutdated ? "（古い）" : ""}`, `${x.patternVersion ?? "—"}${x.patternOutdated ? "（古い）" : ""}`]));
  }
  if (d.notSeen.count === 0) {
    w.para(`${d.notSeen.days}日以上通信のない端末はありません。`);
  } else {
    w.para(`${d.notSeen.days}日以上通信のない端末：${n(d.notSeen.count)}台`, { font: BOLD });
    w.table(["端末", "種類", "最終通信"], [WIDTH - 220, 100, 120],
      d.notSeen.devices.map((x) => [x.device, DEVICE_TYPES[x.deviceType] ?? x.deviceType, formatInstant(x.lastSeenAt)]));
  }
}

function recommendations(w: Writer): void {
  w.heading("推奨する対応", 40);
  w.data.recommendations.forEach((r, i) => w.para(`${i + 1}. ${r}`, { indent: 4 }));
}

function glossary(w: Writer): void {
  w.heading("用語集", 60);
  for (const [term, meaning] of GLOSSARY) w.para(`${term}：${meaning}`, { size: 8, color: MUTED, indent: 4 });
}

function footers(w: Writer): void {
  const pdf = w.pdf;
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const bottom = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    w.line(LEFT, RIGHT, FOOTER_Y - 5);
    w.text(`脅威レポート ${w.data.contractRef} ${formatMonth(w.data.month)}`, LEFT, FOOTER_Y, { size: 7.5, color: MUTED });
    // Parts placed apart so that text extraction reads `1 / 3`, not `1/3` (as on the invoice).
    const parts = [String(i - range.start + 1), "/", String(range.count)];
    pdf.font(REGULAR).fontSize(8);
    const widths = parts.map((p) => pdf.widthOfString(p));
    let x = LEFT + (WIDTH - widths.reduce((a, b) => a + b, 0) - 8) / 2;
    parts.forEach((p, j) => { w.text(p, x, FOOTER_Y, { size: 8 }); x += widths[j] + 4; });
    w.text(w.data.providerName, LEFT, FOOTER_Y, { size: 7.5, color: MUTED, width: WIDTH, align: "right" });
    pdf.page.margins.bottom = bottom;
  }
}

// ---------------------------------------------------------------------------------------------

export async function renderThreatReportPdf(data: ThreatReportData): Promise<Buffer> {
  const { pdf, done } = japaneseA4Document({
    margins: MARGIN,
    info: {
      Title: `脅威レポート ${data.contractRef} ${formatMonth(data.month)}`,
      Author: data.providerName,
      Subject: `${data.customerName} ${formatMonth(data.month)}`,
      CreationDate: new Date(data.generatedAt),
    },
  });

  const w = new Writer(pdf, data);
  cover(w);
  keyFigures(w);
  if (data.detectionTotal === 0) nothingFound(w);
  else detections(w);
  incidents(w);
  gateways(w);
  hygiene(w);
  recommendations(w);
  glossary(w);
  footers(w);
  pdf.end();
  return done;
}
