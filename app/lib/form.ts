// Turns a zod failure into one Japanese message per field, for forms that re-render with errors.
import type { z } from "zod";

export type FieldErrors<K extends string = string> = Partial<Record<K, string>>;

export function fieldErrorsOf<K extends string>(error: z.ZodError): FieldErrors<K> {
  const errors: FieldErrors<K> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "_form") as K;
    errors[key] ??= issue.message;
  }
  return errors;
}

/** A posted form as strings, to validate and to show again with its errors (files become their names). */
export function formValues(form: FormData): Record<string, string> {
  return Object.fromEntries(
    [...form.entries()].map(([k, v]) => [k, typeof v === "string" ? v : v.name]),
  );
}

/**
 * A posted form's entries as the object its zod schema reads: strings (a file stays a File), and
 * a name sent more than once (checkbox lists) as an array of its values.
 */
export function formObject(
  form: FormData,
): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const out: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const [key, value] of form.entries()) {
    const seen = out[key];
    if (seen === undefined) out[key] = value;
    else out[key] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

export type Parsed<T, K extends string = string> =
  | { ok: true; value: T }
  | { ok: false; kind: "validation"; fields: FieldErrors<K | "_form" | "intent"> };

/** The message of an intent no form of the page sends: answered with 400, nothing written. */
export const UNKNOWN_INTENT = "この操作は受け付けられません。画面を開き直してください。";

/**
 * An action's form through its schema (issue 16 item 1): the typed value, or the validation
 * failure with one Japanese message per field. The intent of a discriminated union that matches
 * none of its forms is a failure of the form as a whole (`_form`), so an unknown intent is a 400
 * and never falls through to another form's write.
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  form: FormData | Record<string, unknown>,
): Parsed<z.output<S>> {
  const input = form instanceof FormData ? formObject(form) : form;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const unknownIntent = parsed.error.issues.some(
    (i) => i.path.length === 1 && i.path[0] === "intent",
  );
  if (unknownIntent) return { ok: false, kind: "validation", fields: { _form: UNKNOWN_INTENT } };
  return { ok: false, kind: "validation", fields: fieldErrorsOf(parsed.error) };
}
