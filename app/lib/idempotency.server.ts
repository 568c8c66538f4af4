// The one "do this once" mechanism (issue 17 item 1, decision 0027), on one table
// (`idempotency_keys`), for the console's forms and the partner API's Idempotency-Key.
//
// Forms: the loader issues a random token bound to the user and the form (`issueFormToken`), the
// page renders it as a hidden input (components/OnceForm), and the action runs its write through
// `runFormOnce`, which uses the token inside the same transaction as the write. A second
// submission of the same token (a double click, a reload, the back button) gets the first
// outcome and writes nothing; an unknown, expired or foreign token is refused with a message,
// never written. A write that fails (a validation error, a 404) rolls back with its token, which
// stays usable for the corrected form.
//
// API: a POST with Idempotency-Key reserves its key before the work (the handler is generic and
// has its own transactions), stores the answer afterwards; a replay gets the stored answer, the
// same key with another request or while the first still runs is a conflict.
import { createHash, randomBytes } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { data } from "@remix-run/node";
import { now } from "./clock";
import { FORM_TOKEN_FIELD, type OnceAnswer } from "./form-token";
import { type Instant, instantOf } from "./jst";

export { FORM_TOKEN_FIELD };

type Db = Kysely<Database>;

/** A form left open longer than this must be opened again (its token has expired). */
export const FORM_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** How long an API key's answer is promised (pruned at whole JST days, api/pruning.server.ts). */
export const API_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

export const ALREADY_RECORDED =
  "すでに記録されています。同じフォームの二度目の送信のため、何も変更していません。";
export const TOKEN_REFUSED =
  "このフォームは有効期限が切れたか、すでに使われています。画面を開き直して、もう一度入力してください。";

const userOwner = (userId: string) => `user:${userId}`;
const apiOwner = (keyId: number) => `api-key:${keyId}`;

// ---- forms ------------------------------------------------------------------------------------

/** A new one-time token for `form`, shown to `userId` (call it in the loader that renders the form). */
export async function issueFormToken(
  db: Db,
  params: { userId: string; form: string; at?: Date },
): Promise<string> {
  return (
    await issueFormTokens(db, { userId: params.userId, forms: [params.form], at: params.at })
  )[params.form];
}

/** What a form's write left for a repeat to answer with: what was recorded and/or where to see it. */
export interface FormOutcome {
  /** Shown after 「すでに記録されています」, e.g. "INV-00000054 に 1,000円の入金". */
  summary?: string;
  redirect?: string;
}

export interface FormClaim {
  userId: string;
  form: string;
  /** The submitted token (the form's FORM_TOKEN_FIELD), null when missing. */
  token: string | null | undefined;
  /** The path the form was posted to: a token replays only there. */
  path: string;
  at?: Date;
}

export type FormRun<T> =
  | { kind: "done"; value: T }
  | { kind: "replayed"; outcome: FormOutcome }
  | { kind: "refused"; message: string };

class NotKept<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs a form's write once per token. `work` gets the transaction the token is used in (domain
 * functions take it as their `db`); `outcomeOf` says what a repeat answers, or null when the write
 * did not happen (a validation error, a foreign id): then everything rolls back and the token stays
 * usable. The token is taken by the transaction's first statement, so a second request with it
 * waits for the first to commit and then replays its outcome.
 */
export async function runFormOnce<T>(
  db: Db,
  claim: FormClaim,
  work: (trx: Transaction<Database>) => Promise<T>,
  outcomeOf: (value: T) => FormOutcome | null,
): Promise<FormRun<T>> {
  const token = claim.token ?? "";
  if (token === "" || token.length > 100) return { kind: "refused", message: TOKEN_REFUSED };
  const at = claim.at ?? now();
  const owner = userOwner(claim.userId);
  try {
    return await db.transaction().execute(async (trx): Promise<FormRun<T>> => {
      const taken = await trx
        .updateTable("idempotency_keys")
        .set({ used_at: instantOf(at), fingerprint: claim.path })
        .where("owner", "=", owner)
        .where("key", "=", token)
        .where("purpose", "=", claim.form)
        .where("used_at", "is", null)
        .where("expires_at", ">", instantOf(at))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 0) {
        const row = await trx
          .selectFrom("idempotency_keys")
          .select(["purpose", "fingerprint", "used_at", "outcome"])
          .where("owner", "=", owner)
          .where("key", "=", token)
          .executeTakeFirst();
        // Used on this very form and path: the repeat gets the first answer.
        if (
          row &&
          row.used_at !== null &&
          row.outcome !== null &&
          row.purpose === claim.form &&
          row.fingerprint === claim.path
        ) {
          return { kind: "replayed", outcome: JSON.parse(row.outcome) as FormOutcome };
        }
        return { kind: "refused", message: TOKEN_REFUSED };
      }
      const value = await work(trx);
      const outcome = outcomeOf(value);
      if (outcome === null) throw new NotKept(value);
      await trx
        .updateTable("idempotency_keys")
        .set({ outcome: JSON.stringify(outcome) })
        .where("owner", "=", owner)
        .where("key", "=", token)
        .execute();
      return { kind: "done", value };
    });
  } catch (error) {
    if (error instanceof NotKept) return { kind: "done", value: error.value as T };
    throw error;
  }
}

/** One token per form named, for a loader that renders several forms (one insert). */
export async function issueFormTokens<F extends string>(
  db: Db,
  params: { userId: string; forms: readonly F[]; at?: Date },
): Promise<Record<F, string>> {
  const at = params.at ?? now();
  const tokens = Object.fromEntries(
    params.forms.map((f) => [f, randomBytes(24).toString("base64url")]),
  ) as Record<F, string>;
  if (params.forms.length === 0) return tokens;
  await db
    .insertInto("idempotency_keys")
    .values(
      params.forms.map((form) => ({
        owner: userOwner(params.userId),
        key: tokens[form],
        purpose: form,
        fingerprint: null,
        issued_at: instantOf(at),
        expires_at: instantOf(new Date(at.getTime() + FORM_TOKEN_LIFETIME_MS)),
        used_at: null,
        status: null,
        outcome: null,
      })),
    )
    .execute();
  return tokens;
}

/** The claim of a posted form: its token, for this user, form and path. */
export function formClaim(
  user: { id: string },
  form: string,
  fields: FormData | Record<string, unknown>,
  request: Request,
): FormClaim {
  return { userId: user.id, form, token: formTokenOf(fields), path: new URL(request.url).pathname };
}

/** The submitted token of a form's fields. */
export function formTokenOf(form: FormData | Record<string, unknown>): string | null {
  const value = form instanceof FormData ? form.get(FORM_TOKEN_FIELD) : form[FORM_TOKEN_FIELD];
  return typeof value === "string" ? value : null;
}

/** The action's answer to a repeat (200, the first outcome) or a refused token (409), shown by OnceForm. */
export function onceResponse(form: string, run: Exclude<FormRun<unknown>, { kind: "done" }>) {
  const once: OnceAnswer["once"] =
    run.kind === "replayed"
      ? {
          form,
          kind: "replayed",
          message: run.outcome.summary
            ? `${ALREADY_RECORDED}（${run.outcome.summary}）`
            : ALREADY_RECORDED,
          ...(run.outcome.redirect ? { redirect: run.outcome.redirect } : {}),
        }
      : { form, kind: "refused", message: run.message };
  return data<OnceAnswer>({ once }, { status: run.kind === "replayed" ? 200 : 409 });
}

// ---- partner API ------------------------------------------------------------------------------

export type Reservation =
  | { kind: "reserved" }
  | { kind: "replay"; status: number; body: string }
  | { kind: "conflict" }
  | { kind: "in_progress" };

export function requestFingerprint(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method}\n${path}\n${body}`).digest("hex");
}

/** Reserves an API key's Idempotency-Key before the request runs (a row without an answer). Keys are per API key. */
export async function reserveIdempotencyKey(
  db: Db,
  params: { keyId: number; idempotencyKey: string; fingerprint: string; at: Date },
): Promise<Reservation> {
  const owner = apiOwner(params.keyId);
  const at = instantOf(params.at);
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({
      owner,
      key: params.idempotencyKey,
      purpose: "api",
      fingerprint: params.fingerprint,
      issued_at: at,
      expires_at: instantOf(new Date(params.at.getTime() + API_KEY_LIFETIME_MS)),
      used_at: at,
      status: null,
      outcome: null,
    })
    .onConflict((oc) => oc.columns(["owner", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  if (inserted) return { kind: "reserved" };
  const row = await db
    .selectFrom("idempotency_keys")
    .select(["fingerprint", "status", "outcome"])
    .where("owner", "=", owner)
    .where("key", "=", params.idempotencyKey)
    .executeTakeFirstOrThrow();
  if (row.fingerprint !== params.fingerprint) return { kind: "conflict" };
  if (row.status === null || row.outcome === null) return { kind: "in_progress" };
  return { kind: "replay", status: row.status, body: row.outcome };
}

export async function storeIdempotentResponse(
  db: Db,
  params: { keyId: number; idempotencyKey: string; status: number; body: string },
): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({ status: params.status, outcome: params.body })
    .where("owner", "=", apiOwner(params.keyId))
    .where("key", "=", params.idempotencyKey)
    .execute();
}

/** A request that failed without an answer to keep frees its key, so that the client may retry it. */
export async function releaseIdempotencyKey(
  db: Db,
  params: { keyId: number; idempotencyKey: string },
): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("owner", "=", apiOwner(params.keyId))
    .where("key", "=", params.idempotencyKey)
    .where("status", "is", null)
    .execute();
}

// ---- pruning ----------------------------------------------------------------------------------

/** Deletes keys issued before `cutoff` (ISO instant): used or not, their day is over. */
export async function pruneIdempotencyKeys(db: Db, cutoff: Instant): Promise<number> {
  const r = await db
    .deleteFrom("idempotency_keys")
    .where("issued_at", "<", cutoff)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
