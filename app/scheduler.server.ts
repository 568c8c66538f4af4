// Background jobs of the server process (croner): every minute, open the incidents of gateway
// outages that crossed their threshold without a new event (S1-4①) and send the outbox. Each job
// skips a tick while its previous run is still going (protect), so nothing runs twice at once.
import { Cron } from "croner";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { now } from "./lib/clock";
import { attachmentRenderer } from "./mail/attachments.server";
import { deliverOutbox } from "./mail/outbox.server";
import { createMailTransport } from "./mail/transport.server";
import { notifyAllContracts } from "./security/notifications.server";

export function startScheduler(db: Kysely<Database>, log: (line: string) => void = console.error): { stop(): void } {
  const transport = createMailTransport(process.env, log);
  const renderAttachment = attachmentRenderer(db);
  const everyMinute = async () => {
    try {
      const at = now();
      await notifyAllContracts(db, at);
      const sent = await deliverOutbox(db, transport, at, { renderAttachment, log });
      if (sent.sent || sent.failed) log(`mail: sent ${sent.sent}, retrying ${sent.retrying}, failed ${sent.failed}`);
    } catch (error) {
      log(`scheduler: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const jobs = [new Cron("* * * * *", { protect: true, timezone: "Asia/Tokyo" }, everyMinute)];
  return { stop: () => jobs.forEach((job) => job.stop()) };
}
