// contract.terminated webhooks (issue 19, item 4), recorded in the transaction that terminates
// the contract: a customer's confirmed cancellation (T-20) or the provider's termination (T-21).
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema";
import { createdIso, recordWebhookEvent } from "../webhooks/events.server";

export async function recordTerminationEvent(
  trx: Kysely<Database> | Transaction<Database>,
  params: {
    contractId: number;
    terminationDate: string;
    by: "customer" | "provider_fault" | "provider_service_end";
    at: Date;
  },
): Promise<void> {
  const c = await trx
    .selectFrom("contracts")
    .innerJoin("customers", "customers.id", "contracts.customer_id")
    .select([
      "contracts.ref",
      "contracts.line_id",
      "customers.id as customer_id",
      "customers.ref as customer_ref",
    ])
    .where("contracts.id", "=", params.contractId)
    .executeTakeFirst();
  if (!c) return;
  await recordWebhookEvent(
    trx,
    "contract.terminated",
    {
      customerId: c.customer_id,
      data: {
        contract: {
          ref: c.ref,
          customer: c.customer_ref,
          lineId: c.line_id,
          terminationDate: params.terminationDate,
          terminatedBy: params.by,
          confirmedAt: createdIso(params.at),
        },
      },
    },
    params.at,
  );
}
