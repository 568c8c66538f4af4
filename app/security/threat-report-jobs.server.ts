// S1-4⑤ monthly threat reports as a job of the job worker (issue 18 item 4): the scheduler on the
// 1st, or the provider's staff on the batch page, queue one job per month; the worker makes and
// mails each active contract's report (generateMonthlyReports: idempotent, so a restarted job
// skips the reports it made before) with its progress in the job's row, then stores the zip of
// the month's monthly reports for the staff to download.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { JobContext, JobOutcome } from "../billing/month-close-jobs.server";
import { requestJob, type Job } from "../jobs/jobs.server";
import { storeJobFile } from "../jobs/job-files.server";
import {
  FileJobStopped,
  fileJobProgress,
  progressReporter,
  type FileJobProgress,
} from "../jobs/file-jobs.server";
import type { YearMonth } from "../lib/jst";
import { zipStream } from "../lib/zip.server";
import {
  generateMonthlyReports,
  reportFileName,
  ThreatReportRefused,
} from "./threat-report.server";

export const THREAT_REPORT_BATCH_KIND = "threat_report_batch";

interface BatchParams {
  at: string;
}

export function threatReportZipName(month: YearMonth): string {
  return `月次脅威レポート_${month}.zip`;
}

export function threatReportBatchProgress(
  db: Kysely<Database>,
  month: YearMonth,
): Promise<FileJobProgress | null> {
  return fileJobProgress(db, THREAT_REPORT_BATCH_KIND, month);
}

/** Queues the month's batch unless it is queued or running already; returns the job's id. */
export async function requestThreatReportBatch(
  db: Kysely<Database>,
  month: YearMonth,
  params: { at: Date; requestedBy: string },
): Promise<number> {
  const job = await requestJob(
    db,
    {
      kind: THREAT_REPORT_BATCH_KIND,
      key: month,
      requestedBy: params.requestedBy,
      params: { at: params.at.toISOString() } satisfies BatchParams,
    },
    new Date(),
  );
  return job.id;
}

/** The month's monthly reports, by contract, as one zip read report by report. */
async function monthlyReportsZip(db: Kysely<Database>, month: YearMonth) {
  const reports = await db
    .selectFrom("threat_reports")
    .innerJoin("contracts", "contracts.id", "threat_reports.contract_id")
    .select(["threat_reports.id", "contracts.ref"])
    .where("threat_reports.period_month", "=", month)
    .where("threat_reports.kind", "=", "monthly")
    .orderBy("contracts.ref")
    .orderBy("threat_reports.id")
    .execute();
  return zipStream(
    reports.map((r) => ({
      name: reportFileName(r.ref, month),
      read: async () => {
        const row = await db
          .selectFrom("threat_reports")
          .select("pdf")
          .where("id", "=", r.id)
          .executeTakeFirstOrThrow();
        return Buffer.from(row.pdf);
      },
    })),
  );
}

export async function runThreatReportBatchJob(
  db: Kysely<Database>,
  job: Job,
  ctx: JobContext,
): Promise<JobOutcome> {
  const month = job.key as YearMonth;
  const params = JSON.parse(job.params ?? "{}") as Partial<BatchParams>;
  const at = params.at ? new Date(params.at) : new Date();
  try {
    const summary = await generateMonthlyReports(db, month, at, {
      onProgress: progressReporter(db, job, ctx),
    });
    const file = await storeJobFile(
      db,
      {
        jobId: job.id,
        tenant: { kind: "provider" },
        fileName: threatReportZipName(month),
        contentType: "application/zip",
      },
      await monthlyReportsZip(db, month),
      new Date(),
    );
    const failed = summary.failed.map((f) => `${f.contractRef}: ${f.message}`).join("; ");
    return {
      state: summary.failed.length > 0 ? "failed" : "done",
      result: { generated: summary.generated, failed: summary.failed.length, fileId: file.id },
      error: failed
        ? `作成できなかったレポートがあります（${summary.failed.length}件）: ${failed}`
        : null,
    };
  } catch (error) {
    if (error instanceof FileJobStopped) return { state: "queued" };
    if (error instanceof ThreatReportRefused) return { state: "failed", error: error.message };
    return { state: "failed", error: error instanceof Error ? error.message : String(error) };
  }
}
