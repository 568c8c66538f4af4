// 電子帳簿保存法 (the electronic books act): an issued invoice or credit note is kept as the very
// file that was sent. The first render — its mail, a download, the month's zip — stores the PDF and
// its SHA-256 in `document_archive` (migration 001070, immutable by trigger); every later download
// and mail returns those bytes, so a later change of the layout, the provider's address or the
// font never changes a document already issued. The archive is searchable by the three keys the
// act requires: 取引年月日 (issue date), 取引金額 (amount incl. tax) and 取引先 (counterparty).
import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database, DocumentArchiveTable } from "../../db/schema";
import { renderInvoicePdf, type InvoiceDocument } from "../../reports/invoice-pdf";
import type { Tenant } from "../auth/tenancy";
import { creditNoteDocument, invoiceDocument } from "./invoice-documents.server";
import type { ListSort, PageRequest } from "../lib/paging";
import { countAndYenOf, fetchPage } from "../lib/paging.server";
import { instantOf, type IsoDate } from "../lib/jst";
import { toYen, type Yen } from "../lib/money";

export type ArchivedKind = DocumentArchiveTable["kind"];

export interface ArchivedPdf {
  number: string;
  fileName: string;
  pdf: Buffer;
  sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The download name of a document's PDF (as the routes have always named it). */
export function documentFileName(doc: Pick<InvoiceDocument, "kind" | "number">): string {
  return doc.kind === "invoice" ? `請求書_${doc.number}.pdf` : `返還請求書_${doc.number}.pdf`;
}

export const KIND_LABELS: Record<ArchivedKind, string> = {
  invoice: "請求書",
  credit_note: "返還請求書",
};

async function storedPdf(
  db: Kysely<Database>,
  kind: ArchivedKind,
  documentId: number,
): Promise<ArchivedPdf | null> {
  const row = await db
    .selectFrom("document_archive")
    .select(["document_number", "file_name", "pdf", "sha256"])
    .where("kind", "=", kind)
    .where("document_id", "=", documentId)
    .executeTakeFirst();
  return row
    ? {
        number: row.document_number,
        fileName: row.file_name,
        pdf: Buffer.from(row.pdf),
        sha256: row.sha256,
      }
    : null;
}

async function archived(
  db: Kysely<Database>,
  documentId: number,
  doc: InvoiceDocument,
  at: Date,
): Promise<ArchivedPdf> {
  const stored = await storedPdf(db, doc.kind, documentId);
  if (stored) return stored;
  const pdf = await renderInvoicePdf(doc);
  await db
    .insertInto("document_archive")
    .values({
      kind: doc.kind,
      document_id: documentId,
      document_number: doc.number,
      issue_date: doc.issueDate,
      counterparty: doc.recipient.name,
      amount_yen: toYen(doc.totals.totalYen),
      file_name: documentFileName(doc),
      pdf,
      sha256: sha256Hex(pdf),
      stored_at: instantOf(at),
    })
    .onConflict((oc) => oc.columns(["kind", "document_id"]).doNothing())
    .execute();
  // Two first renders at once: the one stored first is the original, and both answer with it.
  return (await storedPdf(db, doc.kind, documentId))!;
}

/** The stored original of an invoice within the tenant (stored now when this is its first render); null when not found. */
export async function archivedInvoicePdf(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; at: Date },
): Promise<ArchivedPdf | null> {
  const doc = await invoiceDocument(db, params);
  return doc ? archived(db, params.id, doc, params.at) : null;
}

/** The stored original of a credit note within the tenant (stored now when this is its first render); null when not found. */
export async function archivedCreditNotePdf(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; at: Date },
): Promise<ArchivedPdf | null> {
  const doc = await creditNoteDocument(db, params);
  return doc ? archived(db, params.id, doc, params.at) : null;
}

// ---------------------------------------------------------------------------------------------
// Verification: every stored hash recomputed.

export interface ArchiveMismatch {
  id: number;
  kind: ArchivedKind;
  number: string;
  storedSha256: string;
  computedSha256: string;
}

export interface ArchiveVerification {
  documents: number;
  verified: number;
  mismatches: ArchiveMismatch[];
}

const VERIFY_BATCH = 200;

/** Recomputes the SHA-256 of every stored PDF, a batch at a time (a year of PDFs is not loaded at once). */
export async function verifyArchive(
  db: Kysely<Database>,
  onProgress?: (p: { done: number; total: number }) => void,
): Promise<ArchiveVerification> {
  const { total } = await db
    .selectFrom("document_archive")
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .executeTakeFirstOrThrow();
  const result: ArchiveVerification = { documents: Number(total), verified: 0, mismatches: [] };
  let after = 0;
  let done = 0;
  for (;;) {
    const rows = await db
      .selectFrom("document_archive")
      .select(["id", "kind", "document_number", "pdf", "sha256"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(VERIFY_BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const computed = sha256Hex(row.pdf);
      if (computed === row.sha256) result.verified += 1;
      else
        result.mismatches.push({
          id: row.id,
          kind: row.kind,
          number: row.document_number,
          storedSha256: row.sha256,
          computedSha256: computed,
        });
    }
    after = rows[rows.length - 1].id;
    done += rows.length;
    onProgress?.({ done, total: result.documents });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Search by 取引年月日, 取引金額 and 取引先 (each optional, combined with "and").

export interface ArchiveSearch {
  from?: IsoDate | null;
  to?: IsoDate | null;
  minYen?: Yen | null;
  maxYen?: Yen | null;
  counterparty?: string | null;
}

export interface ArchivedDocumentSummary {
  id: number;
  kind: ArchivedKind;
  number: string;
  issueDate: string;
  amountYen: number;
  counterparty: string;
  fileName: string;
  sha256: string;
  storedAt: string;
}

/** A LIKE pattern matching `text` anywhere, its own `%`, `_` and `\` taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The archived documents matching the search, not yet selected (the page, its count and the command share it). */
function filteredArchive(db: Kysely<Database>, search: ArchiveSearch) {
  let query = db.selectFrom("document_archive");
  if (search.from) query = query.where("issue_date", ">=", search.from);
  if (search.to) query = query.where("issue_date", "<=", search.to);
  if (search.minYen != null) query = query.where("amount_yen", ">=", search.minYen);
  if (search.maxYen != null) query = query.where("amount_yen", "<=", search.maxYen);
  const counterparty = search.counterparty?.trim();
  if (counterparty)
    query = query.where(
      sql<boolean>`${sql.ref("counterparty")} like ${containsPattern(counterparty)} escape '\\'`,
    );
  return query;
}

function selectArchive(query: ReturnType<typeof filteredArchive>) {
  return query.select([
    "id",
    "kind",
    "document_number",
    "issue_date",
    "amount_yen",
    "counterparty",
    "file_name",
    "sha256",
    "stored_at",
  ]);
}

function toSummary(
  r: Awaited<ReturnType<ReturnType<typeof selectArchive>["execute"]>>[number],
): ArchivedDocumentSummary {
  return {
    id: r.id,
    kind: r.kind,
    number: r.document_number,
    issueDate: r.issue_date,
    amountYen: r.amount_yen,
    counterparty: r.counterparty,
    fileName: r.file_name,
    sha256: r.sha256,
    storedAt: r.stored_at,
  };
}

export async function searchArchive(
  db: Kysely<Database>,
  search: ArchiveSearch,
  limit = 500,
): Promise<ArchivedDocumentSummary[]> {
  const rows = await selectArchive(filteredArchive(db, search))
    .orderBy("issue_date")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(toSummary);
}

/** The archive page's sortable columns (issue 17 item 2: it stopped at 500 documents). */
export type ArchiveSortColumn = "issued" | "amount" | "counterparty" | "number";
export const ARCHIVE_SORT: ListSort<ArchiveSortColumn> = {
  columns: { issued: "desc", amount: "desc", counterparty: "asc", number: "asc" },
  default: "issued",
};
const ARCHIVE_SORT_SQL: Record<ArchiveSortColumn, string> = {
  issued: "issue_date",
  amount: "amount_yen",
  counterparty: "counterparty",
  number: "document_number",
};

/** One page of the search with the count and the amounts' sum of the whole search, in SQL. */
export async function pageArchive(
  db: Kysely<Database>,
  search: ArchiveSearch,
  request: PageRequest<ArchiveSortColumn>,
) {
  const totals = await countAndYenOf(filteredArchive(db, search));
  const { rows, page } = await fetchPage(
    request,
    async () => totals,
    (w) =>
      selectArchive(filteredArchive(db, search))
        .orderBy(sql.ref(ARCHIVE_SORT_SQL[w.sort]), w.dir)
        // The id breaks ties so that pages never overlap or skip documents of equal values.
        .orderBy("id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return {
    documents: rows.map(toSummary),
    page,
    totals: { count: Number(totals.count), amountYen: Number(totals.amount_yen) },
  };
}

/** One stored original by its archive id (the archive page is the provider's finance's only). */
export async function archivedDocumentById(
  db: Kysely<Database>,
  id: number,
): Promise<ArchivedPdf | null> {
  const row = await db
    .selectFrom("document_archive")
    .select(["document_number", "file_name", "pdf", "sha256"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row
    ? {
        number: row.document_number,
        fileName: row.file_name,
        pdf: Buffer.from(row.pdf),
        sha256: row.sha256,
      }
    : null;
}
