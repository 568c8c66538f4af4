// The length limits of every stored text, in one place (issue 15 item 1), as zod field schemas
// with Japanese messages for the forms, and as a plain check for the few actions that read their
// fields without a schema. The request body itself is limited before this (scripts/edge.ts).
import { z } from "zod";
import { formatCount } from "./format";

export const TEXT_LIMITS = {
  /** RFC 5321: a forward path is at most 256 octets including the angle brackets. */
  email: 254,
  password: 200,
  name: 200,
  address: 200,
  note: 2000,
} as const;
export type TextKind = keyof typeof TEXT_LIMITS;

const tooLongMessage = (label: string, max: number) =>
  `${label}は${formatCount(max)}文字以内で入力してください`;

/** An e-mail address, required. The length is checked first: a long value is never matched further. */
export const emailField = (label = "メールアドレス") =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(TEXT_LIMITS.email, tooLongMessage(label, TEXT_LIMITS.email))
    .email(`${label}の形式が正しくありません`);

/** A password as typed at login (the rules of a new one are in auth/password-rules.ts). */
export const passwordField = (label = "パスワード") =>
  z
    .string()
    .min(1, `${label}を入力してください`)
    .max(TEXT_LIMITS.password, tooLongMessage(label, TEXT_LIMITS.password));

/** A person's or company's name, required. */
export const nameField = (label = "氏名", max: number = TEXT_LIMITS.name) =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(Math.min(max, TEXT_LIMITS.name), tooLongMessage(label, Math.min(max, TEXT_LIMITS.name)));

/** A postal address, required. */
export const addressField = (label = "住所") =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(TEXT_LIMITS.address, tooLongMessage(label, TEXT_LIMITS.address));

/** Free text (notes, reasons); empty allowed unless `required`. */
export const noteField = (label = "メモ", options: { required?: boolean; max?: number } = {}) => {
  const max = Math.min(options.max ?? TEXT_LIMITS.note, TEXT_LIMITS.note);
  const text = z.string().trim().max(max, tooLongMessage(label, max));
  return options.required ? text.min(1, `${label}を入力してください`) : text;
};

/** For fields read without a schema: the message when `value` is longer than its kind allows, else null. */
export function textTooLong(value: string, kind: TextKind, label: string): string | null {
  return value.length > TEXT_LIMITS[kind] ? tooLongMessage(label, TEXT_LIMITS[kind]) : null;
}
