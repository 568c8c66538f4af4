// The notice page's data (T-16): notices concerning the viewer's areas, published, withdrawn
// before they start and ended early by operations; every write audited.
import type { Kysely, Selectable } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Area, Database, ServiceNoticeTable } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import {
  noticeState,
  type NoticeSortColumn,
  type NoticeArea,
  type NoticeReason,
  type NoticeState,
  type ServiceNoticeDraft,
} from "./service-notice";
import { formatInstant } from "../lib/format";
import { conflict, notFoundFailure, ok, type Result } from "../lib/result";
import { instantOf } from "../lib/jst";
import type { PageRequest } from "../lib/paging";
import { countOf, fetchPage } from "../lib/paging.server";

export interface ServiceNotice {
  id: number;
  reason: NoticeReason;
  area: NoticeArea;
  title: string;
  body: string;
  startsAt: string;
  endsAt: string | null;
  emergency: boolean;
  publishedAt: string;
  withdrawnAt: string | null;
  state: NoticeState;
}

/** The areas of the tenant's live lines; null for the provider (every area). */
export async function areasOf(db: Kysely<Database>, tenant: Tenant): Promise<Area[] | null> {
  if (tenant.kind === "provider") return null;
  const rows = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select("contracts.area")
    .distinct()
    .where(customerInTenant(tenant))
    .where("contracts.status", "<>", "terminated")
    .execute();
  return rows.map((r) => r.area);
}

/**
 * Notices concerning the tenant (by its areas: `concerns`, in SQL) that have not ended before
 * `since`, withdrawn ones only for the provider; not yet selected.
 */
function noticesOf(db: Kysely<Database>, tenant: Tenant, areas: Area[] | null, since: Date) {
  let query = db
    .selectFrom("service_notices")
    .where((eb) => eb.or([eb("ends_at", "is", null), eb("ends_at", ">=", instantOf(since))]));
  if (areas !== null)
    query = query.where((eb) =>
      areas.length === 0
        ? eb("area", "=", "all")
        : eb.or([eb("area", "=", "all"), eb("area", "in", areas)]),
    );
  if (tenant.kind !== "provider") query = query.where("withdrawn_at", "is", null);
  return query;
}

type NoticeRow = Selectable<ServiceNoticeTable>;

function noticeOf(r: NoticeRow, now: Date): ServiceNotice {
  return {
    id: r.id,
    reason: r.reason,
    area: r.area,
    title: r.title,
    body: r.body,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    emergency: r.emergency === 1,
    publishedAt: r.published_at,
    withdrawnAt: r.withdrawn_at,
    state: noticeState(
      { startsAt: r.starts_at, endsAt: r.ends_at, withdrawnAt: r.withdrawn_at },
      now,
    ),
  };
}

/**
 * Notices concerning the tenant that have not ended before `since` (withdrawn ones only for the
 * provider), soonest first.
 */
export async function listServiceNotices(
  db: Kysely<Database>,
  params: { tenant: Tenant; now: Date; since: Date },
): Promise<ServiceNotice[]> {
  const areas = await areasOf(db, params.tenant);
  const rows = await noticesOf(db, params.tenant, areas, params.since)
    .selectAll()
    .orderBy("starts_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => noticeOf(r, params.now));
}

const NOTICE_SORT_SQL: Record<NoticeSortColumn, "starts_at" | "published_at"> = {
  start: "starts_at",
  published: "published_at",
};

/** One page of the notice page's list, counted over all the notices concerning the tenant, in SQL. */
export async function pageServiceNotices(
  db: Kysely<Database>,
  params: { tenant: Tenant; now: Date; since: Date },
  request: PageRequest<NoticeSortColumn>,
) {
  const areas = await areasOf(db, params.tenant);
  const scoped = () => noticesOf(db, params.tenant, areas, params.since);
  const { rows, page } = await fetchPage(
    request,
    () => countOf(scoped()),
    (w) =>
      scoped()
        .selectAll()
        .orderBy(NOTICE_SORT_SQL[w.sort], w.dir)
        // The id breaks ties so that pages never overlap or skip notices of the same time.
        .orderBy("id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { notices: rows.map((r) => noticeOf(r, params.now)), page };
}

/** The notices concerning the tenant that are in progress or still to come at `now` (home page, login page). */
export async function openServiceNotices(
  db: Kysely<Database>,
  tenant: Tenant,
  now: Date,
): Promise<ServiceNotice[]> {
  const notices = await listServiceNotices(db, { tenant, now, since: now });
  return notices.filter((n) => n.state === "current" || n.state === "upcoming");
}

export async function publishServiceNotice(
  db: Kysely<Database>,
  params: { notice: ServiceNoticeDraft; at: Date; actor: AuditActor; ip: string },
): Promise<number> {
  const { notice } = params;
  return inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto("service_notices")
      .values({
        reason: notice.reason,
        area: notice.area,
        title: notice.title,
        body: notice.body,
        starts_at: instantOf(notice.startsAt),
        ends_at: notice.endsAt ? instantOf(notice.endsAt) : null,
        emergency: notice.emergency ? 1 : 0,
        published_at: instantOf(params.at),
        published_by: params.actor.email ?? "",
        withdrawn_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action: "notice.publish",
      entity: "service_notice",
      entityId: id,
      summary: `利用中止のお知らせを掲載${notice.emergency ? "（緊急）" : ""}: ${notice.title}（${formatInstant(notice.startsAt.toISOString())}〜${notice.endsAt ? formatInstant(notice.endsAt.toISOString()) : "未定"}）`,
      ip: params.ip,
    });
    return id;
  });
}

/** Before the start: withdrawn (the interruption will not happen). After it: ended now (service is back). */
export async function closeServiceNotice(
  db: Kysely<Database>,
  params: { id: number; at: Date; actor: AuditActor; ip: string },
): Promise<Result<"withdrawn" | "ended">> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom("service_notices")
      .selectAll()
      .where("id", "=", params.id)
      .executeTakeFirst();
    if (!row) return notFoundFailure();
    const state = noticeState(
      { startsAt: row.starts_at, endsAt: row.ends_at, withdrawnAt: row.withdrawn_at },
      params.at,
    );
    const at = instantOf(params.at);
    if (state === "upcoming") {
      await trx
        .updateTable("service_notices")
        .set({ withdrawn_at: at })
        .where("id", "=", row.id)
        .execute();
    } else if (state === "current") {
      await trx
        .updateTable("service_notices")
        .set({ ends_at: at })
        .where("id", "=", row.id)
        .execute();
    } else {
      return conflict("終了済み・取り下げ済みのお知らせです");
    }
    const closed = state === "upcoming" ? "withdrawn" : "ended";
    await recordAudit(trx, {
      actor: params.actor,
      action: closed === "withdrawn" ? "notice.withdraw" : "notice.end",
      entity: "service_notice",
      entityId: row.id,
      summary: `利用中止のお知らせを${closed === "withdrawn" ? "取り下げ" : "終了（復旧）"}: ${row.title}`,
      ip: params.ip,
    });
    return ok(closed);
  });
}
