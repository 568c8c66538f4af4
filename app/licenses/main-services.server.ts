// L-4 automatic end of the ISP security services (docs/rules/licenses.md): recording the status
// of a customer's main ISP services (internet, TV, phone…) and ending the customer's ISP
// security contracts when every one of them has ended or is suspended. A recording writes the
// service, its audit row and whatever the rule ends as of that day in one transaction; the daily
// job (scheduler.server.ts) and `licenses apply-main-service-ends` apply the rule to every
// customer on a day, for main services whose last day was still ahead when they were recorded.
// The rule itself is the pure `endWithMainServices` (isp-bundle.ts).
import type { Kysely, Transaction } from "kysely";
import { chunks, SQL_CHUNK } from "../../db/chunks";
import type { Database, Role } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import type { IsoDate } from "../lib/jst";
import { endWithMainServices, type MainServiceContract } from "./isp-bundle";
import { AUTO_ENDED_LABEL, MAIN_SERVICE_KIND_LABELS, MAIN_SERVICE_STATUS_LABELS } from "./labels";
import { ispRowsOf, toIspContract } from "./isp.server";
import {
  validateMainService,
  type MainServiceField,
  type MainServiceInput,
  type MainServiceRecord,
} from "./main-services";
import { recordWebhookEvent } from "../webhooks/events.server";
import { formatDate } from "../lib/format";
import { instantOf } from "../lib/jst";
import { notFoundFailure, ok, type Result } from "../lib/result";

/**
 * Who records a customer's main services: the provider's operations and support, and the
 * customer's reseller. A customer administrator sees its own, read-only.
 */
export const MAIN_SERVICE_RECORD_ROLES: readonly Role[] = [
  "operator",
  "provider_admin",
  "reseller_manager",
];

/** One ISP security contract the rule ended: its licence ends on the same day. */
export interface AutoEnd {
  customerRef: string;
  contractNumber: string;
  /** The ISP licence of the contract (null for a contract without one, which the console never makes). */
  licenseRef: string | null;
  endedOn: IsoDate;
}

/** What one recording wrote: the service as stored and the ISP security contracts it ended. */
export interface RecordedMainService {
  created: boolean;
  customerRef: string;
  service: MainServiceRecord & { kind: NonNullable<MainServiceRecord["kind"]> };
  ended: AutoEnd[];
}

/** The recording, or a validation failure per field, or not found (missing and foreign alike). */
export type RecordMainServiceResult = Result<RecordedMainService, MainServiceField>;

/** A recorded main service as the command prints it and the partner API answers it, field for field. */
export function mainServiceRecordJson(recorded: RecordedMainService) {
  const { service } = recorded;
  return {
    customer: recorded.customerRef,
    service: service.serviceRef,
    kind: service.kind,
    name: service.name,
    status: service.status,
    lastDay: service.lastDay,
    created: recorded.created,
    ended: recorded.ended,
  };
}

/**
 * Applies the L-4 rule as of `on` to the given customers (already scoped by the caller) and
 * writes what it ends: `isp_applications.ended_on`, and the licence — `expired` with its last
 * day as `effective_end`, renewal stopped (INTERPRETATIONS.md L-4) — each with an audit row.
 * Contracts already ended are left alone, so a second application changes nothing.
 */
async function endSecurityWithMainServices(
  trx: Transaction<Database>,
  customerIds: readonly number[],
  on: IsoDate,
  actor: AuditActor,
  ip: string | null,
): Promise<AutoEnd[]> {
  if (customerIds.length === 0) return [];
  // The daily job passes every customer with ISP security, maybe more than one `in` list may
  // carry: a customer at a time is decided on its own, so they go a chunk at a time.
  if (customerIds.length > SQL_CHUNK) {
    const done: AutoEnd[] = [];
    for (const part of chunks(customerIds))
      done.push(...(await endSecurityWithMainServices(trx, part, on, actor, ip)));
    return done;
  }
  const rows = await ispRowsOf(trx, customerIds);
  const mains: MainServiceContract[] = (
    await trx
      .selectFrom("isp_main_services")
      .innerJoin("customers", "customers.id", "isp_main_services.customer_id")
      .select(["customers.ref", "isp_main_services.status", "isp_main_services.last_day"])
      .where("isp_main_services.customer_id", "in", [...customerIds])
      .execute()
  ).map((m) => ({ customer: m.ref, status: m.status, lastDay: m.last_day }));
  const ended = endWithMainServices(rows.map(toIspContract), mains, on);
  const done: AutoEnd[] = [];
  for (const contract of ended) {
    const row = rows.find((r) => r.contract_number === contract.contractNumber)!;
    const endedOn = contract.endedOn!;
    const updated = await trx
      .updateTable("isp_applications")
      .set({ ended_on: endedOn })
      .where("id", "=", row.id)
      .where("ended_on", "is", null)
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) continue; // ended meanwhile by another run
    const license = await trx
      .selectFrom("licenses")
      .select(["id", "ref", "state", "effective_end", "product"])
      .where("customer_id", "=", row.customer_id)
      .where("contract_number", "=", row.contract_number)
      .where("channel", "=", "isp")
      .executeTakeFirst();
    if (license?.state === "active") {
      await trx
        .updateTable("licenses")
        .set({
          state: "expired",
          effective_end: endedOn,
          renewal_state: "stopped",
          auto_renew: 0,
          updated_at: instantOf(now()),
        })
        .where("id", "=", license.id)
        .where("state", "=", "active")
        .execute();
    } else if (
      license?.state === "cancelled" &&
      (license.effective_end === null || license.effective_end > endedOn)
    ) {
      // A cancellation booked for the month end: the main services ended first, so that is the last day.
      await trx
        .updateTable("licenses")
        .set({ effective_end: endedOn, updated_at: instantOf(now()) })
        .where("id", "=", license.id)
        .execute();
    }
    await recordAudit(trx, {
      actor,
      action: "isp.auto_end",
      entity: "license",
      entityId: license?.ref ?? `ISP-${row.contract_number}`,
      summary: `ISPセキュリティ自動解約（L-4）: 契約番号 ${row.contract_number}、${AUTO_ENDED_LABEL}（${formatDate(endedOn)} まで）`,
      ip,
    });
    if (license) {
      await recordWebhookEvent(
        trx,
        "license.ended",
        {
          customerId: row.customer_id,
          data: {
            license: {
              ref: license.ref,
              customer: row.customer_ref,
              product: license.product,
              channel: "isp",
              lastDay: endedOn,
              reason: "main_services_ended",
            },
          },
        },
        now(),
      );
    }
    done.push({
      customerRef: row.customer_ref,
      contractNumber: row.contract_number,
      licenseRef: license?.ref ?? null,
      endedOn,
    });
  }
  return done;
}

/**
 * L-4 Records the status of one main ISP service of a customer in the tenant and, in the same
 * transaction, ends the customer's ISP security when none of its main services is left as of
 * `on`. Not found when the customer is not in the tenant (missing and foreign alike); a
 * validation failure (Japanese, per field) and nothing written when the input is refused.
 */
export async function recordMainService(
  db: Kysely<Database>,
  params: {
    customerId: number;
    input: MainServiceInput;
    tenant: Tenant;
    on: IsoDate;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<RecordMainServiceResult> {
  const customer = await db
    .selectFrom("customers")
    .select(["customers.id", "customers.ref", "customers.name"])
    .where("customers.id", "=", params.customerId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!customer) return notFoundFailure();
  const at = instantOf(now());
  return db.transaction().execute(async (trx): Promise<RecordMainServiceResult> => {
    const existing = await trx
      .selectFrom("isp_main_services")
      .select(["id", "service_ref", "kind", "name"])
      .where("customer_id", "=", customer.id)
      .execute();
    const validation = validateMainService(params.input, (ref) =>
      existing.some((e) => e.service_ref === ref),
    );
    if (!validation.ok) return validation;
    const record = validation.value;
    const known = existing.find((e) => e.service_ref === record.serviceRef);
    const kind = record.kind ?? known!.kind;
    const name = record.name ?? known?.name ?? null;
    const values = {
      kind,
      name,
      status: record.status,
      last_day: record.lastDay,
      recorded_at: at,
      recorded_by: params.actor.email,
    };
    if (known) {
      await trx
        .updateTable("isp_main_services")
        .set(values)
        .where("id", "=", known.id)
        .where("customer_id", "=", customer.id)
        .execute();
    } else {
      await trx
        .insertInto("isp_main_services")
        .values({ customer_id: customer.id, service_ref: record.serviceRef, ...values })
        .execute();
    }
    await recordAudit(trx, {
      actor: params.actor,
      action: "isp.main_service",
      entity: "customer",
      entityId: customer.ref,
      summary:
        `ISP主契約の記録（L-4）: ${customer.name}（${customer.ref}）の${MAIN_SERVICE_KIND_LABELS[kind]} ${record.serviceRef}` +
        `${name ? `「${name}」` : ""}を${MAIN_SERVICE_STATUS_LABELS[record.status]}に` +
        `${record.lastDay ? `（最終利用日 ${record.lastDay}）` : ""}`,
      ip: params.ip,
    });
    const ended = await endSecurityWithMainServices(
      trx,
      [customer.id],
      params.on,
      params.actor,
      params.ip,
    );
    return ok({
      created: !known,
      customerRef: customer.ref,
      service: { ...record, kind, name },
      ended,
    });
  });
}

/**
 * L-4 The daily run (and `licenses apply-main-service-ends`): applies the rule to every customer
 * with an ISP security contract still running, as of `on`, in one transaction. Idempotent.
 */
export async function applyMainServiceEnds(
  db: Kysely<Database>,
  params: { on: IsoDate; actor: AuditActor; ip?: string | null },
): Promise<AutoEnd[]> {
  return db.transaction().execute(async (trx) => {
    const customers = await trx
      .selectFrom("isp_applications")
      .select("customer_id")
      .distinct()
      .where("ended_on", "is", null)
      .orderBy("customer_id")
      .execute();
    return endSecurityWithMainServices(
      trx,
      customers.map((c) => c.customer_id),
      params.on,
      params.actor,
      params.ip ?? null,
    );
  });
}
