// How long a file made by a job is kept (decision 0042): read by the daily pruning
// (pruning.server.ts) and by the page that says why a finished job has no file any more.
export const JOB_FILES_KEPT_DAYS = 31;
