// Changes to a licence (L-2 stop of auto-renewal, L-3 cancellation with a refund request): guarded
// updates that refuse a concurrent change, each with its audit row in one transaction.
import { inTransaction } from "../lib/transaction.server";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { recordAudit, type AuditActor } from "../audit/audit.server";
import type { Tenant } from "../auth/tenancy";
import { now } from "../lib/clock";
import { instantOf, type IsoDate } from "../lib/jst";
import { toYen } from "../lib/money";
import { advanceRenewal, requestStopAutoRenewal, type RenewalStop } from "./auto-renewal";
import {
  renewalStateOf,
  sameDayMonthsLater,
  sortedCharges,
  termMonths,
  type Charge,
  type License,
} from "./license";
import { cancelQuoteFor, relatedLicenses } from "./overview";
import { requestCancellation, type RefundRequest } from "./refund";
import type { CancelQuoteDetail } from "./quote-cancel";
import { recordWebhookEvent } from "../webhooks/events.server";
import { formatYen } from "../lib/format";
import { conflict, notFoundFailure, ok, type Failure, type Result } from "../lib/result";
import {
  addOnRecords,
  getLicense,
  type LicenseFamily,
  type LoadedLicense,
  memberOf,
  members,
} from "./licenses.server";

/** A guarded update found the row changed by someone else: the transaction is rolled back. */
class ConcurrentChange extends Error {}
const CONCURRENT_MESSAGE =
  "同時に別の操作が行われました。画面を開き直して、もう一度お試しください。";

/** Runs guarded updates; a row changed meanwhile is a conflict (the transaction rolled back). */
export async function guardedChange<T>(fn: () => Promise<T>): Promise<T | Failure<never>> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConcurrentChange) return conflict(CONCURRENT_MESSAGE);
    throw error;
  }
}

export function assertOneRow(result: { numUpdatedRows: bigint }): void {
  if (result.numUpdatedRows !== 1n) throw new ConcurrentChange();
}

/**
 * The renewals auto-renewal must have made up to `on` that the record does not list (license.ts
 * projects them at `priceYen`). They are written down before renewal stops, so the licence keeps
 * the same current term once it no longer projects.
 */
function projectedRenewals(license: License, on: IsoDate): Charge[] {
  if (renewalStateOf(license) !== "active") return [];
  const past = sortedCharges(license).filter((c) => c.date <= on);
  const last = past[past.length - 1];
  if (!last) return [];
  const renewals: Charge[] = [];
  for (let k = 1; ; k++) {
    const date = sameDayMonthsLater(last.date, termMonths(license.term) * k);
    if (date > on) break;
    renewals.push({ date, amountYen: license.priceYen, type: "renewal" });
  }
  return renewals;
}

async function recordProjectedRenewals(
  trx: Transaction<Database>,
  id: number,
  license: License,
  on: IsoDate,
): Promise<void> {
  const renewals = projectedRenewals(license, on);
  if (renewals.length === 0) return;
  await trx
    .insertInto("license_charges")
    .values(
      renewals.map((c) => ({
        license_id: id,
        charge_date: c.date,
        amount_yen: toYen(c.amountYen),
        type: c.type,
      })),
    )
    .onConflict((oc) => oc.columns(["license_id", "charge_date"]).doNothing())
    .execute();
}

function idOf(found: LicenseFamily, ref: string): LoadedLicense {
  const l = found.family.find((f) => f.license.ref === ref);
  if (!l) throw new Error(`licence ${ref} is not in the family of ${found.target.license.ref}`);
  return l;
}

/**
 * L-2 Stop auto-renewal on `on`: the licence and, for a main licence, every add-on still
 * renewing go to `stop_requested` (the vendor processes it in a few hours). One transaction,
 * audited. Not found when the licence is not in the tenant; a licence no longer active or
 * already stopping is a conflict.
 */
export async function stopAutoRenewal(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; on: IsoDate; actor: AuditActor; ip: string | null },
): Promise<Result<{ stops: RenewalStop[]; warnings: string[] }>> {
  const found = await getLicense(db, params);
  if (!found) return notFoundFailure();
  if (found.target.record.status.state !== "active")
    return conflict("このライセンスは解約済みです。");
  const related = relatedLicenses(found.target.license, members(found.family));
  const result = requestStopAutoRenewal(found.target.license, related, params.on);
  if (!result.ok) return result;
  return guardedChange(async () => {
    await inTransaction(db, async (trx) => {
      for (const stop of result.value.stops) {
        const l = idOf(found, stop.ref);
        await recordProjectedRenewals(trx, l.record.id, l.license, params.on);
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              renewal_state: advanceRenewal("active", "request_stop"),
              auto_renew: 0,
              updated_at: instantOf(now()),
            })
            .where("id", "=", l.record.id)
            .where("renewal_state", "=", "active")
            .where("state", "=", "active")
            .executeTakeFirst(),
        );
      }
      const addOns = result.value.stops.slice(1).map((s) => s.ref);
      await recordAudit(trx, {
        actor: params.actor,
        action: "license.stop_auto_renewal",
        entity: "license",
        entityId: found.target.license.ref,
        summary:
          `自動延長の停止を受付（L-2）: ${found.target.license.ref}${addOns.length > 0 ? `、アドオン ${addOns.join("、")}` : ""}` +
          `（${result.value.stops[0].validUntil ? `${result.value.stops[0].validUntil} まで有効` : "体験期間終了で失効"}）`,
        ip: params.ip,
      });
    });
    return ok({ stops: result.value.stops, warnings: result.value.warnings });
  });
}

/**
 * L-2 The vendor processed the stop: `stop_requested` → `stopped` for the licence and its add-ons
 * stopped with it. For the provider's operations (LICENSE_OPERATION_ROLES).
 */
export async function completeAutoRenewalStop(
  db: Kysely<Database>,
  params: { id: number; tenant: Tenant; actor: AuditActor; ip: string | null },
): Promise<Result<{ refs: string[] }>> {
  const found = await getLicense(db, params);
  if (!found) return notFoundFailure();
  const pending = [found.target, ...addOnRecords(found)].filter(
    (l) => renewalStateOf(l.license) === "stop_requested",
  );
  if (pending.length === 0) return conflict("停止手続き中の自動延長はありません。");
  return guardedChange(async () => {
    await inTransaction(db, async (trx) => {
      for (const l of pending) {
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              renewal_state: advanceRenewal("stop_requested", "stop_processed"),
              updated_at: instantOf(now()),
            })
            .where("id", "=", l.record.id)
            .where("renewal_state", "=", "stop_requested")
            .executeTakeFirst(),
        );
      }
      await recordAudit(trx, {
        actor: params.actor,
        action: "license.stop_processed",
        entity: "license",
        entityId: found.target.license.ref,
        summary: `自動延長の停止処理が完了（L-2）: ${pending.map((l) => l.license.ref).join("、")}`,
        ip: params.ip,
      });
    });
    return ok({ refs: pending.map((l) => l.license.ref) });
  });
}

/**
 * L-3 Cancel on `on` with a refund request: the customer must acknowledge uninstalling every
 * copy; a main licence takes its live add-ons along, each refunded by its own rule. Writes the
 * cancellation (state, effective end, acknowledgement) of each licence and one `requested`
 * refund per licence that has something to refund, in one transaction. Only the vendor store's
 * licences are cancelled here; the others go through their seller (the path says how).
 */
export async function cancelLicense(
  db: Kysely<Database>,
  params: {
    id: number;
    tenant: Tenant;
    on: IsoDate;
    uninstallAcknowledged: boolean;
    actor: AuditActor;
    ip: string | null;
  },
): Promise<Result<{ quote: CancelQuoteDetail; refunds: RefundRequest[] }, "uninstalled">> {
  const found = await getLicense(db, params);
  if (!found) return notFoundFailure();
  const { license, record } = found.target;
  if (record.status.state !== "active") return conflict("このライセンスはすでに解約されています。");
  // The seller's own procedure, not the console's: the licence cannot be cancelled here.
  if (license.channel !== "vendor_store") {
    return conflict(
      "このライセンスは販売元での解約手続きになります。表示される手順に従ってください。",
    );
  }
  const related = relatedLicenses(license, members(found.family));
  const request = requestCancellation(license, related, params.on, {
    uninstalledFromAllDevices: params.uninstallAcknowledged,
  });
  if (!request.ok) return request;
  const quote = cancelQuoteFor(memberOf(found.target), members(found.family), params.on);
  // The quote and the refund requests come from the same rules: they must name the same licences.
  const { decisions, requests } = request.value;
  if (quote.lines.map((l) => l.ref).join() !== decisions.map((d) => d.licenseRef).join()) {
    throw new Error(`cancellation of ${license.ref}: quote and refund decisions disagree`);
  }
  const at = instantOf(now());
  return guardedChange(async () => {
    await inTransaction(db, async (trx) => {
      for (const line of quote.lines) {
        const l = idOf(found, line.ref);
        await recordProjectedRenewals(trx, l.record.id, l.license, params.on);
        assertOneRow(
          await trx
            .updateTable("licenses")
            .set({
              state: "cancelled",
              cancelled_on: params.on,
              effective_end: line.effectiveEnd,
              renewal_state: "stopped",
              auto_renew: 0,
              uninstall_acknowledged_on: params.on,
              updated_at: at,
            })
            .where("id", "=", l.record.id)
            .where("state", "=", "active")
            .executeTakeFirst(),
        );
        await recordWebhookEvent(
          trx,
          "license.ended",
          {
            customerId: l.record.customerId,
            data: {
              license: {
                ref: l.license.ref,
                customer: l.record.customerRef,
                product: l.license.product,
                channel: license.channel,
                lastDay: line.effectiveEnd,
                reason: "cancelled",
              },
            },
          },
          new Date(at),
        );
      }
      for (const r of requests) {
        await trx
          .insertInto("refunds")
          .values({
            license_id: idOf(found, r.licenseRef).record.id,
            amount_yen: r.amountYen,
            rule: r.rule,
            state: "requested",
            reason: null,
            requested_at: at,
            requested_by: params.actor.email,
            decided_at: null,
            decided_by: null,
            paid_at: null,
            paid_by: null,
            uninstall_acknowledged: 1,
          })
          .execute();
      }
      await recordAudit(trx, {
        actor: params.actor,
        action: "license.cancel",
        entity: "license",
        entityId: license.ref,
        summary:
          `ライセンスを解約（L-3）: ${quote.lines.map((l) => `${l.ref} ${l.effectiveEnd} まで`).join("、")}` +
          `／返金申請 ${formatYen(quote.refundYen)}／アンインストール確認済み`,
        ip: params.ip,
      });
    });
    return ok({ quote, refunds: requests });
  });
}
