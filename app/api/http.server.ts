// The partner API's request handling (issue 19, item 2), shared by every /api/v1 route: the
// bearer key (no cookies), the per-key rate limit, the scope, Idempotency-Key on POSTs, and
// errors as RFC 9457 problem details with a Japanese title/detail and a stable English `code`.
import { z } from "zod";
import { getServerConfig } from "../config.server";
import { getDb } from "../db.server";
import { now } from "../lib/clock";
import { errorFields, log } from "../lib/log.server";
import {
  isIsoDate,
  jstInstant,
  parseInstant,
  instantOf,
  isInstant,
  type Instant,
} from "../lib/jst";
import type { Failure } from "../lib/result";
import {
  IDEMPOTENCY_KEY_MAX_LENGTH,
  releaseIdempotencyKey,
  requestFingerprint,
  reserveIdempotencyKey,
  storeIdempotentResponse,
} from "../lib/idempotency.server";
import { findApiKey, noteApiKeyUsed, type ApiCaller } from "./keys.server";
import { takeApiRequest } from "./rate-limit.server";

export type ProblemCode =
  | "unauthorized"
  | "forbidden_scope"
  | "forbidden_role"
  | "not_found"
  | "validation_failed"
  | "invalid_json"
  | "invalid_cursor"
  | "conflict"
  | "rate_limited"
  | "idempotency_conflict"
  | "idempotency_in_progress"
  | "method_not_allowed"
  | "internal_error";

/** A failure the API answers with as problem details; thrown anywhere under `handleApi`. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${detail ?? title}`);
  }
}

export const notFoundProblem = (what = "リソース") =>
  new ApiProblem(
    404,
    "not_found",
    "見つかりません",
    `指定された${what}は存在しないか、このAPIキーでは参照できません。`,
  );

export function validationProblem(
  errors: Record<string, string>,
  detail = "入力内容に誤りがあります。errors の各項目を確認してください。",
) {
  return new ApiProblem(422, "validation_failed", "入力内容に誤りがあります", detail, { errors });
}

/**
 * A domain operation's failure (app/lib/result.ts) as the problem the API answers with, by its
 * kind: validation 422 with its errors, not found 404, conflict 409 and not allowed 403 with the
 * operation's `title` and the failure's message as the detail.
 */
export function failureProblem(failure: Failure, p: { what: string; title: string }): ApiProblem {
  switch (failure.kind) {
    case "validation":
      return validationProblem(failure.fields as Record<string, string>);
    case "not_found":
      return notFoundProblem(p.what);
    case "conflict":
      return new ApiProblem(409, "conflict", p.title, failure.message);
    case "not_allowed":
      return new ApiProblem(403, "forbidden_role", "権限がありません", failure.message);
    case "unauthenticated":
      return new ApiProblem(401, "unauthorized", "認証できません", failure.message);
    case "rate_limited":
      return new ApiProblem(
        429,
        "rate_limited",
        p.title,
        failure.message,
        {},
        {
          "Retry-After": String(failure.retryAfterSeconds),
        },
      );
  }
}

/** One message per field (the first), keyed by the dotted path. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "_request";
    errors[key] ??= issue.message;
  }
  return errors;
}

function problemResponse(problem: ApiProblem, instance: string): Response {
  return new Response(
    JSON.stringify({
      type: "about:blank",
      status: problem.status,
      title: problem.title,
      code: problem.code,
      ...(problem.detail ? { detail: problem.detail } : {}),
      instance,
      ...problem.extra,
    }),
    {
      status: problem.status,
      headers: { "Content-Type": "application/problem+json; charset=utf-8", ...problem.headers },
    },
  );
}

export function apiJson(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
}

export interface ApiContext {
  caller: ApiCaller;
  url: URL;
  at: Date;
  ip: string;
  /** The request body as JSON (POSTs). */
  json(): Promise<unknown>;
  /** The POST's Idempotency-Key, when it has one (operations with their own idempotency derive theirs from it). */
  idempotencyKey: string | null;
}

function bearerToken(request: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("Authorization") ?? "");
  return m ? m[1] : null;
}

/**
 * Runs an API handler: authenticates the key (401), counts the request against the key's limit
 * (429), checks the scope (403: `write` for every POST), and for a POST with Idempotency-Key
 * answers a replay from the stored answer. Whatever the handler throws as ApiProblem becomes its
 * problem details; anything else is a 500 without internals.
 */
export async function handleApi(
  request: Request,
  options: { scope: "read" | "write" },
  handler: (ctx: ApiContext) => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  const instance = url.pathname;
  const db = getDb();
  const at = now();
  let reservation: { keyId: number; idempotencyKey: string } | null = null;
  try {
    const token = bearerToken(request);
    const found = token ? await findApiKey(db, token) : null;
    if (!found) {
      throw new ApiProblem(
        401,
        "unauthorized",
        "認証が必要です",
        token
          ? "APIキーが無効か、失効しています。"
          : "Authorization: Bearer ヘッダーでAPIキーを送ってください。",
        {},
        { "WWW-Authenticate": 'Bearer realm="api"' },
      );
    }
    const { lastUsedAt, ...caller } = found;
    const rate = await takeApiRequest(db, caller.keyId, getServerConfig().apiRateLimit, at);
    if (!rate.allowed) {
      throw new ApiProblem(
        429,
        "rate_limited",
        "リクエストが多すぎます",
        `このAPIキーの1分あたりのリクエスト数の上限に達しました。${rate.retryAfterSeconds}秒後に再度お試しください。`,
        {},
        { "Retry-After": String(rate.retryAfterSeconds) },
      );
    }
    await noteApiKeyUsed(db, { keyId: caller.keyId, lastUsedAt }, at);
    if (options.scope === "write" && caller.scope !== "write") {
      throw new ApiProblem(
        403,
        "forbidden_scope",
        "権限がありません",
        "このAPIキーは読み取り専用です。書き込みには権限が「write」のキーが必要です。",
      );
    }
    const body = request.method === "POST" ? await request.text() : "";
    const idempotencyKey =
      request.method === "POST" ? request.headers.get("Idempotency-Key") : null;
    const ctx: ApiContext = {
      caller,
      url,
      at,
      ip: request.headers.get("x-client-ip") ?? "unknown",
      idempotencyKey,
      json: async () => {
        if (body.trim() === "") return {};
        try {
          return JSON.parse(body) as unknown;
        } catch {
          throw new ApiProblem(
            400,
            "invalid_json",
            "JSONとして読めません",
            "リクエスト本文は JSON で送ってください。",
          );
        }
      },
    };
    if (idempotencyKey === null) return await handler(ctx);

    if (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
      throw validationProblem({
        "Idempotency-Key": `Idempotency-Key は1〜${IDEMPOTENCY_KEY_MAX_LENGTH}文字で指定してください`,
      });
    }
    const fingerprint = requestFingerprint(request.method, url.pathname + url.search, body);
    const reserved = await reserveIdempotencyKey(db, {
      keyId: caller.keyId,
      idempotencyKey,
      fingerprint,
      at,
    });
    if (reserved.kind === "conflict") {
      throw new ApiProblem(
        409,
        "idempotency_conflict",
        "Idempotency-Key が別のリクエストに使われています",
        "同じ Idempotency-Key で内容の異なるリクエストが送られました。新しいリクエストには新しいキーを使ってください。",
      );
    }
    if (reserved.kind === "in_progress") {
      throw new ApiProblem(
        409,
        "idempotency_in_progress",
        "同じリクエストを処理中です",
        "同じ Idempotency-Key の最初のリクエストがまだ処理中です。しばらくしてから再度お試しください。",
        {},
        { "Retry-After": "1" },
      );
    }
    if (reserved.kind === "replay") {
      const response = new Response(reserved.body, {
        status: reserved.status,
        headers: {
          "Content-Type": `${reserved.status >= 400 ? "application/problem+json" : "application/json"}; charset=utf-8`,
          "Idempotent-Replayed": "true",
        },
      });
      return response;
    }
    reservation = { keyId: caller.keyId, idempotencyKey };
    let response: Response;
    try {
      response = await handler(ctx);
    } catch (error) {
      if (!(error instanceof ApiProblem)) throw error;
      response = problemResponse(error, instance);
    }
    // An answer is kept whatever it says (a refusal too, as the client saw it); only a request that
    // broke (500) frees its key for a retry.
    const text = await response.text();
    await storeIdempotentResponse(db, { ...reservation, status: response.status, body: text });
    reservation = null;
    return new Response(text, { status: response.status, headers: response.headers });
  } catch (error) {
    if (reservation) await releaseIdempotencyKey(db, reservation).catch(() => undefined);
    if (error instanceof ApiProblem) return problemResponse(error, instance);
    log("error", "request failed", {
      requestId: request.headers.get("x-request-id") ?? undefined,
      method: request.method,
      path: instance,
      ...errorFields(error),
    });
    return problemResponse(
      new ApiProblem(
        500,
        "internal_error",
        "サーバーでエラーが発生しました",
        "時間をおいて再度お試しください。",
      ),
      instance,
    );
  }
}

/** Query parameters checked against a zod schema (422 with per-parameter errors). */
export function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) raw[k] = v;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw validationProblem(
      fieldErrors(parsed.error),
      "クエリパラメーターに誤りがあります。errors の各項目を確認してください。",
    );
  return parsed.data;
}

// ---- pagination ---------------------------------------------------------------------------

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The opaque cursor: the last row's sort key, base64url of its JSON. */
export function encodeCursor(sortKey: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(sortKey)).toString("base64url");
}

export function decodeCursor(
  cursor: string | undefined,
  shape: readonly ("string" | "number" | "instant")[],
): (string | number)[] | null {
  if (cursor === undefined) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(value) &&
      value.length === shape.length &&
      value.every((v, i) => (shape[i] === "instant" ? isInstant(v) : typeof v === shape[i]))
    )
      return value as (string | number)[];
  } catch {
    // falls through to the problem below
  }
  throw new ApiProblem(
    400,
    "invalid_cursor",
    "カーソルが正しくありません",
    "cursor には前のページの nextCursor をそのまま指定してください。",
  );
}

/** `{ data, nextCursor }` from `limit + 1` rows: a further row means there is a next page. */
export function page<Row, Out>(
  rows: Row[],
  limit: number,
  sortKey: (row: Row) => (string | number)[],
  present: (row: Row) => Out,
) {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return {
    data: shown.map(present),
    nextCursor: more ? encodeCursor(sortKey(shown[shown.length - 1])) : null,
  };
}

// ---- values -------------------------------------------------------------------------------

/** A stored UTC instant as ISO 8601 with the +09:00 offset; null stays null. */
export function jstIso(instant: string | null): string | null {
  if (instant === null) return null;
  const t = new Date(instant);
  const jst = new Date(t.getTime() + 9 * 3_600_000).toISOString();
  return `${jst.slice(0, 19)}+09:00`;
}

/** `createdFrom`/`createdTo`: an instant with its offset, or a date meaning 00:00 JST of it. */
export function instantParam(label: string) {
  return (value: string, ctx: z.RefinementCtx): Instant => {
    if (isIsoDate(value)) return instantOf(jstInstant(value));
    const t = parseInstant(value);
    if (!t) {
      ctx.addIssue({
        code: "custom",
        message: `${label}は ISO 8601 の日時（例: 2026-12-01T09:00:00+09:00）か日付（YYYY-MM-DD）で指定してください`,
      });
      return z.NEVER;
    }
    return instantOf(t);
  };
}

/** The answer of a route to a method it does not take. */
export function methodNotAllowed(request: Request, allowed: string): Response {
  return new Response(
    JSON.stringify({
      type: "about:blank",
      status: 405,
      title: "このメソッドは使えません",
      code: "method_not_allowed",
      detail: `${new URL(request.url).pathname} で使えるメソッドは ${allowed} です。`,
      instance: new URL(request.url).pathname,
    }),
    {
      status: 405,
      headers: { "Content-Type": "application/problem+json; charset=utf-8", Allow: allowed },
    },
  );
}
