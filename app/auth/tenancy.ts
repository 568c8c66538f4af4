// Who the caller is and which tenant it may see. Every repository query takes a Tenant and
// puts it in its `where`: a record outside it is indistinguishable from one that does not exist.
import type { Role } from "../../db/schema";

export type Tenant =
  | { kind: "provider" }
  | { kind: "reseller"; resellerId: number }
  | { kind: "customer"; customerId: number };

export interface Viewer {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  tenant: Tenant;
}

export const ROLE_LABELS: Record<Role, string> = {
  provider_admin: "プロバイダー管理者",
  operator: "オペレーター",
  finance: "経理",
  reseller_manager: "販売店担当者",
  customer_admin: "お客さま管理者",
};

/** Who acknowledges and resolves incidents: the customer's administrators and the provider's operations. */
export const INCIDENT_ROLES: readonly Role[] = ["customer_admin", "operator", "provider_admin"];

/** The provider's operations staff (application review, cancellations, visits, outages). */
export const OPERATIONS_ROLES: readonly Role[] = ["operator", "provider_admin"];

/** Who applies for a contract (T-7): a reseller for its customers, a customer for itself. */
export const APPLICANT_ROLES: readonly Role[] = ["reseller_manager", "customer_admin"];

/** Who closes billing months and records payments. */
export const FINANCE_ROLES: readonly Role[] = ["finance", "provider_admin"];

/** Who enters manual invoice lines (T-25 surcharges by finance; S1-4④ repair charges, S6 quotes, T-32 relief by operations). */
export const MANUAL_LINE_ROLES: readonly Role[] = ["finance", "operator", "provider_admin"];

/** Who reads the tariff versions (operations publish them). */
export const TARIFF_VIEW_ROLES: readonly Role[] = ["provider_admin", "operator", "finance"];

/** Who gives customer administrators their accounts: the provider's operations, a reseller for its customers. */
export const ACCOUNT_ISSUER_ROLES: readonly Role[] = [
  "provider_admin",
  "operator",
  "reseller_manager",
];

/** Who may list and open customers: everyone but the customers themselves. */
export const CUSTOMER_VIEW_ROLES: readonly Role[] = [
  "provider_admin",
  "operator",
  "finance",
  "reseller_manager",
];

/** Who issues and revokes partner API keys (issue 19): the provider's admins, a reseller's managers for the reseller. */
/** The provider's staff: they read rule ids (T-24-1, S1-4⑤) as written; everyone else gets plain Japanese with the rule on demand (issue 17 item 7). */
export const RULE_ID_ROLES: readonly Role[] = ["provider_admin", "operator", "finance"];

export const API_KEY_ROLES: readonly Role[] = ["provider_admin", "reseller_manager"];

export function tenantFor(user: {
  role: Role;
  reseller_id: number | null;
  customer_id: number | null;
}): Tenant {
  if (user.role === "reseller_manager") {
    if (user.reseller_id === null) throw new Error("reseller_manager without a reseller");
    return { kind: "reseller", resellerId: user.reseller_id };
  }
  if (user.role === "customer_admin") {
    if (user.customer_id === null) throw new Error("customer_admin without a customer");
    return { kind: "customer", customerId: user.customer_id };
  }
  return { kind: "provider" };
}
