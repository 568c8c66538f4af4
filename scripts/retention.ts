// `npm run -s retention`: S1-4⑤ — deletes the security events detected before the retention
// window (the same day 6 months ago, JST; "now" is APP_NOW or the clock). Prints
// `retention: deleted N events detected before YYYY-MM-DD`. The server also does this at start
// and every day at 03:00 JST.
import { migrateToLatest, openDatabase } from "../db/connection";
import { checkedEnvironment } from "./run-command";
import { now } from "../app/lib/clock";
import { purgeExpiredEvents, purgeSummary } from "../app/security/retention.server";

if (process.argv.length > 2) {
  console.error("retention: usage: npm run -s retention");
  process.exit(1);
}

checkedEnvironment();
const handle = openDatabase();
try {
  await migrateToLatest(handle.db);
  console.log(purgeSummary(await purgeExpiredEvents(handle.db, now())));
} catch (error) {
  console.error(`retention: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
