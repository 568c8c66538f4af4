// S1-4④ Gateway failures as the operators record them: which contracts have a gateway (and
// which model, area and 24-hour option apply on a date), the earliest on-site dispatch for a
// report (the pure rule in gateway-dispatch.ts) with the rule in words, the record itself
// (audited) and the recent records — all scoped to the viewer's tenant.
import { sql, type Kysely, type SqlBool } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant, securityRecordInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import type { ListSort, PageRequest } from "../lib/paging";
import { fetchPage } from "../lib/paging.server";
import { jstDate, type IsoDate, instantOf, type Instant } from "../lib/jst";
import { dispatchWindow, earliestDispatch, type Area, type GatewayModel } from "./gateway-dispatch";
import { formatInstant } from "../lib/format";

const GATEWAY_MODELS: readonly GatewayModel[] = ["gw10", "gw50", "gw100"];

export const GATEWAY_MODEL_LABELS: Record<GatewayModel, string> = {
  gw10: "10クライアントモデル",
  gw50: "50クライアントモデル",
  gw100: "100クライアントモデル",
};

const AREA_NAMES: Record<Area, string> = { east: "東日本", west: "西日本" };

export interface ContractGateway {
  contractId: number;
  contractRef: string;
  customerName: string;
  area: Area;
  model: GatewayModel;
  repair24h: boolean;
}

/** S1-4④ in words, for the rule that applies to this gateway. */
export function dispatchRuleText(g: Pick<ContractGateway, "area" | "model" | "repair24h">): string {
  const window = dispatchWindow(g);
  if (window === null)
    return "24時間出張修理オプションのご契約があるため、時間帯を問わず受付後すぐに出動できます。";
  if (g.area === "east" && g.model === "gw10") {
    return `${AREA_NAMES.east}エリアの${GATEWAY_MODEL_LABELS.gw10}は平日9:00〜17:00のみ出動します（土日・祝日・12/29〜1/3を除く。24時間出張修理オプションの有無にかかわらず）。`;
  }
  return "出張修理は毎日9:00〜17:00に出動します（土日・祝日・年末年始も対応）。この時間外の受付は次の9:00に出動します。";
}

/** A gateway item line in force on `date`: from_date ≤ date and not yet removed. */
function gatewayItemOn(date: IsoDate) {
  return sql<SqlBool>`${sql.ref("contract_items.code")} like 'gateway.%' and ${sql.ref("contract_items.from_date")} <= ${date}
    and (${sql.ref("contract_items.to_date")} is null or ${sql.ref("contract_items.to_date")} > ${date})`;
}

function toGateway(r: {
  contract_id: number;
  ref: string;
  customer_name: string;
  area: Area;
  code: string;
  repair24h: number;
}): ContractGateway | null {
  const model = r.code.slice("gateway.".length) as GatewayModel;
  if (!GATEWAY_MODELS.includes(model)) return null;
  return {
    contractId: r.contract_id,
    contractRef: r.ref,
    customerName: r.customer_name,
    area: r.area,
    model,
    repair24h: r.repair24h === 1,
  };
}

/** The tenant's live contracts with a gateway on `date`, by contract ref (the form's choices). */
export async function contractsWithGateway(
  db: Kysely<Database>,
  tenant: Tenant,
  date: IsoDate,
): Promise<ContractGateway[]> {
  const rows = await db
    .selectFrom("contract_items")
    .innerJoin("contracts", "contracts.id", "contract_items.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contract_items.contract_id",
      "contracts.ref",
      "customers.name as customer_name",
      "contracts.area",
      "contract_items.code",
      "contract_items.repair24h",
    ])
    .where("contracts.status", "<>", "terminated")
    .where(gatewayItemOn(date))
    .where(customerInTenant(tenant))
    .orderBy("contracts.ref")
    .orderBy("contract_items.from_date", "desc")
    .orderBy("contract_items.id", "desc")
    .execute();
  const seen = new Set<number>();
  return rows.flatMap((r) => {
    if (seen.has(r.contract_id)) return [];
    seen.add(r.contract_id);
    const g = toGateway(r);
    return g ? [g] : [];
  });
}

/** The gateway of one contract of the tenant on the day of `at` (JST), or null. */
export async function contractGateway(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant; at: Date },
): Promise<ContractGateway | null> {
  const r = await db
    .selectFrom("contract_items")
    .innerJoin("contracts", "contracts.id", "contract_items.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contract_items.contract_id",
      "contracts.ref",
      "customers.name as customer_name",
      "contracts.area",
      "contract_items.code",
      "contract_items.repair24h",
    ])
    .where("contracts.id", "=", params.contractId)
    .where(gatewayItemOn(jstDate(params.at)))
    .where(customerInTenant(params.tenant))
    .orderBy("contract_items.from_date", "desc")
    .orderBy("contract_items.id", "desc")
    .limit(1)
    .executeTakeFirst();
  return r ? toGateway(r) : null;
}

export interface DispatchQuote {
  gateway: ContractGateway;
  reportedAt: Instant;
  earliestDispatchAt: Instant;
  rule: string;
}

/** S1-4④: the earliest dispatch for a failure of this gateway reported at `reportedAt`. */
export function quoteDispatch(gateway: ContractGateway, reportedAt: Date): DispatchQuote {
  return {
    gateway,
    reportedAt: instantOf(reportedAt),
    earliestDispatchAt: instantOf(
      earliestDispatch({
        reportedAt,
        area: gateway.area,
        model: gateway.model,
        repair24h: gateway.repair24h,
      }),
    ),
    rule: dispatchRuleText(gateway),
  };
}

/** Stores a reported failure with its earliest dispatch, audited. */
export async function recordGatewayFailure(
  db: Kysely<Database>,
  params: {
    quote: DispatchQuote;
    customerFault: boolean;
    notes: string;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<number> {
  const { quote } = params;
  return inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto("gateway_failures")
      .values({
        contract_id: quote.gateway.contractId,
        reported_at: quote.reportedAt,
        earliest_dispatch_at: quote.earliestDispatchAt,
        customer_fault: params.customerFault ? 1 : 0,
        notes: params.notes || null,
        recorded_by: params.actor.email ?? "",
        created_at: instantOf(params.at),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action: "gateway_failure.record",
      entity: "gateway_failure",
      entityId: id,
      summary:
        `ゲートウェイ故障の受付 ${quote.gateway.contractRef} ${quote.gateway.customerName}: 受付 ${formatInstant(quote.reportedAt)}、` +
        `最短出動 ${formatInstant(quote.earliestDispatchAt)}${params.customerFault ? "（お客さま起因・有償）" : ""}`,
      ip: params.ip,
    });
    return id;
  });
}

function failuresOfTenant(db: Kysely<Database>, tenant: Tenant) {
  return db
    .selectFrom("gateway_failures")
    .innerJoin("contracts", "contracts.id", "gateway_failures.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .where(securityRecordInTenant(tenant, "gateway_failures.reported_at"));
}

function newestFailures(q: ReturnType<typeof failuresOfTenant>) {
  return q
    .select([
      "gateway_failures.id",
      "gateway_failures.reported_at",
      "gateway_failures.earliest_dispatch_at",
      "gateway_failures.customer_fault",
      "gateway_failures.notes",
      "gateway_failures.recorded_by",
      "contracts.id as contract_id",
      "contracts.ref as contract_ref",
      "contracts.area",
      "customers.name as customer_name",
    ])
    .orderBy("gateway_failures.reported_at", "desc")
    .orderBy("gateway_failures.id", "desc");
}

/** The tenant's most recently reported failures. */
export async function recentGatewayFailures(db: Kysely<Database>, tenant: Tenant, limit = 20) {
  return newestFailures(failuresOfTenant(db, tenant)).limit(limit).execute();
}

/** The dispatch page's one order: newest first. */
export const GATEWAY_FAILURE_SORT: ListSort<"reported"> = {
  columns: { reported: "desc" },
  default: "reported",
};

/** One page of the tenant's failures, newest first, with the count of all (issue 17 item 2: it stopped at 20). */
export async function pageGatewayFailures(
  db: Kysely<Database>,
  tenant: Tenant,
  request: PageRequest<"reported">,
) {
  const { rows, page } = await fetchPage(
    { ...request, dir: "desc" },
    () =>
      failuresOfTenant(db, tenant)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    (w) => newestFailures(failuresOfTenant(db, tenant)).limit(w.size).offset(w.offset).execute(),
  );
  return { failures: rows, page };
}
