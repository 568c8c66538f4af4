// `npm run -s ingest -- FILE.ndjson`: imports device data and security events
// (docs/rules/import-format.md, Events). Every line is checked first: any problem is printed as
// `FILE:LINE: message` (the first 100, then how many more), the exit status is 1 and nothing is
// written. Otherwise one transaction stores the devices and the new events (same id = skipped
// duplicate) and the S1-4① engine opens incidents and plans their notifications.
import { existsSync } from "node:fs";
import { migrateToLatest, openDatabase } from "../db/connection";
import { checkedEnvironment } from "./run-command";
import { now } from "../app/lib/clock";
import { ingestFile } from "../app/security/ingest.server";
import { formatCount } from "../app/lib/format";
import { failureMessage } from "../app/lib/result";

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error("ingest: usage: npm run -s ingest -- FILE.ndjson");
  process.exit(1);
}
if (!existsSync(file)) {
  console.error(`${file}: file not found`);
  process.exit(1);
}

checkedEnvironment();
const handle = openDatabase();
try {
  await migrateToLatest(handle.db);
  const result = await ingestFile(handle.db, file, {
    now: now(),
    // The prepared-statement fast path is SQLite's; PostgreSQL takes multi-row inserts.
    sqlite: handle.dialect === "sqlite" ? handle.sqlite : undefined,
    onProgress: (phase, count) =>
      console.error(
        `ingest: ${formatCount(count)} ${phase === "checked" ? "lines checked" : "events written"}`,
      ),
  });
  if (!result.ok) {
    const count = (n: number) => formatCount(n);
    for (const p of result.problems) console.error(`${file}:${p.line}: ${p.message}`);
    if (result.problemCount > result.problems.length) {
      console.error(
        `${file}: … and ${count(result.problemCount - result.problems.length)} more problems not listed (${count(result.problemCount)} problems on ${count(result.invalidLines)} invalid lines in total)`,
      );
    }
    console.error(`${file}: ${failureMessage(result)}`);
    process.exitCode = 1;
  } else {
    const s = result.value;
    console.log(
      `${file}: events read: ${s.events}; inserted: ${s.inserted}; skipped duplicates: ${s.duplicates}; device lines applied: ${s.devices}`,
    );
    console.log(
      `incidents opened: ${s.incidentsOpened}; notifications planned: ${s.notificationsPlanned}; e-mails queued: ${s.mailsQueued}`,
    );
  }
} catch (error) {
  console.error(`ingest: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
