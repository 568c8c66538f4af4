// The one result type of the console's operations (issue 16 item 1), as Lago's services have one
// failure taxonomy: a success with its value, or a failure of one of four kinds that a route maps
// to one status — validation 400 (with a message per field), conflict 409, not allowed 403, not
// found 404. Domain operations return it; routes turn a failure into their answer with
// `failureStatus` (and result.server.ts `failureResponse`).
import type { FieldErrors } from "./form";

export type { FieldErrors };

export type Failure<F extends string = string> =
  | { ok: false; kind: "validation"; fields: FieldErrors<F>; message?: undefined }
  | {
      ok: false;
      kind: "conflict" | "not_allowed" | "not_found";
      message: string;
      fields?: undefined;
    };

export type Result<T = undefined, F extends string = string> = { ok: true; value: T } | Failure<F>;

export type FailureKind = Failure["kind"];

export function ok(): { ok: true; value: undefined };
export function ok<T>(value: T): { ok: true; value: T };
export function ok<T>(value?: T): { ok: true; value: T | undefined } {
  return { ok: true, value };
}

/** A validation failure: one Japanese message per field (`_form` for the form as a whole). */
export const invalid = <F extends string>(fields: FieldErrors<F>): Failure<F> => ({
  ok: false,
  kind: "validation",
  fields,
});
/** The one-field validation failure most operations report. */
export const invalidField = <F extends string>(field: F, message: string): Failure<F> =>
  invalid({ [field]: message } as FieldErrors<F>);
/** The state of the record does not allow it now (already done, changed meanwhile). */
export const conflict = (message: string): Failure<never> => ({
  ok: false,
  kind: "conflict",
  message,
});
/** The viewer may not do this (role, ownership rule). */
export const notAllowed = (message: string): Failure<never> => ({
  ok: false,
  kind: "not_allowed",
  message,
});
/** Missing, or not the viewer's tenant's (never told apart). */
export const notFoundFailure = (message = "見つかりません"): Failure<never> => ({
  ok: false,
  kind: "not_found",
  message,
});

export const FAILURE_STATUS: Record<FailureKind, 400 | 409 | 403 | 404> = {
  validation: 400,
  conflict: 409,
  not_allowed: 403,
  not_found: 404,
};

export const failureStatus = (failure: Failure): 400 | 409 | 403 | 404 =>
  FAILURE_STATUS[failure.kind];

/** A failure as field errors, for a form that shows one message per field (others go to `_form`). */
export function failureFields<F extends string>(failure: Failure<F>): FieldErrors<F | "_form"> {
  return failure.kind === "validation"
    ? (failure.fields as FieldErrors<F | "_form">)
    : ({ _form: failure.message } as FieldErrors<F | "_form">);
}

/** A failure as one sentence, for a form that shows a single message. */
export function failureMessage(failure: Failure): string {
  if (failure.kind !== "validation") return failure.message;
  return (
    Object.values(failure.fields).find((m): m is string => typeof m === "string") ??
    "入力を確認してください"
  );
}
