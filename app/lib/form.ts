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
