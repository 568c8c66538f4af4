// The Database interface: one table type per table. Columns filled by the database are
// Generated<>; nullable columns are `| null`. Dates are ISO text ("YYYY-MM-DD"), instants are
// ISO 8601 text in UTC, booleans are 0/1 integers (portable to PostgreSQL as written).
import type { Generated, Insertable, Selectable, Updateable } from "kysely";
import type { Instant, IsoDate, YearMonth } from "../app/lib/jst";
import type { Yen } from "../app/lib/money";

export type Role =
  "provider_admin" | "operator" | "finance" | "reseller_manager" | "customer_admin";
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
  /** T-27-1 due date: month after the billing month (1 or 2) and day (null = last day); migration 001010. */
  due_month_offset: Generated<number>;
  due_day: number | null;
  /** T-26-3: leave an invoice of late interest only unbilled (0/1). */
  interest_only_unbilled: Generated<number>;
  /** The provider's staff (admin, operator, finance) must use a second factor (0/1; migration 001060). */
  mfa_required_staff: Generated<number>;
  /** Peppol participant id, `0221:T…` or `0188:…` (decision 0018; migration 001071); null = none. */
  peppol_id: Generated<string | null>;
  /** 口座振替 (migration 001080): 委託者コード (10 digits), kana name and the account credited. */
  debit_consignor_code: string | null;
  debit_consignor_kana: string | null;
  debit_bank_code: string | null;
  debit_branch_code: string | null;
  debit_account_type: number | null;
  debit_account_number: string | null;
  /** Dunning: days after the due date on which an overdue invoice is reminded, "1,10" (migration 001100). */
  dunning_days: Generated<string>;
}

/** T-16 interruption notices (migration 001020). */
export interface ServiceNoticeTable {
  id: Generated<number>;
  reason: "maintenance" | "restriction" | "other";
  area: "all" | Area;
  title: string;
  body: string;
  starts_at: Instant;
  ends_at: Instant | null;
  emergency: Generated<number>;
  published_at: Instant;
  published_by: string;
  withdrawn_at: Instant | null;
}

export interface ResellerTable {
  id: Generated<number>;
  ref: string;
  name: string;
  created_at: Instant;
  /** Its managers must use a second factor (set by the provider's admin; migration 001060). */
  mfa_required: Generated<number>;
  /** Its customers' administrators must (set by its managers; migration 001060). */
  mfa_required_customers: Generated<number>;
}

export interface CustomerTable {
  id: Generated<number>;
  ref: string;
  reseller_id: number | null;
  name: string;
  email: string;
  phone: string;
  address: string;
  created_at: Instant;
  /** Its administrators must use a second factor (set by themselves; migration 001060). */
  mfa_required: Generated<number>;
  /** Peppol participant id, `0221:T…` or `0188:…` (decision 0018; migration 001071); null = none. */
  peppol_id: Generated<string | null>;
  /** The name in half-width kana as bank statements show it (migration 001080); null = not known. */
  kana_name: string | null;
  /** Set on every insert and update by the application (issue 19 API filters; migration 001120). */
  updated_at: Generated<Instant | null>;
}

/** A customer's 口座振替 account (migration 001080). account_type: 1 普通, 2 当座. */
export interface CustomerDirectDebitTable {
  customer_id: number;
  bank_code: string;
  branch_code: string;
  account_type: number;
  account_number: string;
  holder_kana: string;
  updated_at: Instant;
  updated_by: string | null;
}

/** One debit requested from the bank (migration 001080); result_code once the result file is imported. */
export interface DirectDebitTable {
  id: Generated<number>;
  invoice_id: number;
  debit_date: IsoDate;
  amount_yen: Yen;
  bank_code: string;
  branch_code: string;
  account_type: number;
  account_number: string;
  holder_kana: string;
  new_code: number;
  requested_at: Instant;
  result_code: string | null;
  result_at: Instant | null;
}

/** A credit from an imported bank statement (migration 001080). */
export interface BankCreditTable {
  id: Generated<number>;
  line_key: string;
  transaction_date: IsoDate;
  amount_yen: Yen;
  payer_name: string;
  payer_kana: string;
  status: "matched" | "pending" | "assigned" | "dismissed";
  invoice_id: number | null;
  imported_at: Instant;
  resolved_by: string | null;
  resolved_at: Instant | null;
}

export interface ContractTable {
  id: Generated<number>;
  ref: string;
  customer_id: number;
  line_id: string;
  area: Area;
  base_plan: string;
  service_start: IsoDate;
  status: ContractStatus;
  termination_date: IsoDate | null;
  offline_threshold_minutes: number;
  admin_email: string;
  admin_phone: string;
  created_at: Instant;
  /** T-10: the approval instant of the transfer to the current holder (null: held since the start). */
  holder_since: Instant | null;
  /** The first whole JST day the current holder holds the contract (null with holder_since). */
  holder_first_day: IsoDate | null;
  /** Set on every insert and update by the application (issue 19 API filters; migration 001120). */
  updated_at: Generated<Instant | null>;
}

export interface ContractItemTable {
  id: Generated<number>;
  contract_id: number;
  code: string;
  quantity: number;
  ownership: Ownership;
  repair24h: number;
  from_date: IsoDate;
  to_date: IsoDate | null;
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
  last_seen_at: Instant | null;
  /** Set on every insert and update by the application (issue 19 API filters; migration 001120). */
  updated_at: Generated<Instant | null>;
}

export interface UserTable {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  reseller_id: number | null;
  customer_id: number | null;
  password_hash: string;
  created_at: Instant;
  /** Stopped by the provider or the reseller (migration 000990): no login until started again. */
  disabled_at: Instant | null;
}

/** A one-time link to set a customer administrator's password (migration 000980). */
export interface AccountInvitationTable {
  id: Generated<number>;
  user_id: string;
  token_sha256: string;
  created_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
  created_by: string;
}

/** A browser an account signed in from (migration 001050, app/auth/devices.server.ts). */
export interface UserDeviceTable {
  id: string;
  user_id: string;
  /** SHA-256 (hex) of the browser's `console_device` cookie token. */
  token_sha256: string;
  user_agent: string;
  ip: string;
  created_at: Instant;
  last_seen_at: Instant;
  /** "Trust this browser for 30 days": no second factor asked here until then. */
  mfa_trusted_until: Instant | null;
}

export interface SessionTable {
  id: string;
  user_id: string;
  /** Unix seconds (lucia's adapter). */
  expires_at: number;
  /** Where and with what the session signed in; null for sessions from before migration 001052. */
  ip: string | null;
  user_agent: string | null;
  created_at: Instant | null;
  /** Written at most every 5 minutes (session.server.ts), not on every request. */
  last_seen_at: Instant | null;
  /** The known browser (user_devices.id) the session signed in from. */
  device_id: string | null;
}

/** Login throttling counters (throttle.server.ts): failed and in-flight password checks per key. */
export interface LoginThrottleTable {
  /** `account:<email>`, `ip:<address>` or `device:<user id>:<device id>`. */
  key: string;
  window_started_at: Instant;
  /** Failed checks in the window. */
  failures: number;
  /** Checks reserved and not yet settled. */
  pending: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Instant;
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
  at: Instant;
  email: string;
  ip: string;
  success: number;
}

// ---- security data (S1-4①, S1-4⑤, S7) ----------------------------------------------------

export type IncidentStatus = "new" | "acknowledged" | "resolved";
export type OutboxStatus = "queued" | "sent" | "failed";

export interface SecurityEventTable {
  /** The event's own id (NDJSON `id` / vendor id). */
  id: string;
  contract_id: number;
  device_id: number | null;
  device_name: string;
  source: string;
  type: string;
  severity: string;
  action: string | null;
  threat: string | null;
  url: string | null;
  detected_at: Instant;
  ingested_at: Instant;
}

/**
 * Daily aggregates of security_events (migration 000800), kept by triggers on that table:
 * per contract and JST day (`YYYY-MM-DD`). `action` is '' for an event without one.
 */
export interface EventDailyCountTable {
  contract_id: number;
  day: IsoDate;
  type: string;
  action: string;
  count: number;
}

/** Detections (DETECTION_TYPES) with a threat name, per contract, JST day and threat. */
export interface EventDailyThreatTable {
  contract_id: number;
  day: IsoDate;
  threat: string;
  count: number;
}

/** Detections (DETECTION_TYPES) per contract, JST day and device name. */
export interface EventDailyDeviceTable {
  contract_id: number;
  day: IsoDate;
  device_name: string;
  count: number;
}

/** A row only inside a bulk ingest's transaction, which then counts its own rows (migration 000800). */
export interface EventDailyPausedTable {
  id: number;
}

export interface IncidentTable {
  id: Generated<number>;
  contract_id: number;
  kind: string;
  status: Generated<IncidentStatus>;
  severity: string;
  title: string;
  opened_at: Instant;
  acknowledged_at: Instant | null;
  resolved_at: Instant | null;
  assignee: string | null;
  first_event_id: string;
  /** The device of the first event, kept when the event is purged (migration 000920). */
  device_name: string | null;
  /** Set on every insert and update by the application (issue 19 API filters; migration 001120). */
  updated_at: Generated<Instant | null>;
  /** Who is handling it: the provider's operations or the customer (migration 001220, issue 17 item 8). */
  handled_by: "provider" | "customer" | null;
}

/** A note on an incident, with its time and author as data (migration 001150). */
export interface IncidentNoteTable {
  id: Generated<number>;
  incident_id: number;
  /** ISO instant. */
  written_at: Instant;
  author_user_id: string | null;
  /** The author's display name when writing: what customers see, never an e-mail address. */
  author_name: string;
  body: string;
}

export interface IncidentEventTable {
  incident_id: number;
  event_id: string;
}

export interface NotificationTable {
  id: Generated<number>;
  incident_id: number;
  contract_id: number;
  event_id: string;
  channel: "email" | "phone";
  planned_at: Instant;
  sent_at: Instant | null;
  result: string | null;
  recipient: string;
  attempts: Generated<number>;
  last_error: string | null;
  outbox_id: number | null;
}

export interface OutboxTable {
  id: Generated<number>;
  kind: string;
  /** The producer's key (`incident:evt-1:email`); unique, so queueing twice queues once. */
  ref: string | null;
  to_address: string;
  subject: string;
  body_text: string;
  attachment_name: string | null;
  attachment_blob: Buffer | null;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Instant;
  sent_at: Instant | null;
  next_attempt_at: Instant | null;
  /** The process sending it (migration 001130): a mail is claimed by one sender until `claimed_until`. */
  claimed_by: string | null;
  claimed_until: Instant | null;
}

/** A named lease (migration 001130): one holder at a time until `expires_at`, renewed while working. */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_at: Instant;
  taken_at: Instant;
}

export type JobState = "queued" | "running" | "done" | "failed";

/** Work of the job worker (migration 001130), one row per kind and key. */
export interface JobTable {
  id: Generated<number>;
  kind: string;
  key: string;
  state: JobState;
  /** JSON. */
  params: string | null;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  /** JSON. */
  result: string | null;
  error: string | null;
  attempts: Generated<number>;
  requested_by: string | null;
  created_at: Instant;
  started_at: Instant | null;
  finished_at: Instant | null;
  lease_holder: string | null;
  lease_until: Instant | null;
}

/** A file made by a job (migration 001190), stored in chunks (JobFileChunkTable). */
export interface JobFileTable {
  id: Generated<number>;
  job_id: number;
  /** 'provider', 'reseller:ID' or 'customer:ID': who may download it. */
  tenant: string;
  file_name: string;
  content_type: string;
  size_bytes: number | null;
  sha256: string | null;
  chunk_count: number | null;
  created_at: Instant;
  /** Null while the job is still writing it. */
  completed_at: Instant | null;
}

export interface JobFileChunkTable {
  file_id: number;
  seq: number;
  data: Buffer;
}

export interface VendorSyncStateTable {
  source: string;
  cursor: string | null;
  updated_at: Instant;
}

// ---- billing (T-24..T-31, S2..S6) -----------------------------------------------------------

export type TaxCategoryColumn = "taxable_10" | "non_taxable";
export type TerminatedByColumn = "customer" | "provider_fault" | "provider_service_end";

export interface TariffVersionTable {
  id: Generated<number>;
  effective_from: IsoDate;
  created_at: Instant;
}

export interface TariffPriceTable {
  version_id: number;
  code: string;
  price_yen: Yen;
}

export interface PlanChangeTable {
  id: Generated<number>;
  contract_id: number;
  change_date: IsoDate;
  base_plan: string;
}

export interface TerminationTable {
  contract_id: number;
  requested_on: IsoDate;
  wished_date: IsoDate;
  confirmed_on: IsoDate | null;
  terminated_by: TerminatedByColumn;
  withdrawn_at: Instant | null;
}

export interface OutageTable {
  id: Generated<number>;
  contract_id: number;
  /** Comma-separated services hit: base, endpoint, gateway, sandbox. */
  services: string;
  known_at: Instant;
  restored_at: Instant | null;
  customer_fault: number;
}

export interface VisitTable {
  id: Generated<number>;
  contract_id: number;
  visit_date: IsoDate;
  start_time: string;
  with_line_application: number;
  backup_available: number;
}

export interface VisitLineTable {
  id: Generated<number>;
  visit_id: number;
  code: string;
  quantity: number | null;
  endpoint_reinstall: number | null;
  /** JSON array of per-PC volumes in GB (data migration only). */
  pcs_gb: string | null;
}

export interface ManualLineTable {
  id: Generated<number>;
  contract_id: number;
  line_date: IsoDate;
  description: string;
  amount_yen: Yen;
  taxable: number;
  code: string | null;
  rule: string | null;
  created_by: string | null;
  created_at: Instant;
}

export interface PaymentTable {
  id: Generated<number>;
  contract_id: number;
  billing_month: YearMonth;
  paid_on: IsoDate;
  /** null = pays the invoice in full. */
  amount_yen: Yen | null;
  recorded_by: string | null;
  created_at: Instant;
}

/**
 * The billing journal (migration 000960), kept by triggers: a row per write to what a contract's
 * monthly invoice is computed from; `contract_id` null = every contract (a tariff written).
 */
export interface BillingChangeTable {
  id: Generated<number>;
  contract_id: number | null;
}

/** One row: how far the billing journal was pruned (migration 000970). */
export interface BillingChangesPrunedTable {
  id: number;
  through: number;
}

export interface BillingMonthTable {
  month: YearMonth;
  status: "running" | "closed";
  started_at: Instant;
  closed_at: Instant | null;
  invoice_count: number;
}

export interface InvoiceTable {
  id: Generated<number>;
  seq: number;
  invoice_number: string;
  contract_id: number;
  billing_month: YearMonth;
  issue_date: IsoDate;
  due_date: IsoDate;
  taxable_10_yen: Yen;
  tax_10_yen: Yen;
  non_taxable_yen: Yen;
  interest_yen: Yen;
  total_yen: Yen;
  line_count: number;
  recipient_name: string;
  recipient_address: string;
  issued_at: Instant;
}

export interface InvoiceLineTable {
  id: Generated<number>;
  invoice_id: number;
  position: number;
  code: string;
  rule: string;
  tariff_version: string | null;
  description: string;
  quantity: number;
  unit_price_yen: Yen;
  amount_yen: Yen;
  tax_category: TaxCategoryColumn;
}

export interface CreditNoteTable {
  id: Generated<number>;
  seq: number;
  credit_note_number: string;
  invoice_id: number;
  issue_date: IsoDate;
  reason: string;
  taxable_10_yen: Yen;
  tax_10_yen: Yen;
  non_taxable_yen: Yen;
  total_yen: Yen;
  line_count: number;
  issued_at: Instant;
  issued_by: string;
}

export interface CreditNoteLineTable {
  id: Generated<number>;
  credit_note_id: number;
  position: number;
  invoice_line_id: number;
  description: string;
  rule: string;
  /** The amount returned, positive. */
  amount_yen: Yen;
  tax_category: TaxCategoryColumn;
}

export interface InterestWaiverTable {
  invoice_id: number;
  reason: string;
  waived_by: string;
  waived_at: Instant;
}

// ---- operations (S1-4④) ---------------------------------------------------------------------

export interface GatewayFailureTable {
  id: Generated<number>;
  contract_id: number;
  reported_at: Instant;
  /** S1-4④: the earliest on-site dispatch at the time of the report (earliestDispatch). */
  earliest_dispatch_at: Instant;
  customer_fault: number;
  notes: string | null;
  recorded_by: string;
  created_at: Instant;
}

// ---- licences (docs/rules/licenses.md L-1..L-6) -------------------------------------------

export type LicenseChannelColumn =
  "vendor_store" | "isp" | "carrier_provider" | "reseller" | "app_store";
export type RenewalStateColumn = "active" | "stop_requested" | "stopped";
export type LicenseStateColumn = "active" | "cancelled" | "expired";
export type RefundStateColumn = "requested" | "approved" | "paid" | "refused";

export interface LicenseTable {
  id: Generated<number>;
  ref: string;
  customer_id: number;
  product: string;
  channel: LicenseChannelColumn;
  term: "annual" | "monthly";
  kind: "standard" | "service" | "trial";
  region: "JP" | "UK" | "NL" | "EEA" | "CH" | "other";
  seats: number;
  price_yen: Yen;
  order_number: string | null;
  product_key: string | null;
  contract_number: string | null;
  pin: string | null;
  carrier: "docomo" | "au" | "softbank" | null;
  carrier_payment_number: string | null;
  provider: string | null;
  email: string | null;
  main_license_id: number | null;
  auto_renew: number;
  renewal_state: RenewalStateColumn;
  sold_via: "vendor" | "third_party" | "bundled" | "nfr";
  previously_refunded: Generated<number>;
  service_used: Generated<number>;
  state: Generated<LicenseStateColumn>;
  cancelled_on: IsoDate | null;
  effective_end: IsoDate | null;
  uninstall_acknowledged_on: IsoDate | null;
  created_at: Instant;
  /** Set on every insert and update by the application (issue 19 API filters; migration 001120). */
  updated_at: Generated<Instant | null>;
}

export interface LicenseChargeTable {
  id: Generated<number>;
  license_id: number;
  charge_date: IsoDate;
  amount_yen: Yen;
  type: "purchase" | "renewal" | "trial_conversion";
}

export interface RefundTable {
  id: Generated<number>;
  license_id: number;
  amount_yen: Yen;
  rule: string;
  state: Generated<RefundStateColumn>;
  reason: string | null;
  requested_at: Instant;
  requested_by: string | null;
  decided_at: Instant | null;
  decided_by: string | null;
  paid_at: Instant | null;
  paid_by: string | null;
  uninstall_acknowledged: number;
}

export interface IspApplicationTable {
  id: Generated<number>;
  idempotency_key: string;
  customer_id: number;
  product: "multi_device_security" | "web_filtering_win" | "web_filtering_android";
  devices: number;
  monthly_yen: Yen;
  contract_number: string;
  pin: string;
  applied_on: IsoDate;
  created_at: Instant;
  created_by: string | null;
  cancel_requested_on: IsoDate | null;
  cancel_effective_on: IsoDate | null;
  revoked_at: Instant | null;
  ended_on: IsoDate | null;
}

/** L-4 One of the customer's main ISP services; ended/suspended carry their last day. */
export type IspMainServiceKind = "internet" | "tv" | "phone" | "other";
export type IspMainServiceStatus = "active" | "suspended" | "ended";

export interface IspMainServiceTable {
  id: Generated<number>;
  customer_id: number;
  service_ref: string;
  kind: IspMainServiceKind;
  name: string | null;
  status: IspMainServiceStatus;
  last_day: IsoDate | null;
  recorded_at: Instant;
  recorded_by: string | null;
}

export interface ApplicationTable {
  id: Generated<number>;
  ref: string;
  reseller_id: number | null;
  customer_id: number | null;
  holder_name: string;
  holder_address: string;
  holder_phone: string;
  holder_email: string;
  line_id: string;
  area: Area;
  base_plan: string;
  endpoint_seats: number;
  endpoint_ownership: string;
  gateway_model: string | null;
  gateway_ownership: string | null;
  gateway_repair24h: number;
  wished_start: IsoDate;
  consent_at: Instant;
  consent_by: string;
  status: "applied" | "approved" | "rejected" | "revoked";
  reason_code: number | null;
  reason_note: string | null;
  service_start: IsoDate | null;
  contract_id: number | null;
  decided_at: Instant | null;
  decided_by: string | null;
  created_at: Instant;
  created_by: string;
  /** Set on every insert and update by the application (issue 19 API filters; migration 001120). */
  updated_at: Generated<Instant | null>;
}

export interface VisitBookingTable {
  id: Generated<number>;
  contract_id: number;
  visit_date: IsoDate;
  start_time: string;
  /** JSON array of the visit lines asked for (the import file's visit line shape). */
  lines: string;
  with_line_application: number;
  backup_available: number;
  estimate_yen: Yen;
  status: "booked" | "done" | "cancelled";
  visit_id: number | null;
  created_by: string;
  created_at: Instant;
}

/** T-10 transfer / T-12 succession of the contract holder (migration 000910). */
export interface ContractHolderChangeTable {
  id: Generated<number>;
  contract_id: number;
  kind: "transfer" | "succession";
  cause: "inheritance" | "merger" | "split" | null;
  from_customer_id: number;
  /** The existing customer taking the contract, or (once approved) the one created for the new holder. */
  to_customer_id: number | null;
  party_name: string;
  party_address: string;
  party_phone: string;
  party_email: string;
  /** Succession: JSON array of the successors' names. */
  successors: string | null;
  /** Succession: the representative named to the provider (T-12-2); null until named. */
  representative: string | null;
  evidence: string;
  evidence_note: string;
  status: "requested" | "approved" | "refused" | "withdrawn";
  refusal_reason: number | null;
  refusal_note: string | null;
  effective_date: IsoDate | null;
  taken_over_yen: Yen | null;
  /** JSON array of the invoice numbers taken over unpaid (T-10-4). */
  taken_over_invoices: string | null;
  requested_by: string;
  requested_at: Instant;
  decided_by: string | null;
  decided_at: Instant | null;
}

export interface ContractChangeTable {
  id: Generated<number>;
  contract_id: number;
  kind: string;
  /** JSON of the change (app/contracts/contract-change.ts ContractChange). */
  payload: string;
  effective_date: IsoDate;
  status: "requested" | "approved" | "rejected";
  reason: string | null;
  requested_by: string;
  requested_at: Instant;
  decided_by: string | null;
  decided_at: Instant | null;
}

export interface CustomerContactHistoryTable {
  id: Generated<number>;
  customer_id: number;
  field: string;
  old_value: string;
  new_value: string;
  effective_date: IsoDate;
  changed_by: string;
  changed_at: Instant;
}

export interface SuspensionTable {
  id: Generated<number>;
  contract_id: number;
  reason_code: string;
  reason_note: string | null;
  starts_on: IsoDate;
  ends_on: IsoDate | null;
  emergency: number;
  notified_at: Instant | null;
  lifted_at: Instant | null;
  lifted_reason: string | null;
  created_by: string;
  created_at: Instant;
}

export interface GatewayReturnTable {
  id: Generated<number>;
  contract_id: number;
  model: string;
  due_on: IsoDate;
  returned_on: IsoDate | null;
  charged_manual_line_id: number | null;
  status: "awaiting" | "returned" | "charged";
}

/** An authenticator app's secret (migration 001060); unconfirmed while the setup is unfinished. */
export interface UserTotpTable {
  user_id: string;
  /** Base32, as the authenticator app shows it. */
  secret: string;
  created_at: Instant;
  confirmed_at: Instant | null;
  /** The last accepted 30-second time step (no replay). */
  last_step: number | null;
}

export interface UserRecoveryCodeTable {
  id: Generated<number>;
  user_id: string;
  code_sha256: string;
  created_at: Instant;
  used_at: Instant | null;
}

/** A WebAuthn credential (passkey). */
export interface UserPasskeyTable {
  /** Credential id, base64url. */
  id: string;
  user_id: string;
  public_key: Buffer;
  counter: number;
  /** JSON array of transports. */
  transports: string;
  name: string;
  created_at: Instant;
  last_used_at: Instant | null;
}

export interface WebauthnChallengeTable {
  challenge: string;
  purpose: "register" | "sign_in" | "second_factor";
  user_id: string | null;
  pending_sign_in_id: number | null;
  expires_at: Instant;
}

/** Between a correct password and the second factor (10 minutes). */
export interface PendingSignInTable {
  id: Generated<number>;
  token_sha256: string;
  user_id: string;
  created_at: Instant;
  expires_at: Instant;
  failures: Generated<number>;
}

export interface SecondFactorFailureTable {
  id: Generated<number>;
  user_id: string;
  at: Instant;
}

/** S1-4⑤: a stored threat report (monthly, or made on demand from the console). */
export interface ThreatReportTable {
  id: Generated<number>;
  contract_id: number;
  /** YYYY-MM */
  period_month: YearMonth;
  kind: "monthly" | "on_demand";
  pdf: Buffer;
  created_at: Instant;
}

/**
 * 電子帳簿保存法: an issued invoice's or credit note's PDF exactly as first rendered, with its
 * SHA-256 (migration 001070). Immutable: triggers refuse UPDATE and DELETE.
 */
export interface DocumentArchiveTable {
  id: Generated<number>;
  kind: "invoice" | "credit_note";
  /** invoices.id or credit_notes.id. */
  document_id: number;
  document_number: string;
  /** 取引年月日: the issue date (YYYY-MM-DD). */
  issue_date: IsoDate;
  /** 取引先: the recipient's name as printed. */
  counterparty: string;
  /** 取引金額: the total incl. tax (for a credit note the amount returned, positive). */
  amount_yen: Yen;
  file_name: string;
  pdf: Buffer;
  /** Lower-case hex SHA-256 of `pdf`. */
  sha256: string;
  stored_at: Instant;
}

/** A partner API key (migration 001090, app/api/keys.server.ts): the provider's (reseller_id null) or a reseller's. */
/** One dunning step of an invoice, sent once (migration 001100): its 督促の履歴. */
export interface DunningStepTable {
  id: Generated<number>;
  invoice_id: number;
  kind: "reminder" | "suspension_notice";
  day_offset: number;
  on_date: IsoDate;
  owed_yen: Yen;
  interest_yen: Yen;
  outbox_id: number | null;
  suspension_id: number | null;
  note: string | null;
  created_at: Instant;
}

/** A partner webhook endpoint of a tenant (issue 19, item 4; migration 001110). */
export interface WebhookEndpointTable {
  id: Generated<number>;
  /** null: the provider's (every customer's events); otherwise that reseller's customers' events only. */
  reseller_id: number | null;
  url: string;
  description: string;
  /** `whsec_…`, kept as is because the server signs with it (decision 0022); shown once. */
  secret: string;
  secret_prefix: string;
  owner_email: string;
  created_at: Instant;
  created_by: string;
  disabled_at: Instant | null;
  disabled_reason: string | null;
  deleted_at: Instant | null;
}

export interface WebhookSubscriptionTable {
  endpoint_id: number;
  event_type: string;
}

export interface WebhookEventTable {
  /** `evt_` + random, unique. */
  id: string;
  type: string;
  customer_id: number | null;
  reseller_id: number | null;
  /** The exact JSON body every delivery of the event sends. */
  body: string;
  created_at: Instant;
}

export type WebhookDeliveryStatus = "pending" | "succeeded" | "failed";

export interface WebhookDeliveryTable {
  id: Generated<number>;
  endpoint_id: number;
  event_id: string;
  status: WebhookDeliveryStatus;
  attempts: Generated<number>;
  first_attempt_at: Instant | null;
  next_attempt_at: Instant;
  claimed_until: Instant | null;
  last_status_code: number | null;
  last_error: string | null;
  succeeded_at: Instant | null;
  created_at: Instant;
}

export interface WebhookAttemptTable {
  id: Generated<number>;
  delivery_id: number;
  attempted_at: Instant;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  manual: Generated<number>;
}

export interface ApiKeyTable {
  id: Generated<number>;
  reseller_id: number | null;
  name: string;
  scope: ApiScope;
  /** SHA-256 (hex) of the whole key; the key itself is shown once and never stored. */
  key_sha256: string;
  /** The key's first characters, to recognise it in lists (not enough to use it). */
  prefix: string;
  created_at: Instant;
  created_by: string;
  /** Written at most once a minute. */
  last_used_at: Instant | null;
  revoked_at: Instant | null;
  revoked_by: string | null;
}

export type ApiScope = "read" | "write";

/**
 * A "do this once" key (migration 001160, decision 0027): a form's one-time token or the partner
 * API's Idempotency-Key, with the first answer kept for a repeat.
 */
export interface IdempotencyKeyTable {
  /** "user:<users.id>" (form token) or "api-key:<api_keys.id>" (Idempotency-Key). */
  owner: string;
  key: string;
  /** The form's name, or "api". */
  purpose: string;
  /** API: SHA-256 of method, path and body; form: the path it was used on (null until used). */
  fingerprint: string | null;
  issued_at: Instant;
  expires_at: Instant;
  /** null: issued, not used yet. */
  used_at: Instant | null;
  /** API: the answer's status; null for forms and while the first API request runs. */
  status: number | null;
  /** API: the answer's body; form: the outcome as JSON. */
  outcome: string | null;
}

/** The API rate limit's counter per key in the current minute (migration 001090). */
export interface ApiRateWindowTable {
  api_key_id: number;
  window_started_at: Instant;
  requests: number;
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
  user_devices: UserDeviceTable;
  user_totp: UserTotpTable;
  user_recovery_codes: UserRecoveryCodeTable;
  user_passkeys: UserPasskeyTable;
  webauthn_challenges: WebauthnChallengeTable;
  pending_sign_ins: PendingSignInTable;
  second_factor_failures: SecondFactorFailureTable;
  audit_log: AuditLogTable;
  login_attempts: LoginAttemptTable;
  login_throttle: LoginThrottleTable;
  security_events: SecurityEventTable;
  event_daily_counts: EventDailyCountTable;
  event_daily_threats: EventDailyThreatTable;
  event_daily_devices: EventDailyDeviceTable;
  event_daily_paused: EventDailyPausedTable;
  incidents: IncidentTable;
  incident_events: IncidentEventTable;
  notifications: NotificationTable;
  outbox: OutboxTable;
  leases: LeaseTable;
  jobs: JobTable;
  job_files: JobFileTable;
  job_file_chunks: JobFileChunkTable;
  vendor_sync_state: VendorSyncStateTable;
  tariff_versions: TariffVersionTable;
  tariff_prices: TariffPriceTable;
  plan_changes: PlanChangeTable;
  terminations: TerminationTable;
  outages: OutageTable;
  visits: VisitTable;
  visit_lines: VisitLineTable;
  manual_lines: ManualLineTable;
  service_notices: ServiceNoticeTable;
  payments: PaymentTable;
  billing_months: BillingMonthTable;
  account_invitations: AccountInvitationTable;
  billing_changes: BillingChangeTable;
  billing_changes_pruned: BillingChangesPrunedTable;
  invoices: InvoiceTable;
  invoice_lines: InvoiceLineTable;
  credit_notes: CreditNoteTable;
  incident_notes: IncidentNoteTable;
  credit_note_lines: CreditNoteLineTable;
  interest_waivers: InterestWaiverTable;
  gateway_failures: GatewayFailureTable;
  licenses: LicenseTable;
  license_charges: LicenseChargeTable;
  refunds: RefundTable;
  isp_applications: IspApplicationTable;
  isp_main_services: IspMainServiceTable;
  applications: ApplicationTable;
  visit_bookings: VisitBookingTable;
  contract_changes: ContractChangeTable;
  contract_holder_changes: ContractHolderChangeTable;
  customer_contact_history: CustomerContactHistoryTable;
  suspensions: SuspensionTable;
  gateway_returns: GatewayReturnTable;
  threat_reports: ThreatReportTable;
  document_archive: DocumentArchiveTable;
  api_keys: ApiKeyTable;
  dunning_steps: DunningStepTable;
  idempotency_keys: IdempotencyKeyTable;
  api_rate_windows: ApiRateWindowTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_events: WebhookEventTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  customer_direct_debits: CustomerDirectDebitTable;
  direct_debits: DirectDebitTable;
  bank_credits: BankCreditTable;
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
export type SecurityEventRow = Selectable<SecurityEventTable>;
export type Incident = Selectable<IncidentTable>;
export type Notification = Selectable<NotificationTable>;
export type OutboxMail = Selectable<OutboxTable>;
export type InvoiceRow = Selectable<InvoiceTable>;
export type InvoiceLineRow = Selectable<InvoiceLineTable>;
