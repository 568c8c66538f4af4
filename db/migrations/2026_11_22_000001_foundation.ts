// Foundation schema: tenants (provider, resellers, customers), contracts with their items
// and devices, accounts, sessions, audit log and login attempts. Frozen: never edit after
// it has shipped; add a new migration instead.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("provider")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("registration_number", "text")
    .addColumn("bank_account", "text", (c) => c.notNull().defaultTo(""))
    .execute();

  await db.schema
    .createTable("resellers")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("ref", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("customers")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("ref", "text", (c) => c.notNull().unique())
    .addColumn("reseller_id", "integer", (c) => c.references("resellers.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("customers_reseller_idx")
    .on("customers")
    .column("reseller_id")
    .execute();

  await db.schema
    .createTable("contracts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("ref", "text", (c) => c.notNull().unique())
    .addColumn("customer_id", "integer", (c) => c.notNull().references("customers.id"))
    .addColumn("line_id", "text", (c) => c.notNull())
    .addColumn("area", "text", (c) => c.notNull().check(sql`area in ('east', 'west')`))
    .addColumn("base_plan", "text", (c) => c.notNull())
    .addColumn("service_start", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('active', 'suspended', 'terminated')`),
    )
    .addColumn("termination_date", "text")
    .addColumn("offline_threshold_minutes", "integer", (c) => c.notNull().defaultTo(60))
    .addColumn("admin_email", "text", (c) => c.notNull())
    .addColumn("admin_phone", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("contracts_customer_idx")
    .on("contracts")
    .column("customer_id")
    .execute();
  // T-6: two contracts that are not terminated never share a line id.
  await db.schema
    .createIndex("contracts_live_line_unique")
    .on("contracts")
    .column("line_id")
    .unique()
    .where(sql.ref("status"), "<>", "terminated")
    .execute();

  await db.schema
    .createTable("contract_items")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("code", "text", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn("ownership", "text", (c) =>
      c.notNull().check(sql`ownership in ('rental', 'purchased')`),
    )
    .addColumn("repair24h", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("from_date", "text", (c) => c.notNull())
    .addColumn("to_date", "text")
    .execute();
  await db.schema
    .createIndex("contract_items_contract_idx")
    .on("contract_items")
    .column("contract_id")
    .execute();

  await db.schema
    .createTable("devices")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("contract_id", "integer", (c) =>
      c.notNull().references("contracts.id").onDelete("cascade"),
    )
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("device_type", "text", (c) => c.notNull())
    .addColumn("os", "text", (c) => c.notNull())
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("location", "text", (c) => c.notNull())
    .addColumn("agent_version", "text")
    .addColumn("pattern_version", "text")
    .addColumn("last_seen_at", "text")
    .addUniqueConstraint("devices_contract_name_unique", ["contract_id", "name"])
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) =>
      c
        .notNull()
        .check(
          sql`role in ('provider_admin', 'operator', 'finance', 'reseller_manager', 'customer_admin')`,
        ),
    )
    .addColumn("reseller_id", "integer", (c) => c.references("resellers.id"))
    .addColumn("customer_id", "integer", (c) => c.references("customers.id"))
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    // A tenant-bound role carries exactly its tenant; provider roles carry none.
    .addCheckConstraint(
      "users_tenant_matches_role",
      sql`(role = 'reseller_manager' and reseller_id is not null and customer_id is null)
       or (role = 'customer_admin' and customer_id is not null and reseller_id is null)
       or (role in ('provider_admin', 'operator', 'finance') and reseller_id is null and customer_id is null)`,
    )
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "integer", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("user_email", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("entity", "text", (c) => c.notNull())
    .addColumn("entity_id", "text")
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("ip", "text")
    .execute();
  await db.schema.createIndex("audit_log_at_idx").on("audit_log").column("at").execute();

  await db.schema
    .createTable("login_attempts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("success", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("login_attempts_email_idx")
    .on("login_attempts")
    .columns(["email", "at"])
    .execute();
  await db.schema
    .createIndex("login_attempts_ip_idx")
    .on("login_attempts")
    .columns(["ip", "at"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    "login_attempts",
    "audit_log",
    "sessions",
    "users",
    "devices",
    "contract_items",
    "contracts",
    "customers",
    "resellers",
    "provider",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
