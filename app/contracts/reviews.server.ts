// The operator's review queue: every request the terms make wait for the provider (T-9 changes,
// T-10 transfers, T-12 successions), oldest first, within the tenant.
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { customerInTenant } from "../auth/tenant-scope.server";
import type { Tenant } from "../auth/tenancy";
import { CHANGE_KIND_LABELS, type ContractChange } from "./contract-change";
import { HOLDER_CHANGE_KIND_LABELS, type HolderChangeKind } from "./holder-change";
import type { ListSort, PageRequest } from "../lib/paging";
import { fetchPage } from "../lib/paging.server";

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

/** Both kinds of waiting request in one shape, so that the queue is counted and paged in SQL. */
function pendingQuery(db: Kysely<Database>, tenant: Tenant) {
  const changes = db
    .selectFrom("contract_changes")
    .innerJoin("contracts", "contracts.id", "contract_changes.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      sql<string>`'change'`.as("source"),
      "contract_changes.id as request_id",
      "contracts.id as contract_id",
      "contracts.ref",
      "customers.name",
      "contract_changes.kind",
      // A date here, a name in the other half of the union: one text column on both engines
      // (PostgreSQL refuses a union of date and text; its date prints as YYYY-MM-DD).
      sql<string>`cast(${sql.ref("contract_changes.effective_date")} as text)`.as("detail"),
      "contract_changes.requested_by",
      "contract_changes.requested_at",
    ])
    .where("contract_changes.status", "=", "requested")
    .where(customerInTenant(tenant));
  const holders = db
    .selectFrom("contract_holder_changes")
    .innerJoin("contracts", "contracts.id", "contract_holder_changes.contract_id")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      sql<string>`'holder'`.as("source"),
      "contract_holder_changes.id as request_id",
      "contracts.id as contract_id",
      "contracts.ref",
      "customers.name",
      "contract_holder_changes.kind",
      "contract_holder_changes.party_name as detail",
      "contract_holder_changes.requested_by",
      "contract_holder_changes.requested_at",
    ])
    .where("contract_holder_changes.status", "=", "requested")
    .where(customerInTenant(tenant));
  return db.selectFrom(changes.unionAll(holders).as("pending"));
}

type PendingRow = {
  source: string;
  request_id: number;
  contract_id: number;
  ref: string;
  name: string;
  kind: string;
  detail: string;
  requested_by: string;
  requested_at: string;
};

function toReview(r: PendingRow): PendingReview {
  return r.source === "change"
    ? {
        contractId: r.contract_id,
        contractRef: r.ref,
        customerName: r.name,
        label: CHANGE_KIND_LABELS[r.kind as ContractChange["kind"]] ?? r.kind,
        detail: `変更日 ${r.detail}`,
        requestedBy: r.requested_by,
        requestedAt: r.requested_at,
        page: "changes",
      }
    : {
        contractId: r.contract_id,
        contractRef: r.ref,
        customerName: r.name,
        label: HOLDER_CHANGE_KIND_LABELS[r.kind as HolderChangeKind],
        detail: `新しい契約者 ${r.detail}`,
        requestedBy: r.requested_by,
        requestedAt: r.requested_at,
        page: "transfer",
      };
}

/** Every waiting request of the tenant, oldest first. */
export async function pendingReviews(
  db: Kysely<Database>,
  tenant: Tenant,
): Promise<PendingReview[]> {
  const rows = await pendingQuery(db, tenant)
    .selectAll()
    .orderBy("requested_at")
    .orderBy("source")
    .orderBy("request_id")
    .execute();
  return rows.map(toReview);
}

/** The queue's one order: oldest first (it is worked in that order). */
export const REVIEW_SORT: ListSort<"requested"> = {
  columns: { requested: "asc" },
  default: "requested",
};

/** One page of the queue with the count of all waiting requests (issue 17 item 2: it loaded every one). */
export async function pagePendingReviews(
  db: Kysely<Database>,
  tenant: Tenant,
  request: PageRequest<"requested">,
) {
  const { rows, page } = await fetchPage(
    { ...request, dir: "asc" },
    () =>
      pendingQuery(db, tenant)
        .select((eb) => eb.fn.countAll<number>().as("count"))
        .executeTakeFirstOrThrow(),
    (w) =>
      pendingQuery(db, tenant)
        .selectAll()
        .orderBy("requested_at")
        .orderBy("source")
        .orderBy("request_id")
        .limit(w.size)
        .offset(w.offset)
        .execute(),
  );
  return { reviews: rows.map(toReview), page };
}
