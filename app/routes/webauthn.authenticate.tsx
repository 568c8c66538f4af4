// Passkey sign-in (JSON, called by components/PasskeyButton.tsx): `sign_in` with any passkey of
// this console (no password, no further factor: the passkey verified its user), or
// `second_factor` for the pending sign-in of this browser.
import type { ActionFunctionArgs } from "@remix-run/node";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { authenticationOptions, finishAuthentication } from "~/auth/passkeys.server";
import { findPendingSignIn, readPendingToken } from "~/auth/second-factor.server";
import {
  clientIp,
  completePasskeySignIn,
  completeSecondFactorSignIn,
  safeRedirectPath,
} from "~/auth/session.server";
import { recordAudit } from "~/audit/audit.server";
import { getDb } from "~/db.server";
import { now } from "~/lib/clock";
import { failureMessage, failureStatus } from "~/lib/result";

interface Body {
  step?: unknown;
  purpose?: unknown;
  response?: unknown;
  trust?: unknown;
  redirectTo?: unknown;
}

// The browser's script (PasskeyButton) reads `{ ok: false, message }`: the wire format of these
// JSON routes, not a domain result (decision 0046).
const fail = (message: string, status = 400) => Response.json({ ok: false, message }, { status });

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return fail("POST で送ってください。", 405);
  const body = (await request.json().catch(() => ({}))) as Body;
  const purpose =
    body.purpose === "second_factor"
      ? "second_factor"
      : body.purpose === "sign_in"
        ? "sign_in"
        : null;
  if (!purpose) return fail("要求の形式が正しくありません。");
  const db = getDb();
  const at = now();
  const pending =
    purpose === "second_factor"
      ? await findPendingSignIn(db, readPendingToken(request), at)
      : undefined;
  if (purpose === "second_factor" && !pending)
    return fail("確認の有効期限が切れました。もう一度ログインしてください。", 401);
  const owner = pending ? { id: pending.id, userId: pending.userId } : undefined;

  if (body.step === "options") {
    return Response.json({
      ok: true,
      options: await authenticationOptions(db, purpose, at, owner),
    });
  }
  if (body.step !== "verify" || typeof body.response !== "object" || body.response === null)
    return fail("要求の形式が正しくありません。");
  const ip = clientIp(request);
  const result = await finishAuthentication(
    db,
    body.response as AuthenticationResponseJSON,
    purpose,
    at,
    owner,
  );
  if (!result.ok) {
    await recordAudit(db, {
      actor: { id: pending?.userId ?? null, email: pending?.email ?? null },
      action: "passkey.verify_failed",
      entity: "session",
      summary:
        purpose === "sign_in" ? "パスキーでのログインに失敗" : "二要素認証: パスキーの確認に失敗",
      ip,
    });
    return fail(failureMessage(result), failureStatus(result));
  }
  const redirectTo = safeRedirectPath(typeof body.redirectTo === "string" ? body.redirectTo : null);
  if (pending) {
    const headers = await completeSecondFactorSignIn(db, request, pending, {
      trust: body.trust === true,
      summary: `ログイン（パスワード＋パスキー「${result.value.passkeyName}」）`,
      at,
    });
    if (!headers) return fail("このアカウントではログインできません。", 401);
    return Response.json({ ok: true, redirectTo }, { headers });
  }
  const headers = await completePasskeySignIn(db, request, {
    userId: result.value.userId,
    passkeyName: result.value.passkeyName,
    at,
  });
  if (!headers) return fail("このアカウントではログインできません。", 401);
  return Response.json({ ok: true, redirectTo }, { headers });
}

export async function loader() {
  return new Response("見つかりません", { status: 404 });
}
