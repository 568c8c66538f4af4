// 電子帳簿保存法 (issue 20, item 5): the PDF of an issued invoice or credit note is stored when first
// rendered and every later download or mail returns those bytes, even after the renderer changed;
// the stored rows cannot be changed; `archive verify` names a tampered row; the archive is
// searchable by date, amount and counterparty (the command and the finance page).
import { execFileSync, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { archivedInvoicePdf, searchArchive } from "../app/billing/document-archive.server";
import { invoicePdfZip } from "../app/billing/exports.server";
import { attachmentRenderer } from "../app/mail/attachments.server";
import { loader as archivePage } from "../app/routes/_console.archive";
import { loader as archivedPdf } from "../app/routes/_console.archive_.$documentId.pdf";
import { loader as creditNotePdf } from "../app/routes/_console.credit-notes.$creditNoteId_.pdf";
import { loader as invoicePdf } from "../app/routes/_console.invoices.$invoiceId_.pdf";
import {
  action as invoiceAction,
  loader as invoicePage,
} from "../app/routes/_console.invoices.$invoiceId";
import { renderInvoicePdf } from "../reports/invoice-pdf";
import { createTestDatabase, TEST_ON_POSTGRES, type TestDatabase } from "./support/database";
import { responseOf } from "./support/request";
import { signInAll } from "./support/route-calls";
import { yearMonth, type YearMonth } from "../app/lib/jst";
import { toYen } from "../app/lib/money";

vi.mock("../reports/invoice-pdf", async (importOriginal) => {
  const real = await importOriginal<typeof import("../reports/invoice-pdf")>();
  return { ...real, renderInvoicePdf: vi.fn(real.renderInvoicePdf) };
});

const ROOT = join(import.meta.dirname, "..");
const BASE = "http://127.0.0.1:3000";
let t: TestDatabase;
let sessions: Record<string, string> = {};
let realRenderer: typeof renderInvoicePdf;

beforeEach(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
  realRenderer = (
    await vi.importActual<typeof import("../reports/invoice-pdf")>("../reports/invoice-pdf")
  ).renderInvoicePdf;
  sessions = await signInAll([
    "customer@demo.example",
    "customer2@demo.example",
    "finance@demo.example",
    "operator@demo.example",
  ]);
});
afterEach(() => t.dispose());

function get(path: string, as: string): Request {
  return new Request(`${BASE}${path}`, { headers: { Cookie: sessions[as] } });
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function invoiceOf(customerRef: string, month: YearMonth) {
  return t.db
    .selectFrom("invoices")
    .innerJoin("contracts", "contracts.id", "invoices.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "invoices.id",
      "invoices.invoice_number",
      "invoices.total_yen",
      "invoices.issue_date",
      "invoices.recipient_name",
    ])
    .where("customers.ref", "=", customerRef)
    .where("invoices.billing_month", "=", month)
    .orderBy("invoices.id")
    .executeTakeFirstOrThrow();
}

/** Stores the month's originals, as reading the month's zip does (each test archives its own). */
async function archiveMonth(month: YearMonth) {
  for await (const chunk of await invoicePdfZip(t.db, month)) void chunk;
}

function archiveCommand(...args: string[]) {
  return spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["scripts/archive.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: t.url },
    encoding: "utf8",
  });
}

describe("the stored original", () => {
  it("is what every later download and mail returns, after the renderer changed", async () => {
    const invoice = await invoiceOf("C1", yearMonth("2026-10"));
    const first = await responseOf(() =>
      invoicePdf({
        request: get(`/invoices/${invoice.id}/pdf`, "customer@demo.example"),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")).toBe("application/pdf");
    const original = Buffer.from(await first.arrayBuffer());
    expect(original.subarray(0, 5).toString()).toBe("%PDF-");
    const row = await t.db
      .selectFrom("document_archive")
      .selectAll()
      .where("kind", "=", "invoice")
      .where("document_id", "=", invoice.id)
      .executeTakeFirstOrThrow();
    expect(row.sha256).toBe(sha256(original));
    expect(row.document_number).toBe(invoice.invoice_number);
    expect(row.amount_yen).toBe(invoice.total_yen);
    expect(row.issue_date).toBe(invoice.issue_date);
    expect(row.counterparty).toBe(invoice.recipient_name);

    // A new layout and a new provider address after the invoice went out.
    vi.mocked(renderInvoicePdf).mockResolvedValue(Buffer.from("%PDF-1.7 new layout"));
    await t.db
      .updateTable("provider")
      .set({ address: "東京都千代田区丸の内9-9-9（移転後）" })
      .execute();

    const again = await responseOf(() =>
      invoicePdf({
        request: get(`/invoices/${invoice.id}/pdf`, "customer@demo.example"),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(Buffer.from(await again.arrayBuffer()).equals(original)).toBe(true);
    const mailed = await attachmentRenderer(t.db)({
      kind: "invoice",
      ref: `invoice:${invoice.invoice_number}`,
    });
    expect(mailed!.equals(original)).toBe(true);
    const zipPath = join(t.dir, "month.zip");
    await writeFile(zipPath, await invoicePdfZip(t.db, yearMonth("2026-10")));
    const zippedSha = execFileSync(
      "python3",
      [
        "-c",
        "import sys, zipfile, hashlib; z = zipfile.ZipFile(sys.argv[1]); print(hashlib.sha256(z.read([n for n in z.namelist() if sys.argv[2] in n][0])).hexdigest())",
        zipPath,
        invoice.invoice_number,
      ],
      { encoding: "utf8" },
    ).trim();
    expect(zippedSha).toBe(sha256(original));

    // The stub is really in place: an invoice rendered for the first time now gets the new layout.
    const unrendered = await t.db
      .selectFrom("invoices")
      .select("id")
      .where(
        "id",
        "not in",
        t.db.selectFrom("document_archive").select("document_id").where("kind", "=", "invoice"),
      )
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const fresh = await archivedInvoicePdf(t.db, {
      id: unrendered.id,
      tenant: { kind: "provider" },
      at: new Date(),
    });
    expect(fresh!.pdf.toString()).toBe("%PDF-1.7 new layout");
    vi.mocked(renderInvoicePdf).mockImplementation(realRenderer);
  });

  it("stores a credit note's PDF when it is issued, and keeps it", async () => {
    const invoice = await invoiceOf("C1", yearMonth("2026-09"));
    const line = await t.db
      .selectFrom("invoice_lines")
      .select(["id", "amount_yen"])
      .where("invoice_id", "=", invoice.id)
      .where("tax_category", "=", "taxable_10")
      .where("amount_yen", ">", toYen(0))
      .orderBy("position")
      .executeTakeFirstOrThrow();
    // The confirm form carries the page's one-time token (decision 0027).
    const page = await invoicePage({
      request: get(`/invoices/${invoice.id}`, "finance@demo.example"),
      params: { invoiceId: String(invoice.id) },
      context: {},
    });
    const form = new URLSearchParams({
      intent: "credit_note",
      step: "confirm",
      [`line-${line.id}`]: "100",
      reason: "設定ミスの返金",
      _formToken: page.formTokens!["credit-note"],
    });
    const issued = await responseOf(() =>
      invoiceAction({
        request: new Request(`${BASE}/invoices/${invoice.id}`, {
          method: "POST",
          body: form,
          headers: {
            Cookie: sessions["finance@demo.example"],
            "Content-Type": "application/x-www-form-urlencoded",
          },
        }),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(issued.status).toBe(302);
    const noteId = Number(/\/credit-notes\/(\d+)/.exec(issued.headers.get("Location")!)![1]);
    const stored = await t.db
      .selectFrom("document_archive")
      .selectAll()
      .where("kind", "=", "credit_note")
      .where("document_id", "=", noteId)
      .executeTakeFirstOrThrow();
    expect(stored.file_name).toMatch(/^返還請求書_/);
    expect(stored.amount_yen).toBe(110);
    expect(stored.counterparty).toBe(invoice.recipient_name);

    vi.mocked(renderInvoicePdf).mockResolvedValue(Buffer.from("%PDF-1.7 changed"));
    const download = await responseOf(() =>
      creditNotePdf({
        request: get(`/credit-notes/${noteId}/pdf`, "customer@demo.example"),
        params: { creditNoteId: String(noteId) },
        context: {},
      }),
    );
    expect(download.status).toBe(200);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(stored.sha256);
    vi.mocked(renderInvoicePdf).mockImplementation(realRenderer);
  });

  it("answers 404 for another customer's invoice and stores nothing", async () => {
    const invoice = await invoiceOf("C1", yearMonth("2026-09"));
    const before = await t.db.selectFrom("document_archive").select("id").execute();
    const response = await responseOf(() =>
      invoicePdf({
        request: get(`/invoices/${invoice.id}/pdf`, "customer2@demo.example"),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(response.status).toBe(404);
    expect(await t.db.selectFrom("document_archive").select("id").execute()).toHaveLength(
      before.length,
    );
  });

  it("cannot be changed or removed", async () => {
    await archiveMonth(yearMonth("2026-09"));
    const row = await t.db
      .selectFrom("document_archive")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    await expect(
      t.db
        .updateTable("document_archive")
        .set({ pdf: Buffer.from("x") })
        .where("id", "=", row.id)
        .execute(),
    ).rejects.toThrow("archived documents are immutable");
    await expect(
      t.db.deleteFrom("document_archive").where("id", "=", row.id).execute(),
    ).rejects.toThrow("archived documents are immutable");
  });
});

describe("search by 取引年月日, 取引金額 and 取引先", () => {
  it("finds by each key and by all combined", async () => {
    // Reading the month's zip stores the month's originals: two months, so the keys separate them.
    await archiveMonth(yearMonth("2026-09"));
    await archiveMonth(yearMonth("2026-10"));
    const invoices = await t.db
      .selectFrom("invoices")
      .select("id")
      .where("billing_month", "in", [yearMonth("2026-09"), yearMonth("2026-10")])
      .execute();
    const all = await searchArchive(t.db, {});
    const stored = await t.db
      .selectFrom("document_archive")
      .select(["id", "issue_date", "amount_yen", "counterparty"])
      .orderBy("issue_date")
      .orderBy("id")
      .execute();
    expect(all.map((d) => d.id)).toEqual(stored.map((s) => s.id));
    expect(all.length).toBe(invoices.length);
    expect(all.length).toBeGreaterThanOrEqual(20);

    const day = stored[stored.length - 1].issue_date;
    const byDate = await searchArchive(t.db, { from: day, to: day });
    expect(byDate.length).toBe(stored.filter((s) => s.issue_date === day).length);
    expect(byDate.every((d) => d.issueDate === day)).toBe(true);
    expect(byDate.length).toBeLessThan(all.length);

    const amounts = stored.map((s) => s.amount_yen).sort((a, b) => a - b);
    const mid = amounts[Math.floor(amounts.length / 2)];
    expect((await searchArchive(t.db, { minYen: mid })).map((d) => d.id)).toEqual(
      stored.filter((s) => s.amount_yen >= mid).map((s) => s.id),
    );
    expect((await searchArchive(t.db, { maxYen: mid })).map((d) => d.id)).toEqual(
      stored.filter((s) => s.amount_yen <= mid).map((s) => s.id),
    );

    const name = stored[0].counterparty;
    const part = name.slice(1, 4);
    const byName = await searchArchive(t.db, { counterparty: part });
    expect(byName.map((d) => d.id)).toEqual(
      stored.filter((s) => s.counterparty.includes(part)).map((s) => s.id),
    );
    expect(byName.length).toBeGreaterThan(0);
    // LIKE's own characters are literal text.
    expect(await searchArchive(t.db, { counterparty: "%" })).toEqual([]);

    const combined = await searchArchive(t.db, {
      from: stored[0].issue_date,
      to: stored[0].issue_date,
      minYen: stored[0].amount_yen,
      maxYen: stored[0].amount_yen,
      counterparty: part,
    });
    expect(combined.map((d) => d.id)).toContain(stored[0].id);
    expect(
      combined.every(
        (d) =>
          d.amountYen === stored[0].amount_yen &&
          d.counterparty.includes(part) &&
          d.issueDate === stored[0].issue_date,
      ),
    ).toBe(true);

    // The command prints the same as JSON lines.
    const cli = archiveCommand(
      "search",
      "--from",
      stored[0].issue_date,
      "--to",
      stored[0].issue_date,
      "--min-yen",
      String(stored[0].amount_yen),
      "--max-yen",
      String(stored[0].amount_yen),
      "--counterparty",
      part,
    );
    expect(cli.status).toBe(0);
    const lines = cli.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(combined.map((d) => d.id));
    expect(lines[0]).toMatchObject({
      number: combined[0].number,
      amountYen: stored[0].amount_yen,
      sha256: combined[0].sha256,
    });

    const bad = archiveCommand("search", "--from", "2026-13-01", "--min-yen", "abc");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--from: expected YYYY-MM-DD, got "2026-13-01"');
    expect(bad.stderr).toContain('--min-yen: expected an integer number of yen, got "abc"');
  });

  it("is a page for the provider's finance, with downloads of the stored bytes", async () => {
    await archiveMonth(yearMonth("2026-09"));
    const stored = await t.db
      .selectFrom("document_archive")
      .selectAll()
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const page = (await archivePage({
      request: get(
        `/archive?from=${stored.issue_date}&to=${stored.issue_date}&min=${stored.amount_yen}&max=${stored.amount_yen}&q=${encodeURIComponent(stored.counterparty)}`,
        "finance@demo.example",
      ),
      params: {},
      context: {},
    })) as Awaited<ReturnType<typeof archivePage>>;
    expect(page.errors).toEqual({});
    expect(page.documents.map((d) => d.id)).toContain(stored.id);
    const invalid = (await archivePage({
      request: get("/archive?from=2026-02-30&max=-5", "finance@demo.example"),
      params: {},
      context: {},
    })) as Awaited<ReturnType<typeof archivePage>>;
    expect(invalid.errors).toEqual({
      from: "取引年月日（から）を正しい日付で入力してください",
      max: "取引金額（以下）は0以上の整数の円で入力してください",
    });
    expect(invalid.documents).toEqual([]);

    const download = await responseOf(() =>
      archivedPdf({
        request: get(`/archive/${stored.id}/pdf`, "finance@demo.example"),
        params: { documentId: String(stored.id) },
        context: {},
      }),
    );
    expect(download.status).toBe(200);
    expect(sha256(Buffer.from(await download.arrayBuffer()))).toBe(stored.sha256);

    for (const as of ["operator@demo.example", "customer@demo.example"]) {
      expect(
        (
          await responseOf(() =>
            archivePage({ request: get("/archive", as), params: {}, context: {} }),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await responseOf(() =>
            archivedPdf({
              request: get(`/archive/${stored.id}/pdf`, as),
              params: { documentId: String(stored.id) },
              context: {},
            }),
          )
        ).status,
      ).toBe(403);
    }
  });
});

describe("archive verify", () => {
  it("prints the summary when every hash matches, and names a tampered row with both hashes", async () => {
    await archiveMonth(yearMonth("2026-09"));
    const count = (await t.db.selectFrom("document_archive").select("id").execute()).length;
    const ok = archiveCommand("verify");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ documents: count, verified: count });

    // Someone with the database file drops the trigger and edits one stored PDF.
    const victim = await t.db
      .selectFrom("document_archive")
      .select(["id", "document_number", "sha256", "pdf"])
      .orderBy("id")
      .limit(1)
      .offset(1)
      .executeTakeFirstOrThrow();
    const tampered = Buffer.concat([victim.pdf, Buffer.from("\n% edited\n")]);
    if (TEST_ON_POSTGRES) {
      // The same with the database's own credentials: the trigger dropped, the row edited.
      await sql`drop trigger document_archive_no_update on document_archive`.execute(t.db);
      await sql`update document_archive set pdf = ${tampered} where id = ${victim.id}`.execute(
        t.db,
      );
    } else {
      const raw = new SQLite(t.url.replace(/^file:/, ""));
      raw.exec("drop trigger document_archive_no_update");
      raw.prepare("update document_archive set pdf = ? where id = ?").run(tampered, victim.id);
      raw.close();
    }

    const bad = archiveCommand("verify");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      `document_archive[${victim.document_number}]: SHA-256 mismatch: stored ${victim.sha256}, computed ${sha256(tampered)}`,
    );
    expect(bad.stderr).toContain(
      `archive verify: 1 of ${count} documents do not match their stored hash`,
    );
    expect(bad.stdout).toBe("");
  });
});
