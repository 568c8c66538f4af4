// Who is handling an incident (issue 17 item 8): "provider" once the provider's operations have
// acknowledged it or recorded a phone call about it, "customer" when the customer's administrator
// acknowledged it. A customer may not resolve what the provider is handling. Incidents already
// acknowledged take the side of whoever acknowledged them or recorded a call, from the audit log.
import type { Kysely } from "kysely";

const STAFF_ROLES = ["operator", "provider_admin"];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("incidents").addColumn("handled_by", "text").execute();

  const acknowledged = await db
    .selectFrom("audit_log")
    .innerJoin("users", "users.id", "audit_log.user_id")
    .select(["audit_log.entity_id", "users.role"])
    .where("audit_log.action", "=", "incident.acknowledge")
    .where("audit_log.entity", "=", "incident")
    .execute();
  const called = await db
    .selectFrom("audit_log")
    .innerJoin("notifications", (j) =>
      j.on((eb) => eb(eb.cast("notifications.id", "text"), "=", eb.ref("audit_log.entity_id"))),
    )
    .select("notifications.incident_id")
    .where("audit_log.action", "=", "notification.call")
    .execute();
  const side = new Map<number, string>();
  for (const a of acknowledged)
    side.set(Number(a.entity_id), STAFF_ROLES.includes(a.role) ? "provider" : "customer");
  for (const c of called) side.set(Number(c.incident_id), "provider");
  for (const [id, handledBy] of side)
    await db
      .updateTable("incidents")
      .set({ handled_by: handledBy })
      .where("id", "=", id)
      .where("status", "!=", "new")
      .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("incidents").dropColumn("handled_by").execute();
}
