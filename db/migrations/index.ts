// Every migration, listed explicitly so that the server bundle and the commands run the
// same set without reading the folder at run time. Names sort by date.
import type { Migration } from "kysely";
import * as foundation from "./2026_11_22_000001_foundation";
import * as billing from "./2026_11_22_000002_billing";
import * as security from "./2026_11_22_000100_security";
import * as securityRuleEventsIndex from "./2026_11_22_000101_security_rule_events_index";
import * as creditNotes from "./2026_11_22_000200_credit_notes";
import * as interestWaivers from "./2026_11_22_000201_interest_waivers";
import * as gatewayFailures from "./2026_11_22_000300_gateway_failures";
import * as licenses from "./2026_11_22_000400_licenses";
import * as applications from "./2026_11_22_000500_applications";
import * as visitBookings from "./2026_11_22_000501_visit_bookings";
import * as contractChanges from "./2026_11_22_000502_contract_changes";
import * as suspensions from "./2026_11_22_000503_suspensions";
import * as incidentEventsByEvent from "./2026_11_22_000600_incident_events_by_event";
import * as eventDailyCounts from "./2026_11_22_000800_event_daily_counts";
import * as threatReports from "./2026_11_22_000700_threat_reports";
import * as ispMainServices from "./2026_11_22_000900_isp_main_services";
import * as contractHolderChanges from "./2026_11_22_000910_contract_holder_changes";
import * as incidentDeviceName from "./2026_11_22_000920_incident_device_name";
import * as notificationsByOutbox from "./2026_11_22_000930_notifications_by_outbox";
import * as invoiceLinesSealedByPosition from "./2026_11_22_000940_invoice_lines_sealed_by_position";
import * as contractHolderSince from "./2026_11_22_000950_contract_holder_since";
import * as billingChanges from "./2026_11_22_000960_billing_changes";
import * as billingChangesPruned from "./2026_11_22_000970_billing_changes_pruned";
import * as accountInvitations from "./2026_11_22_000980_account_invitations";
import * as userDisabledAt from "./2026_11_22_000990_user_disabled_at";
import * as paymentsByPaidOn from "./2026_11_22_001000_payments_by_paid_on";
import * as billingSettings from "./2026_11_22_001010_billing_settings";
import * as serviceNotices from "./2026_11_22_001020_service_notices";
import * as userDevices from "./2026_11_22_001050_user_devices";
import * as loginThrottle from "./2026_11_22_001051_login_throttle";
import * as sessionDetails from "./2026_11_22_001052_session_details";
import * as secondFactor from "./2026_11_22_001060_second_factor";
import * as documentArchive from "./2026_11_22_001070_document_archive";
import * as peppolParticipantIds from "./2026_11_22_001071_peppol_participant_ids";
import * as dunning from "./2026_11_22_001100_dunning";
import * as listSortIndexes from "./2026_11_22_001140_list_sort_indexes";
import * as leasesAndJobs from "./2026_11_22_001130_leases_and_jobs";
import * as jobFiles from "./2026_11_22_001190_job_files";
import * as updatedAt from "./2026_11_22_001120_updated_at";
import * as idempotencyKeys from "./2026_11_22_001160_idempotency_keys";
import * as incidentNotes from "./2026_11_22_001150_incident_notes";
import * as incidentHandledBy from "./2026_11_22_001220_incident_handled_by";
import * as apiKeys from "./2026_11_22_001090_api_keys";
import * as webhooks from "./2026_11_22_001110_webhooks";
import * as directDebit from "./2026_11_22_001080_direct_debit";
import * as postgresqlBaseline from "./2026_11_22_001100_postgresql_baseline";

export const migrations: Record<string, Migration> = {
  "2026_11_22_000001_foundation": foundation,
  "2026_11_22_000002_billing": billing,
  "2026_11_22_000100_security": security,
  "2026_11_22_000101_security_rule_events_index": securityRuleEventsIndex,
  "2026_11_22_000200_credit_notes": creditNotes,
  "2026_11_22_000201_interest_waivers": interestWaivers,
  "2026_11_22_000300_gateway_failures": gatewayFailures,
  "2026_11_22_000400_licenses": licenses,
  "2026_11_22_000500_applications": applications,
  "2026_11_22_000501_visit_bookings": visitBookings,
  "2026_11_22_000502_contract_changes": contractChanges,
  "2026_11_22_000503_suspensions": suspensions,
  "2026_11_22_000600_incident_events_by_event": incidentEventsByEvent,
  "2026_11_22_000800_event_daily_counts": eventDailyCounts,
  "2026_11_22_000700_threat_reports": threatReports,
  "2026_11_22_000900_isp_main_services": ispMainServices,
  "2026_11_22_000910_contract_holder_changes": contractHolderChanges,
  "2026_11_22_000920_incident_device_name": incidentDeviceName,
  "2026_11_22_000930_notifications_by_outbox": notificationsByOutbox,
  "2026_11_22_000940_invoice_lines_sealed_by_position": invoiceLinesSealedByPosition,
  "2026_11_22_000950_contract_holder_since": contractHolderSince,
  "2026_11_22_000960_billing_changes": billingChanges,
  "2026_11_22_000970_billing_changes_pruned": billingChangesPruned,
  "2026_11_22_000980_account_invitations": accountInvitations,
  "2026_11_22_000990_user_disabled_at": userDisabledAt,
  "2026_11_22_001000_payments_by_paid_on": paymentsByPaidOn,
  "2026_11_22_001010_billing_settings": billingSettings,
  "2026_11_22_001020_service_notices": serviceNotices,
  "2026_11_22_001050_user_devices": userDevices,
  "2026_11_22_001051_login_throttle": loginThrottle,
  "2026_11_22_001052_session_details": sessionDetails,
  "2026_11_22_001060_second_factor": secondFactor,
  "2026_11_22_001070_document_archive": documentArchive,
  "2026_11_22_001071_peppol_participant_ids": peppolParticipantIds,
  "2026_11_22_001090_api_keys": apiKeys,
  "2026_11_22_001080_direct_debit": directDebit,
  "2026_11_22_001100_dunning": dunning,
  "2026_11_22_001140_list_sort_indexes": listSortIndexes,
  "2026_11_22_001130_leases_and_jobs": leasesAndJobs,
  "2026_11_22_001110_webhooks": webhooks,
  "2026_11_22_001120_updated_at": updatedAt,
  "2026_11_22_001160_idempotency_keys": idempotencyKeys,
  "2026_11_22_001150_incident_notes": incidentNotes,
  "2026_11_22_001190_job_files": jobFiles,
  "2026_11_22_001220_incident_handled_by": incidentHandledBy,
};

/**
 * The last migration of the SQLite history that PostgreSQL's baseline stands for. The SQLite
 * migrations up to it stay frozen (databases in use ran them); a PostgreSQL database starts from
 * the baseline, which creates the same schema at once with PostgreSQL's own types and PL/pgSQL
 * triggers (decision 0023).
 */
export const POSTGRES_BASELINE_THROUGH = "2026_11_22_001100_dunning";

/**
 * PostgreSQL: the baseline, then every migration registered above after it. Migrations after
 * the baseline run on both engines: write them with Kysely's schema builder and portable types
 * (db/migrations/README.md).
 */
export const postgresMigrations: Record<string, Migration> = {
  "2026_11_22_001100_postgresql_baseline": postgresqlBaseline,
  ...Object.fromEntries(
    Object.entries(migrations).filter(([name]) => name > POSTGRES_BASELINE_THROUGH),
  ),
};
