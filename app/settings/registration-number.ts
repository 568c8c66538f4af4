// The qualified-invoice issuer registration number (適格請求書発行事業者登録番号): "T" and the
// 13-digit corporate number, whose first digit is a check digit over the other twelve
// (法人番号の指定を行う際の基準を定める命令 第2条): 9 − (Σ Pn × Qn mod 9), with Pn the n-th digit
// counted from the right of the 12 and Qn = 1 for odd n, 2 for even n.
import { invalidField, ok, type Result } from "../lib/result";

export function corporateNumberCheckDigit(twelveDigits: string): number {
  if (!/^\d{12}$/.test(twelveDigits)) throw new Error("twelve digits expected");
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const digit = Number(twelveDigits[12 - n]);
    sum += digit * (n % 2 === 1 ? 1 : 2);
  }
  return 9 - (sum % 9);
}

/** `T` + 13 digits, or a validation failure of the `registrationNumber` field. */
export type RegistrationNumberCheck = Result<string, "registrationNumber">;

/** Accepts full-width digits and hyphens/spaces as people type them; returns `T` + 13 digits. */
export function checkRegistrationNumber(input: string): RegistrationNumberCheck {
  const normalized = input.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
  if (!/^T\d{13}$/.test(normalized)) {
    return invalidField(
      "registrationNumber",
      "登録番号は「T」に続く13桁の数字で入力してください（例：T5010001234566）",
    );
  }
  const digits = normalized.slice(1);
  if (corporateNumberCheckDigit(digits.slice(1)) !== Number(digits[0])) {
    return invalidField(
      "registrationNumber",
      "登録番号のチェックディジット（先頭の数字）が一致しません。番号をご確認ください",
    );
  }
  return ok(normalized);
}
