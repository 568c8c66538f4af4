// An account's own sessions, as listed on アカウント (issue 15): where each signed in from and
// when it was last used, and ending one or all the others. Every query is scoped to the viewer's
// own user id; a session of someone else is "not found".
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit } from "../audit/audit.server";
import { browserName } from "./browser-name";
import type { Viewer } from "./tenancy";

export interface SessionListItem {
  /** Names the session in forms; the session id itself is the bearer secret and never shown. */
  handle: string;
  browser: string;
  ip: string | null;
  createdAt: string | null;
  lastSeenAt: string | null;
  current: boolean;
}

export function sessionHandle(sessionId: string): string {
  return createHash("sha256").update(sessionId).digest("hex").slice(0, 32);
}

/** lucia writes `expires_at` in Unix seconds by the system clock, so it is compared with that. */
function unexpired() {
  return Math.floor(Date.now() / 1000);
}

async function ownSessions(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom("sessions")
    .select(["id", "user_agent", "ip", "created_at", "last_seen_at"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", unexpired())
    .execute();
}

/** The viewer's sessions in use, this one first, then the most recently used. */
export async function listOwnSessions(
  db: Kysely<Database>,
  viewer: Viewer,
  currentSessionId: string | null,
): Promise<SessionListItem[]> {
  const rows = await ownSessions(db, viewer.id);
  return rows
    .map((r) => ({
      handle: sessionHandle(r.id),
      browser: browserName(r.user_agent),
      ip: r.ip,
      createdAt: r.created_at,
      lastSeenAt: r.last_seen_at,
      current: r.id === currentSessionId,
    }))
    .sort(
      (a, b) =>
        Number(b.current) - Number(a.current) ||
        (b.lastSeenAt ?? "").localeCompare(a.lastSeenAt ?? ""),
    );
}

/** Ends one of the viewer's own sessions; false when the viewer has no session with that handle. */
export async function endOwnSession(
  db: Kysely<Database>,
  viewer: Viewer,
  handle: string,
  ip: string,
): Promise<boolean> {
  const session = (await ownSessions(db, viewer.id)).find((r) => sessionHandle(r.id) === handle);
  if (!session) return false;
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom("sessions")
      .where("id", "=", session.id)
      .where("user_id", "=", viewer.id)
      .execute();
    await recordAudit(trx, {
      actor: { id: viewer.id, email: viewer.email },
      action: "session.end",
      entity: "session",
      entityId: handle,
      summary: `セッションを終了（${browserName(session.user_agent)}、${session.ip ?? "アドレス不明"}）`,
      ip,
    });
  });
  return true;
}

/** Ends every session of the viewer except this one; returns how many were ended. */
export async function endOtherOwnSessions(
  db: Kysely<Database>,
  viewer: Viewer,
  currentSessionId: string,
  ip: string,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .deleteFrom("sessions")
      .where("user_id", "=", viewer.id)
      .where("id", "!=", currentSessionId)
      .executeTakeFirst();
    const count = Number(ended.numDeletedRows);
    await recordAudit(trx, {
      actor: { id: viewer.id, email: viewer.email },
      action: "session.end_others",
      entity: "session",
      summary: `ほかのセッションをすべて終了（${count}件）`,
      ip,
    });
    return count;
  });
}
