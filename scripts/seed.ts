// `npm run -s seed`: loads the demo data into an empty database (the server does this itself on
// its first start). A database that already has data is left alone.
import { migrateToLatest, openDatabase } from "../db/connection";
import { checkedEnvironment } from "./run-command";
import { demoAccountsText, isSeeded, seedDemo } from "../db/demo/seed";
import { now } from "../app/lib/clock";

checkedEnvironment();
const handle = openDatabase();
try {
  await migrateToLatest(handle.db);
  if (await isSeeded(handle.db)) {
    console.log(`${handle.path}: already has data; nothing seeded`);
  } else {
    await seedDemo(handle.db, now());
    console.log(`${handle.path}: demo data loaded`);
    console.log(demoAccountsText());
  }
} catch (error) {
  console.error(`seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
