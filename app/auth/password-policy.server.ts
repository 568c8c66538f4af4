// What a new password must be (issue 15, item 11), after NIST SP 800-63B §3.1.1.2: a length
// floor and ceiling counted in characters, and a check against passwords known to be guessed
// first: common ones, a single repeated character or a run (`aaaaaaaaaaaa`, `123456789012`), and
// ones built on the account's own address. No composition rules (digits, symbols…), as NIST says.
// Server-only: the common-passwords list is large and stays out of the browser bundle.
import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;
/** A local part shorter than this ("abc@…") is too common a string to refuse passwords over. */
const MIN_LOCAL_PART_LENGTH = 4;

/**
 * zxcvbn-ts's common-passwords list (from leaked password sets), lower-cased. Only entries long
 * enough to pass the length rule can matter; NIST asks for comparison against the list, so an
 * exact (case-insensitive) match is refused, not a common word with something appended.
 */
let commonPasswords: Set<string> | null = null;
function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(
    dictionary["passwords-common"]
      .filter((p) => [...p].length >= MIN_PASSWORD_LENGTH)
      .map((p) => p.toLowerCase()),
  );
  return commonPasswords.has(password.toLowerCase());
}

/** The step from one character to the next in a run: digits wrap (…8, 9, 0, 1…), letters ignore case. */
function step(a: string, b: string): number {
  if (/\d/.test(a) && /\d/.test(b)) {
    const d = (Number(b) - Number(a) + 10) % 10;
    return d === 9 ? -1 : d;
  }
  return b.toLowerCase().codePointAt(0)! - a.toLowerCase().codePointAt(0)!;
}

/** `aaaaaaaaaaaa`, `123456789012`, `abcdefghijkl`, `zyxwvutsrqpo`: one character, or a run up or down. */
function isRepetitionOrRun(chars: string[]): boolean {
  const steps = chars.slice(1).map((c, i) => step(chars[i], c));
  return [0, 1, -1].some((s) => steps.every((x) => x === s));
}

/** Why `password` cannot be the new password of the account at `email` (Japanese), or null. */
export function checkNewPassword(password: string, email: string): string | null {
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH)
    return `新しいパスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください`;
  if (chars.length > MAX_PASSWORD_LENGTH)
    return `新しいパスワードは${MAX_PASSWORD_LENGTH}文字以内にしてください`;
  if (password.trim() === "") return "空白だけのパスワードは使えません";
  if (isRepetitionOrRun(chars)) return "同じ文字の繰り返しや、連続した文字・数字の並びは使えません";
  const localPart = email.trim().toLowerCase().split("@")[0] ?? "";
  if (
    [...localPart].length >= MIN_LOCAL_PART_LENGTH &&
    password.toLowerCase().includes(localPart)
  ) {
    return "メールアドレスの「@」より前の部分を含むパスワードは使えません";
  }
  if (isCommonPassword(password)) return "よく使われていて推測されやすいパスワードのため使えません";
  return null;
}

/** The new-password field of a form, for the account at `email`. */
export function newPasswordFor(email: string) {
  return z.string().superRefine((password, ctx) => {
    const problem = checkNewPassword(password, email);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}
