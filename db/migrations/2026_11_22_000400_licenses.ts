// Licence subscriptions sold through channels (docs/rules/licenses.md L-1 … L-6): the licences
// and their charges, the L-3 refund requests and the L-4 ISP bundle applications. Booleans are
// 0/1 integers and every enumeration is a CHECK, so the rows stay valid whatever writes them.
import { sql, type Kysely } from "kysely";

const CHANNELS = ["vendor_store", "isp", "carrier_provider", "reseller", "app_store"];
const TERMS = ["annual", "monthly"];
const KINDS = ["standard", "service", "trial"];
const REGIONS = ["JP", "UK", "NL", "EEA", "CH", "other"];
const SOLD_VIA = ["vendor", "third_party", "bundled", "nfr"];
const CARRIERS = ["docomo", "au", "softbank"];
const RENEWAL_STATES = ["active", "stop_requested", "stopped"];
const LICENSE_STATES = ["active", "cancelled", "expired"];
const CHARGE_TYPES = ["purchase", "renewal", "trial_conversion"];
const REFUND_STATES = ["requested", "approved", "paid", "refused"];
const ISP_PRODUCTS = ["multi_device_security", "web_filtering_win", "web_filtering_android"];

function oneOf(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);
}

function nullOrOneOf(column: string, values: readonly string[]) {
  return sql.raw(`${column} is null or ${column} in (${values.map((v) => `'${v}'`).join(", ")})`);
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("licenses")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("ref", "text", (c) => c.notNull().unique())
    .addColumn("customer_id", "integer", (c) => c.notNull().references("customers.id"))
    .addColumn("product", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull().check(oneOf("channel", CHANNELS)))
    .addColumn("term", "text", (c) => c.notNull().check(oneOf("term", TERMS)))
    .addColumn("kind", "text", (c) => c.notNull().check(oneOf("kind", KINDS)))
    .addColumn("region", "text", (c) => c.notNull().check(oneOf("region", REGIONS)))
    .addColumn("seats", "integer", (c) => c.notNull().check(sql`seats > 0`))
    .addColumn("price_yen", "integer", (c) => c.notNull().check(sql`price_yen >= 0`))
    .addColumn("order_number", "text")
    .addColumn("product_key", "text")
    // L-4: the ISP contract number and the PIN / serial id it issued.
    .addColumn("contract_number", "text")
    .addColumn("pin", "text")
    // L-5: the carrier whose phone bill carries the licence, its payment number, the provider id.
    .addColumn("carrier", "text", (c) => c.check(nullOrOneOf("carrier", CARRIERS)))
    .addColumn("carrier_payment_number", "text")
    .addColumn("provider", "text")
    // L-6: the e-mail address used for the order, when it differs from the customer's.
    .addColumn("email", "text")
    .addColumn("main_license_id", "integer", (c) => c.references("licenses.id"))
    .addColumn("auto_renew", "integer", (c) => c.notNull().check(sql`auto_renew in (0, 1)`))
    .addColumn("renewal_state", "text", (c) =>
      c.notNull().check(oneOf("renewal_state", RENEWAL_STATES)),
    )
    .addColumn("sold_via", "text", (c) => c.notNull().check(oneOf("sold_via", SOLD_VIA)))
    .addColumn("previously_refunded", "integer", (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`previously_refunded in (0, 1)`),
    )
    .addColumn("service_used", "integer", (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`service_used in (0, 1)`),
    )
    .addColumn("state", "text", (c) =>
      c.notNull().defaultTo("active").check(oneOf("state", LICENSE_STATES)),
    )
    .addColumn("cancelled_on", "text")
    .addColumn("effective_end", "text")
    // L-3: the day the customer confirmed every copy was uninstalled (required to cancel).
    .addColumn("uninstall_acknowledged_on", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addCheckConstraint(
      "licenses_cancelled_has_dates",
      sql`state <> 'cancelled' or (cancelled_on is not null and effective_end is not null)`,
    )
    .execute();
  await db.schema
    .createIndex("licenses_customer_idx")
    .on("licenses")
    .column("customer_id")
    .execute();
  await db.schema
    .createIndex("licenses_main_idx")
    .on("licenses")
    .column("main_license_id")
    .execute();

  await db.schema
    .createTable("license_charges")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("license_id", "integer", (c) => c.notNull().references("licenses.id"))
    .addColumn("charge_date", "text", (c) => c.notNull())
    .addColumn("amount_yen", "integer", (c) => c.notNull().check(sql`amount_yen >= 0`))
    .addColumn("type", "text", (c) => c.notNull().check(oneOf("type", CHARGE_TYPES)))
    // A licence is charged at most once a day: a renewal recorded twice is one renewal.
    .addUniqueConstraint("license_charges_day_unique", ["license_id", "charge_date"])
    .execute();

  await db.schema
    .createTable("refunds")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // L-3: one request per cancelled licence.
    .addColumn("license_id", "integer", (c) => c.notNull().unique().references("licenses.id"))
    .addColumn("amount_yen", "integer", (c) => c.notNull().check(sql`amount_yen > 0`))
    // The L-3 row or exception that decided the amount (refund.ts RefundRule).
    .addColumn("rule", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) =>
      c.notNull().defaultTo("requested").check(oneOf("state", REFUND_STATES)),
    )
    .addColumn("reason", "text")
    .addColumn("requested_at", "text", (c) => c.notNull())
    .addColumn("requested_by", "text")
    .addColumn("decided_at", "text")
    .addColumn("decided_by", "text")
    .addColumn("paid_at", "text")
    .addColumn("paid_by", "text")
    .addColumn("uninstall_acknowledged", "integer", (c) =>
      c.notNull().check(sql`uninstall_acknowledged = 1`),
    )
    .addCheckConstraint(
      "refunds_refusal_reason",
      sql`state <> 'refused' or (reason is not null and trim(reason) <> '')`,
    )
    .execute();
  await db.schema.createIndex("refunds_state_idx").on("refunds").column("state").execute();

  await db.schema
    .createTable("isp_applications")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    // L-4: the key of the form that was shown; a second submission of it finds the first contract.
    .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
    .addColumn("customer_id", "integer", (c) => c.notNull().references("customers.id"))
    .addColumn("product", "text", (c) => c.notNull().check(oneOf("product", ISP_PRODUCTS)))
    .addColumn("devices", "integer", (c) => c.notNull().check(sql`devices between 1 and 3`))
    .addColumn("monthly_yen", "integer", (c) => c.notNull().check(sql`monthly_yen >= 0`))
    .addColumn("contract_number", "text", (c) => c.notNull().unique())
    .addColumn("pin", "text", (c) => c.notNull().unique())
    .addColumn("applied_on", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("cancel_requested_on", "text")
    .addColumn("cancel_effective_on", "text")
    .addColumn("revoked_at", "text")
    .addColumn("ended_on", "text")
    .addCheckConstraint(
      "isp_applications_cancellation_pair",
      sql`(cancel_requested_on is null) = (cancel_effective_on is null)`,
    )
    .execute();
  await db.schema
    .createIndex("isp_applications_customer_idx")
    .on("isp_applications")
    .column("customer_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("isp_applications").execute();
  await db.schema.dropTable("refunds").execute();
  await db.schema.dropTable("license_charges").execute();
  await db.schema.dropTable("licenses").execute();
}
