// Outages recorded by operators (T-24-2(2)): which services were completely unusable, from when
// the provider learned of it to when it was restored, and whether the customer caused it. The
// credit shown is what the billing run will deduct: the difference the outage makes to the
// credit lines of each month it spans.
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import type { ContractHistory, OutageRecord } from "../billing/contract-history";
import { loadBillableContracts, loadTariffs } from "../billing/history.server";
import { buildMonthlyInvoiceLines } from "../billing/monthly-invoice";
import type { TariffVersion } from "../billing/tariff";
import { OUTAGE_SERVICE_LABELS } from "./outage-labels";
import { instantOf, jstDate, monthOf, monthRange, parseInstant, type YearMonth } from "../lib/jst";
import type { ListSort, PageRequest } from "../lib/paging";
import { countOf, fetchPage } from "../lib/paging.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { formatMonth, formatYen } from "../lib/format";

export interface OutageCredit {
  month: YearMonth;
  creditYen: number;
  closed: boolean;
}

function creditOfMonth(
  history: ContractHistory,
  month: YearMonth,
  tariffs: readonly TariffVersion[],
): number {
  const result = buildMonthlyInvoiceLines({ ...history, payments: [] }, month, tariffs);
  if (!result.ok) return 0;
  return -result.lines.filter((l) => l.rule === "T-24-2").reduce((a, l) => a + l.amountYen, 0);
}

/** The credit this outage adds in each month it spans (zero under 24 h or when the customer caused it). */
export async function outageCredits(
  db: Kysely<Database>,
  contractId: number,
  outage: OutageRecord,
): Promise<OutageCredit[]> {
  const contract = await db
    .selectFrom("contracts")
    .select(["service_start"])
    .where("id", "=", contractId)
    .executeTakeFirstOrThrow();
  const [billable] = await loadBillableContracts(db, contract.service_start, {
    contractIds: [contractId],
  });
  const tariffs = await loadTariffs(db);
  const from = monthOf(jstDate(parseInstant(outage.knownAt)!));
  const to = monthOf(jstDate(parseInstant(outage.restoredAt ?? outage.knownAt)!));
  const closed = new Set(
    (
      await db.selectFrom("billing_months").select("month").where("status", "=", "closed").execute()
    ).map((r) => r.month),
  );
  const withOutage = {
    ...billable.history,
    outages: [...(billable.history.outages ?? []), outage],
  };
  return monthRange(from, to).map((month) => ({
    month,
    creditYen:
      creditOfMonth(withOutage, month, tariffs) - creditOfMonth(billable.history, month, tariffs),
    closed: closed.has(month),
  }));
}

export async function recordOutage(
  db: Kysely<Database>,
  params: { contractId: number; outage: OutageRecord; actor: AuditActor; ip: string },
): Promise<OutageCredit[]> {
  const credits = await outageCredits(db, params.contractId, params.outage);
  const { outage } = params;
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto("outages")
      .values({
        contract_id: params.contractId,
        services: outage.services.join(","),
        known_at: instantOf(parseInstant(outage.knownAt)!),
        restored_at: outage.restoredAt ? instantOf(parseInstant(outage.restoredAt)!) : null,
        customer_fault: outage.customerFault ? 1 : 0,
      })
      .execute();
    const contract = await trx
      .selectFrom("contracts")
      .select("ref")
      .where("id", "=", params.contractId)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action: "outage.record",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} 障害を記録（${outage.services.map((s) => OUTAGE_SERVICE_LABELS[s]).join("・")}、減額 ${credits.map((c) => `${formatMonth(c.month)}: ${formatYen(c.creditYen)}`).join("、") || "なし"}）`,
      ip: params.ip,
    });
  });
  return credits;
}

export const OUTAGE_SORT: ListSort<"known"> = { columns: { known: "desc" }, default: "known" };

/** One page of the recorded outages within the tenant, latest first, with the count of all (issue 17 item 2: it stopped at 200). */
export async function pageOutages(
  db: Kysely<Database>,
  tenant: Tenant,
  request: PageRequest<"known">,
) {
  const scoped = () =>
    db
      .selectFrom("outages")
      .innerJoin("contracts", "contracts.id", "outages.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .where(customerInTenant(tenant));
  const { rows, page } = await fetchPage(
    request,
    () => countOf(scoped()),
    (w) =>
      scoped()
        .select([
          "outages.id",
          "outages.services",
          "outages.known_at",
          "outages.restored_at",
          "outages.customer_fault",
          "contracts.ref as contract_ref",
          "contracts.id as contract_id",
          "customers.name as customer_name",
        ])
        .orderBy("outages.known_at", w.dir)
        .orderBy("outages.id", w.dir)
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { outages: rows, page };
}
