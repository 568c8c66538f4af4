// The month's invoice PDFs in one zip, made by the job worker (issue 18 item 4) instead of in the
// download request: the page queues the job (one per month: a second submit shows the same job),
// shows its progress from the job's row, and links the finished zip (stored in job_files). Each
// PDF is the stored original, rendered and archived first when it has never been (電子帳簿保存法):
// a restarted job finds the PDFs it archived before and only writes the zip again.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { AuditActor } from "../audit/audit.server";
import { requestJob, type Job } from "../jobs/jobs.server";
import { storeJobFile } from "../jobs/job-files.server";
import {
  FileJobStopped,
  fileJobProgress,
  progressReporter,
  type FileJobProgress,
} from "../jobs/file-jobs.server";
import type { YearMonth } from "../lib/jst";
import { invoicePdfZip } from "./exports.server";
import type { JobContext, JobOutcome } from "./month-close-jobs.server";

export const INVOICE_PDF_ZIP_KIND = "invoice_pdf_zip";

export function invoicePdfZipName(month: YearMonth): string {
  return `請求書PDF_${month}.zip`;
}

export function invoicePdfZipProgress(
  db: Kysely<Database>,
  month: YearMonth,
): Promise<FileJobProgress | null> {
  return fileJobProgress(db, INVOICE_PDF_ZIP_KIND, month);
}

/** Queues the month's zip unless it is queued or running already; returns at once. */
export async function requestInvoicePdfZip(
  db: Kysely<Database>,
  month: YearMonth,
  params: { actor: AuditActor },
): Promise<void> {
  await requestJob(
    db,
    { kind: INVOICE_PDF_ZIP_KIND, key: month, requestedBy: params.actor.email },
    new Date(),
  );
}

export async function runInvoicePdfZipJob(
  db: Kysely<Database>,
  job: Job,
  ctx: JobContext,
): Promise<JobOutcome> {
  const month = job.key as YearMonth;
  try {
    const zip = await invoicePdfZip(db, month, { onFile: progressReporter(db, job, ctx) });
    const file = await storeJobFile(
      db,
      {
        jobId: job.id,
        tenant: { kind: "provider" },
        fileName: invoicePdfZipName(month),
        contentType: "application/zip",
      },
      zip,
      new Date(),
    );
    return { state: "done", result: { fileId: file.id, bytes: file.sizeBytes } };
  } catch (error) {
    if (error instanceof FileJobStopped) return { state: "queued" };
    return { state: "failed", error: error instanceof Error ? error.message : String(error) };
  }
}
