// Routes' side of the one result type (issue 16 item 1): a failure becomes the action's answer
// with its status — 400 with the field errors, 409, 403 — and a missing record the 404 the
// route's ErrorBoundary renders.
import { data } from "@remix-run/node";
import { notFound } from "./http.server";
import { failureFields, failureStatus, type Failure } from "./result";
import type { FieldErrors } from "./form";

/** What a form's page reads back: `errors` per field (`_form` for the whole form). */
export interface FormFailureData {
  errors: Record<string, string | undefined>;
  form?: string;
}

/** The headers a failure's answer carries: Retry-After for a rate-limited one. */
export function failureHeaders(failure: Failure): Record<string, string> {
  return failure.kind === "rate_limited"
    ? { "Retry-After": String(failure.retryAfterSeconds) }
    : {};
}

/**
 * The answer to a failed operation or form: `{ errors, ...extra }` with the status of its kind
 * (400/409/403/401/429); a not-found failure throws the 404 (a foreign id is never told apart
 * from a missing one).
 */
export function failureResponse<E extends object = object>(failure: Failure, extra?: E) {
  if (failure.kind === "not_found") throw notFound();
  return data(
    { errors: failureFields(failure), ...(extra ?? ({} as E)) },
    { status: failureStatus(failure), headers: failureHeaders(failure) },
  );
}

/**
 * For the pages that show one error at a time (its field and message): the first error of a
 * form that did not parse, with 400.
 */
export function firstFieldErrorResponse(fields: FieldErrors) {
  const [field, message] = Object.entries(fields)[0];
  return data({ field, message: message ?? "" }, { status: 400 });
}

/**
 * A failure answered with the page's own body: the status of its kind (400, 409, 403), and the
 * 404 for a missing or foreign record, as `failureResponse` does.
 */
export function failureData<B>(failure: Failure, body: B) {
  if (failure.kind === "not_found") throw notFound();
  return data(body, { status: failureStatus(failure) });
}

/** For the pages that show one error at a time: a failed operation's first error and its field. */
export function firstFailureResponse(failure: Failure) {
  const [field, message] = Object.entries(failureFields(failure))[0];
  return failureData(failure, { field, message: message ?? "" });
}
