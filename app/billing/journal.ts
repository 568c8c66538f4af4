// The month's sales journal for 弥生会計 (仕訳日記帳 import format, 25 columns, no header):
// one slip per invoice — Dr 売掛金 the total / Cr 売上高 the 10 % amount, Cr 仮受消費税 the tax,
// and the non-taxable lines on their own accounts: the early-termination fee as 雑収入
// (不課税, compensation) and late interest as 受取利息 (非課税). A credit note is the
// reverse slip. Debits equal credits on every slip. Pure: rows in, CSV rows out.
import { formatBillingMonth } from "../lib/format";

export interface JournalInvoice {
  number: string;
  issueDate: string;
  customerName: string;
  billingMonth: string;
  taxable10Yen: number;
  tax10Yen: number;
  /** Non-taxable amounts by kind: interest lines vs everything else (ETF, …). */
  interestYen: number;
  otherNonTaxableYen: number;
  totalYen: number;
  /** A credit note reverses the sale. */
  reversal: boolean;
}

export const ACCOUNTS = {
  receivable: "売掛金",
  sales: "売上高",
  outputTax: "仮受消費税",
  otherIncome: "雑収入",
  interestIncome: "受取利息",
} as const;

interface Entry {
  account: string;
  taxCategory: string;
  amount: number;
}

/** A journal cell: amounts are numbers, so the CSV writes them as they are (csv.ts quotes text only). */
export type JournalCell = string | number;

/** 25 columns of one journal row; `flag` is 2110 (first), 2100 (middle), 2101 (last) or 2000 (single). */
function row(
  flag: string,
  date: string,
  debit: Entry | null,
  credit: Entry | null,
  memo: string,
  number: string,
): JournalCell[] {
  const side = (e: Entry | null) =>
    e ? [e.account, "", "", e.taxCategory, e.amount, 0] : ["", "", "", "", "", ""];
  return [
    flag,
    "",
    "",
    date.replace(/-/g, "/"),
    ...side(debit),
    ...side(credit),
    memo,
    number,
    "",
    0,
    "",
    "",
    0,
    0,
    "no",
  ];
}

export function journalRows(invoice: JournalInvoice): JournalCell[][] {
  const memo = `${invoice.customerName} ${formatBillingMonth(invoice.billingMonth)} ${invoice.number}`;
  const receivable: Entry = {
    account: ACCOUNTS.receivable,
    taxCategory: "対象外",
    amount: invoice.totalYen,
  };
  const others: Entry[] = [
    { account: ACCOUNTS.sales, taxCategory: "課税売上10%", amount: invoice.taxable10Yen },
    { account: ACCOUNTS.outputTax, taxCategory: "対象外", amount: invoice.tax10Yen },
    { account: ACCOUNTS.otherIncome, taxCategory: "不課税", amount: invoice.otherNonTaxableYen },
    { account: ACCOUNTS.interestIncome, taxCategory: "非課売上", amount: invoice.interestYen },
  ].filter((e) => e.amount !== 0);
  // One row per account on the non-receivable side; the receivable shares the first row.
  const entries = others.length > 0 ? others : [];
  if (entries.length === 0) return [];
  return entries.map((entry, i) => {
    const flag =
      entries.length === 1 ? "2000" : i === 0 ? "2110" : i === entries.length - 1 ? "2101" : "2100";
    const first = i === 0 ? receivable : null;
    return invoice.reversal
      ? row(flag, invoice.issueDate, entry, first, memo, invoice.number)
      : row(flag, invoice.issueDate, first, entry, memo, invoice.number);
  });
}

/** Debit and credit totals of journal rows (columns 9 and 15), for checks. */
export function journalBalance(rows: readonly (readonly JournalCell[])[]): {
  debit: number;
  credit: number;
} {
  return rows.reduce(
    (acc, r) => ({ debit: acc.debit + Number(r[8] || 0), credit: acc.credit + Number(r[14] || 0) }),
    { debit: 0, credit: 0 },
  );
}
