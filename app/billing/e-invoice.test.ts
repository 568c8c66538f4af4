// The JP PINT e-invoice (issue 20, item 4), read back with a real XML parser and checked against
// the business rules: line sum = LineExtensionAmount, totals, one TaxSubtotal per category with
// the invoice's own figures, the mandatory elements, a credit note's reference to its invoice.
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { InvoiceDocument } from "../../reports/invoice-pdf";
import { eInvoiceXml, JP_PINT_CUSTOMIZATION_ID, JP_PINT_PROFILE_ID } from "./e-invoice";
import { checkPeppolId } from "./peppol-id";
import { isoDate, yearMonth } from "../lib/jst";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  isArray: (name) => ["cac:InvoiceLine", "cac:CreditNoteLine", "cac:TaxSubtotal"].includes(name),
});
type Node = any;
const amount = (n: Node) => {
  expect(n["@currencyID"]).toBe("JPY");
  expect(n["#text"]).toMatch(/^-?\d+$/); // JPY without decimals
  return Number(n["#text"]);
};

const issuer = {
  name: "セキュアライン株式会社",
  address: "東京都千代田区丸の内1-1-1",
  phone: "03-1234-5678",
  email: "billing@secure-line.example",
  registrationNumber: "T5010001234566",
  bankAccount: "みずほ銀行 本店 普通 1234567 セキュアライン（カ",
};

const invoice: InvoiceDocument = {
  kind: "invoice",
  number: "INV-00000099",
  issueDate: isoDate("2026-12-01"),
  billingMonth: yearMonth("2026-11"),
  dueDate: isoDate("2026-12-31"),
  issuer,
  recipient: {
    name: "ひばり不動産 <本店> & Co.",
    address: "大阪市北区1-2-3",
    contractRef: "K-2002",
    lineId: "L-1",
  },
  lines: [
    {
      description: "基本プラン（11月分）",
      rule: "T-24-1",
      quantity: 1,
      unitPriceYen: 3_980,
      amountYen: 3_980,
      taxCategory: "taxable_10",
    },
    {
      description: "追加デバイス",
      rule: "S5",
      quantity: 3,
      unitPriceYen: 500,
      amountYen: 1_500,
      taxCategory: "taxable_10",
    },
    {
      description: "障害による減額",
      rule: "T-32",
      quantity: 1,
      unitPriceYen: -503,
      amountYen: -503,
      taxCategory: "taxable_10",
    },
    {
      description: "解約違約金（残5か月）",
      rule: "S4※1",
      quantity: 1,
      unitPriceYen: 15_000,
      amountYen: 15_000,
      taxCategory: "non_taxable",
    },
    {
      description: "延滞利息（10月分）",
      rule: "T-26",
      quantity: 1,
      unitPriceYen: 76,
      amountYen: 76,
      taxCategory: "non_taxable",
    },
  ],
  // 4,977 × 10 % = 497.7 → 497 (T-28, once per invoice)
  totals: { taxable10Yen: 4_977, tax10Yen: 497, nonTaxableYen: 15_076, totalYen: 20_550 },
};

describe("JP PINT invoice", () => {
  const xml = eInvoiceXml({
    doc: invoice,
    sellerPeppolId: "0221:T5010001234566",
    buyerPeppolId: "0188:1234567890123",
  });
  const root: Node = parser.parse(xml).Invoice;

  it("carries the mandatory elements", () => {
    expect(root["@xmlns"]).toBe("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2");
    expect(root["cbc:CustomizationID"]).toBe(JP_PINT_CUSTOMIZATION_ID);
    expect(JP_PINT_CUSTOMIZATION_ID).toBe("urn:peppol:pint:billing-1@jp-1");
    expect(root["cbc:ProfileID"]).toBe(JP_PINT_PROFILE_ID);
    expect(root["cbc:ID"]).toBe("INV-00000099");
    expect(root["cbc:IssueDate"]).toBe("2026-12-01");
    expect(root["cbc:DueDate"]).toBe("2026-12-31");
    expect(root["cbc:InvoiceTypeCode"]).toBe("380");
    expect(root["cbc:DocumentCurrencyCode"]).toBe("JPY");
    expect(root["cac:InvoicePeriod"]).toEqual({
      "cbc:StartDate": "2026-11-01",
      "cbc:EndDate": "2026-11-30",
    });
    const seller = root["cac:AccountingSupplierParty"]["cac:Party"];
    expect(seller["cac:PartyTaxScheme"]["cbc:CompanyID"]).toBe("T5010001234566");
    expect(seller["cac:PartyTaxScheme"]["cac:TaxScheme"]["cbc:ID"]).toBe("VAT");
    expect(seller["cbc:EndpointID"]).toEqual({ "@schemeID": "0221", "#text": "T5010001234566" });
    const buyer = root["cac:AccountingCustomerParty"]["cac:Party"];
    expect(buyer["cbc:EndpointID"]).toEqual({ "@schemeID": "0188", "#text": "1234567890123" });
    // Escaped by the writer, read back intact.
    expect(buyer["cac:PartyName"]["cbc:Name"]).toBe("ひばり不動産 <本店> & Co.");
    expect(xml).toContain("ひばり不動産 &lt;本店&gt; &amp; Co.");
  });

  it("adds up: line sum, totals and one subtotal per category with the invoice's own tax", () => {
    const lines: Node[] = root["cac:InvoiceLine"];
    expect(lines).toHaveLength(5);
    const lineSum = lines.reduce((a, l) => a + amount(l["cbc:LineExtensionAmount"]), 0);
    const totals = root["cac:LegalMonetaryTotal"];
    expect(lineSum).toBe(20_053);
    expect(amount(totals["cbc:LineExtensionAmount"])).toBe(lineSum);
    expect(amount(totals["cbc:TaxExclusiveAmount"])).toBe(20_053);
    expect(amount(totals["cbc:TaxInclusiveAmount"])).toBe(20_550);
    expect(amount(totals["cbc:PayableAmount"])).toBe(20_550);
    // Quantity × non-negative price = line amount, also for the credit line.
    for (const l of lines) {
      const price = amount(l["cac:Price"]["cbc:PriceAmount"]);
      expect(price).toBeGreaterThanOrEqual(0);
      expect(Number(l["cbc:InvoicedQuantity"]["#text"]) * price).toBe(
        amount(l["cbc:LineExtensionAmount"]),
      );
    }
    expect(lines.map((l) => l["cac:Item"]["cac:ClassifiedTaxCategory"]["cbc:ID"])).toEqual([
      "S",
      "S",
      "S",
      "O",
      "E",
    ]);

    const tax = root["cac:TaxTotal"];
    expect(amount(tax["cbc:TaxAmount"])).toBe(497);
    const subtotals = tax["cac:TaxSubtotal"].map((s: Node) => ({
      category: s["cac:TaxCategory"]["cbc:ID"],
      percent: s["cac:TaxCategory"]["cbc:Percent"],
      taxable: amount(s["cbc:TaxableAmount"]),
      tax: amount(s["cbc:TaxAmount"]),
    }));
    expect(subtotals).toEqual([
      { category: "S", percent: "10", taxable: 4_977, tax: 497 },
      { category: "E", percent: "0", taxable: 76, tax: 0 },
      { category: "O", percent: undefined, taxable: 15_000, tax: 0 },
    ]);
    expect(tax["cac:TaxSubtotal"][1]["cac:TaxCategory"]["cbc:TaxExemptionReason"]).toBe(
      "非課税（延滞利息）",
    );
    expect(amount(tax["cbc:TaxAmount"]) + lineSum).toBe(amount(totals["cbc:TaxInclusiveAmount"]));
  });

  it("leaves the endpoint out when no Peppol id is registered", () => {
    const plain: Node = parser.parse(
      eInvoiceXml({ doc: invoice, sellerPeppolId: null, buyerPeppolId: null }),
    ).Invoice;
    expect(plain["cac:AccountingSupplierParty"]["cac:Party"]["cbc:EndpointID"]).toBeUndefined();
    expect(
      plain["cac:AccountingSupplierParty"]["cac:Party"]["cac:PartyTaxScheme"]["cbc:CompanyID"],
    ).toBe("T5010001234566");
  });

  it("refuses a seller without a registration number", () => {
    expect(() =>
      eInvoiceXml({
        doc: { ...invoice, issuer: { ...issuer, registrationNumber: "" } },
        sellerPeppolId: null,
        buyerPeppolId: null,
      }),
    ).toThrow("登録番号");
  });
});

describe("JP PINT credit note", () => {
  const note: InvoiceDocument = {
    kind: "credit_note",
    number: "CN-00000007",
    issueDate: isoDate("2026-12-10"),
    billingMonth: yearMonth("2026-11"),
    originalInvoiceNumber: "INV-00000099",
    reason: "設定ミスの返金",
    issuer,
    recipient: invoice.recipient,
    lines: [
      {
        description: "基本プラン（11月分）",
        rule: "T-24-1",
        quantity: 1,
        unitPriceYen: 1_000,
        amountYen: 1_000,
        taxCategory: "taxable_10",
      },
      {
        description: "延滞利息（10月分）",
        rule: "T-26",
        quantity: 1,
        unitPriceYen: 76,
        amountYen: 76,
        taxCategory: "non_taxable",
      },
    ],
    totals: { taxable10Yen: 1_000, tax10Yen: 100, nonTaxableYen: 76, totalYen: 1_176 },
  };
  const root: Node = parser.parse(
    eInvoiceXml({
      doc: note,
      sellerPeppolId: null,
      buyerPeppolId: null,
      originalInvoiceIssueDate: "2026-12-01",
    }),
  ).CreditNote;

  it("is a CreditNote 381 referring to its invoice, with its totals", () => {
    expect(root["@xmlns"]).toBe("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2");
    expect(root["cbc:CustomizationID"]).toBe("urn:peppol:pint:billing-1@jp-1");
    expect(root["cbc:CreditNoteTypeCode"]).toBe("381");
    expect(root["cbc:DueDate"]).toBeUndefined();
    expect(root["cac:BillingReference"]["cac:InvoiceDocumentReference"]).toEqual({
      "cbc:ID": "INV-00000099",
      "cbc:IssueDate": "2026-12-01",
    });
    expect(root["cac:InvoicePeriod"]).toEqual({
      "cbc:StartDate": "2026-11-01",
      "cbc:EndDate": "2026-11-30",
    });
    const lines: Node[] = root["cac:CreditNoteLine"];
    expect(lines.map((l) => Number(l["cbc:CreditedQuantity"]["#text"]))).toEqual([1, 1]);
    expect(amount(root["cac:LegalMonetaryTotal"]["cbc:LineExtensionAmount"])).toBe(1_076);
    expect(amount(root["cac:LegalMonetaryTotal"]["cbc:PayableAmount"])).toBe(1_176);
    expect(
      root["cac:TaxTotal"]["cac:TaxSubtotal"].map((s: Node) => [
        s["cac:TaxCategory"]["cbc:ID"],
        amount(s["cbc:TaxableAmount"]),
        amount(s["cbc:TaxAmount"]),
      ]),
    ).toEqual([
      ["S", 1_000, 100],
      ["E", 76, 0],
    ]);
  });
});

describe("checkPeppolId", () => {
  it("accepts the two Japanese schemes, normalised, and nothing else", () => {
    expect(checkPeppolId(" ０２２１:t5010001234566 ")).toEqual({
      ok: true,
      value: "0221:T5010001234566",
    });
    expect(checkPeppolId("0188:1234567890123")).toEqual({ ok: true, value: "0188:1234567890123" });
    expect(checkPeppolId("")).toEqual({ ok: true, value: null });
    expect(checkPeppolId("0221:5010001234566")).toEqual({
      ok: false,
      kind: "validation",
      fields: {
        peppolId:
          "Peppol IDは「0188:法人番号13桁」または「0221:T＋登録番号13桁」の形式で入力してください",
      },
    });
    expect(checkPeppolId("9912:1234567890123").ok).toBe(false);
  });
});
