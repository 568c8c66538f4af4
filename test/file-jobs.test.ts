// Issue 18 item 4: the month's invoice PDF zip and the monthly threat-report batch run as jobs of
// the job worker. One job per month and kind however often it is requested; progress in the row;
// the finished zip stored in job_files and served only to its tenant and the roles of its kind;
// a job stopped midway (shutdown, lost lease) is queued again and the next run finishes it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  INVOICE_PDF_ZIP_KIND,
  invoicePdfZipProgress,
  requestInvoicePdfZip,
  runInvoicePdfZipJob,
} from "../app/billing/invoice-zip-jobs.server";
import { claimJob } from "../app/jobs/jobs.server";
import { startJobRunner } from "../app/jobs/runner.server";
import {
  requestThreatReportBatch,
  THREAT_REPORT_BATCH_KIND,
  threatReportBatchProgress,
} from "../app/security/threat-report-jobs.server";
import { loader as exportLoader } from "../app/routes/_console.billing.$month_.export.$kind";
import { loader as fileLoader } from "../app/routes/_console.files.$fileId";
import {
  action as pdfsAction,
  loader as pdfsLoader,
} from "../app/routes/_console.billing.$month_.pdfs";
import { createTestDatabase, TEST_NOW, type TestDatabase } from "./support/database";
import { responseOf } from "./support/request";
import { signInAll } from "./support/route-calls";
import { yearMonth } from "../app/lib/jst";

const BASE = "http://127.0.0.1:3000";
const UTF8_ENV = { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" };
let t: TestDatabase;
let dir: string;
let sessions: Record<string, string> = {};
const actor = { id: null, email: "finance@demo.example" };

// Each test gets its own database and sessions, and queues or makes the zip it needs itself.
beforeEach(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true, at: TEST_NOW });
  dir = mkdtempSync(join(tmpdir(), "file-jobs-"));
  sessions = await signInAll([
    "finance@demo.example",
    "operator@demo.example",
    "reseller@demo.example",
    "admin@demo.example",
  ]);
});
afterEach(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, as: string) =>
  new Request(`${BASE}${path}`, { headers: { Cookie: sessions[as] } });

async function download(id: number, as: string): Promise<Response> {
  return responseOf(() =>
    fileLoader({ request: get(`/files/${id}`, as), params: { fileId: String(id) }, context: {} }),
  );
}

function listZip(bytes: Buffer, name: string): string[] {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  expect(execFileSync("unzip", ["-t", file], { env: UTF8_ENV, encoding: "utf8" })).toMatch(
    /No errors detected/,
  );
  return execFileSync("unzip", ["-Z1", file], { env: UTF8_ENV, encoding: "utf8" })
    .trim()
    .split("\n");
}

function pdfText(zipName: string, entry: string): string {
  const pdf = join(dir, "entry.pdf");
  writeFileSync(pdf, execFileSync("unzip", ["-p", join(dir, zipName), entry], { env: UTF8_ENV }));
  return execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
}

/** Runs the job worker's loop until the job of `kind`/`key` has ended. */
async function runUntilEnded(kind: string, key: string): Promise<void> {
  const runner = startJobRunner(t.db, { holder: "test-worker", pollMs: 20, log: () => undefined });
  try {
    for (let i = 0; i < 600; i++) {
      const job = await t.db
        .selectFrom("jobs")
        .select("state")
        .where("kind", "=", kind)
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      if (job.state === "done" || job.state === "failed") return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${kind} ${key} did not end`);
  } finally {
    await runner.stop();
  }
}

/** September's invoice PDF zip requested by finance and made by the job worker. */
async function septemberZip() {
  await requestInvoicePdfZip(t.db, yearMonth("2026-09"), { actor });
  await runUntilEnded(INVOICE_PDF_ZIP_KIND, "2026-09");
  return (await invoicePdfZipProgress(t.db, yearMonth("2026-09")))!;
}

describe("the month's invoice PDF zip as a job", () => {
  it("queues one job however often the page's form is submitted, and the page reads its row", async () => {
    for (let i = 0; i < 2; i++) {
      const response = await responseOf(() =>
        pdfsAction({
          request: new Request(`${BASE}/billing/2026-09/pdfs`, {
            method: "POST",
            headers: { Cookie: sessions["finance@demo.example"] },
            body: new URLSearchParams(),
          }),
          params: { month: "2026-09" },
          context: {},
        }),
      );
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/billing/2026-09/pdfs");
    }
    const jobs = await t.db
      .selectFrom("jobs")
      .select(["state", "requested_by"])
      .where("kind", "=", INVOICE_PDF_ZIP_KIND)
      .execute();
    expect(jobs).toEqual([{ state: "queued", requested_by: "finance@demo.example" }]);
    const page = (await pdfsLoader({
      request: get("/billing/2026-09/pdfs", "finance@demo.example"),
      params: { month: "2026-09" },
      context: {},
    })) as Awaited<ReturnType<typeof pdfsLoader>>;
    expect(page.invoices).toBe(10);
    expect(page.job).toMatchObject({ state: "queued", done: 0, total: 0, file: null });
    // Nothing was rendered by the request: the archive holds no PDF of the month yet.
    const archived = await t.db
      .selectFrom("document_archive")
      .innerJoin("invoices", "invoices.id", "document_archive.document_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("document_archive.kind", "=", "invoice")
      .where("invoices.billing_month", "=", yearMonth("2026-09"))
      .executeTakeFirstOrThrow();
    expect(Number(archived.n)).toBe(0);
  });

  it("resumes after a stop midway and stores one zip of the month's ten PDFs", async () => {
    await requestInvoicePdfZip(t.db, yearMonth("2026-09"), { actor });
    // The first worker stops after four PDFs (as on SIGTERM): the job is queued again.
    const job = (await claimJob(t.db, [INVOICE_PDF_ZIP_KIND], "worker-a", new Date()))!;
    let reads = 0;
    const outcome = await runInvoicePdfZipJob(t.db, job, {
      holder: "worker-a",
      stopping: () => ++reads > 4,
    });
    expect(outcome).toEqual({ state: "queued" });
    const partial = await t.db.selectFrom("job_files").select(["completed_at"]).execute();
    expect(partial).toEqual([{ completed_at: null }]);
    await t.db
      .updateTable("jobs")
      .set({ state: "queued", lease_holder: null, lease_until: null })
      .where("id", "=", job.id)
      .execute();

    await runUntilEnded(INVOICE_PDF_ZIP_KIND, "2026-09");
    const progress = (await invoicePdfZipProgress(t.db, yearMonth("2026-09")))!;
    expect(progress).toMatchObject({ state: "done", done: 10, total: 10, message: null });
    expect(progress.file!.fileName).toBe("請求書PDF_2026-09.zip");
    // The incomplete file of the stopped run is gone: one file, complete.
    const files = await t.db.selectFrom("job_files").select(["id", "completed_at"]).execute();
    expect(files).toHaveLength(1);
    expect(files[0].completed_at).not.toBeNull();

    const response = await download(progress.file!.id, "finance@demo.example");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/zip");
    expect(response.headers.get("Content-Disposition")).toContain(
      encodeURIComponent("請求書PDF_2026-09.zip"),
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(progress.file!.sizeBytes);
    expect(Number(response.headers.get("Content-Length"))).toBe(bytes.length);
    const names = listZip(bytes, "invoices.zip");
    expect(names).toHaveLength(10);
    expect(names).toContain("請求書_INV-00000045_なにわ会計事務所.pdf");
    const text = pdfText("invoices.zip", "請求書_INV-00000045_なにわ会計事務所.pdf");
    expect(text).toContain("INV-00000045");
    expect(text).toContain("なにわ会計事務所");
  });

  it("sends the old download link to the page (the zip is no longer made in the request)", async () => {
    const response = await responseOf(() =>
      exportLoader({
        request: get("/billing/2026-09/export/pdfs", "finance@demo.example"),
        params: { month: "2026-09", kind: "pdfs" },
        context: {},
      }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/billing/2026-09/pdfs");
  });

  it("serves the file only to its tenant and the roles of its kind: 404 otherwise", async () => {
    const { file } = await septemberZip();
    expect((await download(file!.id, "admin@demo.example")).status).toBe(200);
    // A reseller (another tenant) and the provider's operator (not finance) get a 404.
    expect((await download(file!.id, "reseller@demo.example")).status).toBe(404);
    expect((await download(file!.id, "operator@demo.example")).status).toBe(404);
    expect((await download(file!.id + 1000, "finance@demo.example")).status).toBe(404);
    const bad = await responseOf(() =>
      fileLoader({
        request: get("/files/abc", "finance@demo.example"),
        params: { fileId: "abc" },
        context: {},
      }),
    );
    expect(bad.status).toBe(404);
  });

  it("makes the zip again from scratch when asked after it is done, replacing the file", async () => {
    const before = await septemberZip();
    await requestInvoicePdfZip(t.db, yearMonth("2026-09"), { actor });
    const queued = (await invoicePdfZipProgress(t.db, yearMonth("2026-09")))!;
    // The previous zip stays downloadable until the new one replaces it.
    expect(queued).toMatchObject({ state: "queued", file: { id: before.file!.id } });
    await runUntilEnded(INVOICE_PDF_ZIP_KIND, "2026-09");
    const after = (await invoicePdfZipProgress(t.db, yearMonth("2026-09")))!;
    expect(after.file!.id).not.toBe(before.file!.id);
    // The same PDFs give the same bytes.
    expect(after.file!.sha256).toBe(before.file!.sha256);
    expect((await download(before.file!.id, "finance@demo.example")).status).toBe(404);
  });
});

describe("a restart of the job worker", () => {
  it("leaves the stopped job queued with its progress; the next worker finishes it", async () => {
    await requestInvoicePdfZip(t.db, yearMonth("2026-10"), { actor });
    const row = () =>
      t.db
        .selectFrom("jobs")
        .select(["id", "state", "progress_done", "progress_total", "attempts", "lease_holder"])
        .where("kind", "=", INVOICE_PDF_ZIP_KIND)
        .where("key", "=", "2026-10")
        .executeTakeFirstOrThrow();
    const first = startJobRunner(t.db, { holder: "worker-a", pollMs: 20, log: () => undefined });
    for (let i = 0; i < 400 && (await row()).progress_done < 1; i++)
      await new Promise((r) => setTimeout(r, 10));
    // SIGTERM: the worker stops after the PDF it is reading; its job goes back to the queue.
    await first.stop();
    const stopped = await row();
    expect(stopped).toMatchObject({ state: "queued", attempts: 1, lease_holder: null });
    expect(stopped.progress_done).toBeGreaterThanOrEqual(1);
    expect(stopped.progress_done).toBeLessThan(10);
    const partial = await t.db
      .selectFrom("job_files")
      .select("completed_at")
      .where("job_id", "=", stopped.id)
      .execute();
    expect(partial).toEqual([{ completed_at: null }]);

    await runUntilEnded(INVOICE_PDF_ZIP_KIND, "2026-10");
    expect(await row()).toMatchObject({
      state: "done",
      progress_done: 10,
      progress_total: 10,
      attempts: 2,
    });
    const progress = (await invoicePdfZipProgress(t.db, yearMonth("2026-10")))!;
    const names = listZip(
      Buffer.from(await (await download(progress.file!.id, "finance@demo.example")).arrayBuffer()),
      "october.zip",
    );
    expect(names).toHaveLength(10);
    const files = await t.db
      .selectFrom("job_files")
      .select("completed_at")
      .where("job_id", "=", stopped.id)
      .execute();
    expect(files).toHaveLength(1);
  });
});

describe("the monthly threat-report batch as a job", () => {
  it("makes and mails each active contract's report once, and stores the zip of the month", async () => {
    const first = await requestThreatReportBatch(t.db, yearMonth("2026-10"), {
      at: TEST_NOW,
      requestedBy: "operator@demo.example",
    });
    const second = await requestThreatReportBatch(t.db, yearMonth("2026-10"), {
      at: TEST_NOW,
      requestedBy: "operator@demo.example",
    });
    expect(second).toBe(first);
    await runUntilEnded(THREAT_REPORT_BATCH_KIND, "2026-10");
    const progress = (await threatReportBatchProgress(t.db, yearMonth("2026-10")))!;
    const reports = await t.db
      .selectFrom("threat_reports")
      .innerJoin("contracts", "contracts.id", "threat_reports.contract_id")
      .select("contracts.ref")
      .where("period_month", "=", yearMonth("2026-10"))
      .where("kind", "=", "monthly")
      .orderBy("contracts.ref")
      .execute();
    expect(reports).toHaveLength(9);
    expect(progress).toMatchObject({ state: "done", done: 9, total: 9, message: null });
    const mails = await t.db
      .selectFrom("outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kind", "=", "threat_report")
      .executeTakeFirstOrThrow();
    expect(Number(mails.n)).toBe(9);

    const response = await download(progress.file!.id, "operator@demo.example");
    expect(response.status).toBe(200);
    const names = listZip(Buffer.from(await response.arrayBuffer()), "reports.zip");
    expect(names).toEqual(reports.map((r) => `脅威レポート_${r.ref}_2026-10.pdf`));
    expect(pdfText("reports.zip", names[0])).toContain(reports[0].ref);
    // Finance may not read the operations' zip.
    expect((await download(progress.file!.id, "finance@demo.example")).status).toBe(404);
  });
});
