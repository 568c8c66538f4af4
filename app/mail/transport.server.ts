// The SMTP transport, configured by the environment: SMTP_URL (e.g. `smtp://127.0.0.1:2525`,
// `smtps://user:pass@mail.example:465`) and MAIL_FROM. Without SMTP_URL there is no transport:
// mails stay queued in the outbox until one is configured, and the log says so.
import nodemailer from "nodemailer";

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

export const DEFAULT_MAIL_FROM = "セキュアライン株式会社 <noreply@secureline.example>";

export function mailFrom(env: Record<string, string | undefined> = process.env): string {
  return env.MAIL_FROM?.trim() || DEFAULT_MAIL_FROM;
}

export function createMailTransport(
  env: Record<string, string | undefined> = process.env,
  log: (line: string) => void = console.error,
): MailTransport | null {
  const url = env.SMTP_URL?.trim();
  if (!url) {
    log("mail: SMTP_URL is not set; e-mails stay queued in the outbox until it is");
    return null;
  }
  if (!/^smtps?:\/\//.test(url)) throw new Error(`SMTP_URL: expected smtp://HOST:PORT or smtps://HOST:PORT, got "${url}"`);
  return nodemailer.createTransport(url, {
    // A dead server must not hold a delivery run for minutes.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as Record<string, unknown>);
}
