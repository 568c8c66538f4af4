// The SMTP transport, configured by SMTP_URL (e.g. `smtp://127.0.0.1:2525`,
// `smtps://user:pass@mail.example:465`) and MAIL_FROM (app/config.server.ts). Without SMTP_URL
// there is no transport: mails stay queued in the outbox until one is configured, and the log says so.
import nodemailer from "nodemailer";
import { DEFAULT_MAIL_FROM, environment } from "../config.server";

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  attachments?: Array<{ filename: string; content: Buffer }>;
}

/** What the outbox needs from a transport (a nodemailer transporter fits). */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<unknown>;
}

export { DEFAULT_MAIL_FROM };

export function mailFrom(): string {
  return environment().mailFrom;
}

/** `smtpUrl` as parsed by app/config.server.ts (parseSmtpUrl); null: no transport. */
export function createMailTransport(
  smtpUrl: string | null = environment().smtpUrl,
  log: (line: string) => void = console.error,
): MailTransport | null {
  const url = smtpUrl;
  if (!url) {
    log("mail: SMTP_URL is not set; e-mails stay queued in the outbox until it is");
    return null;
  }
  return nodemailer.createTransport(url, {
    // A dead server must not hold a delivery run for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as Record<string, unknown>);
}
