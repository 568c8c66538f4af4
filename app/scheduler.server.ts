// Background jobs of the server process (croner): every minute, open the incidents of gateway
// outages that crossed their threshold without a new event (S1-4①) and send the outbox; every
// day at 03:00 JST, purge the events older than the 6-month retention window (S1-4⑤), start and
// end scheduled suspensions (T-17), charge unreturned rental gateways (S4 ※3) and queue renewal
// reminders (S4 ※1), end ISP security with the customer's main services (L-4). Each job
// skips a tick while its previous run is still going (protect), so nothing runs twice at once.
import { Cron } from "croner";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { queueRenewalReminders } from "./contracts/renewals.server";
import { applySuspensionSchedule, chargeUnreturnedGateways } from "./contracts/suspensions.server";
import { applyMainServiceEnds } from "./licenses/main-services.server";
import { now } from "./lib/clock";
import { simulateEvents } from "./security/simulator.server";
import { jstDate } from "./lib/jst";
import { attachmentRenderer } from "./mail/attachments.server";
import { deliverOutbox } from "./mail/outbox.server";
import { createMailTransport } from "./mail/transport.server";
import { notifyAllContracts } from "./security/notifications.server";
import { purgeExpiredEvents, purgeSummary } from "./security/retention.server";
import { generateMonthlyReports, lastMonth } from "./security/threat-report.server";

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
  const daily = async () => {
    const at = now();
    const today = jstDate(at);
    const jobs: [string, () => Promise<string>][] = [
      ["retention", async () => purgeSummary(await purgeExpiredEvents(db, at))],
      ["suspensions", async () => { const r = await applySuspensionSchedule(db, today, at); return `suspensions: ${r.started} started, ${r.ended} ended`; }],
      ["gateway returns", async () => `gateway returns: ${await chargeUnreturnedGateways(db, today, at)} charged`],
      ["renewals", async () => `renewal reminders: ${await queueRenewalReminders(db, today, at)} queued`],
      // L-4: ISP security ends with the customer's main services whose last day has come.
      ["isp main services", async () => `isp main services: ${(await applyMainServiceEnds(db, { on: today, actor: { id: null, email: "scheduler" } })).length} security contracts ended`],
    ];
    // Each daily job runs on its own: one failing does not stop the others.
    for (const [name, job] of jobs) {
      try {
        log(await job());
      } catch (error) {
        log(`scheduler: ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  // S1-4⑤: last month's threat reports, mailed on the 1st at 06:00 JST; on start, the same run
  // catches up a missed one (it skips contracts whose report exists, so it never duplicates).
  const monthlyReports = async () => {
    try {
      const at = now();
      const r = await generateMonthlyReports(db, lastMonth(at), at);
      if (r.generated || r.failed.length) log(`threat reports ${lastMonth(at)}: ${r.generated} made, ${r.failed.length} failed${r.failed.map((f) => `; ${f.contractRef}: ${f.message}`).join("")}`);
    } catch (error) {
      log(`scheduler: threat reports: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  void monthlyReports();
  const simulate = async () => {
    try {
      const n = await simulateEvents(db, now());
      if (n) log(`simulator: ${n} events`);
    } catch (error) {
      log(`scheduler: simulator: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const jobs = [
    new Cron("* * * * *", { protect: true, timezone: "Asia/Tokyo" }, everyMinute),
    new Cron("0 3 * * *", { protect: true, timezone: "Asia/Tokyo" }, daily),
    new Cron("0 6 1 * *", { protect: true, timezone: "Asia/Tokyo" }, monthlyReports),
    // The demo's devices keep sending detections (SIMULATOR=off to stop them).
    ...(process.env.SIMULATOR === "off" ? [] : [new Cron("*/10 * * * *", { protect: true, timezone: "Asia/Tokyo" }, simulate)]),
  ];
  return { stop: () => jobs.forEach((job) => job.stop()) };
}
