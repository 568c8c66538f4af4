// `npm run -s backup -- --out FILE`: a consistent copy of the database while the console runs
// (issue 18 item 5). SQLite: the online backup API (better-sqlite3's `.backup()`), which copies
// page by page and restarts on a write so the copy is one moment's state. PostgreSQL
// (DATABASE_URL postgres://…): `pg_dump --format=custom`. Progress goes to stderr, the result as
// one JSON line to stdout. The copy is written beside FILE under a temporary name and renamed
// only when complete: a failed backup leaves nothing (and an earlier FILE as it was).
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { environment } from "../app/config.server";
import { BackupError, backupPostgres, backupSqlite } from "../db/backup";
import { sqlitePathFromUrl } from "../db/connection";
import { runCommand } from "./run-command";

const USAGE = "usage: npm run -s backup -- --out FILE";

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 2 || args[0] !== "--out" || args[1] === "") {
    console.error(USAGE);
    return 1;
  }
  const out = resolve(args[1]);
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`${args[1]}: フォルダ ${dir} がありません`);
    return 1;
  }
  const url = environment().databaseUrl;
  const postgres = /^postgres(ql)?:\/\//.test(url);
  if (!postgres && resolve(sqlitePathFromUrl(url)) === out) {
    console.error(
      `${args[1]}: データベースそのものには書き込めません。別のファイル名を指定してください`,
    );
    return 1;
  }
  // Beside FILE, so the rename is on one file system and atomic.
  const tmp = join(dir, `.${basename(out)}.${process.pid}.tmp`);
  const started = Date.now();
  try {
    const pages = postgres
      ? (await backupPostgres(url, tmp), null)
      : (await backupSqlite(sqlitePathFromUrl(url), tmp, (line) => console.error(line))).pages;
    renameSync(tmp, out);
    const bytes = statSync(out).size;
    console.log(
      JSON.stringify({
        file: out,
        engine: postgres ? "postgresql" : "sqlite",
        bytes,
        ...(pages === null ? {} : { pages }),
        ms: Date.now() - started,
      }),
    );
    return 0;
  } catch (error) {
    rmSync(tmp, { force: true });
    console.error(error instanceof BackupError ? error.message : `${args[1]}: ${reason(error)}`);
    return 1;
  }
}

runCommand("backup", main);
