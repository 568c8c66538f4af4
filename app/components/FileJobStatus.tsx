// The state of a job that makes a file (issue 18 item 4), read from the job's row: waiting,
// progress with a bar, failure, and the finished file's link. While the job is queued or running
// the page refreshes itself every second, with or without JavaScript (as the month-close page).
import { formatCount, formatInstant } from "~/lib/format";
import { JOB_FILES_KEPT_DAYS } from "~/jobs/job-file-retention";

export interface FileJobStatusData {
  state: "queued" | "running" | "done" | "failed";
  done: number;
  total: number;
  message: string | null;
  file: { id: number; fileName: string; sizeBytes: number } | null;
  finishedAt: string | null;
}

/** Whole KB/MB for people: `1.4 MB`. */
function sizeLabel(bytes: number): string {
  if (bytes < 1024 * 1024) return `${formatCount(Math.max(1, Math.round(bytes / 1024)))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function FileJobStatus({ job, unit }: { job: FileJobStatusData; unit: string }) {
  const active = job.state === "queued" || job.state === "running";
  return (
    <>
      {active ? (
        <div className="alert success" role="status" data-testid="job-progress">
          <meta httpEquiv="refresh" content="1" />
          {job.state === "queued" ? (
            <>開始を待っています…</>
          ) : (
            <>
              作成しています… {formatCount(job.done)} / {job.total ? formatCount(job.total) : "—"}{" "}
              {unit}
              {job.total ? `（${Math.floor((job.done / job.total) * 100)}%）` : ""}
            </>
          )}
          <progress value={job.done} max={job.total || 1} className="job-progress" />
          <p>
            <a href="">最新の状態に更新</a>
          </p>
        </div>
      ) : null}
      {job.state === "failed" ? (
        <div className="alert error" role="alert" data-testid="job-failed">
          作成に失敗しました: {job.message}
        </div>
      ) : null}
      {job.state === "done" && !job.file ? (
        <p className="muted" data-testid="job-file-pruned">
          作成したファイルは保存期間（{JOB_FILES_KEPT_DAYS}
          日）を過ぎたため削除しました。必要なら、もう一度作成してください。
        </p>
      ) : null}
      {job.file ? (
        <p data-testid="job-file">
          <a href={`/files/${job.file.id}`} download>
            {job.file.fileName}
          </a>{" "}
          をダウンロード（{sizeLabel(job.file.sizeBytes)}
          {job.finishedAt && !active ? `、${formatInstant(job.finishedAt)} 作成` : ""}）
        </p>
      ) : null}
    </>
  );
}
