// S1-4⑤ monthly threat report: the figures of one contract and month, counted in SQL by the
// dashboard's own aggregation (dashboardFigures narrowed to the contract), so the report and the
// dashboard always agree; the stored PDFs (at most 99 per contract); and the monthly run that
// e-mails each active contract its report. No event row is read into JavaScript: every list
// below is either grouped or limited in SQL, so memory does not grow with the event count.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { renderThreatReportPdf, type ThreatReportData } from "../../reports/threat-report-pdf";
import {
  DETECTION_ACTION_LABELS,
  DETECTION_TYPE_LABELS,
  DETECTION_TYPES,
  dashboardFigures,
  gatewayOutagesInPeriod,
  type DashboardFigures,
} from "./dashboard.server";
import { INCIDENT_KIND_LABELS, INCIDENT_STATUS_LABELS, SEVERITY_LABELS } from "./incident-labels";
import {
  addDays,
  addMonths,
  firstDayOf,
  instantOf,
  isYearMonth,
  jstDate,
  jstInstant,
  lastDayOf,
  monthOf,
  type YearMonth,
} from "../lib/jst";
import { RETENTION_MONTHS, retentionStart } from "./retention";
import { queueMail } from "../mail/outbox.server";
import { customerInTenant, securityRecordInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { countOf, fetchPage } from "../lib/paging.server";
import type { ListSort, PageRequest } from "../lib/paging";
import { createdIso, recordWebhookEvent, webhookSubscribers } from "../webhooks/events.server";
import { formatDate, formatMonth } from "../lib/format";

/** S1-4⑤: stored reports kept per contract; making one more deletes the oldest. */
export const MAX_REPORTS_PER_CONTRACT = 99;
/** A device whose agent has not reported for this long before the period's end is "not seen". */
export const NOT_SEEN_DAYS = 7;
const LIST_LIMIT = 20;

/** A report that the terms do not allow (outside retention, future, unknown contract): the message is for people. */
export class ThreatReportRefused extends Error {}

/**
 * S1-4⑤: a report period cannot start before the retention window, nor after today. Returns the
 * Japanese reason, or null when the month may be reported.
 */
export function reportMonthProblem(month: string, now: Date): string | null {
  if (!isYearMonth(month)) return `対象月は YYYY-MM の形式で指定してください（「${month}」）。`;
  const start = retentionStart(now);
  if (firstDayOf(month) < start) {
    return (
      `${formatMonth(month)}のレポートは作成できません。ログの保存期間は${RETENTION_MONTHS}か月のため、` +
      `${formatDate(start)}より前に始まる期間は対象にできません。`
    );
  }
  if (firstDayOf(month) > jstDate(now))
    return `${formatMonth(month)}はまだ始まっていないため、レポートを作成できません。`;
  return null;
}

/** The earliest month that may be reported at `now` (the month picker's minimum). */
export function earliestReportMonth(now: Date): YearMonth {
  const start = retentionStart(now);
  const month = monthOf(start);
  return firstDayOf(month) < start ? addMonths(month, 1) : month;
}

export async function threatReportData(
  db: Kysely<Database>,
  params: { contractId: number; month: YearMonth; now: Date },
): Promise<ThreatReportData> {
  const { contractId, month, now } = params;
  const problem = reportMonthProblem(month, now);
  if (problem) throw new ThreatReportRefused(problem);
  const contract = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .leftJoin("resellers", "resellers.id", "customers.reseller_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.line_id",
      "contracts.status",
      "contracts.holder_first_day",
      "customers.id as customer_id",
      "customers.name as customer_name",
      "resellers.name as reseller_name",
    ])
    .where("contracts.id", "=", contractId)
    .executeTakeFirst();
  if (!contract) throw new ThreatReportRefused(`契約が見つかりません（ID ${contractId}）。`);
  const provider = await db.selectFrom("provider").select("name").executeTakeFirst();

  const today = jstDate(now);
  // The report is the current holder's: after a transfer it starts on the first whole day held (T-10).
  const held = contract.holder_first_day;
  const from = held !== null && held > firstDayOf(month) ? held : firstDayOf(month);
  const to = lastDayOf(month) < today ? lastDayOf(month) : today;
  if (from > to) {
    throw new ThreatReportRefused(
      `${formatMonth(month)}のレポートは作成できません。このご契約は譲渡により${formatDate(held!)}からのご契約のため、` +
        "それより前の期間は対象にできません（規約第10条）。",
    );
  }
  const tenant = { kind: "customer" as const, customerId: contract.customer_id };
  const startsAt = instantOf(jstInstant(from));
  const endsAt = instantOf(jstInstant(addDays(to, 1)));
  const measuredEnd = instantOf(now) < endsAt ? instantOf(now) : endsAt;

  const previousMonth = addMonths(month, -1);
  const previousInRetention =
    reportMonthProblem(previousMonth, now) === null &&
    (held === null || lastDayOf(previousMonth) >= held);
  const [
    figures,
    previous,
    outages,
    incidents,
    incidentCount,
    devicesByType,
    notSeen,
    notSeenCount,
  ] = await Promise.all([
    dashboardFigures(db, tenant, { from, to, now, contractId }),
    previousInRetention
      ? dashboardFigures(db, tenant, {
          from: firstDayOf(previousMonth),
          to: lastDayOf(previousMonth),
          now,
          contractId,
        })
      : Promise.resolve(null),
    gatewayOutagesInPeriod(db, { ...tenant, contractId }, startsAt, endsAt),
    db
      .selectFrom("incidents")
      .select(["id", "kind", "severity", "title", "status", "opened_at"])
      .where("contract_id", "=", contractId)
      .where("opened_at", ">=", startsAt)
      .where("opened_at", "<", endsAt)
      .orderBy("opened_at")
      .orderBy("id")
      .limit(LIST_LIMIT)
      .execute(),
    db
      .selectFrom("incidents")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("contract_id", "=", contractId)
      .where("opened_at", ">=", startsAt)
      .where("opened_at", "<", endsAt)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("devices")
      .select((eb) => ["device_type", eb.fn.countAll<number>().as("n")])
      .where("contract_id", "=", contractId)
      .groupBy("device_type")
      .orderBy("device_type")
      .execute(),
    notSeenDevices(db, contractId, measuredEnd)
      .select(["name", "device_type", "last_seen_at"])
      .orderBy("last_seen_at")
      .orderBy("name")
      .limit(LIST_LIMIT)
      .execute(),
    notSeenDevices(db, contractId, measuredEnd)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  const notifications =
    incidents.length === 0
      ? []
      : await db
          .selectFrom("notifications")
          .select(["incident_id", "channel", "planned_at", "sent_at", "result"])
          .where(
            "incident_id",
            "in",
            incidents.map((i) => i.id),
          )
          .orderBy("planned_at")
          .orderBy("id")
          .execute();

  const current = summarize(figures);
  const prev = previous ? summarize(previous) : null;
  const data: ThreatReportData = {
    providerName: provider?.name ?? "",
    resellerName: contract.reseller_name,
    customerName: contract.customer_name,
    contractRef: contract.ref,
    lineId: contract.line_id,
    month,
    from,
    to,
    generatedAt: now.toISOString(),
    detectionTotal: figures.detectionTotal,
    byType: current.byType,
    byAction: DETECTION_ACTIONS_ORDERED(figures),
    byDay: figures.detectionsByDay.map((d) => ({ day: d.day, total: d.total })),
    topThreats: figures.topThreats,
    topDevices: figures.topDevices.map((d) => ({ device: d.device, count: d.count })),
    previous:
      prev && previous
        ? {
            month: previousMonth,
            detectionTotal: previous.detectionTotal,
            failed: prev.failed,
            passed: prev.passed,
            ccCallbacks: prev.ccCallbacks,
            downtimeMinutes: previous.gateways.reduce((s, g) => s + g.downtimeMinutes, 0),
          }
        : null,
    failed: current.failed,
    passed: current.passed,
    ccCallbacks: current.ccCallbacks,
    incidentTotal: Number(incidentCount.n),
    incidents: incidents.map((i) => ({
      id: i.id,
      title: i.title,
      kind: INCIDENT_KIND_LABELS[i.kind] ?? i.kind,
      severity: SEVERITY_LABELS[i.severity] ?? i.severity,
      severityCode: i.severity,
      status: INCIDENT_STATUS_LABELS[i.status] ?? i.status,
      openedAt: i.opened_at,
      notifications: notifications
        .filter((n) => n.incident_id === i.id)
        .map((n) => ({
          channel: n.channel,
          plannedAt: n.planned_at,
          sentAt: n.sent_at,
          result: n.result,
        })),
    })),
    gateways: figures.gateways.map((g) => ({
      device: g.device,
      location: g.location,
      status: g.status,
      downtimeMinutes: g.downtimeMinutes,
      availabilityPercent: g.availabilityPercent,
    })),
    availabilityPercent: figures.availabilityPercent,
    outages: outages
      .map((o) => ({
        device: o.device_name,
        from: o.offline_at < startsAt ? startsAt : o.offline_at,
        to: o.online_at === null || o.online_at > measuredEnd ? null : o.online_at,
      }))
      .sort((a, b) => a.from.localeCompare(b.from) || a.device.localeCompare(b.device)),
    outdated: {
      newestAgent: figures.outdated.newestAgent,
      newestPattern: figures.outdated.newestPattern,
      count: figures.outdated.count,
      devices: figures.outdated.devices.slice(0, LIST_LIMIT).map((d) => ({
        device: d.device,
        agentVersion: d.agentVersion,
        patternVersion: d.patternVersion,
        agentOutdated: d.agentOutdated,
        patternOutdated: d.patternOutdated,
      })),
    },
    notSeen: {
      count: Number(notSeenCount.n),
      days: NOT_SEEN_DAYS,
      devices: notSeen.map((d) => ({
        device: d.name,
        deviceType: d.device_type,
        lastSeenAt: d.last_seen_at,
      })),
    },
    monitored: devicesByType.map((d) => ({ deviceType: d.device_type, count: Number(d.n) })),
    openIncidents: figures.openIncidents.total,
    rating: { grade: "A", label: "良好", reasons: [] },
    recommendations: [],
  };
  const assessed = assess(data);
  data.rating = assessed.rating;
  data.recommendations = assessed.recommendations;
  return data;
}

function DETECTION_ACTIONS_ORDERED(f: DashboardFigures) {
  return f.actions.map((a) => ({
    action: a.action,
    label: DETECTION_ACTION_LABELS[a.action],
    count: a.count,
  }));
}

function summarize(f: DashboardFigures) {
  const byType = DETECTION_TYPES.map((type) => ({
    type,
    label: DETECTION_TYPE_LABELS[type],
    count: f.detectionsByDay.reduce((s, d) => s + (d.counts[type] ?? 0), 0),
  }));
  const action = (a: string) => f.actions.find((x) => x.action === a)?.count ?? 0;
  return {
    byType,
    failed: action("failed"),
    passed: action("passed"),
    ccCallbacks: byType.find((t) => t.type === "cc_callback")!.count,
  };
}

/** Live devices of the contract whose agent has not reported within NOT_SEEN_DAYS before `at`. */
function notSeenDevices(db: Kysely<Database>, contractId: number, at: string) {
  const threshold = instantOf(new Date(Date.parse(at) - NOT_SEEN_DAYS * 86_400_000));
  return db
    .selectFrom("devices")
    .where("contract_id", "=", contractId)
    .where((eb) => eb.or([eb("last_seen_at", "is", null), eb("last_seen_at", "<", threshold)]));
}

/**
 * The overall rating and the recommendations, from the figures only (pure): D 要対応 when a threat
 * got through or may still be active (processing failed, C&C communication, open incident of high
 * severity), C 注意 when protection is weakened (detection-only passes, outdated agents or
 * patterns, devices not seen, gateway downtime), B 良好 when everything detected was handled,
 * A 良好 when nothing was detected and nothing is weakened.
 */
export function assess(d: ThreatReportData): Pick<ThreatReportData, "rating" | "recommendations"> {
  const severe: string[] = [];
  const caution: string[] = [];
  const recommendations: string[] = [];
  if (d.failed > 0) {
    severe.push(`ウイルス等の駆除・隔離に失敗した検知が${d.failed}件あります。`);
    recommendations.push(
      "駆除・隔離に失敗した端末をネットワークから切り離し、フルスキャンを実施してください。解決しない場合はリモートサポート（S1-4②③）をご利用ください。",
    );
  }
  if (d.ccCallbacks > 0) {
    severe.push(`C&Cサーバーへの通信が${d.ccCallbacks}件検知されました。`);
    recommendations.push(
      "C&C通信を行った端末はマルウェアに感染している可能性があります。該当端末の利用を止め、調査を依頼してください。",
    );
  }
  const highOpen = d.incidents.filter(
    (i) =>
      (i.severityCode === "critical" || i.severityCode === "high") &&
      i.status !== INCIDENT_STATUS_LABELS.resolved,
  );
  if (highOpen.length > 0) {
    severe.push(`重要度の高い未解決のインシデントが${highOpen.length}件あります。`);
    recommendations.push(
      "未解決のインシデントをコンソールの「インシデント」画面で確認し、対応を完了してください。",
    );
  }
  if (d.passed > 0) {
    caution.push(`検知のみで通過した通信・メールが${d.passed}件あります。`);
    recommendations.push(
      "通過（検知のみ）となった項目のポリシーを見直し、ブロックに変更することをご検討ください。",
    );
  }
  const downtime = d.gateways.reduce((s, g) => s + g.downtimeMinutes, 0);
  if (downtime > 0) {
    caution.push(`ゲートウェイが合計${downtime}分オフラインでした。`);
    recommendations.push(
      "ゲートウェイの電源・配線・設置場所を確認してください。停止が繰り返される場合は故障対応（S1-4④）をご依頼ください。",
    );
  }
  if (d.outdated.count > 0) {
    caution.push(
      `エージェントまたはパターンファイルが最新でない端末が${d.outdated.count}台あります。`,
    );
    recommendations.push(
      `最新でない端末（${d.outdated.devices
        .slice(0, 3)
        .map((x) => x.device)
        .join(
          "、",
        )}${d.outdated.count > 3 ? " ほか" : ""}）をネットワークに接続し、アップデートを適用してください。`,
    );
  }
  if (d.notSeen.count > 0) {
    caution.push(`${d.notSeen.days}日以上通信のない端末が${d.notSeen.count}台あります。`);
    recommendations.push(
      "通信のない端末が使用中か確認し、使用していない端末は管理対象から外すようご連絡ください。",
    );
  }
  if (d.previous && d.detectionTotal > d.previous.detectionTotal * 2 && d.detectionTotal >= 10) {
    caution.push(`検知件数が前月（${d.previous.detectionTotal}件）の2倍を超えました。`);
    recommendations.push(
      "検知が増えた種別と端末を下の表で確認し、利用者へ不審なメールやサイトへの注意を呼びかけてください。",
    );
  }
  if (recommendations.length === 0) {
    recommendations.push(
      "現在の設定で保護が機能しています。引き続きOSとアプリケーションの更新を定期的に行ってください。",
    );
  }
  if (severe.length > 0)
    return {
      rating: { grade: "D", label: "要対応", reasons: [...severe, ...caution] },
      recommendations,
    };
  if (caution.length > 0)
    return { rating: { grade: "C", label: "注意", reasons: caution }, recommendations };
  if (d.detectionTotal > 0) {
    return {
      rating: {
        grade: "B",
        label: "良好",
        reasons: [`検知された${d.detectionTotal}件はすべてブロック・隔離・駆除されました。`],
      },
      recommendations,
    };
  }
  return {
    rating: {
      grade: "A",
      label: "良好",
      reasons: ["対象期間中に脅威の検知はなく、保護の低下も見られませんでした。"],
    },
    recommendations,
  };
}

// ---------------------------------------------------------------------------------------------
// Storage (S1-4⑤: at most 99 per contract)

export type ThreatReportKind = "monthly" | "on_demand";

/**
 * Stores a report; when the contract then has more than 99, the oldest are deleted in the same
 * transaction. A monthly report already stored for the month is kept and its id returned
 * (created: false): the monthly run never makes a duplicate.
 */
export async function storeThreatReport(
  trx: Transaction<Database>,
  report: { contractId: number; month: YearMonth; kind: ThreatReportKind; pdf: Buffer; at: Date },
): Promise<{ id: number; created: boolean }> {
  if (report.kind === "monthly") {
    const existing = await trx
      .selectFrom("threat_reports")
      .select("id")
      .where("contract_id", "=", report.contractId)
      .where("period_month", "=", report.month)
      .where("kind", "=", "monthly")
      .executeTakeFirst();
    if (existing) return { id: existing.id, created: false };
  }
  const { id } = await trx
    .insertInto("threat_reports")
    .values({
      contract_id: report.contractId,
      period_month: report.month,
      kind: report.kind,
      pdf: report.pdf,
      created_at: instantOf(report.at),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const keep = trx
    .selectFrom("threat_reports")
    .select("id")
    .where("contract_id", "=", report.contractId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(MAX_REPORTS_PER_CONTRACT);
  await trx
    .deleteFrom("threat_reports")
    .where("contract_id", "=", report.contractId)
    .where("id", "not in", keep)
    .execute();
  if ((await webhookSubscribers(trx, "report.ready")).length > 0) {
    const c = await trx
      .selectFrom("contracts")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select(["contracts.ref", "customers.id as customer_id", "customers.ref as customer_ref"])
      .where("contracts.id", "=", report.contractId)
      .executeTakeFirstOrThrow();
    await recordWebhookEvent(
      trx,
      "report.ready",
      {
        customerId: c.customer_id,
        data: {
          report: {
            id,
            contract: c.ref,
            customer: c.customer_ref,
            month: report.month,
            kind: report.kind,
            createdAt: createdIso(report.at),
          },
        },
      },
      report.at,
    );
  }
  return { id, created: true };
}

/** Renders and stores one report (the CLI and the on-demand form). */
export async function createThreatReport(
  db: Kysely<Database>,
  params: { contractId: number; month: YearMonth; kind: ThreatReportKind; at: Date },
): Promise<{ id: number; pdf: Buffer; created: boolean }> {
  const data = await threatReportData(db, {
    contractId: params.contractId,
    month: params.month,
    now: params.at,
  });
  const pdf = await renderThreatReportPdf(data);
  const stored = await db.transaction().execute((trx) =>
    storeThreatReport(trx, {
      contractId: params.contractId,
      month: params.month,
      kind: params.kind,
      pdf,
      at: params.at,
    }),
  );
  return { ...stored, pdf };
}

export function reportFileName(contractRef: string, month: YearMonth): string {
  return `脅威レポート_${contractRef}_${month}.pdf`;
}

export interface MonthlyRunSummary {
  generated: number;
  skipped: number;
  failed: Array<{ contractRef: string; message: string }>;
}

/**
 * S1-4⑤: the monthly report of every active contract for `month`, each stored and queued as an
 * e-mail attachment to the contract's administrator in one transaction. Idempotent: a contract
 * whose monthly report exists is skipped, and the mail's ref `report:<contract>:<month>` is
 * queued at most once.
 */
export async function generateMonthlyReports(
  db: Kysely<Database>,
  month: YearMonth,
  at: Date,
  options: { onProgress?: (done: number, total: number) => Promise<void> } = {},
): Promise<MonthlyRunSummary> {
  const problem = reportMonthProblem(month, at);
  if (problem) throw new ThreatReportRefused(problem);
  const contracts = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.admin_email",
      "customers.name as customer_name",
    ])
    .where("contracts.status", "=", "active")
    .where("contracts.service_start", "<=", lastDayOf(month))
    // A contract transferred after the month has nothing of its new holder's to report for it.
    .where((eb) =>
      eb.or([
        eb("contracts.holder_first_day", "is", null),
        eb("contracts.holder_first_day", "<=", lastDayOf(month)),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom("threat_reports as r")
            .select("r.id")
            .whereRef("r.contract_id", "=", "contracts.id")
            .where("r.period_month", "=", month)
            .where("r.kind", "=", "monthly"),
        ),
      ),
    )
    .orderBy("contracts.ref")
    .execute();
  const summary: MonthlyRunSummary = { generated: 0, skipped: 0, failed: [] };
  for (const [index, c] of contracts.entries()) {
    // Before each contract: the job worker's progress and its chance to stop between reports.
    await options.onProgress?.(index, contracts.length);
    try {
      const data = await threatReportData(db, { contractId: c.id, month, now: at });
      const pdf = await renderThreatReportPdf(data);
      const created = await db.transaction().execute(async (trx) => {
        const stored = await storeThreatReport(trx, {
          contractId: c.id,
          month,
          kind: "monthly",
          pdf,
          at,
        });
        if (!stored.created) return false;
        await queueMail(
          trx,
          {
            kind: "threat_report",
            ref: `report:${c.ref}:${month}`,
            to: c.admin_email,
            subject: `【月次脅威レポート】${formatMonth(month)}分（契約 ${c.ref}）`,
            text:
              `${c.customer_name}\nご担当者さま\n\n${formatMonth(month)}の脅威レポートをお送りします（総合評価：${data.rating.grade}「${data.rating.label}」、検知 ${data.detectionTotal}件）。\n` +
              `添付のPDFをご確認ください。過去のレポートはコンソールの「月次レポート」からもダウンロードできます。\n`,
            attachment: { name: reportFileName(c.ref, month), content: pdf },
          },
          at,
        );
        return true;
      });
      if (created) summary.generated++;
      else summary.skipped++;
    } catch (error) {
      summary.failed.push({
        contractRef: c.ref,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  await options.onProgress?.(contracts.length, contracts.length);
  return summary;
}

/** The month before the JST month of `at` (what the monthly run reports). */
export function lastMonth(at: Date): YearMonth {
  return addMonths(monthOf(jstDate(at)), -1);
}

// ---------------------------------------------------------------------------------------------
// Console (tenant-scoped)

export const THREAT_REPORT_SORT: ListSort<"created"> = {
  columns: { created: "desc" },
  default: "created",
};

/** One page of the tenant's threat reports, newest first, with the count of all of them (issue 17 item 2: it stopped at 300). */
export async function pageThreatReports(
  db: Kysely<Database>,
  tenant: Tenant,
  request: PageRequest<"created">,
) {
  const scoped = () =>
    db
      .selectFrom("threat_reports")
      .innerJoin("contracts", "contracts.id", "threat_reports.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .where(securityRecordInTenant(tenant, "threat_reports.created_at"));
  const { rows, page } = await fetchPage(
    request,
    () => countOf(scoped()),
    (w) =>
      scoped()
        .select([
          "threat_reports.id",
          "threat_reports.period_month",
          "threat_reports.kind",
          "threat_reports.created_at",
          "contracts.ref as contract_ref",
          "customers.name as customer_name",
        ])
        .orderBy("threat_reports.created_at", w.dir)
        .orderBy("threat_reports.id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { reports: rows, page };
}

export async function getThreatReportPdf(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
) {
  return db
    .selectFrom("threat_reports")
    .innerJoin("contracts", "contracts.id", "threat_reports.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["threat_reports.pdf", "threat_reports.period_month", "contracts.ref as contract_ref"])
    .where("threat_reports.id", "=", params.id)
    .where(securityRecordInTenant(params.tenant, "threat_reports.created_at"))
    .executeTakeFirst();
}

/** The tenant's contracts a report may be made for (the on-demand form). */
export async function reportableContracts(db: Kysely<Database>, tenant: Tenant) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["contracts.id", "contracts.ref", "customers.name as customer_name"])
    .where("contracts.status", "<>", "terminated")
    .where(customerInTenant(tenant))
    .orderBy("contracts.ref")
    .execute();
}

export async function contractInTenant(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant },
) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select(["contracts.id", "contracts.ref"])
    .where("contracts.id", "=", params.id)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
}
