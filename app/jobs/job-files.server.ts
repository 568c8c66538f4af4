// Files made by the job worker (issue 18 item 4), stored in the database in chunks of 1 MiB
// (migration 001190): a job streams its output in, a web worker streams it out, and neither holds
// the whole file. A file belongs to a tenant; a download looks it up by id within the viewer's
// tenant, so a foreign id is a 404 like a missing one. A job keeps only its latest file.
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import type { Tenant } from "../auth/tenancy";
import { contentDisposition } from "../lib/http.server";
import { instantOf } from "../lib/jst";

export const JOB_FILE_CHUNK_BYTES = 1024 * 1024;

export function tenantKey(tenant: Tenant): string {
  switch (tenant.kind) {
    case "provider":
      return "provider";
    case "reseller":
      return `reseller:${tenant.resellerId}`;
    case "customer":
      return `customer:${tenant.customerId}`;
  }
}

export interface StoredJobFile {
  id: number;
  fileName: string;
  sizeBytes: number;
  sha256: string;
}

/**
 * Writes `source` as the job's file, chunk by chunk as it arrives (the source waits while a chunk
 * is written: for-await is its backpressure), then replaces the job's earlier files with it. A
 * source that fails leaves an incomplete row, removed by the next attempt.
 */
export async function storeJobFile(
  db: Kysely<Database>,
  file: { jobId: number; tenant: Tenant; fileName: string; contentType: string },
  source: AsyncIterable<Buffer | Uint8Array>,
  at: Date,
): Promise<StoredJobFile> {
  // An earlier attempt that died mid-file (the job is being resumed).
  await db
    .deleteFrom("job_files")
    .where("job_id", "=", file.jobId)
    .where("completed_at", "is", null)
    .execute();
  const row = await db
    .insertInto("job_files")
    .values({
      job_id: file.jobId,
      tenant: tenantKey(file.tenant),
      file_name: file.fileName,
      content_type: file.contentType,
      created_at: instantOf(at),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  const hash = createHash("sha256");
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await db.insertInto("job_file_chunks").values({ file_id: id, seq, data }).execute();
    seq++;
  };
  for await (const piece of source) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    hash.update(chunk);
    size += chunk.length;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= JOB_FILE_CHUNK_BYTES) await flush();
  }
  await flush();
  const sha256 = hash.digest("hex");
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("job_files")
      .set({
        size_bytes: size,
        sha256,
        chunk_count: seq,
        completed_at: instantOf(new Date()),
      })
      .where("id", "=", id)
      .execute();
    await trx
      .deleteFrom("job_files")
      .where("job_id", "=", file.jobId)
      .where("id", "<>", id)
      .execute();
  });
  return { id, fileName: file.fileName, sizeBytes: size, sha256 };
}

/** The job's finished file, if any (what the page links to). */
export async function latestJobFile(
  db: Kysely<Database>,
  jobId: number,
): Promise<StoredJobFile | null> {
  const row = await db
    .selectFrom("job_files")
    .select(["id", "file_name", "size_bytes", "sha256"])
    .where("job_id", "=", jobId)
    .where("completed_at", "is not", null)
    .orderBy("id", "desc")
    .executeTakeFirst();
  return row
    ? {
        id: Number(row.id),
        fileName: row.file_name,
        sizeBytes: Number(row.size_bytes),
        sha256: row.sha256 ?? "",
      }
    : null;
}

/**
 * A finished file of the viewer's tenant, made by a job of one of `kinds` (those the viewer's
 * role may read), as a download that streams its chunks one at a time; null for a missing,
 * unfinished or foreign id, or one of another kind (the route answers 404).
 */
export async function jobFileDownload(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; kinds: readonly string[] },
): Promise<Response | null> {
  if (params.kinds.length === 0) return null;
  const file = await db
    .selectFrom("job_files")
    .innerJoin("jobs", "jobs.id", "job_files.job_id")
    .select([
      "job_files.id",
      "job_files.file_name",
      "job_files.content_type",
      "job_files.size_bytes",
      "job_files.chunk_count",
    ])
    .where("job_files.id", "=", params.id)
    .where("job_files.tenant", "=", tenantKey(params.tenant))
    .where("jobs.kind", "in", [...params.kinds])
    .where("job_files.completed_at", "is not", null)
    .executeTakeFirst();
  if (!file) return null;
  const count = Number(file.chunk_count);
  let seq = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (seq >= count) return controller.close();
      const chunk = await db
        .selectFrom("job_file_chunks")
        .select("data")
        .where("file_id", "=", file.id)
        .where("seq", "=", seq)
        .executeTakeFirst();
      // Replaced by a newer run while being served: end with an error rather than a wrong file.
      if (!chunk) return controller.error(new Error(`job file #${file.id} changed while served`));
      seq++;
      controller.enqueue(new Uint8Array(chunk.data));
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": file.content_type,
      "Content-Length": String(file.size_bytes),
      "Content-Disposition": contentDisposition(file.file_name),
      "Cache-Control": "private, no-store",
    },
  });
}
