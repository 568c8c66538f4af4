// Closing a month e-mails each invoice PDF to the customer's billing address through SMTP.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingMonth } from "../app/billing/billing-run.server";
import { attachmentRenderer } from "../app/mail/attachments.server";
import { deliverOutbox } from "../app/mail/outbox.server";
import { createMailTransport } from "../app/mail/transport.server";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { parseMime } from "./support/mime";
import { startSmtp } from "./support/smtp";
import { yearMonth } from "../app/lib/jst";

/** The file name of a Content-Disposition written with RFC 2231 continuations (filename*0*=utf-8''…). */
function rfc2231FileName(header: string): string {
  const parts = [...header.matchAll(/filename\*(\d+)\*?=([^;]+)/g)]
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((m) => m[2].trim());
  return decodeURIComponent(parts.join("").replace(/^utf-8''/i, ""));
}

let t: TestDatabase;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const dir = mkdtempSync(join(tmpdir(), "invoice-mail-"));
beforeAll(async () => {
  t = await createTestDatabase({ seed: true });
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe("invoice delivery", () => {
  it("marks the demo's past invoice mails as sent", async () => {
    const queued = await t.db
      .selectFrom("outbox")
      .select("id")
      .where("kind", "=", "invoice")
      .where("status", "=", "queued")
      .execute();
    expect(queued).toHaveLength(0);
  });

  it("queues one mail per issued invoice and sends it with its PDF, once", async () => {
    const at = new Date("2026-12-02T10:00:00+09:00");
    const result = await runBillingMonth(t.db, yearMonth("2026-11"), { at });
    expect(result.issued).toBe(9);
    const queued = await t.db
      .selectFrom("outbox")
      .selectAll()
      .where("kind", "=", "invoice")
      .where("status", "=", "queued")
      .execute();
    expect(queued).toHaveLength(9);

    const transport = createMailTransport(smtp.url, () => undefined);
    const options = { renderAttachment: attachmentRenderer(t.db), log: () => undefined };
    expect(await deliverOutbox(t.db, transport, at, options)).toEqual({
      sent: 9,
      retrying: 0,
      failed: 0,
      waiting: 0,
    });
    expect(await deliverOutbox(t.db, transport, at, options)).toEqual({
      sent: 0,
      retrying: 0,
      failed: 0,
      waiting: 0,
    });
    expect(smtp.received).toHaveLength(9);

    const invoice = await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .select(["invoices.invoice_number", "invoices.total_yen"])
      .where("contracts.ref", "=", "K-2002")
      .where("billing_month", "=", yearMonth("2026-11"))
      .executeTakeFirstOrThrow();
    const mail = smtp.received.find((m) => m.to.includes("info@hibari-fudosan.example"))!;
    const message = parseMime(mail.raw);
    expect(message.headers.get("subject")).toBe(
      `【セキュアライン株式会社】2026年11月分 ご請求書（${invoice.invoice_number}）`,
    );
    const attachment = message.parts.find((p) =>
      (p.headers.get("content-type") ?? "").startsWith("application/pdf"),
    )!;
    expect(rfc2231FileName(attachment.headers.get("content-disposition")!)).toBe(
      `請求書_${invoice.invoice_number}.pdf`,
    );
    const pdf = join(dir, "mailed.pdf");
    writeFileSync(pdf, attachment.body);
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    expect(text).toContain(invoice.invoice_number);
    expect(text).toMatch(new RegExp(`合計\\s+${invoice.total_yen.toLocaleString("en-US")}円`));
  });
});
