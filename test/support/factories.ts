// Test data built by the test that needs it (issue 16 item 8): each factory writes one minimal
// valid row (or the rows one domain operation writes) into a migrated database, takes overrides
// and returns the ids it created, so a test states its own data instead of leaning on the demo
// seed or on an earlier test's writes. Where a domain operation exists (the billing run, a
// payment, a credit note) the factory calls it, so the rows are the ones the product writes.
import type { Insertable, Kysely } from "kysely";
import { runBillingMonth } from "../../app/billing/billing-run.server";
import { issueCreditNote } from "../../app/billing/credit-notes.server";
import { recordPayment } from "../../app/billing/payments.server";
import type { CustomerTable, Database } from "../../db/schema";
import { instant, isoDate, yearMonth } from "../../app/lib/jst";
import { toYen } from "../../app/lib/money";

type Db = Kysely<Database>;
const provider = { kind: "provider" } as const;
/** The actor of the writes a factory does through a domain operation. */
export const FACTORY_ACTOR = { id: null, email: "factory@test.example" };
const CREATED_AT = instant("2026-01-01T00:00:00.000Z");

let serial = 0;
/** A number unique within this test process, for refs and names that must not collide. */
const next = () => ++serial;

export type CustomerOverrides = Partial<
  Pick<
    Insertable<CustomerTable>,
    "ref" | "reseller_id" | "name" | "email" | "phone" | "address" | "kana_name"
  >
>;

/** A customer (no reseller unless given). */
export async function createCustomer(
  db: Db,
  overrides: CustomerOverrides = {},
): Promise<{ customerId: number; ref: string }> {
  const n = next();
  const values = {
    ref: `TC${n}`,
    reseller_id: null,
    name: `テスト顧客${n}株式会社`,
    email: `customer${n}@test.example`,
    phone: "03-0000-0000",
    address: "東京都千代田区丸の内1-1-1",
    kana_name: null,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    ...overrides,
  };
  const { id } = await db
    .insertInto("customers")
    .values(values)
    .returning("id")
    .executeTakeFirstOrThrow();
  return { customerId: id, ref: values.ref };
}

/** A reseller. */
export async function createReseller(
  db: Db,
  overrides: { ref?: string; name?: string } = {},
): Promise<{ resellerId: number; ref: string }> {
  const n = next();
  const values = {
    ref: `TR${n}`,
    name: `テスト販売店${n}`,
    created_at: CREATED_AT,
    ...overrides,
  };
  const { id } = await db
    .insertInto("resellers")
    .values(values)
    .returning("id")
    .executeTakeFirstOrThrow();
  return { resellerId: id, ref: values.ref };
}

export interface ContractItem {
  code: string;
  quantity: number;
  ownership: "rental" | "purchased";
  repair24h?: boolean;
  /** The day the item starts (the service start unless given). */
  from?: string;
}

export interface ContractOverrides {
  customerId?: number;
  ref?: string;
  area?: "east" | "west";
  serviceStart?: string;
  terminationDate?: string | null;
  /** Default: a rented GW-10 gateway without 24-hour repair and nothing else. */
  items?: ContractItem[];
}

/** An active contract with its items (a customer of its own unless `customerId` is given). */
export async function createContract(
  db: Db,
  overrides: ContractOverrides = {},
): Promise<{ contractId: number; customerId: number; ref: string }> {
  const n = next();
  const customerId = overrides.customerId ?? (await createCustomer(db)).customerId;
  const serviceStart = isoDate(overrides.serviceStart ?? "2026-01-01");
  const terminationDate =
    overrides.terminationDate == null ? null : isoDate(overrides.terminationDate);
  const ref = overrides.ref ?? `TK-${n}`;
  const { id: contractId } = await db
    .insertInto("contracts")
    .values({
      ref,
      customer_id: customerId,
      line_id: `CAF${String(n).padStart(7, "0")}`,
      area: overrides.area ?? "east",
      base_plan: "base.standard",
      service_start: serviceStart,
      status: terminationDate ? "terminated" : "active",
      termination_date: terminationDate,
      offline_threshold_minutes: 60,
      admin_email: `admin${n}@test.example`,
      admin_phone: "03-0000-0000",
      created_at: CREATED_AT,
      updated_at: CREATED_AT,
      holder_since: null,
      holder_first_day: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const items = overrides.items ?? [
    { code: "gateway.gw10", quantity: 1, ownership: "rental", repair24h: false },
  ];
  for (const item of items)
    await db
      .insertInto("contract_items")
      .values({
        contract_id: contractId,
        code: item.code,
        quantity: item.quantity,
        ownership: item.ownership,
        repair24h: item.code.startsWith("gateway.") && item.repair24h !== false ? 1 : 0,
        from_date: item.from === undefined ? serviceStart : isoDate(item.from),
        to_date: terminationDate,
      })
      .execute();
  return { contractId, customerId, ref };
}

/**
 * The invoice of a contract for a month, issued by the real billing run (which closes the month
 * for every contract of the database: build the contracts first). `at` defaults to the first of
 * the next month, 09:00 JST.
 */
export async function issueInvoice(
  db: Db,
  params: { contractId: number; month: string; at?: Date },
): Promise<{ invoiceId: number; invoiceNumber: string; totalYen: number }> {
  const [y, m] = params.month.split("-").map(Number);
  const nextMonth = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  await runBillingMonth(db, yearMonth(params.month), {
    at: params.at ?? new Date(`${nextMonth}-01T09:00:00+09:00`),
  });
  const invoice = await db
    .selectFrom("invoices")
    .select(["id", "invoice_number", "total_yen"])
    .where("contract_id", "=", params.contractId)
    .where("billing_month", "=", yearMonth(params.month))
    .executeTakeFirstOrThrow();
  return {
    invoiceId: invoice.id,
    invoiceNumber: invoice.invoice_number,
    totalYen: invoice.total_yen,
  };
}

/** A payment of an invoice recorded by the finance operation (in full unless `amountYen`). */
export async function payInvoice(
  db: Db,
  params: { invoiceId: number; paidOn: string; amountYen?: number | null },
): Promise<void> {
  const result = await recordPayment(db, {
    invoiceId: params.invoiceId,
    tenant: provider,
    payment: {
      paidOn: isoDate(params.paidOn),
      amountYen: params.amountYen == null ? null : toYen(params.amountYen),
    },
    actor: FACTORY_ACTOR,
    ip: "",
  });
  if (!result.ok) throw new Error(`payInvoice: ${JSON.stringify(result)}`);
}

/** A credit note returning `amounts` (invoice line id → yen) of an issued invoice. */
export async function creditInvoice(
  db: Db,
  params: { invoiceId: number; amounts: ReadonlyMap<number, number>; reason?: string },
): Promise<{ creditNoteId: number; number: string }> {
  const result = await issueCreditNote(db, {
    invoiceId: params.invoiceId,
    tenant: provider,
    amounts: params.amounts,
    reason: params.reason ?? "テストの返還",
    actor: FACTORY_ACTOR,
    ip: "",
  });
  if (!result.ok) throw new Error(`creditInvoice: ${JSON.stringify(result)}`);
  return { creditNoteId: result.value.id, number: result.value.number };
}

/** An open incident on a contract. */
export async function createIncident(
  db: Db,
  params: {
    contractId: number;
    kind?: string;
    severity?: string;
    title?: string;
    openedAt?: string;
    handledBy?: "provider" | "customer" | null;
  },
): Promise<{ incidentId: number }> {
  const n = next();
  const openedAt = params.openedAt ?? "2026-11-22T00:00:00.000Z";
  const { id } = await db
    .insertInto("incidents")
    .values({
      contract_id: params.contractId,
      kind: params.kind ?? "malware",
      severity: params.severity ?? "high",
      title: params.title ?? `テストのインシデント${n}`,
      opened_at: instant(openedAt),
      acknowledged_at: null,
      resolved_at: null,
      assignee: null,
      first_event_id: `test-event-${n}`,
      device_name: "PC-01",
      updated_at: instant(openedAt),
      handled_by: params.handledBy ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { incidentId: id };
}

/**
 * A tariff revision from `effectiveFrom` changing only `prices` (code → yen), as the demo's
 * revision does (the sandbox option's 1,000 yen is not in the base tariff).
 */
export async function addTariffPrices(
  db: Db,
  params: { effectiveFrom: string; prices: Record<string, number> },
): Promise<{ versionId: number }> {
  const { id } = await db
    .insertInto("tariff_versions")
    .values({ effective_from: isoDate(params.effectiveFrom), created_at: instant(CREATED_AT) })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("tariff_prices")
    .values(
      Object.entries(params.prices).map(([code, price]) => ({
        version_id: id,
        code,
        price_yen: toYen(price),
      })),
    )
    .execute();
  return { versionId: id };
}
