// The length limits of every stored text, in one place (issue 15 item 1), as zod field schemas
// with Japanese messages for the forms, and as a plain check for the few actions that read their
// fields without a schema. The request body itself is limited before this (scripts/edge.ts).
import { z } from "zod";
import { formatCount, formatYen } from "./format";
import { isIsoDate, isYearMonth, type IsoDate, type YearMonth } from "./jst";
import { parseYenInput, type Yen } from "./money";

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

/** A note the form may leave out: read as "" when the field is not sent. */
export const optionalNoteField = (label = "メモ", options: { max?: number } = {}) =>
  noteField(label, options)
    .optional()
    .transform((v) => v ?? "");

/** For fields read without a schema: the message when `value` is longer than its kind allows, else null. */
export function textTooLong(value: string, kind: TextKind, label: string): string | null {
  return value.length > TEXT_LIMITS[kind] ? tooLongMessage(label, TEXT_LIMITS[kind]) : null;
}

// ---- numbers, dates and ids as forms send them (text), parsed once here (issue 16 item 1) ----
// A form value is never turned into a number by hand in a route: `Number("")` is 0 and
// `Number("x")` is NaN, both of which once reached a write.

/** Integer yen as typed ("1,000", "１０００円", "¥1000"), at least `min` (0 by default). */
export const yenField = (
  label = "金額",
  options: { min?: number; max?: number; message?: string } = {},
) => {
  const min = options.min ?? 0;
  return z.string().transform((value, ctx): Yen => {
    const amount = parseYenInput(value);
    if (amount === null || amount < min || (options.max !== undefined && amount > options.max)) {
      ctx.addIssue({
        code: "custom",
        message:
          options.message ??
          (options.max !== undefined
            ? `${label}は${formatYen(min)}以上${formatYen(options.max)}以下の整数で入力してください`
            : `${label}は${formatYen(min)}以上の整数で入力してください`),
      });
      return z.NEVER;
    }
    return amount;
  });
};

/** Like yenField, but an empty field is null (e.g. "the rest in full"). */
export const optionalYenField = (
  label = "金額",
  options: { min?: number; max?: number; message?: string } = {},
) =>
  z.union([
    z
      .string()
      .trim()
      .length(0)
      .transform(() => null),
    yenField(label, options),
  ]);

/** A record's id from a hidden field or a select: a positive integer. */
export const idField = (label = "対象", message = `${label}を選んでください`) =>
  z
    .string({ error: message })
    .regex(/^[1-9]\d{0,15}$/, message)
    .transform(Number);

/** Like idField, but an empty field (nothing chosen) is null. */
export const optionalIdField = (label = "対象") =>
  z
    .union([z.literal("").transform(() => null), idField(label)])
    .optional()
    .transform((v) => v ?? null);

/** A small whole number (seats, counts), between min and max. */
export const countField = (label: string, options: { min?: number; max?: number } = {}) => {
  const min = options.min ?? 0;
  const max = options.max ?? 1_000_000;
  return z
    .string({ error: `${label}を入力してください` })
    .transform((v) => v.normalize("NFKC").trim())
    .refine((v) => /^\d{1,9}$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `${label}は${formatCount(min)}以上${formatCount(max)}以下の整数で入力してください`,
    })
    .transform(Number);
};

/** A calendar date as the date input sends it (YYYY-MM-DD). */
export const dateField = (label = "日付") =>
  z
    .string({ error: `${label}を入力してください` })
    .trim()
    .refine((v): v is IsoDate => isIsoDate(v), `${label}を正しい日付で入力してください`);

/** A month as the month input sends it (YYYY-MM). */
export const monthField = (label = "月") =>
  z
    .string({ error: `${label}を入力してください` })
    .trim()
    .refine((v): v is YearMonth => isYearMonth(v), `${label}を正しい年月で入力してください`);

/** One of a fixed set of codes (a select or radio group): no cast of form input to a union type. */
export const choiceField = <const T extends readonly [string, ...string[]]>(
  values: T,
  label: string,
) => z.enum(values, { error: `${label}を選んでください` });

/** A telephone number as people type it (digits, hyphens, parentheses; full-width allowed), at most 20 characters. */
export const phoneField = (label = "電話番号") =>
  z
    .string()
    .trim()
    .min(1, `${label}を入力してください`)
    .max(20, tooLongMessage(label, 20))
    .regex(/^[0-9０-９\-－()（） ]+$/, `${label}は数字とハイフンで入力してください`);

/** A checkbox: present ("on" or any value) is true. */
export const checkboxField = () =>
  z
    .string()
    .optional()
    .transform((v) => v !== undefined && v !== "");
