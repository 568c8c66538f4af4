// Bank and branch codes from the maintained zengin-code dataset (npm `zengin-code`, updated
// monthly). Its module is about 5 MB of JavaScript (some 25 MB of heap once loaded), so it is
// loaded on first use, server-side only, and kept.
import { invalidField, ok, type Result } from "../lib/result";
import { createRequire } from "node:module";
import { toZenginKana } from "./zengin";

interface ZenginBranch {
  code: string;
  name: string;
  kana: string;
}
interface ZenginBank {
  code: string;
  name: string;
  kana: string;
  branches: Record<string, ZenginBranch>;
}

let banks: Record<string, ZenginBank> | null = null;

function dataset(): Record<string, ZenginBank> {
  banks ??= createRequire(import.meta.url)("zengin-code") as Record<string, ZenginBank>;
  return banks;
}

export interface BankBranch {
  bankName: string;
  /** Half-width kana for the file (the dataset's kana are full-width). */
  bankKana: string;
  branchName: string;
  branchKana: string;
}

export function findBank(bankCode: string): { name: string; kana: string } | null {
  const bank = dataset()[bankCode];
  return bank ? { name: bank.name, kana: toZenginKana(bank.kana) ?? "" } : null;
}

/** The bank and branch, or which of them the dataset does not know. */
export function findBranch(
  bankCode: string,
  branchCode: string,
): Result<BankBranch, "bankCode" | "branchCode"> {
  const bank = dataset()[bankCode];
  if (!bank) return invalidField("bankCode", `銀行コード ${bankCode} の金融機関は見つかりません`);
  const branch = bank.branches[branchCode];
  if (!branch)
    return invalidField(
      "branchCode",
      `${bank.name}に支店コード ${branchCode} の支店は見つかりません`,
    );
  return ok({
    bankName: bank.name,
    bankKana: toZenginKana(bank.kana) ?? "",
    branchName: branch.name,
    branchKana: toZenginKana(branch.kana) ?? "",
  });
}
