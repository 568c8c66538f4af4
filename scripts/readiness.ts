// What /readyz answers (issue 18 item 5): ready when the database answers and every migration of
// this build is applied; otherwise the reason, and the proxy or orchestrator sends no traffic.
import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import type { Kysely } from "kysely";
import { pendingMigrations } from "../db/connection";
import type { Database } from "../db/schema";

/** How long a probe waits for the database before it calls it unreachable. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * The readiness check of a process on `db`. `file` is the SQLite file the process opened: one
 * removed or replaced under a running server (a restore copied over it, a volume gone) is not
 * the database the server writes to any more, so it is not ready.
 */
export function databaseReadiness(
  db: Kysely<Database>,
  file: string | null,
): () => Promise<string | null> {
  const inode = file && isAbsolute(file) ? statSync(file).ino : null;
  return async () => {
    if (file && inode !== null) {
      let now: number;
      try {
        now = statSync(file).ino;
      } catch {
        return `database: ${file}: the file is missing`;
      }
      if (now !== inode) return `database: ${file}: the file was replaced; restart the server`;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const pending = await Promise.race([
        pendingMigrations(db),
        new Promise<never>(
          (_, reject) =>
            (timer = setTimeout(
              () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
              PROBE_TIMEOUT_MS,
            )),
        ),
      ]);
      if (pending.length > 0) return `migrations pending: ${pending.join(", ")}`;
      return null;
    } catch (error) {
      return `database: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(timer);
    }
  };
}
