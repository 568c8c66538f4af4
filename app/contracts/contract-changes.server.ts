// Change requests (T-9): asked by the customer or its reseller with the consequence shown, then
// reviewed by the operator; approval applies the change in one transaction — items by the item
// rule, a base-plan change as a plan change (a downgrade bills its ETF, S4 ※1), a contact change
// with its history (T-13).
import type { Kysely } from "kysely";
import { inTransaction } from "../lib/transaction.server";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { loadBillableContracts, loadTariffs } from "../billing/history.server";
import type { IsoDate } from "../lib/jst";
import {
  CHANGE_KIND_LABELS,
  changeImpact,
  seatChangeLines,
  type ChangeImpact,
  type ContractChange,
} from "./contract-change";
import { formatYen } from "../lib/format";
import { instantOf } from "../lib/jst";
import { conflict, invalidField, notFoundFailure, ok, type Result } from "../lib/result";

async function contractOf(db: Kysely<Database>, id: number, tenant: Tenant) {
  return db
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.id",
      "contracts.ref",
      "contracts.status",
      "contracts.service_start",
      "contracts.customer_id",
      "customers.name",
      "customers.address",
      "customers.phone",
      "customers.email",
    ])
    .where("contracts.id", "=", id)
    .where(customerInTenant(tenant))
    .executeTakeFirst();
}

export async function previewChange(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant; change: ContractChange; date: IsoDate },
): Promise<ChangeImpact | null> {
  const contract = await contractOf(db, params.contractId, params.tenant);
  if (!contract) return null;
  const [billable] = await loadBillableContracts(db, contract.service_start, {
    contractIds: [contract.id],
  });
  return changeImpact(billable.history, params.change, params.date, await loadTariffs(db));
}

export async function requestChange(
  db: Kysely<Database>,
  params: {
    contractId: number;
    tenant: Tenant;
    change: ContractChange;
    date: IsoDate;
    today: IsoDate;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result<ChangeImpact, "effectiveDate">> {
  const contract = await contractOf(db, params.contractId, params.tenant);
  if (!contract) return notFoundFailure();
  // A terminated contract refuses any change (409); the date is the form's field (400).
  if (contract.status === "terminated") return conflict("解約済みの契約は変更できません");
  if (params.date < params.today)
    return invalidField("effectiveDate", "変更日は本日以降の日付にしてください");
  if (params.date < contract.service_start)
    return invalidField("effectiveDate", "変更日は利用開始日以降にしてください");
  const impact = (await previewChange(db, params))!;
  await inTransaction(db, async (trx) => {
    const { id } = await trx
      .insertInto("contract_changes")
      .values({
        contract_id: contract.id,
        kind: params.change.kind,
        payload: JSON.stringify(params.change),
        effective_date: params.date,
        status: "requested",
        reason: null,
        requested_by: params.actor.email ?? "",
        requested_at: instantOf(params.at),
        decided_by: null,
        decided_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor: params.actor,
      action: "contract.change_request",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} ${CHANGE_KIND_LABELS[params.change.kind]}の申込み #${id}（${params.date}、月額 ${formatYen(impact.monthlyBeforeYen)}→${formatYen(impact.monthlyAfterYen)}${impact.etfYen ? `、違約金 ${formatYen(impact.etfYen)}` : ""}）`,
      ip: params.ip,
    });
  });
  return ok(impact);
}

/** The holder's contact details shown beside a contact change (undefined for a foreign contract). */
export async function holderContact(
  db: Kysely<Database>,
  params: { contractId: number; tenant: Tenant },
) {
  const c = await contractOf(db, params.contractId, params.tenant);
  return c && { name: c.name, address: c.address, phone: c.phone, email: c.email };
}

export async function listChanges(db: Kysely<Database>, contractId: number) {
  return (
    db
      .selectFrom("contract_changes")
      // The requester by display name, never by address (issue 17 item 6).
      .leftJoin("users as requester", "requester.email", "contract_changes.requested_by")
      .selectAll("contract_changes")
      .select("requester.display_name as requested_by_name")
      .where("contract_changes.contract_id", "=", contractId)
      .orderBy("contract_changes.id", "desc")
      .execute()
      // The addresses stay on the server: the pages show the display name (issue 17 item 6).
      .then((rows) => rows.map(({ requested_by: _r, decided_by: _d, ...row }) => row))
  );
}

export async function contactHistory(db: Kysely<Database>, customerId: number) {
  return db
    .selectFrom("customer_contact_history")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("id", "desc")
    .execute();
}

export async function decideChange(
  db: Kysely<Database>,
  params: {
    changeId: number;
    approve: boolean;
    reason: string;
    at: Date;
    actor: AuditActor;
    ip: string;
  },
): Promise<Result> {
  const row = await db
    .selectFrom("contract_changes")
    .selectAll()
    .where("id", "=", params.changeId)
    .executeTakeFirst();
  if (!row) return notFoundFailure();
  // Decided already (another operator, a second click): the change's state refuses it (409).
  if (row.status !== "requested") return conflict("審査中の変更ではありません");
  const contract = (await contractOf(db, row.contract_id, { kind: "provider" }))!;
  const change = JSON.parse(row.payload) as ContractChange;
  const date = row.effective_date;
  const at = instantOf(params.at);
  await inTransaction(db, async (trx) => {
    if (params.approve) {
      switch (change.kind) {
        case "endpoint_seats": {
          const live = await trx
            .selectFrom("contract_items")
            .select(["id", "quantity"])
            .where("contract_id", "=", contract.id)
            .where("code", "=", "endpoint")
            .where("ownership", "=", "rental")
            .where("from_date", "<=", date)
            .where((eb) => eb.or([eb("to_date", "is", null), eb("to_date", ">", date)]))
            .execute();
          const { end, startQuantity } = seatChangeLines(live, change.quantity);
          if (end.length > 0)
            await trx
              .updateTable("contract_items")
              .set({ to_date: date })
              .where(
                "id",
                "in",
                end.map((i) => i.id),
              )
              .execute();
          if (startQuantity > 0) {
            await trx
              .insertInto("contract_items")
              .values({
                contract_id: contract.id,
                code: "endpoint",
                quantity: startQuantity,
                ownership: "rental",
                repair24h: 0,
                from_date: date,
                to_date: null,
              })
              .execute();
          }
          break;
        }
        case "gateway_add":
          await trx
            .insertInto("contract_items")
            .values({
              contract_id: contract.id,
              code: change.model,
              quantity: 1,
              ownership: change.ownership,
              repair24h: change.repair24h ? 1 : 0,
              from_date: date,
              to_date: null,
            })
            .execute();
          break;
        case "gateway_remove": {
          const item = await trx
            .selectFrom("contract_items")
            .select("id")
            .where("contract_id", "=", contract.id)
            .where("code", "=", change.model)
            .where((eb) => eb.or([eb("to_date", "is", null), eb("to_date", ">", date)]))
            .orderBy("id")
            .executeTakeFirst();
          if (item)
            await trx
              .updateTable("contract_items")
              .set({ to_date: date })
              .where("id", "=", item.id)
              .execute();
          break;
        }
        case "base_plan":
          await trx
            .insertInto("plan_changes")
            .values({ contract_id: contract.id, change_date: date, base_plan: change.basePlan })
            .execute();
          break;
        case "contact": {
          const fields = [
            ["name", contract.name, change.name],
            ["address", contract.address, change.address],
            ["phone", contract.phone, change.phone],
            ["email", contract.email, change.email],
          ] as const;
          for (const [field, before, after] of fields) {
            if (before === after) continue;
            await trx
              .insertInto("customer_contact_history")
              .values({
                customer_id: contract.customer_id,
                field,
                old_value: before,
                new_value: after,
                effective_date: date,
                changed_by: params.actor.email ?? "",
                changed_at: at,
              })
              .execute();
          }
          await trx
            .updateTable("customers")
            .set({
              name: change.name,
              address: change.address,
              phone: change.phone,
              email: change.email,
              updated_at: at,
            })
            .where("id", "=", contract.customer_id)
            .execute();
          break;
        }
      }
    }
    // The contract's items, plan or holder's contact changed with it (the API's updatedFrom).
    if (params.approve)
      await trx
        .updateTable("contracts")
        .set({ updated_at: at })
        .where("id", "=", contract.id)
        .execute();
    await trx
      .updateTable("contract_changes")
      .set({
        status: params.approve ? "approved" : "rejected",
        reason: params.reason || null,
        decided_by: params.actor.email,
        decided_at: at,
      })
      .where("id", "=", row.id)
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: params.approve ? "contract.change_approve" : "contract.change_reject",
      entity: "contract",
      entityId: contract.ref,
      summary: `${contract.ref} ${CHANGE_KIND_LABELS[change.kind]} #${row.id} を${params.approve ? "承認" : "不承認"}${params.reason ? `: ${params.reason}` : ""}`,
      ip: params.ip,
    });
  });
  return ok();
}
