// Test helper for the browser/HTTP tests: issues a credit note on an invoice through the console's
// own operation (issueCreditNote), returning the given amount of its first creditable line, and
// prints the credit note's number. `tsx test/e2e/support/issue-credit-note.ts INVOICE_NUMBER YEN`
// with DATABASE_URL set.
import { creditableLines, issueCreditNote } from "../../../app/billing/credit-notes.server";
import { openDatabase } from "../../../db/connection";

const [number, yen] = process.argv.slice(2);
const handle = openDatabase();
try {
  const invoice = await handle.db
    .selectFrom("invoices")
    .select("id")
    .where("invoice_number", "=", number)
    .executeTakeFirstOrThrow();
  const line = (await creditableLines(handle.db, invoice.id)).find(
    (l) => l.amountYen - l.alreadyCreditedYen >= Number(yen),
  );
  if (!line) throw new Error(`${number}: no line to credit ${yen} yen`);
  const result = await issueCreditNote(handle.db, {
    invoiceId: invoice.id,
    tenant: { kind: "provider" },
    amounts: new Map([[line.invoiceLineId, Number(yen)]]),
    reason: "テスト返還",
    actor: { id: null, email: "test" },
    ip: "",
  });
  if (!result.ok) throw new Error(JSON.stringify(result));
  console.log(result.value.number);
} finally {
  await handle.close();
}
