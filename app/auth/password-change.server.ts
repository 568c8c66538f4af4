// Changing one's own password: the current one must match; every other session ends.
import { recordAudit } from "../audit/audit.server";
import { getDb } from "../db.server";
import { invalidField, ok, type Result } from "../lib/result";
import { hashPassword, verifyPassword } from "./password.server";
import { clientIp, restartSessions } from "./session.server";
import type { Viewer } from "./tenancy";

export async function changePassword(
  viewer: Viewer,
  current: string,
  next: string,
  request: Request,
): Promise<Result<Headers, "current">> {
  const db = getDb();
  const ip = clientIp(request);
  const user = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", viewer.id)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, current))) {
    return invalidField("current", "現在のパスワードが正しくありません");
  }
  const hash = await hashPassword(next);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("users")
      .set({ password_hash: hash })
      .where("id", "=", viewer.id)
      .execute();
    await recordAudit(trx, {
      actor: { id: viewer.id, email: viewer.email },
      action: "password.change",
      entity: "user",
      entityId: viewer.id,
      summary: "パスワードを変更（他のセッションはすべて終了）",
      ip,
    });
  });
  return ok(await restartSessions(db, viewer.id, request));
}
