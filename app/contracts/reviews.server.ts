// The operator's review queue: every request the terms make wait for the provider (T-9 changes,
// T-10 transfers, T-12 successions), oldest first, within the tenant.
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { CHANGE_KIND_LABELS, type ContractChange } from "./contract-change";
import { HOLDER_CHANGE_KIND_LABELS } from "./holder-change";

export interface PendingReview {
  contractId: number;
  contractRef: string;
  customerName: string;
  label: string;
  detail: string;
  requestedBy: string;
  requestedAt: string;
  /** The contract page where it is decided. */
  page: "changes" | "transfer";
}

export async function pendingReviews(
  db: Kysely<Database>,
  tenant: Tenant,
): Promise<PendingReview[]> {
  const [changes, holders] = await Promise.all([
    db
      .selectFrom("contract_changes")
      .innerJoin("contracts", "contracts.id", "contract_changes.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "contracts.id as contract_id",
        "contracts.ref",
        "customers.name",
        "contract_changes.kind",
        "contract_changes.effective_date",
        "contract_changes.requested_by",
        "contract_changes.requested_at",
      ])
      .where("contract_changes.status", "=", "requested")
      .where(customerInTenant(tenant))
      .execute(),
    db
      .selectFrom("contract_holder_changes")
      .innerJoin("contracts", "contracts.id", "contract_holder_changes.contract_id")
      .innerJoin("customers", "customers.id", "contracts.customer_id")
      .select([
        "contracts.id as contract_id",
        "contracts.ref",
        "customers.name",
        "contract_holder_changes.kind",
        "contract_holder_changes.party_name",
        "contract_holder_changes.requested_by",
        "contract_holder_changes.requested_at",
      ])
      .where("contract_holder_changes.status", "=", "requested")
      .where(customerInTenant(tenant))
      .execute(),
  ]);
  return [
    ...changes.map((c) => ({
      contractId: c.contract_id,
      contractRef: c.ref,
      customerName: c.name,
      label: CHANGE_KIND_LABELS[c.kind as ContractChange["kind"]] ?? c.kind,
      detail: `変更日 ${c.effective_date}`,
      requestedBy: c.requested_by,
      requestedAt: c.requested_at,
      page: "changes" as const,
    })),
    ...holders.map((h) => ({
      contractId: h.contract_id,
      contractRef: h.ref,
      customerName: h.name,
      label: HOLDER_CHANGE_KIND_LABELS[h.kind],
      detail: `新しい契約者 ${h.party_name}`,
      requestedBy: h.requested_by,
      requestedAt: h.requested_at,
      page: "transfer" as const,
    })),
  ].sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}
