// The e-invoice: an issued invoice or credit note as UBL 2.1 XML per Peppol's Japanese PINT
// (JP PINT, decision 0018): Invoice (380) or CreditNote (381), JPY without decimals, the
// seller's registration number (T + 13 digits) as its tax id, the billing month as the invoice
// period and one tax subtotal per category — S 10 %, E 非課税 (late interest, T-26), O 不課税 (the
// early-termination fee and other lines outside the tax) — with the figures the invoice itself
// computed (tax taken once per invoice, T-28): nothing is recomputed here.
//
// Pure: the same InvoiceDocument the PDF is printed from in, XML text out. Every value goes
// through one escaping writer.
import { registrationNumberLabel, type InvoiceDocument } from "../../reports/invoice-pdf";
import { firstDayOf, lastDayOf } from "../lib/jst";
import { PEPPOL_ID_RE } from "./peppol-id";
import { taxLabel } from "./tax";

/** JP PINT billing (decision 0018): the customization of the Japanese specialisation and the Peppol billing profile. */
export const JP_PINT_CUSTOMIZATION_ID = "urn:peppol:pint:billing-1@jp-1";
export const JP_PINT_PROFILE_ID = "urn:peppol:bis:billing";

export interface EInvoiceInput {
  doc: InvoiceDocument;
  /** Peppol participant ids (`0221:T…` / `0188:…`); null when not registered. */
  sellerPeppolId: string | null;
  buyerPeppolId: string | null;
  /** A credit note's corrected invoice: its issue date (JP PINT asks for number and date). */
  originalInvoiceIssueDate?: string | null;
}

// ---------------------------------------------------------------------------------------------
// A small XML writer: elements are data, text and attribute values are escaped when written.

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

function el(
  name: string,
  attrsOrChildren?: Record<string, string> | (XmlElement | string | null)[] | string | number,
  maybeChildren?: (XmlElement | string | null)[] | string | number,
): XmlElement {
  const isAttrs =
    attrsOrChildren !== undefined &&
    typeof attrsOrChildren === "object" &&
    !Array.isArray(attrsOrChildren);
  const attrs = isAttrs ? (attrsOrChildren as Record<string, string>) : {};
  const content = isAttrs ? maybeChildren : attrsOrChildren;
  const children =
    content === undefined
      ? []
      : Array.isArray(content)
        ? content.filter((c): c is XmlElement | string => c !== null)
        : [String(content)];
  return { name, attrs, children };
}

/** Characters XML 1.0 cannot carry at all are replaced; the markup characters are escaped. */
function escapeText(value: string): string {
  // XML 1.0 allows only these characters: the regular expression names the control ones on purpose.
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
  );
}

function escapeAttr(value: string): string {
  return escapeText(value)
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}

function write(node: XmlElement, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join("");
  if (node.children.length === 0) {
    out.push(`${pad}<${node.name}${attrs}/>`);
  } else if (node.children.every((c) => typeof c === "string")) {
    out.push(
      `${pad}<${node.name}${attrs}>${(node.children as string[]).map(escapeText).join("")}</${node.name}>`,
    );
  } else {
    out.push(`${pad}<${node.name}${attrs}>`);
    for (const child of node.children) {
      if (typeof child === "string") out.push(`${pad}  ${escapeText(child)}`);
      else write(child, depth + 1, out);
    }
    out.push(`${pad}</${node.name}>`);
  }
}

export function serializeXml(root: XmlElement): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  write(root, 0, out);
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// The document.

type CategoryId = "S" | "E" | "O";

/** The line's category, by the same rule that prints 10% / 非課税 / 不課税 on the PDF. */
export function taxCategoryId(line: {
  rule: string;
  taxCategory: "taxable_10" | "non_taxable";
}): CategoryId {
  const label = taxLabel(line);
  return label === "10%" ? "S" : label === "非課税" ? "E" : "O";
}

const EXEMPTION_REASON: Record<Exclude<CategoryId, "S">, string> = {
  E: "非課税（延滞利息）",
  O: "不課税（消費税の課税対象外）",
};

const yen = (name: string, amount: number) => el(name, { currencyID: "JPY" }, String(amount));

function taxCategory(name: string, id: CategoryId, withReason: boolean): XmlElement {
  return el(name, [
    el("cbc:ID", id),
    id === "O" ? null : el("cbc:Percent", id === "S" ? "10" : "0"),
    withReason && id !== "S" ? el("cbc:TaxExemptionReason", EXEMPTION_REASON[id]) : null,
    el("cac:TaxScheme", [el("cbc:ID", "VAT")]),
  ]);
}

function endpoint(peppolId: string | null): XmlElement | null {
  if (!peppolId || !PEPPOL_ID_RE.test(peppolId)) return null;
  const [scheme, id] = peppolId.split(":");
  return el("cbc:EndpointID", { schemeID: scheme }, id);
}

function address(text: string): XmlElement {
  return el("cac:PostalAddress", [
    el("cbc:StreetName", text),
    el("cac:Country", [el("cbc:IdentificationCode", "JP")]),
  ]);
}

/** Quantity and a non-negative unit price whose product is the line amount (UBL's price may not be negative). */
function quantityAndPrice(line: { quantity: number; unitPriceYen: number; amountYen: number }): {
  quantity: number;
  price: number;
} {
  if (line.quantity * line.unitPriceYen === line.amountYen && line.quantity !== 0) {
    return line.unitPriceYen < 0
      ? { quantity: -line.quantity, price: -line.unitPriceYen }
      : { quantity: line.quantity, price: line.unitPriceYen };
  }
  return { quantity: line.amountYen < 0 ? -1 : 1, price: Math.abs(line.amountYen) };
}

export interface TaxSubtotalFigures {
  category: CategoryId;
  taxableYen: number;
  taxYen: number;
}

/** One subtotal per category present, from the invoice's own totals (S) and its lines (E, O). */
export function taxSubtotals(doc: InvoiceDocument): TaxSubtotalFigures[] {
  const sum = (c: CategoryId) =>
    doc.lines.filter((l) => taxCategoryId(l) === c).reduce((a, l) => a + l.amountYen, 0);
  const present = (c: CategoryId) => doc.lines.some((l) => taxCategoryId(l) === c);
  const exempt = sum("E");
  const outside = sum("O");
  if (exempt + outside !== doc.totals.nonTaxableYen) {
    throw new Error(
      `${doc.number}: non-taxable lines ${exempt + outside} ≠ nonTaxableYen ${doc.totals.nonTaxableYen}`,
    );
  }
  const subtotals: TaxSubtotalFigures[] = [];
  if (present("S"))
    subtotals.push({
      category: "S",
      taxableYen: doc.totals.taxable10Yen,
      taxYen: doc.totals.tax10Yen,
    });
  if (present("E")) subtotals.push({ category: "E", taxableYen: exempt, taxYen: 0 });
  if (present("O")) subtotals.push({ category: "O", taxableYen: outside, taxYen: 0 });
  return subtotals;
}

/** The JP PINT XML of an issued invoice or credit note. */
export function eInvoiceXml(input: EInvoiceInput): string {
  const { doc } = input;
  const isInvoice = doc.kind === "invoice";
  const root = isInvoice ? "Invoice" : "CreditNote";
  const lineExtension = doc.totals.taxable10Yen + doc.totals.nonTaxableYen;
  const seller = el("cac:AccountingSupplierParty", [
    el("cac:Party", [
      endpoint(input.sellerPeppolId),
      el("cac:PartyName", [el("cbc:Name", doc.issuer.name)]),
      address(doc.issuer.address),
      el("cac:PartyTaxScheme", [
        el("cbc:CompanyID", registrationNumberLabel(doc.issuer.registrationNumber)),
        el("cac:TaxScheme", [el("cbc:ID", "VAT")]),
      ]),
      el("cac:PartyLegalEntity", [el("cbc:RegistrationName", doc.issuer.name)]),
      el("cac:Contact", [
        el("cbc:Telephone", doc.issuer.phone),
        el("cbc:ElectronicMail", doc.issuer.email),
      ]),
    ]),
  ]);
  const buyer = el("cac:AccountingCustomerParty", [
    el("cac:Party", [
      endpoint(input.buyerPeppolId),
      el("cac:PartyIdentification", [el("cbc:ID", doc.recipient.contractRef)]),
      el("cac:PartyName", [el("cbc:Name", doc.recipient.name)]),
      address(doc.recipient.address),
      el("cac:PartyLegalEntity", [el("cbc:RegistrationName", doc.recipient.name)]),
    ]),
  ]);
  const lines = doc.lines.map((line, i) => {
    const { quantity, price } = quantityAndPrice(line);
    const category = taxCategoryId(line);
    return el(isInvoice ? "cac:InvoiceLine" : "cac:CreditNoteLine", [
      el("cbc:ID", String(i + 1)),
      el(
        isInvoice ? "cbc:InvoicedQuantity" : "cbc:CreditedQuantity",
        { unitCode: "C62" },
        String(quantity),
      ),
      yen("cbc:LineExtensionAmount", line.amountYen),
      el("cac:Item", [
        el("cbc:Name", line.description),
        el("cac:SellersItemIdentification", [el("cbc:ID", line.rule)]),
        taxCategory("cac:ClassifiedTaxCategory", category, false),
      ]),
      el("cac:Price", [yen("cbc:PriceAmount", price)]),
    ]);
  });
  const document = el(
    root,
    {
      xmlns: `urn:oasis:names:specification:ubl:schema:xsd:${root}-2`,
      "xmlns:cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "xmlns:cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    },
    [
      el("cbc:UBLVersionID", "2.1"),
      el("cbc:CustomizationID", JP_PINT_CUSTOMIZATION_ID),
      el("cbc:ProfileID", JP_PINT_PROFILE_ID),
      el("cbc:ID", doc.number),
      el("cbc:IssueDate", doc.issueDate),
      doc.kind === "invoice" ? el("cbc:DueDate", doc.dueDate) : null,
      isInvoice ? el("cbc:InvoiceTypeCode", "380") : el("cbc:CreditNoteTypeCode", "381"),
      doc.kind === "credit_note" ? el("cbc:Note", doc.reason) : null,
      el("cbc:DocumentCurrencyCode", "JPY"),
      el("cbc:BuyerReference", doc.recipient.contractRef),
      el("cac:InvoicePeriod", [
        el("cbc:StartDate", firstDayOf(doc.billingMonth)),
        el("cbc:EndDate", lastDayOf(doc.billingMonth)),
      ]),
      doc.kind === "credit_note"
        ? el("cac:BillingReference", [
            el("cac:InvoiceDocumentReference", [
              el("cbc:ID", doc.originalInvoiceNumber),
              input.originalInvoiceIssueDate
                ? el("cbc:IssueDate", input.originalInvoiceIssueDate)
                : null,
            ]),
          ])
        : null,
      seller,
      buyer,
      el("cac:TaxTotal", [
        yen("cbc:TaxAmount", doc.totals.tax10Yen),
        ...taxSubtotals(doc).map((s) =>
          el("cac:TaxSubtotal", [
            yen("cbc:TaxableAmount", s.taxableYen),
            yen("cbc:TaxAmount", s.taxYen),
            taxCategory("cac:TaxCategory", s.category, true),
          ]),
        ),
      ]),
      el("cac:LegalMonetaryTotal", [
        yen("cbc:LineExtensionAmount", lineExtension),
        yen("cbc:TaxExclusiveAmount", lineExtension),
        yen("cbc:TaxInclusiveAmount", doc.totals.totalYen),
        yen("cbc:PayableAmount", doc.totals.totalYen),
      ]),
      ...lines,
    ],
  );
  return serializeXml(document);
}
