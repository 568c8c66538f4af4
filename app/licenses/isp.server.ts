// The ISP bundle (L-4) as the console keeps it: the contracts' rows, the idempotent application
// (decision 0007), cancellation and its revocation, each with its audit row in one transaction.
// The rule itself is the pure isp-bundle.ts.
import { randomInt as cryptoRandomInt } from "node:crypto";
import { inTransaction } from "../lib/transaction.server";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { instantOf, type IsoDate } from "../lib/jst";
import { toYen } from "../lib/money";
import {
  applyForIspSecurity,
  ISP_PRODUCTS,
  ispStatusOn,
  requestIspCancellation,
  revokeIspCancellation,
  type IspContract,
  type IspProductCode,
  type IspStatus,
  type RandomInt,
} from "./isp-bundle";
import { formatYen } from "../lib/format";
import { assertOneRow, guardedChange } from "./license-changes.server";
import { conflict, notFoundFailure, ok, type Result } from "../lib/result";
import { type LoadedLicense, getLicense } from "./licenses.server";

type Db = Kysely<Database> | Transaction<Database>;

type IspRow = Awaited<ReturnType<typeof ispRowsOf>>[number];

/** The ISP contracts of customers already scoped to a tenant by the caller. */
export function ispRowsOf(db: Db, customerIds: readonly number[]) {
  return db
    .selectFrom("isp_applications")
    .innerJoin("customers", "customers.id", "isp_applications.customer_id")
    .selectAll("isp_applications")
    .select("customers.ref as customer_ref")
    .where("isp_applications.customer_id", "in", [...customerIds])
    .orderBy("isp_applications.id")
    .execute();
}

export function toIspContract(row: IspRow): IspContract {
  return {
    idempotencyKey: row.idempotency_key,
    customer: row.customer_ref,
    product: row.product,
    devices: row.devices,
    appliedOn: row.applied_on,
    contractNumber: row.contract_number,
    pin: row.pin,
    monthlyYenTaxIncluded: row.monthly_yen,
    cancellation:
      row.cancel_requested_on && row.cancel_effective_on
        ? { requestedOn: row.cancel_requested_on, effectiveEnd: row.cancel_effective_on }
        : null,
    endedOn: row.ended_on,
    endReason: row.ended_on ? "main_services_ended" : null,
  };
}

/** The console-issued ISP contract behind an ISP licence (same customer, same contract number). */
export async function ispContractOf(
  db: Db,
  loaded: LoadedLicense,
): Promise<(IspContract & { id: number }) | null> {
  if (loaded.license.channel !== "isp" || !loaded.license.contractNumber) return null;
  const row = await db
    .selectFrom("isp_applications")
    .innerJoin("customers", "customers.id", "isp_applications.customer_id")
    .selectAll("isp_applications")
    .select("customers.ref as customer_ref")
    .where("isp_applications.customer_id", "=", loaded.record.customerId)
    .where("isp_applications.contract_number", "=", loaded.license.contractNumber)
    .executeTakeFirst();
  return row ? { ...toIspContract(row), id: row.id } : null;
}

// ---- ISP bundle (L-4) ------------------------------------------------------------------------

export interface IspApplicationInput {
  idempotencyKey: string;
  customerId: number;
  product: IspProductCode;
  devices: number;
}

export type IspApplyResult = Result<
  {
    created: boolean;
    licenseId: number;
    contractNumber: string;
    pin: string;
    warnings: string[];
  },
  "devices"
>;

const secureRandom: RandomInt = (maxExclusive) => cryptoRandomInt(maxExclusive);

/**
 * L-4 Apply for the ISP security service. Creates the application and its licence (channel
 * `isp`, the application month free) in one transaction. Not found when the customer is not in
 * the tenant; a device count out of range is a field error of `devices`, any other refusal (the
 * same key with other content) a conflict. Once per form (decision 0027): the route runs this inside the transaction that uses
 * the form's one-time token, which answers a double submission with the first contract;
 * `idempotencyKey` is that token, kept on the row as the form that created it (its unique index
 * is the last guard, never the answer).
 */
export async function applyIspSecurity(
  db: Kysely<Database>,
  params: {
    input: IspApplicationInput;
    tenant: Tenant;
    on: IsoDate;
    actor: AuditActor;
    ip: string | null;
    random?: RandomInt;
  },
): Promise<IspApplyResult> {
  const { input } = params;
  const customer = await db
    .selectFrom("customers")
    .select(["customers.id", "customers.ref"])
    .where("customers.id", "=", input.customerId)
    .where(customerInTenant(params.tenant))
    .executeTakeFirst();
  if (!customer) return notFoundFailure();
  const at = instantOf(now());
  return inTransaction(db, async (trx): Promise<IspApplyResult> => {
    const own = (await ispRowsOf(trx, [customer.id])).map(toIspContract);
    const application = {
      idempotencyKey: input.idempotencyKey,
      customer: customer.ref,
      product: input.product,
      devices: input.devices,
      appliedOn: params.on,
    };
    // Numbers never repeat another customer's either (the pure rule sees this customer's only): redraw while one is taken.
    let drawn: Extract<ReturnType<typeof applyForIspSecurity>, { ok: true }>["value"] | null = null;
    for (let attempt = 0; drawn === null; attempt++) {
      if (attempt === 10) throw new Error("could not draw an unused ISP contract number and PIN");
      const applied = applyForIspSecurity(own, application, params.random ?? secureRandom);
      if (!applied.ok) return applied;
      if (!applied.value.created) {
        // The same key again (decision 0007: the console form's key, or the API's Idempotency-Key
        // after its stored answer was pruned): the contract that key made stands.
        const earlier = await trx
          .selectFrom("licenses")
          .select("id")
          .where("contract_number", "=", applied.value.contract.contractNumber)
          .where("customer_id", "=", customer.id)
          .executeTakeFirstOrThrow();
        return ok({
          created: false,
          licenseId: earlier.id,
          contractNumber: applied.value.contract.contractNumber,
          pin: applied.value.contract.pin,
          warnings: [],
        });
      }
      const taken = await trx
        .selectFrom("isp_applications")
        .select("id")
        .where((eb) =>
          eb.or([
            eb("contract_number", "=", applied.value.contract.contractNumber),
            eb("pin", "=", applied.value.contract.pin),
          ]),
        )
        .executeTakeFirst();
      if (!taken) drawn = applied.value;
    }
    const { contract, warnings } = drawn;
    await trx
      .insertInto("isp_applications")
      .values({
        idempotency_key: contract.idempotencyKey,
        customer_id: customer.id,
        product: contract.product,
        devices: contract.devices,
        monthly_yen: contract.monthlyYenTaxIncluded,
        contract_number: contract.contractNumber,
        pin: contract.pin,
        applied_on: contract.appliedOn,
        created_at: at,
        created_by: params.actor.email,
        cancel_requested_on: null,
        cancel_effective_on: null,
        revoked_at: null,
        ended_on: null,
      })
      .execute();
    const product = ISP_PRODUCTS[contract.product];
    const { id: licenseId } = await trx
      .insertInto("licenses")
      .values({
        ref: `ISP-${contract.contractNumber}`,
        customer_id: customer.id,
        product: product.name,
        channel: "isp",
        term: "monthly",
        kind: "standard",
        region: "JP",
        seats: contract.devices,
        price_yen: contract.monthlyYenTaxIncluded,
        order_number: null,
        product_key: null,
        contract_number: contract.contractNumber,
        pin: contract.pin,
        carrier: null,
        carrier_payment_number: null,
        provider: null,
        email: null,
        main_license_id: null,
        auto_renew: 1,
        renewal_state: "active",
        sold_via: "third_party",
        previously_refunded: 0,
        service_used: 0,
        state: "active",
        cancelled_on: null,
        effective_end: null,
        uninstall_acknowledged_on: null,
        created_at: at,
        updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    // L-4: the application month is free; the record starts with a 0-yen purchase on the application day.
    await trx
      .insertInto("license_charges")
      .values({
        license_id: licenseId,
        charge_date: contract.appliedOn,
        amount_yen: toYen(0),
        type: "purchase",
      })
      .execute();
    await recordAudit(trx, {
      actor: params.actor,
      action: "isp.apply",
      entity: "license",
      entityId: `ISP-${contract.contractNumber}`,
      summary: `ISPセキュリティ申込み（L-4）: ${product.name} ${contract.devices}台、契約番号 ${contract.contractNumber}、月額 ${formatYen(contract.monthlyYenTaxIncluded)}（税込）`,
      ip: params.ip,
    });
    return ok({
      created: true,
      licenseId,
      contractNumber: contract.contractNumber,
      pin: contract.pin,
      warnings,
    });
  });
}

async function ispChange(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
  kind: "cancel" | "revoke",
): Promise<Result<{ notices: string[] }>> {
  const found = await getLicense(db, params);
  if (!found) return notFoundFailure();
  const contract = await ispContractOf(db, found.target);
  if (!contract)
    return conflict(
      "このライセンスはこのコンソールで申し込まれたISP契約ではありません。表示される手順に従ってください。",
    );
  const change =
    kind === "cancel"
      ? requestIspCancellation(contract, params.on)
      : revokeIspCancellation(contract, params.on);
  if (!change.ok) return change;
  const cancellation = change.value.contract.cancellation;
  const at = instantOf(now());
  return guardedChange(async () => {
    await inTransaction(db, async (trx) => {
      if (kind === "cancel") {
        assertOneRow(
          await trx
            .updateTable("isp_applications")
            .set({
              cancel_requested_on: cancellation!.requestedOn,
              cancel_effective_on: cancellation!.effectiveEnd,
            })
            .where("id", "=", contract.id)
            .where("cancel_requested_on", "is", null)
            .executeTakeFirst(),
        );
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              state: "cancelled",
              cancelled_on: params.on,
              effective_end: cancellation!.effectiveEnd,
              updated_at: at,
            })
            .where("id", "=", found.target.record.id)
            .where("state", "=", "active")
            .executeTakeFirst(),
        );
      } else {
        assertOneRow(
          await trx
            .updateTable("isp_applications")
            .set({ cancel_requested_on: null, cancel_effective_on: null, revoked_at: at })
            .where("id", "=", contract.id)
            .where("cancel_requested_on", "=", contract.cancellation!.requestedOn)
            .executeTakeFirst(),
        );
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({ state: "active", cancelled_on: null, effective_end: null, updated_at: at })
            .where("id", "=", found.target.record.id)
            .where("state", "=", "cancelled")
            .executeTakeFirst(),
        );
      }
      await recordAudit(trx, {
        actor: params.actor,
        action: kind === "cancel" ? "isp.cancel" : "isp.revoke",
        entity: "license",
        entityId: found.target.license.ref,
        summary:
          kind === "cancel"
            ? `ISPセキュリティ解約申込み（L-4）: 契約番号 ${contract.contractNumber}、解約日 ${cancellation!.effectiveEnd}`
            : `ISPセキュリティ解約予約の取消（L-4）: 契約番号 ${contract.contractNumber}`,
        ip: params.ip,
      });
    });
    return ok({ notices: change.value.notices });
  });
}

/** L-4 Cancel the ISP contract on `on`: effective on the last day of that month, revocable until then. */
export function cancelIspContract(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
) {
  return ispChange(db, params, "cancel");
}

/** L-4 Revoke a pending ISP cancellation (up to and including its effective day). */
export function revokeIspCancellationOf(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
) {
  return ispChange(db, params, "revoke");
}

/** The customers the viewer may apply for (a customer: itself). */
export async function applicableCustomers(
  db: Db,
  tenant: Tenant,
): Promise<{ id: number; ref: string; name: string }[]> {
  return db
    .selectFrom("customers")
    .select(["customers.id", "customers.ref", "customers.name"])
    .where(customerInTenant(tenant))
    .orderBy("customers.ref")
    .execute();
}

/** The ISP contracts of the customers in the tenant (to show the switching warning and the list). */
export async function listIspContracts(
  db: Db,
  tenant: Tenant,
  on: IsoDate,
): Promise<(IspContract & { id: number; status: IspStatus; customerName: string })[]> {
  const rows = await db
    .selectFrom("isp_applications")
    .innerJoin("customers", "customers.id", "isp_applications.customer_id")
    .selectAll("isp_applications")
    .select(["customers.ref as customer_ref", "customers.name as customer_name"])
    .where(customerInTenant(tenant))
    .orderBy("isp_applications.id", "desc")
    .execute();
  return rows.map((r) => {
    const c = toIspContract(r);
    return { ...c, id: r.id, status: ispStatusOn(c, on), customerName: r.customer_name };
  });
}
