// The one result type of the console's operations (issue 16 item 1), as Lago's services have one
// failure taxonomy: a success with its value, or a failure of one of its kinds that a route maps
// to one status — validation 400 (with a message per field), conflict 409, not allowed 403, not
// found 404, and for signing in (decision 0046) unauthenticated 401 and rate limited 429 (with
// the seconds to wait). Domain operations return it; routes turn a failure into their answer
// with `failureStatus` (and result.server.ts `failureResponse`).
import type { FieldErrors } from "./form";

export type { FieldErrors };

export type Failure<F extends string = string> =
  | { ok: false; kind: "validation"; fields: FieldErrors<F>; message?: undefined }
  | {
      ok: false;
      kind: "conflict" | "not_allowed" | "not_found" | "unauthenticated";
      message: string;
      fields?: undefined;
    }
  | {
      ok: false;
      kind: "rate_limited";
      message: string;
      /** How long until another attempt is accepted (the Retry-After header). */
      retryAfterSeconds: number;
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

/** The credentials do not sign anyone in (wrong e-mail address or password, a stopped account). */
export const unauthenticated = (message: string): Failure<never> => ({
  ok: false,
  kind: "unauthenticated",
  message,
});
/** Too many attempts: refused without being checked until `retryAfterSeconds` have passed. */
export const rateLimited = (
  message: string,
  retryAfterSeconds: number,
): Extract<Failure<never>, { kind: "rate_limited" }> => ({
  ok: false,
  kind: "rate_limited",
  message,
  retryAfterSeconds,
});

export type FailureStatus = 400 | 401 | 403 | 404 | 409 | 429;

export const FAILURE_STATUS: Record<FailureKind, FailureStatus> = {
  validation: 400,
  conflict: 409,
  not_allowed: 403,
  not_found: 404,
  unauthenticated: 401,
  rate_limited: 429,
};

export const failureStatus = (failure: Failure): FailureStatus => FAILURE_STATUS[failure.kind];

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
