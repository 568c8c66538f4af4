// The two ways of copying a running console's database (scripts/backup.ts, issue 18 item 5):
// SQLite's online backup API and PostgreSQL's pg_dump. Both write to the file they are given;
// the command writes to a temporary name and renames it when the copy is complete.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import SQLite from "better-sqlite3";
import { childProcessEnvironment } from "../app/config.server";

/** An error whose message already names its path (`path: message`). */
export class BackupError extends Error {}

/** Pages per step of the online backup: about 4 MB with SQLite's 4 KB pages, then a progress line. */
const PAGES_PER_STEP = 1000;

export async function backupSqlite(
  databasePath: string,
  tmp: string,
  progress: (line: string) => void,
): Promise<{ pages: number }> {
  if (!existsSync(databasePath))
    throw new BackupError(`${databasePath}: データベースのファイルがありません`);
  const source = new SQLite(databasePath, { readonly: true, fileMustExist: true });
  try {
    let lastPercent = -1;
    const { totalPages } = await source
      .backup(tmp, {
        progress: ({ totalPages: total, remainingPages }) => {
          const percent = total === 0 ? 100 : Math.floor(((total - remainingPages) / total) * 100);
          if (percent !== lastPercent)
            progress(
              `backup: ${percent}% (${(total - remainingPages).toLocaleString("en-US")} of ${total.toLocaleString("en-US")} pages)`,
            );
          lastPercent = percent;
          return PAGES_PER_STEP;
        },
      })
      .catch((error: unknown) => {
        throw new BackupError(
          `${databasePath}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    // better-sqlite3 reports before each step, not after the last.
    progress(
      `backup: 100% (${totalPages.toLocaleString("en-US")} of ${totalPages.toLocaleString("en-US")} pages)`,
    );
    // The copy must open and be whole before it takes FILE's name.
    const copy = new SQLite(tmp, { fileMustExist: true });
    try {
      // The copy takes the source's WAL mode; a backup is one file, whole without a -wal beside it.
      copy.pragma("journal_mode = DELETE");
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok")
        throw new BackupError(`${tmp}: the copy fails SQLite's quick_check: ${String(check)}`);
    } finally {
      copy.close();
    }
    return { pages: totalPages };
  } finally {
    source.close();
  }
}

/**
 * pg_dump's arguments and environment for a connection string: the password goes in PGPASSWORD,
 * not on the command line, where every user of the machine could read it (ps).
 */
export function pgDumpInvocation(
  url: string,
  file: string,
): { args: string[]; password: string | null } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : null;
  parsed.password = "";
  return {
    args: [
      "--format=custom",
      "--no-owner",
      "--verbose",
      `--file=${file}`,
      `--dbname=${parsed.toString()}`,
    ],
    password,
  };
}

export async function backupPostgres(url: string, tmp: string): Promise<void> {
  const { args, password } = pgDumpInvocation(url, tmp);
  await new Promise<void>((done, fail) => {
    // pg_dump --verbose reports each table on stderr: that is the progress.
    const child = spawn("pg_dump", args, {
      stdio: ["ignore", "ignore", "inherit"],
      env: childProcessEnvironment(password === null ? {} : { PGPASSWORD: password }),
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      fail(
        new BackupError(
          error.code === "ENOENT"
            ? "pg_dump: not found; install the PostgreSQL client (apt-get install postgresql-client)"
            : `pg_dump: ${error.message}`,
        ),
      ),
    );
    child.on("exit", (code, signal) =>
      code === 0
        ? done()
        : fail(new BackupError(`pg_dump: exited with ${code ?? signal}; nothing was written`)),
    );
  });
}
