// A direct-debit account as entered (console form or import file), checked against the bank-code
// dataset and the 全銀 character set, with one Japanese message per field.
import { failureFields, invalid, ok, type Result } from "../lib/result";
import { findBranch } from "./bank-codes.server";
import { toZenginKana, zenginKanaProblem, type AccountType } from "./zengin";

export const ACCOUNT_FIELDS = [
  "bankCode",
  "branchCode",
  "accountType",
  "accountNumber",
  "holderKana",
] as const;
export type AccountField = (typeof ACCOUNT_FIELDS)[number];

export interface DebitAccount {
  bankCode: string;
  branchCode: string;
  accountType: AccountType;
  accountNumber: string;
  holderKana: string;
}

/** The account, or a validation failure with one Japanese message per field. */
export type AccountCheck = Result<DebitAccount, AccountField>;

const digits = (value: string) => value.normalize("NFKC").trim();

/** Checks each field; the account type is "普通"/"当座" (or 1/2); the number is padded to 7 digits. */
export function checkDebitAccount(
  input: Partial<Record<AccountField, unknown>>,
  options: { holderLabel?: string } = {},
): AccountCheck {
  const errors: Partial<Record<AccountField, string>> = {};
  const text = (k: AccountField) =>
    typeof input[k] === "string" || typeof input[k] === "number" ? String(input[k]) : "";
  const bankCode = digits(text("bankCode"));
  const branchCode = digits(text("branchCode"));
  const accountNumber = digits(text("accountNumber"));
  if (!/^\d{4}$/.test(bankCode)) errors.bankCode = "銀行コードは数字4桁で入力してください";
  if (!/^\d{3}$/.test(branchCode)) errors.branchCode = "支店コードは数字3桁で入力してください";
  if (!errors.bankCode && !errors.branchCode) {
    const found = findBranch(bankCode, branchCode);
    if (!found.ok) Object.assign(errors, failureFields(found));
  }
  const type = text("accountType").trim();
  const accountType: AccountType | null =
    type === "普通" || type === "1" ? 1 : type === "当座" || type === "2" ? 2 : null;
  if (accountType === null) errors.accountType = "預金種目は「普通」か「当座」を選んでください";
  if (!/^\d{1,7}$/.test(accountNumber))
    errors.accountNumber = "口座番号は数字7桁以内で入力してください";
  const holderProblem = zenginKanaProblem(
    options.holderLabel ?? "口座名義（カナ）",
    text("holderKana"),
    30,
  );
  if (holderProblem) errors.holderKana = holderProblem;
  if (Object.keys(errors).length > 0) return invalid(errors);
  return ok({
    bankCode,
    branchCode,
    accountType: accountType!,
    accountNumber: accountNumber.padStart(7, "0"),
    holderKana: toZenginKana(text("holderKana"))!,
  });
}
