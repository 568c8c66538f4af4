// Applications through review (T-7, T-8): a reseller applies for its customers (or a customer for
// itself) with the holder's consent recorded; the operator approves with the service start date
// (the contract is created and the approval notice e-mailed, in one transaction), rejects with a
// T-8-2 reason, or revokes an approval before service starts (T-8-3). T-6: a line under review or
// held by a live contract cannot be applied for again.
import { sql, type Kysely, type Transaction } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { inviteCustomerAdmin, stopAccount } from "../auth/invitations.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { queueMail } from "../mail/outbox.server";
import { instantOf, type IsoDate, jstDate } from "../lib/jst";
import { pageInfo, type ListSort, type PageRequest } from "../lib/paging";
import { APPLICATION_STATUS_LABELS } from "./application-labels";
import { REJECTION_REASONS, type ApplicationInput } from "./applications";
import { createdIso, recordWebhookEvent } from "../webhooks/events.server";
import { formatDate } from "../lib/format";
import {
  conflict,
  invalidField,
  notAllowed,
  notFoundFailure,
  ok,
  type Result,
} from "../lib/result";

/**
 * An application's operations answer in the one result type (issue 16 item 1): a field's problem
 * is a validation failure of that field (a line already taken is the line id's, as the person
 * fixes it there), a state that refuses the decision a conflict (409), a missing application a
 * not-found failure (404).
 */
export type ApplicationResult = Result<{ id: number }>;

/** Applications within the tenant: a reseller's own and its customers', a customer's own. */
function scoped(db: Kysely<Database>, tenant: Tenant) {
  const q = db
    .selectFrom("applications")
    .leftJoin("customers", "customers.id", "applications.customer_id");
  if (tenant.kind === "provider") return q;
  if (tenant.kind === "reseller")
    return q.where("applications.reseller_id", "=", tenant.resellerId);
  return q.where("applications.customer_id", "=", tenant.customerId);
}

/** The application list's sortable columns and the direction each starts in (issue 17 item 2). */
export type ApplicationSortColumn = "created" | "holder" | "wished";
export const APPLICATION_SORT: ListSort<ApplicationSortColumn> = {
  columns: { created: "desc", holder: "asc", wished: "asc" },
  default: "created",
};
const APPLICATION_SORT_SQL: Record<ApplicationSortColumn, string> = {
  created: "applications.id",
  holder: "applications.holder_name",
  wished: "applications.wished_start",
};
export type ApplicationStatus = keyof typeof APPLICATION_STATUS_LABELS;

function filteredApplications(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: { status?: ApplicationStatus },
) {
  const q = scoped(db, tenant);
  return filter.status ? q.where("applications.status", "=", filter.status) : q;
}

/** One page of the application list with the count of the whole filter, in SQL. */
export async function pageApplications(
  db: Kysely<Database>,
  tenant: Tenant,
  filter: { status?: ApplicationStatus },
  request: PageRequest<ApplicationSortColumn>,
) {
  const { count } = await filteredApplications(db, tenant, filter)
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .executeTakeFirstOrThrow();
  const { offset, ...page } = pageInfo(request, Number(count));
  const applications = await filteredApplications(db, tenant, filter)
    .selectAll("applications")
    .orderBy(sql.ref(APPLICATION_SORT_SQL[page.sort]), page.dir)
    .orderBy("applications.id", page.dir)
    .limit(page.size)
    .offset(offset)
    .execute();
  return { applications, page };
}

export async function getApplication(db: Kysely<Database>, params: { id: number; tenant: Tenant }) {
  return (
    scoped(db, params.tenant)
      // Who gave the consent, by display name: pages never show a person's e-mail address to
      // another tenant (issue 17 item 6).
      .leftJoin("users as consenter", "consenter.email", "applications.consent_by")
      .selectAll("applications")
      .select("consenter.display_name as consent_by_name")
      .where("applications.id", "=", params.id)
      .executeTakeFirst() ?? null
  );
}

/** Applications within the tenant with their customer's and contract's refs (the partner API lists and reads these). */
export function applicationsWithRefs(db: Kysely<Database>, tenant: Tenant) {
  return scoped(db, tenant)
    .leftJoin("contracts", "contracts.id", "applications.contract_id")
    .selectAll("applications")
    .select(["customers.ref as customer_ref", "contracts.ref as contract_ref"]);
}

/** An application within the tenant by its ref (APP-000001), with its customer's and contract's refs (the partner API). */
export async function getApplicationByRef(
  db: Kysely<Database>,
  params: { ref: string; tenant: Tenant },
) {
  return (
    (await applicationsWithRefs(db, params.tenant)
      .where("applications.ref", "=", params.ref)
      .executeTakeFirst()) ?? null
  );
}

/** Customers the viewer may apply for. */
export async function applicableCustomers(db: Kysely<Database>, tenant: Tenant) {
  if (tenant.kind === "provider") return [];
  return db
    .selectFrom("customers")
    .select(["id", "ref", "name", "address", "phone", "email"])
    .where(customerInTenant(tenant))
    .orderBy("ref")
    .execute();
}

/**
 * Rule 6 (one contract per line) is checked over every tenant, but the holder's reference is
 * told only to a viewer who may see that contract or application: another reseller's customer
 * is refused the line without learning which contract holds it.
 */
async function lineTaken(
  db: Kysely<Database>,
  tenant: Tenant,
  lineId: string,
): Promise<string | null> {
  const contract = await db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.ref",
      sql<number>`case when ${customerInTenant(tenant)} then 1 else 0 end`.as("visible"),
    ])
    .where("contracts.line_id", "=", lineId)
    .where("contracts.status", "<>", "terminated")
    .executeTakeFirst();
  if (contract)
    return contract.visible
      ? `この回線（${lineId}）はすでに契約 ${contract.ref} で利用中です。1回線につき1契約です（規約第6条）`
      : `この回線（${lineId}）はすでに別の契約で利用中です。1回線につき1契約です（規約第6条）`;
  const pending = await db
    .selectFrom("applications")
    .select(["id", "ref"])
    .where("line_id", "=", lineId)
    .where("status", "=", "applied")
    .executeTakeFirst();
  const pendingVisible =
    pending &&
    (await scoped(db, tenant)
      .select("applications.id")
      .where("applications.id", "=", pending.id)
      .executeTakeFirst());
  if (pending)
    return pendingVisible
      ? `この回線（${lineId}）には審査中のお申し込み（${pending.ref}）があります。1回線につき1契約です（規約第6条）`
      : `この回線（${lineId}）には審査中の別のお申し込みがあります。1回線につき1契約です（規約第6条）`;
  return null;
}

export async function submitApplication(
  db: Kysely<Database>,
  params: { tenant: Tenant; input: ApplicationInput; at: Date; actor: AuditActor; ip: string },
): Promise<ApplicationResult> {
  const { tenant, input } = params;
  if (tenant.kind === "provider") return notAllowed("お申し込みは販売店またはお客さまが行います");
  let customerId: number | null = null;
  let resellerId: number | null = tenant.kind === "reseller" ? tenant.resellerId : null;
  if (tenant.kind === "customer") customerId = tenant.customerId;
  else if (input.customerId) customerId = Number(input.customerId);
  if (customerId !== null) {
    const customer = await db
      .selectFrom("customers")
      .select(["id", "reseller_id"])
      .where("customers.id", "=", customerId)
      .where(customerInTenant(tenant))
      .executeTakeFirst();
    if (!customer) return invalidField("customerId", "お客さまを選び直してください");
    resellerId = customer.reseller_id;
  }
  const taken = await lineTaken(db, tenant, input.lineId);
  if (taken) return invalidField("lineId", taken);
  const at = instantOf(params.at);
  try {
    return await inTransaction(db, async (trx) => {
      const { id } = await trx
        .insertInto("applications")
        .values({
          ref: `APP-${Date.now()}`,
          reseller_id: resellerId,
          customer_id: customerId,
          holder_name: input.holderName,
          holder_address: input.holderAddress,
          holder_phone: input.holderPhone,
          holder_email: input.holderEmail,
          line_id: input.lineId,
          area: input.area,
          base_plan: "base.standard",
          endpoint_seats: input.endpointSeats,
          endpoint_ownership: input.endpointOwnership,
          gateway_model: input.gatewayModel || null,
          gateway_ownership: input.gatewayModel ? input.gatewayOwnership : null,
          gateway_repair24h: input.gatewayRepair24h === "on" ? 1 : 0,
          wished_start: input.wishedStart,
          consent_at: at,
          consent_by: params.actor.email ?? "",
          status: "applied",
          created_at: at,
          created_by: params.actor.email ?? "",
          updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const ref = `APP-${String(id).padStart(6, "0")}`;
      await trx
        .updateTable("applications")
        .set({ ref, updated_at: at })
        .where("id", "=", id)
        .execute();
      await recordAudit(trx, {
        actor: params.actor,
        action: "application.submit",
        entity: "application",
        entityId: ref,
        summary: `${ref} 申込み: ${input.holderName}、回線 ${input.lineId}（個人情報の取扱いに同意済み）`,
        ip: params.ip,
      });
      return ok({ id: Number(id) });
    });
  } catch (error) {
    // Two submissions for the same line at once: the partial unique index refuses the second.
    if (error instanceof Error && /UNIQUE/.test(error.message)) {
      return invalidField(
        "lineId",
        `この回線（${input.lineId}）には審査中のお申し込みがあります（規約第6条）`,
      );
    }
    throw error;
  }
}

export async function approveApplication(
  db: Kysely<Database>,
  params: {
    id: number;
    serviceStart: IsoDate;
    today: IsoDate;
    at: Date;
    actor: AuditActor;
    ip: string;
    providerName: string;
    consoleUrl: string;
  },
): Promise<ApplicationResult> {
  const app = await getApplication(db, { id: params.id, tenant: { kind: "provider" } });
  if (!app) return notFoundFailure();
  if (app.status !== "applied") return conflict("審査中のお申し込みではありません");
  if (params.serviceStart < params.today)
    return invalidField("serviceStart", "利用開始日は本日以降の日付にしてください");
  const taken = await db
    .selectFrom("contracts")
    .select("ref")
    .where("line_id", "=", app.line_id)
    .where("status", "<>", "terminated")
    .executeTakeFirst();
  if (taken)
    return conflict(`回線 ${app.line_id} はすでに契約 ${taken.ref} で利用中です（規約第6条）`);
  // T-6: a confirmed termination frees the line at once, but the contract runs to its termination
  // date; the new one starts that day at the earliest, as a new item line does (decision 0006).
  const ending = await db
    .selectFrom("contracts")
    .select(["ref", "termination_date"])
    .where("line_id", "=", app.line_id)
    .where("status", "=", "terminated")
    .where("termination_date", ">", params.serviceStart)
    .orderBy("termination_date", "desc")
    .executeTakeFirst();
  if (ending) {
    return invalidField(
      "serviceStart",
      `回線 ${app.line_id} の契約 ${ending.ref} は ${formatDate(ending.termination_date!)} に解約となります。利用開始日はその日以降にしてください（規約第6条）`,
    );
  }
  const at = instantOf(params.at);
  const contractId = await inTransaction(db, async (trx) => {
    let customerId = app.customer_id;
    if (customerId === null) {
      const { id } = await trx
        .insertInto("customers")
        .values({
          ref: `C-${app.ref.slice(4)}`,
          reseller_id: app.reseller_id,
          name: app.holder_name,
          email: app.holder_email,
          phone: app.holder_phone,
          address: app.holder_address,
          created_at: at,
          updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      customerId = id;
      // A new customer's administrator gets an account at the holder's address (an address that
      // already has one is left to the customer page).
      await inviteCustomerAdmin(trx, {
        ...params,
        customer: { id, name: app.holder_name },
        email: app.holder_email,
        displayName: "ご担当者",
      });
    }
    const { id } = await trx
      .insertInto("contracts")
      .values({
        ref: `K-${app.ref.slice(4)}`,
        customer_id: customerId,
        line_id: app.line_id,
        area: app.area,
        base_plan: app.base_plan,
        service_start: params.serviceStart,
        status: "active",
        termination_date: null,
        offline_threshold_minutes: 60,
        admin_email: app.holder_email,
        admin_phone: app.holder_phone,
        created_at: at,
        updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const items = [
      app.endpoint_seats > 0
        ? {
            code: "endpoint",
            quantity: app.endpoint_seats,
            ownership: app.endpoint_ownership as "rental" | "purchased",
            repair24h: 0,
          }
        : null,
      app.gateway_model
        ? {
            code: app.gateway_model,
            quantity: 1,
            ownership: (app.gateway_ownership ?? "rental") as "rental" | "purchased",
            repair24h: app.gateway_repair24h,
          }
        : null,
    ].filter((i) => i !== null);
    if (items.length) {
      await trx
        .insertInto("contract_items")
        .values(
          items.map((i) => ({
            ...i,
            contract_id: id,
            from_date: params.serviceStart,
            to_date: null,
          })),
        )
        .execute();
    }
    await trx
      .updateTable("applications")
      .set({
        status: "approved",
        service_start: params.serviceStart,
        contract_id: id,
        customer_id: customerId,
        decided_at: at,
        decided_by: params.actor.email,
        updated_at: at,
      })
      .where("id", "=", app.id)
      .execute();
    // T-8: approval is notified; the contract takes effect on the date written in the notice.
    await queueMail(
      trx,
      {
        kind: "application_approved",
        ref: `application:${app.ref}:approved`,
        to: app.holder_email,
        subject: `【${params.providerName}】セキュリティサポートのお申し込み承認のお知らせ（${app.ref}）`,
        text: [
          `${app.holder_name} さま`,
          "",
          `${params.providerName}です。セキュリティサポートのお申し込み（${app.ref}、回線 ${app.line_id}）を承認しました。`,
          `サービス開始日は ${formatDate(params.serviceStart)} です。契約番号は K-${app.ref.slice(4)} です。`,
          "最低利用期間は1年で、以後1年ごとに自動更新されます。",
        ].join("\n"),
      },
      params.at,
    );
    await recordWebhookEvent(
      trx,
      "application.approved",
      {
        customerId,
        data: {
          application: {
            ref: app.ref,
            contract: `K-${app.ref.slice(4)}`,
            customer: (
              await trx
                .selectFrom("customers")
                .select("ref")
                .where("id", "=", customerId)
                .executeTakeFirstOrThrow()
            ).ref,
            lineId: app.line_id,
            serviceStart: params.serviceStart,
            decidedAt: createdIso(params.at),
          },
        },
      },
      params.at,
    );
    await recordAudit(trx, {
      actor: params.actor,
      action: "application.approve",
      entity: "application",
      entityId: app.ref,
      summary: `${app.ref} を承認（サービス開始日 ${formatDate(params.serviceStart)}、契約 K-${app.ref.slice(4)}）`,
      ip: params.ip,
    });
    return id;
  });
  return ok({ id: contractId });
}

/**
 * The customer the approval created (ref `C-` + the application's number), left with no contract
 * by the revocation: its administrators' accounts are stopped (no login to an empty console; the
 * customer and its accounts stay on record, decision 0011).
 */
async function stopAccountsOfCustomerMadeBy(
  trx: Transaction<Database>,
  app: { ref: string; customer_id: number | null },
  at: Date,
): Promise<void> {
  if (app.customer_id === null) return;
  const customer = await trx
    .selectFrom("customers")
    .select("ref")
    .where("id", "=", app.customer_id)
    .executeTakeFirst();
  if (customer?.ref !== `C-${app.ref.slice(4)}`) return;
  const contract = await trx
    .selectFrom("contracts")
    .select("id")
    .where("customer_id", "=", app.customer_id)
    .executeTakeFirst();
  if (contract) return;
  const users = await trx
    .selectFrom("users")
    .select("id")
    .where("customer_id", "=", app.customer_id)
    .where("disabled_at", "is", null)
    .execute();
  for (const user of users) await stopAccount(trx, user.id, at);
}

export async function rejectApplication(
  db: Kysely<Database>,
  params: {
    id: number;
    reasonCode: number;
    note: string;
    at: Date;
    actor: AuditActor;
    ip: string;
    revoke: boolean;
  },
): Promise<ApplicationResult> {
  const app = await getApplication(db, { id: params.id, tenant: { kind: "provider" } });
  if (!app) return notFoundFailure();
  if (!REJECTION_REASONS[params.reasonCode])
    return invalidField("reasonCode", "理由を選んでください（規約第8条第2項）");
  if (params.revoke) {
    if (app.status !== "approved") return conflict("承認済みのお申し込みではありません");
    const started = app.service_start !== null && app.service_start <= jstDate(params.at);
    const invoiced =
      app.contract_id !== null &&
      (await db
        .selectFrom("invoices")
        .select("id")
        .where("contract_id", "=", app.contract_id)
        .executeTakeFirst());
    if (started || invoiced)
      return conflict("サービス開始後は承認を取り消せません。解約の手続きを行ってください");
  } else if (app.status !== "applied") {
    return conflict("審査中のお申し込みではありません");
  }
  const at = instantOf(params.at);
  await inTransaction(db, async (trx) => {
    if (params.revoke && app.contract_id !== null) {
      // The contract never started: it is removed with its items (T-8-3).
      await trx
        .updateTable("applications")
        .set({ contract_id: null, updated_at: at })
        .where("id", "=", app.id)
        .execute();
      await trx.deleteFrom("contract_items").where("contract_id", "=", app.contract_id).execute();
      await trx.deleteFrom("devices").where("contract_id", "=", app.contract_id).execute();
      await trx.deleteFrom("contracts").where("id", "=", app.contract_id).execute();
      await stopAccountsOfCustomerMadeBy(trx, app, params.at);
    }
    await trx
      .updateTable("applications")
      .set({
        status: params.revoke ? "revoked" : "rejected",
        reason_code: params.reasonCode,
        reason_note: params.note || null,
        decided_at: at,
        decided_by: params.actor.email,
        updated_at: at,
      })
      .where("id", "=", app.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: params.revoke ? "application.revoke" : "application.reject",
      entity: "application",
      entityId: app.ref,
      summary: `${app.ref} を${params.revoke ? "承認取消し（第8条第3項）" : "不承認"}: ${REJECTION_REASONS[params.reasonCode]}${params.note ? ` ${params.note}` : ""}`,
      ip: params.ip,
    });
  });
  return ok({ id: app.id });
}
