// The Database interface: one table type per table. Columns filled by the database are
// Generated<>; nullable columns are `| null`. Dates are ISO text ("YYYY-MM-DD"), instants are
// ISO 8601 text in UTC, booleans are 0/1 integers (portable to PostgreSQL as written).
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export type Role = "provider_admin" | "operator" | "finance" | "reseller_manager" | "customer_admin";
export type Area = "east" | "west";
export type Ownership = "rental" | "purchased";
export type ContractStatus = "active" | "suspended" | "terminated";

export interface ProviderTable {
  id: Generated<number>;
  name: string;
  address: string;
  phone: string;
  email: string;
  registration_number: string | null;
  bank_account: string;
}

export interface ResellerTable {
  id: Generated<number>;
  ref: string;
  name: string;
  created_at: string;
}

export interface CustomerTable {
  id: Generated<number>;
  ref: string;
  reseller_id: number | null;
  name: string;
  email: string;
  phone: string;
  address: string;
  created_at: string;
}

export interface ContractTable {
  id: Generated<number>;
  ref: string;
  customer_id: number;
  line_id: string;
  area: Area;
  base_plan: string;
  service_start: string;
  status: ContractStatus;
  termination_date: string | null;
  offline_threshold_minutes: number;
  admin_email: string;
  admin_phone: string;
  created_at: string;
}

export interface ContractItemTable {
  id: Generated<number>;
  contract_id: number;
  code: string;
  quantity: number;
  ownership: Ownership;
  repair24h: number;
  from_date: string;
  to_date: string | null;
}

export interface DeviceTable {
  id: Generated<number>;
  contract_id: number;
  name: string;
  device_type: "pc" | "server" | "gateway" | "smartphone" | "tablet";
  os: string;
  ip: string;
  location: string;
  agent_version: string | null;
  pattern_version: string | null;
  last_seen_at: string | null;
}

export interface UserTable {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  reseller_id: number | null;
  customer_id: number | null;
  password_hash: string;
  created_at: string;
}

export interface SessionTable {
  id: string;
  user_id: string;
  expires_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  user_id: string | null;
  user_email: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  summary: string;
  ip: string | null;
}

export interface LoginAttemptTable {
  id: Generated<number>;
  at: string;
  email: string;
  ip: string;
  success: number;
}

export interface Database {
  provider: ProviderTable;
  resellers: ResellerTable;
  customers: CustomerTable;
  contracts: ContractTable;
  contract_items: ContractItemTable;
  devices: DeviceTable;
  users: UserTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  login_attempts: LoginAttemptTable;
}

export type Reseller = Selectable<ResellerTable>;
export type Customer = Selectable<CustomerTable>;
export type Contract = Selectable<ContractTable>;
export type NewContract = Insertable<ContractTable>;
export type ContractItem = Selectable<ContractItemTable>;
export type Device = Selectable<DeviceTable>;
export type User = Selectable<UserTable>;
export type ProviderUpdate = Updateable<ProviderTable>;
export type AuditEntry = Selectable<AuditLogTable>;
