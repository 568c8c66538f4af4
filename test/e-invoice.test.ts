// The e-invoice downloads (issue 20, item 4) through the real routes and database: tenant-scoped
// (a foreign id is a 404), application/xml with an RFC 6266 name, the customer's Peppol id from
// its page, and the invoice's own figures.
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { login } from "../app/auth/session.server";
import { action as customerAction } from "../app/routes/_console.customers.$customerId";
import { loader as invoiceXml } from "../app/routes/_console.invoices.$invoiceId_.xml";
import { DEMO_PASSWORD } from "../db/demo/seed";
import { createTestDatabase, type TestDatabase } from "./support/database";
import { clientRequest, responseOf } from "./support/request";

const BASE = "http://127.0.0.1:3000";
let t: TestDatabase;
const sessions: Record<string, string> = {};
beforeAll(async () => {
  process.env.CONSOLE_URL = BASE;
  t = await createTestDatabase({ seed: true });
  for (const email of ["admin@demo.example", "customer@demo.example", "customer2@demo.example"]) {
    const result = await login(email, DEMO_PASSWORD, clientRequest("10.0.0.8"));
    if (result.ok !== true) throw new Error(`login ${email}`);
    sessions[email] = result.value.headers.getSetCookie()[0].split(";")[0];
  }
});
afterAll(() => t.dispose());

describe("invoice XML download", () => {
  it("serves the ETF invoice with its figures and the customer's Peppol id, and 404 to another customer", async () => {
    const invoice = await t.db
      .selectFrom("invoices")
      .innerJoin("contracts", "contracts.id", "invoices.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "invoices.id",
        "invoices.invoice_number",
        "invoices.total_yen",
        "invoices.tax_10_yen",
        "invoices.taxable_10_yen",
        "customers.id as customer_id",
        "customers.ref",
      ])
      .where("invoices.id", "=", 45)
      .executeTakeFirstOrThrow();
    const form = new URLSearchParams({ intent: "peppol", peppolId: "0188:1234567890123" });
    const saved = await responseOf(() =>
      customerAction({
        request: new Request(`${BASE}/customers/${invoice.customer_id}`, {
          method: "POST",
          body: form,
          headers: {
            Cookie: sessions["admin@demo.example"],
            "Content-Type": "application/x-www-form-urlencoded",
          },
        }),
        params: { customerId: String(invoice.customer_id) },
        context: {},
      }),
    );
    expect(saved.status).toBe(302);
    const bad = await responseOf(() =>
      customerAction({
        request: new Request(`${BASE}/customers/${invoice.customer_id}`, {
          method: "POST",
          body: new URLSearchParams({ intent: "peppol", peppolId: "1234" }),
          headers: {
            Cookie: sessions["admin@demo.example"],
            "Content-Type": "application/x-www-form-urlencoded",
          },
        }),
        params: { customerId: String(invoice.customer_id) },
        context: {},
      }),
    );
    expect((bad as unknown as { init: { status: number } }).init?.status ?? bad.status).toBe(400);

    const response = await responseOf(() =>
      invoiceXml({
        request: new Request(`${BASE}/invoices/${invoice.id}/xml`, {
          headers: { Cookie: sessions["admin@demo.example"] },
        }),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/xml");
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="____${invoice.invoice_number}.xml"; filename*=UTF-8''${encodeURIComponent(`請求書_${invoice.invoice_number}.xml`)}`,
    );
    const root = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@",
      parseTagValue: false,
      isArray: (n) => n === "cac:TaxSubtotal",
    }).parse(await response.text()).Invoice;
    expect(root["cbc:ID"]).toBe(invoice.invoice_number);
    expect(root["cac:AccountingCustomerParty"]["cac:Party"]["cbc:EndpointID"]).toEqual({
      "@schemeID": "0188",
      "#text": "1234567890123",
    });
    expect(Number(root["cac:LegalMonetaryTotal"]["cbc:PayableAmount"]["#text"])).toBe(
      invoice.total_yen,
    );
    const categories = root["cac:TaxTotal"]["cac:TaxSubtotal"].map(
      (s: { "cac:TaxCategory": { "cbc:ID": string }; "cbc:TaxAmount": { "#text": string } }) => [
        s["cac:TaxCategory"]["cbc:ID"],
        Number(s["cbc:TaxAmount"]["#text"]),
      ],
    );
    // K-1006's final invoice holds only the early-termination fee: one subtotal, category O.
    expect(invoice.taxable_10_yen).toBe(0);
    expect(categories).toEqual([["O", 0]]);

    const owner = await t.db
      .selectFrom("users")
      .select("customer_id")
      .where("email", "=", "customer2@demo.example")
      .executeTakeFirstOrThrow();
    expect(owner.customer_id).not.toBe(invoice.customer_id);
    const foreign = await responseOf(() =>
      invoiceXml({
        request: new Request(`${BASE}/invoices/${invoice.id}/xml`, {
          headers: { Cookie: sessions["customer2@demo.example"] },
        }),
        params: { invoiceId: String(invoice.id) },
        context: {},
      }),
    );
    expect(foreign.status).toBe(404);
  });
});
