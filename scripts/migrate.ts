// `npm run -s migrate [-- --down]`: brings the schema of DATABASE_URL up to date (or one step down).
import { migrateDown, migrateToLatest, openDatabase } from "../db/connection";
import { checkedEnvironment } from "./run-command";

checkedEnvironment();
const handle = openDatabase();
try {
  if (process.argv.includes("--down")) {
    const name = await migrateDown(handle.db);
    console.log(name ? `rolled back ${name}` : "nothing to roll back");
  } else {
    const applied = await migrateToLatest(handle.db);
    console.log(applied.length ? `applied ${applied.join(", ")}` : "schema is up to date");
  }
} catch (error) {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
