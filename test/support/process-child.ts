// A second (third…) process on the test's database file, for the tests of several processes
// (test/workers.test.ts): `deliver` sends the outbox once, `scheduler` runs the scheduler's
// start-up runs, `hold-lease NAME TTL_MS` takes a lease and keeps it until killed.
import { holdLease } from "../../app/jobs/leases.server";
import { deliverOutbox } from "../../app/mail/outbox.server";
import { environment } from "../../app/config.server";
import { createMailTransport } from "../../app/mail/transport.server";
import { startScheduler } from "../../app/scheduler.server";
import { openDatabase } from "../../db/connection";

const [mode, ...args] = process.argv.slice(2);
const handle = openDatabase();
const log = (line: string) => process.stdout.write(`${line}\n`);

if (mode === "deliver") {
  const summary = await deliverOutbox(
    handle.db,
    createMailTransport(environment().smtpUrl, log),
    new Date(),
    { log },
  );
  log(`sent ${summary.sent}`);
  await handle.close();
} else if (mode === "scheduler") {
  const scheduler = startScheduler(handle.db, log, { smtpUrl: environment().smtpUrl });
  await scheduler.caughtUp;
  scheduler.stop();
  await handle.close();
} else if (mode === "hold-lease") {
  const lease = await holdLease(handle.db, args[0], { ttlMs: Number(args[1]) });
  log(lease ? "held" : "not held");
  setInterval(() => undefined, 1000);
} else {
  throw new Error(`unknown mode ${mode}`);
}
