// `npm run -s notify -- plan --contract REF [--json]`: every notification the contract's
// events caused or will cause (S1-4①), `[{"eventId","channel","at"}]` with `at` in +09:00.
// `npm run -s notify -- run`: for a scheduler — opens the incidents of gateway outages that
// crossed their threshold since the last ingest, then sends the queued e-mails (SMTP_URL).
import { migrateToLatest, openDatabase } from "../db/connection";
import { checkedEnvironment } from "./run-command";
import { now } from "../app/lib/clock";
import { formatJstIso } from "../app/lib/jst";
import { attachmentRenderer } from "../app/mail/attachments.server";
import { deliverOutbox } from "../app/mail/outbox.server";
import { createMailTransport } from "../app/mail/transport.server";
import { notificationPlan, notifyAllContracts } from "../app/security/notifications.server";

/** A problem with the command line or its arguments: printed as is, no prefix. */
class UsageError extends Error {}

const [command, ...args] = process.argv.slice(2);

function option(name: string): string | null {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length && !args[i + 1].startsWith("--") ? args[i + 1] : null;
}

checkedEnvironment();
const handle = openDatabase();
try {
  await migrateToLatest(handle.db);
  if (command === "plan") {
    const ref = option("--contract");
    if (ref === null) throw new UsageError("contract: required (--contract REF)");
    const plan = await notificationPlan(handle.db, {
      ref,
      tenant: { kind: "provider" },
      now: now(),
    });
    if (plan === null) throw new UsageError(`contract: unknown contract "${ref}"`);
    const rows = plan.map((n) => ({
      eventId: n.eventId,
      channel: n.channel,
      at: formatJstIso(n.at),
    }));
    if (args.includes("--json")) console.log(JSON.stringify(rows));
    else if (rows.length === 0) console.log(`${ref}: no notifications`);
    else for (const r of rows) console.log(`${r.at}  ${r.channel.padEnd(5)}  ${r.eventId}`);
  } else if (command === "run") {
    const at = now();
    const s = await notifyAllContracts(handle.db, at);
    console.log(
      `incidents opened: ${s.incidentsOpened}; notifications planned: ${s.notificationsPlanned}; e-mails queued: ${s.mailsQueued}`,
    );
    const d = await deliverOutbox(handle.db, createMailTransport(), at, {
      renderAttachment: attachmentRenderer(handle.db),
    });
    console.log(
      `e-mails sent: ${d.sent}; retrying: ${d.retrying}; failed: ${d.failed}; waiting for SMTP: ${d.waiting}`,
    );
  } else {
    throw new UsageError(
      `notify: unknown command "${command ?? ""}" (plan --contract REF [--json] | run)`,
    );
  }
} catch (error) {
  console.error(
    error instanceof UsageError
      ? error.message
      : `notify: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exitCode = 1;
} finally {
  await handle.close();
}
