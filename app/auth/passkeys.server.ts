// Passkeys (WebAuthn, @simplewebauthn/server): registered on the account page; used as the second
// factor after a password, or alone to sign in (a discoverable credential with user
// verification — something the user has plus a PIN or biometric — which needs nothing else).
// Challenges are kept server-side for 5 minutes and used once.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { inTransaction } from "../lib/transaction.server";
import { recordAudit } from "../audit/audit.server";
import { getServerConfig, isLoopbackHost } from "../config.server";
import type { AccountActor } from "./second-factor.server";
import {
  conflict,
  notAllowed,
  notFoundFailure,
  ok,
  unauthenticated,
  type Result,
} from "../lib/result";
import { instantOf } from "../lib/jst";

type Db = Kysely<Database> | Transaction<Database>;

const CHALLENGE_MINUTES = 5;
const PASSKEY_NAME_MAX = 50;

/**
 * The relying party: CONSOLE_URL's host is its id and CONSOLE_URL's origin the expected origin —
 * never the request's Host header, which a client chooses. Without CONSOLE_URL, the console's own
 * loopback address (browsers refuse an IP address as a relying party, hence localhost).
 */
export function relyingParty(): { id: string; origin: string; name: string } {
  const url = new URL(getServerConfig().consoleUrl);
  if (isLoopbackHost(url.hostname)) url.hostname = "localhost";
  return { id: url.hostname, origin: url.origin, name: "セキュアライン 管理コンソール" };
}

export type ChallengePurpose = "register" | "sign_in" | "second_factor";

async function storeChallenge(
  db: Db,
  challenge: string,
  purpose: ChallengePurpose,
  at: Date,
  owner: { userId?: string; pendingId?: number },
) {
  // Expired challenges of anyone are cleared on the way: they are never valid again.
  await db.deleteFrom("webauthn_challenges").where("expires_at", "<=", instantOf(at)).execute();
  await db
    .insertInto("webauthn_challenges")
    .values({
      challenge,
      purpose,
      user_id: owner.userId ?? null,
      pending_sign_in_id: owner.pendingId ?? null,
      expires_at: instantOf(new Date(at.getTime() + CHALLENGE_MINUTES * 60_000)),
    })
    .execute();
}

/** The challenge the browser signed, read from its client data (verified again by the library). */
function challengeOf(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const data = JSON.parse(
      Buffer.from(response.response.clientDataJSON, "base64url").toString("utf8"),
    ) as { challenge?: unknown };
    return typeof data.challenge === "string" ? data.challenge : null;
  } catch {
    return null;
  }
}

/** Takes a challenge out of the store (single use); true when it was there, unexpired, for this purpose and owner. */
async function consumeChallenge(
  db: Db,
  challenge: string | null,
  purpose: ChallengePurpose,
  at: Date,
  owner: { userId?: string; pendingId?: number },
): Promise<boolean> {
  if (!challenge) return false;
  let q = db
    .deleteFrom("webauthn_challenges")
    .where("challenge", "=", challenge)
    .where("purpose", "=", purpose)
    .where("expires_at", ">", instantOf(at));
  if (owner.userId !== undefined) q = q.where("user_id", "=", owner.userId);
  if (owner.pendingId !== undefined) q = q.where("pending_sign_in_id", "=", owner.pendingId);
  const deleted = await q.executeTakeFirst();
  return Number(deleted.numDeletedRows) === 1;
}

export interface PasskeyRow {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export async function listPasskeys(db: Db, userId: string): Promise<PasskeyRow[]> {
  const rows = await db
    .selectFrom("user_passkeys")
    .select(["id", "name", "created_at", "last_used_at"])
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }));
}

export async function registrationOptions(
  db: Db,
  user: { id: string; email: string; displayName: string },
  at: Date,
) {
  const rp = relyingParty();
  const existing = await db
    .selectFrom("user_passkeys")
    .select(["id", "transports"])
    .where("user_id", "=", user.id)
    .execute();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((c) => ({
      id: c.id,
      transports: JSON.parse(c.transports) as string[],
    })),
    // Discoverable, so the same passkey also signs in without a password.
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await storeChallenge(db, options.challenge, "register", at, { userId: user.id });
  return options;
}

export async function finishRegistration(
  db: Kysely<Database>,
  actor: AccountActor,
  input: { name: string; response: RegistrationResponseJSON },
  at: Date,
  ip: string,
): Promise<Result<{ name: string }>> {
  const rp = relyingParty();
  const challenge = challengeOf(input.response);
  if (!(await consumeChallenge(db, challenge, "register", at, { userId: actor.id }))) {
    return conflict("登録の有効期限が切れました。もう一度お試しください。");
  }
  const unverified = notAllowed("パスキーを確認できませんでした。もう一度お試しください。");
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge!,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch {
    return unverified;
  }
  if (!verification.verified) return unverified;
  const { credential } = verification.registrationInfo;
  const name = input.name.trim().slice(0, PASSKEY_NAME_MAX) || "パスキー";
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("user_passkeys")
      .values({
        id: credential.id,
        user_id: actor.id,
        public_key: Buffer.from(credential.publicKey),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        name,
        created_at: instantOf(at),
        last_used_at: null,
      })
      .execute();
    await recordAudit(trx, {
      actor,
      action: "passkey.register",
      entity: "user",
      entityId: actor.id,
      summary: `パスキー「${name}」を登録`,
      ip,
    });
  });
  return ok({ name });
}

export async function deletePasskey(
  db: Kysely<Database>,
  actor: AccountActor,
  passkeyId: string,
  ip: string,
): Promise<Result> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("user_passkeys")
      .select(["id", "name"])
      .where("id", "=", passkeyId)
      .where("user_id", "=", actor.id)
      .executeTakeFirst();
    if (!row) return notFoundFailure();
    await trx.deleteFrom("user_passkeys").where("id", "=", row.id).execute();
    await recordAudit(trx, {
      actor,
      action: "passkey.delete",
      entity: "user",
      entityId: actor.id,
      summary: `パスキー「${row.name}」を削除`,
      ip,
    });
    return ok();
  });
}

/**
 * Options to sign in with a passkey: any discoverable credential of this relying party
 * (`sign_in`), or one of the pending sign-in's account (`second_factor`).
 */
export async function authenticationOptions(
  db: Db,
  purpose: "sign_in" | "second_factor",
  at: Date,
  pending?: { id: number; userId: string },
) {
  const rp = relyingParty();
  const allow =
    purpose === "second_factor" && pending
      ? (
          await db
            .selectFrom("user_passkeys")
            .select(["id", "transports"])
            .where("user_id", "=", pending.userId)
            .execute()
        ).map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as string[] }))
      : undefined;
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: "required",
    allowCredentials: allow,
  });
  await storeChallenge(db, options.challenge, purpose, at, { pendingId: pending?.id });
  return options;
}

/**
 * Verifies a passkey assertion against a stored challenge; on success the credential's counter
 * and last use are updated and its account's id is returned.
 */
export async function finishAuthentication(
  db: Kysely<Database>,
  response: AuthenticationResponseJSON,
  purpose: "sign_in" | "second_factor",
  at: Date,
  pending?: { id: number; userId: string },
): Promise<Result<{ userId: string; passkeyName: string }>> {
  const rp = relyingParty();
  const refused = unauthenticated("パスキーで確認できませんでした。もう一度お試しください。");
  const challenge = challengeOf(response);
  if (
    !(await consumeChallenge(db, challenge, purpose, at, pending ? { pendingId: pending.id } : {}))
  )
    return refused;
  let q = db
    .selectFrom("user_passkeys")
    .innerJoin("users", "users.id", "user_passkeys.user_id")
    .select([
      "user_passkeys.id",
      "user_passkeys.user_id",
      "user_passkeys.public_key",
      "user_passkeys.counter",
      "user_passkeys.transports",
      "user_passkeys.name",
    ])
    .where("user_passkeys.id", "=", response.id)
    .where("users.disabled_at", "is", null);
  if (pending) q = q.where("user_passkeys.user_id", "=", pending.userId);
  const stored = await q.executeTakeFirst();
  if (!stored) return refused;
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge!,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: {
        id: stored.id,
        publicKey: new Uint8Array(stored.public_key),
        counter: stored.counter,
        transports: JSON.parse(stored.transports) as string[] as never,
      },
    });
  } catch {
    return refused;
  }
  if (!verification.verified) return refused;
  await db
    .updateTable("user_passkeys")
    .set({ counter: verification.authenticationInfo.newCounter, last_used_at: instantOf(at) })
    .where("id", "=", stored.id)
    .execute();
  return ok({ userId: stored.user_id, passkeyName: stored.name });
}
