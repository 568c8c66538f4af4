// The contract as the billing rules see it: the same shape as a contract object of the import
// file (docs/rules/import-format.md), so that the import layer can pass a parsed contract through and a
// database layer can fill it from its rows. Types only, plus the two facts every rule derives
// from them: the termination date (T-20) and who terminated.
import type { IsoDate, YearMonth } from "../lib/jst";
import { terminationDate, type TerminatedBy } from "./early-termination";
import type { OutageService } from "./outage-credit";
import type { VisitLineInput } from "./visit-pricing";

export type { TerminatedBy } from "./early-termination";
export type Area = "east" | "west";
export type Ownership = "rental" | "purchased";

/** `items[]`: one item line (T-24-1 item rule). */
export interface ContractItem {
  /** `endpoint`, `sandbox` or a gateway model `gateway.gwN`. */
  code: string;
  quantity: number;
  /** `rental` pays the monthly fee; `purchased` does not (S4 ※2, ※3). */
  ownership: Ownership;
  /** Gateways only; absent/null = true (docs/rules/import-format.md). */
  repair24h?: boolean | null;
  from: IsoDate;
  /** The day the line was removed; null/absent = still on. */
  to?: IsoDate | null;
}

/** `planChanges[]`: the base plan from `date` on (charged from the month of the change). */
export interface PlanChange {
  date: IsoDate;
  basePlan: string;
}

/** `outages[]` (T-24-2(2)). Instants are ISO 8601 with offset; `restoredAt` null = still out. */
export interface OutageRecord {
  services: readonly OutageService[];
  knownAt: string;
  restoredAt: string | null;
  customerFault: boolean;
}

/** `visits[]` (S2, S5, S6). */
export interface VisitRecord {
  date: IsoDate;
  /** `HH:MM`; orders visits of the same day. */
  start: string;
  withLineApplication: boolean;
  backupAvailable: boolean;
  lines: readonly VisitLineInput[];
}

/** `manualLines[]`: entered by finance (T-25 surcharge, S4 ※3 unreturned device, T-32 relief, …). */
export interface ManualLineRecord {
  date: IsoDate;
  description: string;
  /** Signed: a credit (T-32 relief) is negative. */
  amountYen: number;
  taxable: boolean;
  /** Optional line code and rule id; default `manual` / `manual`. */
  code?: string | null;
  rule?: string | null;
}

/** `termination`: the customer's request (T-20), or the provider's notice with its end date. */
export interface TerminationRecord {
  requestedOn: IsoDate;
  wishedDate: IsoDate;
  /** The day the provider finished confirming; null = not confirmed yet (not terminated). */
  confirmedOn: IsoDate | null;
}

/** `payments[]`: pays the invoice of `billingMonth`; `amountYen` null = in full. */
export interface PaymentRecord {
  billingMonth: YearMonth;
  paidOn: IsoDate;
  amountYen: number | null;
}

export interface ContractHistory {
  ref?: string;
  customer?: string;
  lineId?: string;
  area: Area;
  basePlan: string;
  serviceStart: IsoDate;
  items?: readonly ContractItem[];
  planChanges?: readonly PlanChange[];
  outages?: readonly OutageRecord[];
  visits?: readonly VisitRecord[];
  manualLines?: readonly ManualLineRecord[];
  termination?: TerminationRecord | null;
  /** Absent = `customer`. */
  terminatedBy?: TerminatedBy;
  payments?: readonly PaymentRecord[];
}

/** T-20: the contract's termination date, or null while it runs (or the request is unconfirmed). */
export function contractTerminationDate(contract: ContractHistory): IsoDate | null {
  const t = contract.termination;
  if (!t || t.confirmedOn === null) return null;
  return terminationDate(t.wishedDate, t.confirmedOn);
}

export function contractTerminatedBy(contract: ContractHistory): TerminatedBy {
  return contract.terminatedBy ?? "customer";
}
