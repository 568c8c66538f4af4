// The e-mail outbox: mails are queued in the same transaction as what caused them and sent
// later by `deliverOutbox`, so a slow or absent SMTP server never loses or blocks a mail. A
// failed send is retried with exponential backoff (1, 2, 4, 8 minutes); after the 5th failed
// attempt the mail is marked `failed` with the last reason.
// Several processes may deliver at once (web and job workers, several instances on one
// database): each mail is claimed by one conditional UPDATE before it is sent, so two senders
// never send the same mail (issue 18 item 3). A sender that dies after sending and before
// recording it leaves a claim that expires, and the mail is sent again: at least once, never twice
// by two live senders.
import type { Insertable, Kysely, Transaction } from "kysely";
import type { Database, OutboxTable } from "../../db/schema";
import { ACCOUNT_LINK_MAIL_KIND, withoutAccountLinks } from "../auth/accounts";
import { backoffMs } from "../lib/backoff";
import { processHolder } from "../jobs/leases.server";
import { mailFrom, type MailTransport } from "./transport.server";
import { instantOf } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

export const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 60_000;
const BATCH = 100;
/** How long a claimed mail is left to its sender: far longer than one SMTP send, with its timeouts. */
export const CLAIM_MS = 10 * 60_000;

export interface NewMail {
  kind: string;
  /** The producer's key; a mail with a key already queued is not queued again. */
  ref?: string | null;
  to: string;
  subject: string;
  text: string;
  attachment?: { name: string; content: Buffer } | null;
}

export function outboxRow(mail: NewMail, now: Date): Insertable<OutboxTable> {
  return {
    kind: mail.kind,
    ref: mail.ref ?? null,
    to_address: mail.to,
    subject: mail.subject,
    body_text: mail.text,
    attachment_name: mail.attachment?.name ?? null,
    attachment_blob: mail.attachment?.content ?? null,
    created_at: instantOf(now),
    sent_at: null,
    last_error: null,
    next_attempt_at: null,
  };
}

/** Queues one mail; returns its outbox id (the existing one when its `ref` was queued before). */
export async function queueMail(db: Db, mail: NewMail, now: Date): Promise<number> {
  const inserted = await db
    .insertInto("outbox")
    .values(outboxRow(mail, now))
    .onConflict((oc) => oc.column("ref").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await db
    .selectFrom("outbox")
    .select("id")
    .where("ref", "=", mail.ref ?? null)
    .executeTakeFirstOrThrow();
  return existing.id;
}

export interface DeliverySummary {
  sent: number;
  retrying: number;
  failed: number;
  /** Mails due but left queued because no transport is configured. */
  waiting: number;
}

export interface DeliverOptions {
  from?: string;
  log?: (line: string) => void;
  /**
   * Makes an attachment that was queued by name only (a large document rendered when it is sent,
   * not stored twice): called with the mail's kind and ref. Null or absent: sent without it.
   */
  renderAttachment?: (mail: { kind: string; ref: string | null }) => Promise<Buffer | null>;
  /** This sender's name in the claims (default: the process's lease holder name). */
  sender?: string;
}

/**
 * Claims one queued mail for `sender`: the UPDATE changes the row only while nobody else holds an
 * unexpired claim on it, so of two senders exactly one gets 1 updated row. (On PostgreSQL a batch
 * could be claimed at once with `… where id in (select id … for update skip locked)`; the
 * per-row condition is what makes it correct on both engines.)
 */
export async function claimMail(
  db: Kysely<Database>,
  id: number,
  sender: string,
  at: Date,
  dueAt: Date = at,
): Promise<boolean> {
  const atIso = instantOf(at);
  const dueIso = instantOf(dueAt);
  const result = await db
    .updateTable("outbox")
    .set({ claimed_by: sender, claimed_until: instantOf(new Date(at.getTime() + CLAIM_MS)) })
    .where("id", "=", id)
    .where("status", "=", "queued")
    // Still due: a stale candidate list must not retry a mail another sender just postponed.
    .where((eb) => eb.or([eb("next_attempt_at", "is", null), eb("next_attempt_at", "<=", dueIso)]))
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", atIso)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sends every queued mail that is due at `now`; returns what happened. */
/** The body kept once a mail is done with (sent or given up): a password link's token is not kept. */
function storedBody(mail: { kind: string; body_text: string }, done: boolean): string {
  return done && mail.kind === ACCOUNT_LINK_MAIL_KIND
    ? withoutAccountLinks(mail.body_text)
    : mail.body_text;
}

export async function deliverOutbox(
  db: Kysely<Database>,
  transport: MailTransport | null,
  now: Date,
  options: DeliverOptions = {},
): Promise<DeliverySummary> {
  const log = options.log ?? console.error;
  const nowIso = instantOf(now);
  const summary: DeliverySummary = { sent: 0, retrying: 0, failed: 0, waiting: 0 };
  const due = await db
    .selectFrom("outbox")
    .selectAll()
    .where("status", "=", "queued")
    .where((eb) => eb.or([eb("next_attempt_at", "is", null), eb("next_attempt_at", "<=", nowIso)]))
    .orderBy("id")
    .limit(BATCH)
    .execute();
  if (transport === null) {
    summary.waiting = due.length;
    if (due.length)
      log(`mail: no SMTP transport (SMTP_URL is not set); ${due.length} e-mail(s) stay queued`);
    return summary;
  }

  const from = options.from ?? mailFrom();
  const sender = options.sender ?? processHolder();
  for (const mail of due) {
    // Claims use the real clock (the business clock may be fixed in a demo): they are about processes.
    if (!(await claimMail(db, mail.id, sender, new Date(), now))) continue;
    const attempts = mail.attempts + 1;
    try {
      const content = mail.attachment_name
        ? (mail.attachment_blob ??
          (await options.renderAttachment?.({ kind: mail.kind, ref: mail.ref })) ??
          null)
        : null;
      if (mail.attachment_name && !content)
        throw new Error(`attachment ${mail.attachment_name} could not be made`);
      await transport.sendMail({
        from,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.body_text,
        attachments:
          mail.attachment_name && content
            ? [{ filename: mail.attachment_name, content }]
            : undefined,
      });
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("outbox")
          .set({
            status: "sent",
            sent_at: nowIso,
            attempts,
            last_error: null,
            next_attempt_at: null,
            body_text: storedBody(mail, true),
            claimed_by: null,
            claimed_until: null,
          })
          .where("id", "=", mail.id)
          .execute();
        // An incident's e-mail notification is done when its mail is handed to the SMTP server.
        await trx
          .updateTable("notifications")
          .set({ sent_at: nowIso, result: "sent", attempts, last_error: null })
          .where("outbox_id", "=", mail.id)
          .where("sent_at", "is", null)
          .execute();
      });
      summary.sent++;
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
      const giveUp = attempts >= MAX_ATTEMPTS;
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable("outbox")
          .set({
            status: giveUp ? "failed" : "queued",
            attempts,
            last_error: reason,
            next_attempt_at: giveUp
              ? null
              : instantOf(new Date(now.getTime() + backoffMs(attempts, RETRY_BASE_MS))),
            body_text: storedBody(mail, giveUp),
            claimed_by: null,
            claimed_until: null,
          })
          .where("id", "=", mail.id)
          .execute();
        await trx
          .updateTable("notifications")
          .set({ attempts, last_error: reason, ...(giveUp ? { result: "failed" } : {}) })
          .where("outbox_id", "=", mail.id)
          .where("sent_at", "is", null)
          .execute();
      });
      if (giveUp) summary.failed++;
      else summary.retrying++;
      log(`mail: outbox #${mail.id} to ${mail.to_address}: attempt ${attempts} failed: ${reason}`);
    }
  }
  return summary;
}
