// Changes of the contract holder (T-10 transfer, T-12 succession): the form's rules and the
// representative rule. Pure, bundled for the browser (labels only, no server code).
import { TEXT_LIMITS, textTooLong } from "../lib/fields";

export type HolderChangeKind = "transfer" | "succession";
export type SuccessionCause = "inheritance" | "merger" | "split";

export const HOLDER_CHANGE_KIND_LABELS: Record<HolderChangeKind, string> = {
  transfer: "契約の譲渡（第10条）",
  succession: "契約者の地位の承継（第12条）",
};

export const SUCCESSION_CAUSE_LABELS: Record<SuccessionCause, string> = {
  inheritance: "相続",
  merger: "法人の合併",
  split: "法人の分割",
};

/** T-10-2: a request signed by both parties, or a document proving the transfer instead. T-12-1: proof of the succession. */
export const EVIDENCE_LABELS: Record<string, string> = {
  signed_by_both: "当事者が連署した所定の書面（第10条第2項）",
  transfer_document: "譲渡があったことを証明できる書類（第10条第2項ただし書）",
  succession_proof: "承継を証明する書類（戸籍謄本、登記事項証明書など。第12条第1項）",
};

export const EVIDENCE_FOR: Record<HolderChangeKind, readonly string[]> = {
  transfer: ["signed_by_both", "transfer_document"],
  succession: ["succession_proof"],
};

/** T-10-3: the only grounds on which a transfer is refused (numbered as in the terms). */
export const TRANSFER_REFUSAL_REASONS: Record<number, string> = {
  1: "（1）本サービスを提供することが技術上著しく困難なとき",
  2: "（2）譲受人が本サービスの料金または工事に関する費用の支払いを現に怠り、または怠るおそれがあるとき",
  3: "（3）譲渡の際に虚偽の事項を申告したとき",
  4: "（4）その他当社の業務遂行上著しく支障があるとき",
};

/**
 * A succession is a registration (届出), not a request for approval: it is returned only when
 * its proof does not establish it (Interpretation, docs/decisions/0008).
 */
export const SUCCESSION_RETURN_REASONS: Record<number, string> = {
  1: "承継を証明する書類が不足している、または内容を確認できない",
  2: "届出の内容に虚偽の記載があった",
};

export const HOLDER_CHANGE_STATUS_LABELS = {
  requested: "審査中",
  approved: "承認",
  refused: "不承認",
  withdrawn: "取下げ",
} as const;

export interface HolderChangeInput {
  kind: HolderChangeKind;
  cause: SuccessionCause | null;
  /** An existing customer of the same reseller taking the contract (resellers and operators only), else null. */
  existingCustomerId: number | null;
  name: string;
  address: string;
  phone: string;
  email: string;
  /** Succession: every successor, one per entry. */
  successors: string[];
  /** Succession: the representative named to the provider, or null when not named yet. */
  representative: string | null;
  evidence: string;
  evidenceNote: string;
  consent: boolean;
}

export type HolderChangeField = keyof HolderChangeInput | "_form";
export type FieldErrors = Partial<Record<HolderChangeField, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9０-９+\-－() ]{10,16}$/;

/** Field errors in Japanese; empty when the request can be filed. */
export function validateHolderChange(input: HolderChangeInput): FieldErrors {
  const errors: FieldErrors = {};
  if (input.kind !== "transfer" && input.kind !== "succession")
    errors.kind = "手続きの種類を選んでください";
  if (input.kind === "succession") {
    if (!input.cause || !(input.cause in SUCCESSION_CAUSE_LABELS))
      errors.cause = "承継の原因（相続・合併・分割）を選んでください";
    if (input.successors.length === 0)
      errors.successors = "承継した方（法人）の名称を1行に1つずつ入力してください";
    else if (new Set(input.successors).size !== input.successors.length)
      errors.successors = "同じ名称が重複しています";
    if (input.representative !== null && !input.successors.includes(input.representative)) {
      errors.representative = "代表者は承継した方の中から選んでください（第12条第2項）";
    }
  }
  if (input.existingCustomerId === null) {
    if (!input.name.trim())
      errors.name =
        input.kind === "succession"
          ? "連絡先となる方の氏名・名称を入力してください"
          : "譲受人の氏名・名称を入力してください";
    else errors.name = textTooLong(input.name.trim(), "name", "氏名・名称") ?? undefined;
    if (!input.address.trim()) errors.address = "住所を入力してください";
    else errors.address = textTooLong(input.address.trim(), "address", "住所") ?? undefined;
    if (!PHONE.test(input.phone.trim())) errors.phone = "電話番号を市外局番から入力してください";
    if (!EMAIL.test(input.email.trim())) errors.email = "メールアドレスの形式が正しくありません";
    else errors.email = textTooLong(input.email.trim(), "email", "メールアドレス") ?? undefined;
  }
  const longSuccessor = input.successors.find((s) => s.length > TEXT_LIMITS.name);
  if (longSuccessor !== undefined)
    errors.successors = textTooLong(longSuccessor, "name", "承継した方の名称") ?? undefined;
  if (input.representative !== null && !errors.representative)
    errors.representative = textTooLong(input.representative, "name", "代表者") ?? undefined;
  if (input.kind in EVIDENCE_FOR && !EVIDENCE_FOR[input.kind].includes(input.evidence))
    errors.evidence = "提出する書類を選んでください";
  if (!input.evidenceNote.trim())
    errors.evidenceNote = "書類の名称・受付番号などを入力してください";
  else
    errors.evidenceNote =
      textTooLong(input.evidenceNote.trim(), "note", "書類の名称・受付番号") ?? undefined;
  if (!input.consent) {
    errors.consent =
      input.kind === "succession"
        ? "届出の内容が事実であることを確認し、チェックを入れてください"
        : "譲受人が未払いの料金を含む一切の権利義務を承継することを確認し、チェックを入れてください";
  }
  // The length checks leave `undefined` where they passed.
  return Object.fromEntries(
    Object.entries(errors).filter(([, message]) => message !== undefined),
  ) as FieldErrors;
}

/**
 * T-12-2/3: the representative named to the provider; until one is named, one of the successors
 * is treated as it — the first one listed on the registration (Interpretation).
 */
export function representativeOf(
  successors: readonly string[],
  named: string | null,
): { name: string; named: boolean } {
  if (named !== null && successors.includes(named)) return { name: named, named: true };
  return { name: successors[0] ?? "", named: false };
}

/** The successors typed one per line (blank lines and surrounding spaces dropped). */
export function parseSuccessors(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}
