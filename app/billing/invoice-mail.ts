// The e-mail that carries an issued invoice to the customer's billing address (T-27-1). Pure.
import { formatBillingMonth, formatDate, formatYen } from "../lib/format";

export interface InvoiceMailFacts {
  invoiceNumber: string;
  billingMonth: string;
  recipientName: string;
  totalYen: number;
  dueDate: string;
  providerName: string;
  providerPhone: string;
}

export function invoiceMailRef(invoiceNumber: string): string {
  return `invoice:${invoiceNumber}`;
}

export function invoiceAttachmentName(invoiceNumber: string): string {
  return `請求書_${invoiceNumber}.pdf`;
}

export function invoiceMail(f: InvoiceMailFacts): { subject: string; text: string } {
  const month = formatBillingMonth(f.billingMonth);
  return {
    subject: `【${f.providerName}】${month} ご請求書（${f.invoiceNumber}）`,
    text: [
      `${f.recipientName} ご担当者さま`,
      "",
      `いつもご利用いただきありがとうございます。${f.providerName}です。`,
      `${month}のご請求書（適格請求書）をお送りします。添付のPDFをご確認ください。`,
      "",
      `請求書番号: ${f.invoiceNumber}`,
      `ご請求額（税込）: ${formatYen(f.totalYen)}`,
      `お支払期限: ${formatDate(f.dueDate)}`,
      "",
      "管理コンソールの「請求書」からもダウンロードいただけます。",
      `ご不明な点は ${f.providerPhone}（9:00〜21:00、12/29〜1/3を除く）までお問い合わせください。`,
    ].join("\n"),
  };
}
